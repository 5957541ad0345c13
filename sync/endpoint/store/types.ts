/** What the endpoint store returns: read models for the server, the clerk API and the CLI. Times are ISO 8601. */
import type { AuditHead, DeviceHealth, JsonObject, MediaType, QueueSizes, ResultDoc } from './protocol-types.js';
import type { StoredStatus } from './status-rules.js';

export interface KioskRecord {
  readonly id: string;
  readonly enrolledAt: string;
  readonly revokedAt: string | null;
  readonly lastSeenAt: string | null;
  /** Always false from the store: the running server overlays the kiosks it holds a connection to. */
  readonly connected: boolean;
  readonly highestSeq: number;
  readonly agentVersion: string | null;
  readonly address: string | null;
  readonly devices: readonly DeviceHealth[] | null;
  readonly queue: QueueSizes | null;
  readonly auditHead: AuditHead | null;
  readonly heartbeatAt: string | null;
  /** The last event the kiosk acknowledged, and how many of its events it has not. */
  readonly ackedCursor: string | null;
  readonly unackedEvents: number;
}

export interface EndpointCaseSummary {
  readonly id: string;
  readonly kioskId: string;
  readonly itemCode: string;
  readonly region: string;
  readonly status: StoredStatus;
  /** The SM3 content hash the kiosk reports for the case (agent/cases/README.md). */
  readonly contentHash: string;
  readonly serial: string;
  readonly receivedAt: string;
  readonly updatedAt: string;
}

export interface CaseHistoryEntry {
  readonly from: StoredStatus | null;
  readonly to: StoredStatus;
  /** `kiosk`, `endpoint`, or the clerk's name given with the change. */
  readonly actor: string;
  readonly note?: string;
  readonly contentHash: string;
  /** The kiosk's own time of a move it made (informational; never used for ordering). */
  readonly kioskAt?: string;
  readonly at: string;
}

export interface EndpointResult extends ResultDoc {
  /** Who attached it: the kiosk (issued on site) or the endpoint (a clerk). */
  readonly source: 'kiosk' | 'endpoint';
  readonly at: string;
}

export interface EndpointCase extends EndpointCaseSummary {
  readonly content: JsonObject;
  readonly history: readonly CaseHistoryEntry[];
  readonly results: readonly EndpointResult[];
  /** Set when the case's personal data was erased (retention purge or an erasure request): content {}, no notes, no titles. */
  readonly purgedAt?: string;
}

/** A result document a clerk attaches: its bytes (or a file to read them from), checked by their magic. */
export interface ResultInput {
  readonly bytes?: Uint8Array;
  readonly path?: string;
  readonly title: string;
  /** Checked against the bytes; default: what the bytes are. */
  readonly mediaType?: MediaType;
  /** Default: R- and the first 16 hex digits of the file's SM3. */
  readonly documentId?: string;
}

export interface SetStatusOptions {
  readonly note?: string;
  readonly results?: readonly ResultInput[];
  readonly actor?: string;
}
