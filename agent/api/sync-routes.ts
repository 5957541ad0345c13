/**
 * The sync over the local API (issue 6): GET /api/sync — per endpoint connected or not, backlog,
 * in flight, last error, next retry; the regions no endpoint serves with their waiting cases; the
 * quarantined entries (seq, case, code, reason: nothing personal) — and POST
 * /api/sync/quarantine/{seq}/retry, for staff once the cause is fixed: the entry goes back in the
 * queue (due now, attempts reset) and the client is woken.
 */
import type { AgentSync } from '../sync/start-sync.js';
import { ApiError } from './errors.js';
import type { AnyRoute } from './server.js';

export function syncRoutes(sync: Pick<AgentSync, 'status' | 'retry'>): AnyRoute[] {
  return [
    { method: 'GET', path: '/api/sync', handler: () => ({ status: 200, body: sync.status() }) },
    {
      method: 'POST',
      path: '/api/sync/quarantine/{seq}/retry',
      handler: ({ params }) => {
        const seq = /^[1-9]\d{0,15}$/.test(params.seq!) ? Number(params.seq) : NaN;
        if (!Number.isSafeInteger(seq)) throw new ApiError(404, 'sync.notQuarantined', `no quarantined outbox entry ${params.seq}`, 'seq');
        if (!sync.retry(seq)) throw new ApiError(404, 'sync.notQuarantined', `no quarantined outbox entry ${seq}`, 'seq');
        return { status: 200, body: { seq, retried: true } };
      },
    },
  ];
}
