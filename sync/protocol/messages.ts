/**
 * The messages of the sync protocol (sync/PROTOCOL.md), as TypeScript types. The decoders in
 * kiosk-messages.ts and endpoint-messages.ts produce exactly these shapes from untrusted frames.
 */

/** 64 lower-case hexadecimal digits: SM3 (GB/T 32905) of some bytes. */
export type Sm3Hex = string;

export const MEDIA_TYPES = ['application/pdf', 'image/jpeg', 'image/png'] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];

export interface FileRef {
  readonly sm3: Sm3Hex;
  readonly size: number;
  readonly mediaType: MediaType;
}

/** A result document (受理回执, 证明, 决定书…) returned with a status; the file travels separately by its SM3. */
export interface ResultDoc extends FileRef {
  /** [A-Za-z0-9._:-]{1,80} */
  readonly documentId: string;
  readonly title: string;
}

export const CASE_STATUSES = ['submitted', 'uploaded', 'accepted', 'correctionRequested', 'refused', 'completed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** The statuses an endpoint sets (受理, 补正, 不予受理, 办结). */
export const ENDPOINT_STATUSES = ['accepted', 'correctionRequested', 'refused', 'completed'] as const;
export type EndpointStatus = (typeof ENDPOINT_STATUSES)[number];

/** No personal data: a device name, its state and a short technical detail. */
export interface DeviceHealth {
  readonly device: string;
  readonly state: string;
  readonly detail?: string;
}

export interface QueueSizes {
  readonly pending: number;
  readonly quarantined: number;
  readonly unrouted: number;
  readonly inboxUnapplied: number;
}

export interface AuditHead {
  readonly seq: number;
  readonly hash: Sm3Hex;
}

/** A JSON object (the case content, a catalog): validated structurally only (depth, plain JSON). */
export type JsonObject = { readonly [key: string]: unknown };

// ---------------------------------------------------------------- kiosk -> endpoint

export const ENTRY_KINDS = ['case.submitted', 'case.transition', 'case.contentChanged'] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

export interface SubmittedPayload {
  readonly serial: string;
  readonly contentHash: Sm3Hex;
  /** canonicalCaseContent (agent/cases/README.md): hashes to contentHash. */
  readonly content: JsonObject;
}

export interface TransitionPayload {
  readonly from: CaseStatus;
  readonly to: CaseStatus;
  /** ISO 8601 time the kiosk made the transition (informational: never used for ordering). */
  readonly at: string;
  readonly contentHash: Sm3Hex;
  readonly note?: string;
  /** New content (补正 resubmission): hashes to contentHash. */
  readonly content?: JsonObject;
  readonly results: readonly ResultDoc[];
}

export interface ContentChangedPayload {
  readonly contentHash: Sm3Hex;
  readonly content: JsonObject;
}

interface EntryBase {
  /** The kiosk's outbox seq (monotonic per kiosk): with the kiosk id, the idempotency key. */
  readonly seq: number;
  readonly caseId: string;
  /** 6-digit region code of the case's item (routing). */
  readonly region: string;
}
export type CaseEntry =
  | (EntryBase & { readonly kind: 'case.submitted'; readonly payload: SubmittedPayload })
  | (EntryBase & { readonly kind: 'case.transition'; readonly payload: TransitionPayload })
  | (EntryBase & { readonly kind: 'case.contentChanged'; readonly payload: ContentChangedPayload });

export interface EnrollMessage {
  readonly v: number;
  readonly type: 'enroll';
  readonly token: string;
  readonly agentVersion: string;
}

export interface HelloMessage {
  readonly v: number;
  readonly type: 'hello';
  readonly kioskId: string;
  readonly secret: string;
  readonly agentVersion: string;
  readonly caseFormat: 1;
  /** The last endpoint event the kiosk committed; null: none yet. */
  readonly cursor: string | null;
}

export interface CasesMessage {
  readonly v: number;
  readonly type: 'cases';
  /** 1..LIMITS.maxBatch entries, seq strictly ascending. */
  readonly batch: readonly CaseEntry[];
}

export interface FileOfferMessage {
  readonly v: number;
  readonly type: 'file.offer';
  readonly sm3: Sm3Hex;
  readonly size: number;
  readonly mediaType: MediaType;
}

export interface FileGetMessage {
  readonly v: number;
  readonly type: 'file.get';
  readonly sm3: Sm3Hex;
  readonly offset: number;
}

export interface EventsAckMessage {
  readonly v: number;
  readonly type: 'events.ack';
  readonly cursor: string;
}

export interface HeartbeatMessage {
  readonly v: number;
  readonly type: 'heartbeat';
  readonly devices: readonly DeviceHealth[];
  readonly queue: QueueSizes;
  readonly auditHead: AuditHead | null;
}

/** The header of a binary chunk frame (both directions). */
export interface ChunkHeader {
  readonly v: number;
  readonly type: 'file.chunk';
  readonly sm3: Sm3Hex;
  readonly offset: number;
  readonly last: boolean;
}

/** A decoded binary chunk frame: its header's fields and the data bytes (a view into the frame). */
export interface FileChunkMessage extends ChunkHeader {
  readonly data: Buffer;
}

/** Kiosk -> endpoint, JSON text frames. */
export type KioskTextMessage =
  | EnrollMessage
  | HelloMessage
  | CasesMessage
  | FileOfferMessage
  | FileGetMessage
  | EventsAckMessage
  | HeartbeatMessage;

/** Everything the endpoint accepts: text messages and binary chunks. */
export type KioskMessage = KioskTextMessage | FileChunkMessage;

// ---------------------------------------------------------------- endpoint -> kiosk

export interface EnrolledMessage {
  readonly v: number;
  readonly type: 'enrolled';
  readonly kioskId: string;
  readonly secret: string;
}

export interface WelcomeMessage {
  readonly v: number;
  readonly type: 'welcome';
  readonly endpointId: string;
  /** ['*'] = any region. */
  readonly regions: readonly string[];
  readonly heartbeatMs: number;
  /** In flight, unacknowledged: case entries and file chunks. */
  readonly window: { readonly entries: number; readonly chunks: number };
  /** Highest kiosk seq committed so far, 0 if none (informational). */
  readonly highestSeq: number;
}

export const ACK_OUTCOMES = ['committed', 'duplicate', 'rejected', 'retry'] as const;
export type AckOutcome = (typeof ACK_OUTCOMES)[number];

export interface AckResult {
  readonly seq: number;
  /** rejected = permanent (the kiosk quarantines); retry = transient (the kiosk backs off). */
  readonly outcome: AckOutcome;
  readonly code?: string;
  readonly reason?: string;
  readonly retryAfterMs?: number;
}

export interface AckMessage {
  readonly v: number;
  readonly type: 'ack';
  /** One per entry of a `cases` message, same order; sent only after the commit. */
  readonly results: readonly AckResult[];
}

export interface FileStatusMessage {
  readonly v: number;
  readonly type: 'file.status';
  readonly sm3: Sm3Hex;
  readonly committed: number;
  readonly complete: boolean;
}

export interface FileAckMessage {
  readonly v: number;
  readonly type: 'file.ack';
  readonly sm3: Sm3Hex;
  readonly committed: number;
  readonly complete: boolean;
}

export interface FileRejectedMessage {
  readonly v: number;
  readonly type: 'file.rejected';
  readonly sm3: Sm3Hex;
  readonly code: string;
  readonly reason: string;
}

export interface CaseStatusEvent {
  readonly cursor: string;
  readonly id: string;
  readonly kind: 'case.status';
  readonly caseId: string;
  readonly to: EndpointStatus;
  readonly note?: string;
  readonly results: readonly ResultDoc[];
  readonly at: string;
}

export interface CatalogEvent {
  readonly cursor: string;
  readonly id: string;
  readonly kind: 'catalog';
  readonly version: number;
  /** The agent validates it (agent/catalog). */
  readonly catalog: JsonObject;
  readonly at: string;
}

export type EndpointEvent = CaseStatusEvent | CatalogEvent;

export interface EventsMessage {
  readonly v: number;
  readonly type: 'events';
  /** 1..LIMITS.maxEventsPerMessage, cursor strictly ascending. */
  readonly events: readonly EndpointEvent[];
}

export interface HeartbeatRequestMessage {
  readonly v: number;
  readonly type: 'heartbeat.request';
}

export interface ErrorMessage {
  readonly v: number;
  readonly type: 'error';
  readonly code: string;
  readonly message: string;
  /** true: the sender closes the connection with a CLOSE code next. */
  readonly fatal: boolean;
  readonly retryAfterMs?: number;
}

/** Endpoint -> kiosk, JSON text frames. */
export type EndpointTextMessage =
  | EnrolledMessage
  | WelcomeMessage
  | AckMessage
  | FileStatusMessage
  | FileAckMessage
  | FileRejectedMessage
  | EventsMessage
  | HeartbeatRequestMessage
  | ErrorMessage;

/** Everything the kiosk accepts: text messages and binary chunks (answers to file.get). */
export type EndpointMessage = EndpointTextMessage | FileChunkMessage;

/** What encodeText takes: any JSON message of either direction. */
export type TextMessage = KioskTextMessage | EndpointTextMessage;

/** Distributes Omit over a union (so `Outgoing<KioskTextMessage>` keeps each member's fields). */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A message without `v` (encodeText fills in PROTOCOL_VERSION). */
export type Outgoing<T extends { v: number }> = DistributiveOmit<T, 'v'> & { readonly v?: number };
