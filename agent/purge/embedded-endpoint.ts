/**
 * The embedded endpoint's copy (agent/sync: with no `sync.endpoints` the kiosk runs a reference endpoint
 * whose store is DATA/endpoint/endpoint.db): an erasure or retention purge at the kiosk also erases the
 * cases that endpoint holds (sync/endpoint/store/erasure.ts), audited in the kiosk's log like its own
 * erasures (subject `endpoint`, ids and counts only). Opened as a non-owner: the running agent's endpoint
 * may hold it (WAL).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../base/log.js';
import { ENDPOINT_DB_FILE, openEndpointStore, type ErasureReport } from '../../sync/endpoint/store/index.js';
import { appendAudit } from '../audit/audit-log.js';
import { EMBEDDED_ENDPOINT_DIR } from '../sync/start-sync.js';
import type { Store } from '../store/store.js';

/** Runs `erase` on the embedded endpoint's store when there is one, and audits what it erased; [] when none. */
export function eraseAtEmbeddedEndpoint(
  store: Store,
  o: { log: Logger; actor: string; reason: 'operator' | 'retention'; now: number },
  erase: (endpoint: ReturnType<typeof openEndpointStore>) => ErasureReport,
): string[] {
  const dir = join(store.dataDir, EMBEDDED_ENDPOINT_DIR);
  if (!existsSync(join(dir, ENDPOINT_DB_FILE))) return [];
  const endpoint = openEndpointStore({ dataDir: dir, log: o.log, owner: false });
  let report: ErasureReport;
  try {
    report = erase(endpoint);
  } finally {
    endpoint.close();
  }
  if (report.cases.length > 0) {
    store.transaction(() =>
      appendAudit(store.db, {
        type: 'purge',
        actor: o.actor,
        subject: 'endpoint',
        details: { reason: o.reason, what: 'embedded endpoint cases', cases: report.cases, files: report.filesDeleted },
        at: o.now,
      }),
    );
  }
  return report.cases;
}
