/** The reference endpoint's store (contracts §3): `openEndpointStore` and what it returns. */
export { openEndpointStore, type EndpointStore, type OpenEndpointStoreOptions } from './endpoint-store.js';
export { ENDPOINT_APPLICATION_ID, ENDPOINT_DB_FILE } from './database.js';
export { AuthError, EnrollError, FileRejected, StatusError, type AuthErrorCode, type EnrollErrorCode } from './errors.js';
export type { ChunkResult, FileState } from './files.js';
export type { ErasureReport } from './erasure.js';
export { CLERK_MOVES, KIOSK_MOVES, STORED_STATUSES, type StoredStatus } from './status-rules.js';
export type { CaseHistoryEntry, EndpointCase, EndpointCaseSummary, EndpointResult, KioskRecord, ResultInput, SetStatusOptions } from './types.js';
