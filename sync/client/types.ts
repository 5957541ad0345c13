/**
 * The client's seams (sync contracts, section 5): the kiosk-side store it drains and feeds
 * (implemented by agent/sync/kiosk-sync-store.ts; a test one lives in sync/test/helpers/), the
 * configuration of one endpoint, and the status it reports for `tongban sync status`.
 */
import type { CaseEntry, DeviceHealth, EndpointEvent, FileRef, QueueSizes } from '../protocol/index.js';

/** `'*'`: every region; otherwise the 6-digit region codes an endpoint handles. */
export type Regions = readonly string[] | '*';

/** One outbox entry ready to go, with the files its payload lists (materials attached, results). */
export interface SyncEntry {
  seq: number;
  caseId: string;
  region: string;
  kind: CaseEntry['kind'];
  payload: CaseEntry['payload'];
  files: FileRef[];
  attempts: number;
}

export interface KioskSyncStore {
  /** Ready outbox entries routed to `regions`, FIFO by seq, at most ONE per case (the earliest unsent one; none for a case with an
   *  earlier unsent or quarantined entry), excluding `exclude` (in flight), next_attempt_at <= now. */
  pending(q: { regions: Regions; now: number; limit: number; exclude: ReadonlySet<number> }): SyncEntry[];
  hasFile(sm3: string): boolean;
  /** Plaintext bytes of a material/result the kiosk holds. */
  readFile(sm3: string): Uint8Array;
  /** The endpoint committed these: outbox rows marked sent, and a case at `submitted` moved to `uploaded`, in ONE transaction. */
  acknowledged(seqs: readonly number[], at: number): void;
  failed(seq: number, error: string, nextAttemptAt: number): void;
  quarantine(seq: number, code: string, reason: string): void;
  credentials(endpointUrl: string): { kioskId: string; secret: string } | undefined;
  /** Durable before the client goes on. */
  saveCredentials(endpointUrl: string, c: { kioskId: string; secret: string }): void;
  cursor(endpointUrl: string): string | null;
  /** Events (in cursor order, with the result files already fetched) applied and the cursor advanced, in ONE transaction; a redelivered event id is skipped. */
  applyEvents(endpointUrl: string, events: readonly EndpointEvent[], files: ReadonlyMap<string, Uint8Array>): void;
  heartbeat(): { devices: DeviceHealth[]; queue: QueueSizes; auditHead: { seq: number; hash: string } | null };
  counts(regions: Regions): { pending: number; quarantined: number };
}

export interface EndpointConfig {
  url: string;
  regions: Regions;
  enrollToken?: string;
  /** PEM of the CA (or self-signed certificate) the endpoint's TLS certificate must chain to. */
  ca?: string;
}

export type EndpointState = 'connecting' | 'connected' | 'backoff' | 'enrolling' | 'unauthorized' | 'stopped';

export interface EndpointStatus {
  url: string;
  regions: Regions;
  state: EndpointState;
  connected: boolean;
  kioskId: string | null;
  lastError: string | null;
  /** ISO time of the next connection attempt while backing off (or unauthorized), else null. */
  nextRetryAt: string | null;
  lastConnectedAt: string | null;
  /** Outbox entries routed here, not yet acknowledged and not quarantined. */
  backlog: number;
  quarantined: number;
  /** Case entries sent and not yet acknowledged. */
  inFlight: number;
  /** Case entries the endpoint acknowledged (committed or duplicate) since start(). */
  sent: number;
  /** Endpoint events applied locally since start(). */
  received: number;
}
