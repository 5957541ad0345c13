/** The purge over cases made by CaseService (the cases helper's workflow), not only over raw repository rows. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, MemorySink } from '../../base/log.js';
import { sm3Hex } from '../../certs/sm3.js';
import { verifyAudit } from '../audit/verify.js';
import { ensureCatalog, requireItem, type Catalog } from '../catalog/index.js';
import { CaseService } from '../cases/case-service.js';
import { EXAMPLE_APPLICANT } from '../cases/example.js';
import { exampleCase } from '../cases/index.js';
import { openFieldCipher, type FieldCipher } from '../pii/field-cipher.js';
import { purgeApplicant, purgeExpired } from '../purge/purge.js';
import { openStore, type Store } from '../store/store.js';

const DAY = 24 * 60 * 60 * 1000;
let dir: string;
let store: Store;
let cipher: FieldCipher;
let catalog: Catalog;
let clock: number;
let service: CaseService;
const sink = new MemorySink();
const log = createLogger({ level: 'debug', sink });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tongban-purge-cases-'));
  cipher = openFieldCipher({ dataDir: dir, log });
  store = openStore({ dataDir: dir, log, cipher });
  catalog = ensureCatalog(store);
  clock = Date.parse('2026-01-05T08:00:00Z');
  service = new CaseService({ store, catalog: () => catalog, now: () => clock++ });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const RESULT = { kind: '证明', name: '社会保险参保缴费证明', documentId: 'SB-341600-20260105-000001', sm3: sm3Hex('pdf'), template: 'social-insurance-proof' } as const;

function completedAndSynced(): string {
  const { case: c } = service.submit(exampleCase(requireItem(catalog, '341600-GJJ-0002')));
  service.transition(c.id, { to: 'uploaded', actor: 'kiosk' });
  service.transition(c.id, { to: 'accepted', actor: 'endpoint' });
  service.transition(c.id, { to: 'completed', actor: 'endpoint', results: [RESULT] });
  for (const e of store.outbox.forCase(c.id)) store.outbox.markSent(e.seq, clock);
  return c.id;
}

describe('purge of CaseService cases', () => {
  it('the retention purge leaves a PurgedCase with its facts; the audit chain stays intact', () => {
    const id = completedAndSynced();
    const report = purgeExpired(store, { cipher, retentionDays: 30, now: clock + 31 * DAY, log });
    expect(report.cases).toEqual([id]);
    expect(report.applicants).toHaveLength(1);
    const after = service.get(id)!;
    expect(after).toMatchObject({ purged: true, id, status: 'completed', itemCode: '341600-GJJ-0002' });
    expect(JSON.stringify(after)).not.toContain(EXAMPLE_APPLICANT.name);
    expect(JSON.stringify(after)).not.toContain(EXAMPLE_APPLICANT.idNumber);
    expect(service.list().map((c) => c.id)).toEqual([id]);
    expect(verifyAudit(store.db).ok).toBe(true);
    expect(sink.lines.join('')).not.toContain(EXAMPLE_APPLICANT.idNumber);
    expect(sink.lines.join('')).not.toContain(EXAMPLE_APPLICANT.name);
  });

  it('an operator erasure by ID number finds the applicant CaseService stored', () => {
    const id = completedAndSynced();
    const { case: pending } = service.submit(exampleCase(requireItem(catalog, '341600-GJJ-0002'))); // not synced yet
    const report = purgeApplicant(store, EXAMPLE_APPLICANT.idNumber, { cipher, log });
    expect(report.cases.sort()).toEqual([id, pending.id].sort());
    expect(report.unsyncedCases).toEqual([pending.id]);
    expect(service.get(pending.id)).toMatchObject({ purged: true });
    expect(store.outbox.due(Number.MAX_SAFE_INTEGER)).toEqual([]);
    expect(verifyAudit(store.db).ok).toBe(true);
  });
});
