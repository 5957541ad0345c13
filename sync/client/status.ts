/**
 * What `tongban sync status` and GET /api/sync show for one endpoint. Counting reads the store; a
 * store that cannot answer (closing at shutdown) leaves the last counts in place rather than failing
 * the status call.
 */
import type { EndpointState, EndpointStatus, Regions } from './types.js';

export interface StatusFields {
  readonly url: string;
  readonly regions: Regions;
  readonly state: EndpointState;
  readonly kioskId: string | null;
  readonly lastError: string | null;
  readonly nextRetryAt: number | null;
  readonly lastConnectedAt: number | null;
  readonly counts: { readonly pending: number; readonly quarantined: number };
  readonly inFlight: number;
  readonly sent: number;
  readonly received: number;
}

export function endpointStatus(f: StatusFields): EndpointStatus {
  return {
    url: f.url,
    regions: f.regions === '*' ? '*' : [...f.regions],
    state: f.state,
    connected: f.state === 'connected',
    kioskId: f.kioskId,
    lastError: f.lastError,
    nextRetryAt: f.nextRetryAt === null ? null : new Date(f.nextRetryAt).toISOString(),
    lastConnectedAt: f.lastConnectedAt === null ? null : new Date(f.lastConnectedAt).toISOString(),
    backlog: f.counts.pending,
    quarantined: f.counts.quarantined,
    inFlight: f.inFlight,
    sent: f.sent,
    received: f.received,
  };
}
