/**
 * The kiosk's sync client (sync contracts, section 5): SyncClient (one endpoint), SyncService (several,
 * routed by region), the KioskSyncStore seam it drains, backoff and status.
 */
export { SyncClient, type SyncClientOptions } from './sync-client.js';
export { SyncService, type SyncServiceOptions } from './sync-service.js';
export { DEFAULT_BACKOFF, backoffCap, backoffDelay, retryDelay, type BackoffOptions, type RandomSource } from './backoff.js';
export { assignRoutes, type Route } from './routing.js';
export type { EndpointConfig, EndpointState, EndpointStatus, KioskSyncStore, Regions, SyncEntry } from './types.js';
