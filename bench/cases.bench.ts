/**
 * The case workflow's intake: what agent/cases adds on top of the store's bare intake. One case is
 * checked whole against the catalog (parseCaseInput), hashed (caseContentHash, SM3 of the canonical
 * JSON), its applicant and case sealed and written with the outbox entry and the audit entry.
 *
 * - the pure part per case (validation + content hash), CPU only;
 * - CaseService.submit: one durable transaction per case (synchronous=FULL);
 * - CaseService.submitGrouped with 256 in flight (the API's path): one fsync per event-loop turn;
 * - store.intakeCase with the same concurrency (the store alone, no validation, applicant or audit) as
 *   the peer: the ratio says what the workflow costs over the bare store path.
 *
 * Intake rates are wall-clock (fsync-bound). The 5,000 durable cases/s is the store's own
 * target (bench/intake); the workflow path feeds the API, whose target is 1,000 cases/s over HTTP.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../base/log.js';
import { sm3Hex } from '../certs/sm3.js';
import { CaseService } from '../agent/cases/case-service.js';
import { caseContentHash, draftCase, exampleCase, parseCaseInput } from '../agent/cases/index.js';
import { demoCatalog, ensureCatalog, requireItem } from '../agent/catalog/index.js';
import { openFieldCipher } from '../agent/pii/field-cipher.js';
import { openStore, type Store } from '../agent/store/store.js';
import type { BenchModule, Measurement } from './lib.js';

const IN_FLIGHT = 256;
const catalog = demoCatalog();
const raw = exampleCase(requireItem(catalog, '341600-GJJ-0002'));

const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** Keeps IN_FLIGHT calls of `start` outstanding until `minMs` passed; wall and CPU rates. */
async function concurrent(name: string, start: () => Promise<unknown>, minMs = 2000): Promise<Measurement> {
  const c0 = cpuSeconds();
  const t0 = performance.now();
  let ops = 0;
  await new Promise<void>((resolve, reject) => {
    let outstanding = 0;
    const one = (): void => {
      if (performance.now() - t0 >= minMs) {
        if (outstanding === 0) resolve();
        return;
      }
      outstanding++;
      start().then(() => {
        outstanding--;
        ops++;
        one();
      }, reject);
    };
    for (let k = 0; k < IN_FLIGHT; k++) one();
  });
  const wall = (performance.now() - t0) / 1000;
  return { name, ops, opsPerSec: ops / Math.max(cpuSeconds() - c0, 1e-9), wallOpsPerSec: ops / wall, medianMs: (wall * 1000) / ops };
}

function openFresh(dir: string, name: string): { store: Store; service: CaseService } {
  const dataDir = join(dir, name);
  const store = openStore({ dataDir, log: silentLogger, cipher: openFieldCipher({ dataDir }) });
  const held = ensureCatalog(store);
  return { store, service: new CaseService({ store, catalog: () => held }) };
}

const bench: BenchModule = {
  description: 'case intake through agent/cases (validation, content hash, applicant, case, outbox, audit) vs the store alone',
  async run(b) {
    const dir = mkdtempSync(join(tmpdir(), 'tongban-cases-bench-'));
    try {
      let n = 0;
      const pure = await b.measure('parseCaseInput + caseContentHash (CPU only)', () => caseContentHash(draftCase(parseCaseInput(raw, catalog), 1, `0190a1b2-c3d4-7e5f-8a9b-${String(n++).padStart(12, '0')}`, '2026-11-21T08:00:00Z')));

      const one = openFresh(dir, 'single');
      const single = await b.measure('CaseService.submit, 1 durable transaction each', () => one.service.submit(raw), { minTimeMs: 1500 });
      one.store.close();

      const grouped = openFresh(dir, 'grouped');
      const viaService = b.record(await concurrent(`CaseService.submitGrouped, ${IN_FLIGHT} in flight (group commit)`, () => grouped.service.submitGrouped(raw)));
      grouped.store.close();

      const bare = openFresh(dir, 'bare');
      let k = 0;
      const viaStore = b.record(
        await concurrent(`store.intakeCase alone, ${IN_FLIGHT} in flight (peer)`, () => {
          const form = { n: k++ };
          return bare.store.intakeCase({ serial: `B${process.pid}-${k}`, itemCode: '341600-GJJ-0002', state: 'submitted', form, contentHash: sm3Hex(JSON.stringify(form)), actor: 'bench' }, { kind: 'case.submitted', payload: null });
        }),
      );
      bare.store.close();

      // The API's intake goes through submitGrouped: it must leave room for the 1,000 cases/s over HTTP.
      b.limit('submitGrouped: durable cases per second (wall)', viaService.wallOpsPerSec, 'cases/s', { atLeast: 1000 });
      b.limit('validation + content hash per case', pure.medianMs!, 'ms', { atMost: 0.2 });
      b.note(`one-transaction-per-case submit runs at ${Math.round(single.wallOpsPerSec)} cases/s (fsync-bound); the workflow over the bare store path: ${(viaService.wallOpsPerSec / viaStore.wallOpsPerSec).toFixed(2)}x`);
      b.note('the service path also seals the applicant and writes the audit entry (SM3 chain) per case, which the peer does not');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
export default bench;
