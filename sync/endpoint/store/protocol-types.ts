/** The protocol shapes the endpoint store speaks (contracts §1), from sync/protocol: its modules import them from here. */
export { CASE_STATUSES, ENDPOINT_STATUSES, LIMITS, MAX_JSON_DEPTH, MAX_NOTE_CHARS, MAX_REASON_CHARS, MAX_RESULTS, MAX_TITLE_CHARS, MEDIA_TYPES } from '../../protocol/index.js';
export type {
  AckOutcome,
  AckResult,
  AuditHead,
  CaseEntry,
  CaseStatus,
  CaseStatusEvent,
  CatalogEvent,
  ContentChangedPayload,
  DeviceHealth,
  EndpointEvent,
  EndpointStatus,
  FileRef,
  JsonObject,
  MediaType,
  QueueSizes,
  ResultDoc,
  Sm3Hex,
  SubmittedPayload,
  TransitionPayload,
} from '../../protocol/index.js';
