/** CaseService over a real store (SQLite file, sealed fields, audit log) in a temp dir. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../base/log.js';
import { sm3Hex } from '../../certs/sm3.js';
import { verifyAudit } from '../audit/verify.js';
import { applyCatalogUpdate, CatalogError, demoCatalog, ensureCatalog, requireItem, storedCatalog } from '../catalog/index.js';
import { demoCatalogData } from '../catalog/demo-catalog.js';
import { CaseService, type StoredCase } from '../cases/case-service.js';
import { parseReceipt, renderReceipt } from '../../drivers/escpos/receipt.js';
import { CaseValidationError, IllegalTransition, caseContentHash, caseReceipt, exampleCase } from '../cases/index.js';
import type { Catalog } from '../catalog/index.js';
import { openFieldCipher } from '../pii/field-cipher.js';
import { openStore, STORE_FILE, type Store } from '../store/store.js';

let dir: string;
let store: Store;
let catalog: Catalog;
let clock: number;
let service: CaseService;

const open = (): Store => openStore({ dataDir: dir, log: silentLogger, cipher: openFieldCipher({ dataDir: dir }) });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tongban-cases-'));
  store = open();
  catalog = ensureCatalog(store);
  clock = Date.parse('2026-11-21T08:00:00Z');
  service = new CaseService({ store, catalog: () => catalog, now: () => clock++ });
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const example = (code: string): any => exampleCase(requireItem(catalog, code));
const RESULT = { kind: '证明', name: '社会保险参保缴费证明', documentId: 'SB-341600-20261121-000001', sm3: sm3Hex('pdf'), template: 'social-insurance-proof' } as const;

describe('catalog in the store', () => {
  it('installs the demo catalog on first start and reads it back validated', () => {
    expect(storedCatalog(store)).toEqual(demoCatalog());
    expect(ensureCatalog(store).version).toBe(1);
  });

  it('an update replaces it atomically; an older or malformed one is refused and the old one kept', () => {
    const next = { ...(structuredClone(demoCatalogData) as object), version: 2 } as any;
    next.items = next.items.slice(0, 8);
    next.bundles = [];
    expect(applyCatalogUpdate(store, next).action).toBe('replace');
    expect(storedCatalog(store)!.items).toHaveLength(8);
    expect(applyCatalogUpdate(store, next).action).toBe('unchanged');
    expect(() => applyCatalogUpdate(store, demoCatalogData)).toThrow('is older than the catalog held (version 2)');
    expect(() => applyCatalogUpdate(store, { ...next, version: 3, items: 'none' })).toThrow(CatalogError);
    expect(storedCatalog(store)!.version).toBe(2);
    expect(verifyAudit(store.db)).toMatchObject({ ok: true, entries: 2 });
  });

  it('a damaged stored catalog is an environment failure, not a silent reset', () => {
    store.close();
    const db = new Database(join(dir, STORE_FILE));
    db.prepare("UPDATE catalog SET items = '{\"version\":1}'").run();
    db.close();
    store = open();
    expect(() => storedCatalog(store)).toThrow(/the stored catalog version 1 is damaged \(catalog.publishedAt/);
  });
});

describe('CaseService', () => {
  it('submits a case: applicant, case, history, outbox entry and audit entry, all persisted', () => {
    const { case: c, created } = service.submit(example('341600-GJJ-0002'));
    expect(created).toBe(true);
    expect(c.status).toBe('submitted');
    expect(c.serial).toMatch(/^34160020261121[0-9A-F]{10}$/);
    expect(c.contentHash).toBe(caseContentHash(c));
    expect(c.applicant).toEqual({ source: 'idCard', idType: 'resident', idNumber: '341602199001011234', name: '王演示' });
    expect(c.history).toEqual([{ from: 'draft', to: 'submitted', actor: 'kiosk', at: '2026-11-21T08:00:00.000Z' }]);
    const [entry] = store.outbox.due(Number.MAX_SAFE_INTEGER);
    expect(entry).toMatchObject({ caseId: c.id, kind: 'case.submitted', payload: { contentHash: c.contentHash, serial: c.serial } });
    expect(caseContentHash((entry!.payload as { content: StoredCase }).content as StoredCase)).toBe(c.contentHash);
    // Read back from a fresh connection: what was returned had been committed.
    store.close();
    store = open();
    service = new CaseService({ store, catalog: () => catalog });
    expect(service.get(c.id)).toEqual(c);
    expect(verifyAudit(store.db)).toMatchObject({ ok: true });
    expect(store.db.prepare("SELECT count(*) AS n FROM audit_log WHERE type = 'caseTransition'").get()).toEqual({ n: 1 });
  });

  it('keeps the ID number and name out of the database file in clear', () => {
    service.submit(example('341600-SB-0003'));
    store.close();
    const db = new Database(join(dir, STORE_FILE));
    const dump = JSON.stringify(db.prepare('SELECT * FROM cases').all()) + JSON.stringify(db.prepare('SELECT * FROM applicants').all()) + JSON.stringify(db.prepare('SELECT * FROM audit_log').all());
    db.close();
    expect(dump).not.toContain('341602199001011234');
    expect(dump).not.toContain('子女入学');
    store = open();
  });

  it('refuses invalid input before writing anything', () => {
    const raw = example('341600-GJJ-0002');
    raw.form.accountNumber = 'x';
    expect(() => service.submit(raw)).toThrow(CaseValidationError);
    expect(() => service.submit(raw)).toThrow('form.accountNumber: 公积金个人账号：格式不正确（应为12位数字） / does not have the required format');
    expect(store.cases.count()).toBe(0);
    expect(store.outbox.due(Number.MAX_SAFE_INTEGER)).toEqual([]);
  });

  it('a repeated submission with an id is idempotent; other content under that id is refused', () => {
    const raw = { ...example('341800-BDC-0004'), id: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b' };
    const first = service.submit(raw);
    const again = service.submit(raw);
    expect(again.created).toBe(false);
    expect(again.case).toEqual(first.case);
    expect(store.cases.count()).toBe(1);
    expect(store.outbox.due(Number.MAX_SAFE_INTEGER)).toHaveLength(1);
    raw.form.purpose = '贷款';
    expect(() => service.submit(raw)).toThrow('already exists with different content');
  });

  it('walks a remote case to completion through endpoint and staff, each step persisted and audited', () => {
    const { case: c } = service.submit(example('341600-GJJ-0002'));
    service.transition(c.id, { to: 'uploaded', actor: 'kiosk' });
    service.transition(c.id, { to: 'correctionRequested', actor: 'staff', note: '购房合同缺页' });
    service.transition(c.id, { to: 'submitted', actor: 'kiosk' });
    service.transition(c.id, { to: 'uploaded', actor: 'kiosk' });
    service.transition(c.id, { to: 'accepted', actor: 'endpoint' });
    const done = service.transition(c.id, { to: 'completed', actor: 'endpoint', results: [RESULT] });
    expect(done.status).toBe('completed');
    expect(done.results).toEqual([RESULT]);
    expect(done.history.map((h) => `${h.from}>${h.to}:${h.actor}${h.note ? `:${h.note}` : ''}`)).toEqual([
      'draft>submitted:kiosk',
      'submitted>uploaded:kiosk',
      'uploaded>correctionRequested:staff:购房合同缺页',
      'correctionRequested>submitted:kiosk',
      'submitted>uploaded:kiosk',
      'uploaded>accepted:endpoint',
      'accepted>completed:endpoint',
    ]);
    expect(done.contentHash).toBe(c.contentHash);
    // The kiosk's resubmission goes to the endpoint; the endpoint's own moves do not come back to it.
    expect(store.outbox.due(Number.MAX_SAFE_INTEGER).map((e) => e.kind)).toEqual(['case.submitted', 'case.transition']);
    const audit = store.db.prepare("SELECT actor, details FROM audit_log WHERE type = 'caseTransition' ORDER BY seq").all() as { actor: string; details: string }[];
    expect(audit.map((a) => `${a.actor} ${JSON.parse(a.details).to}`)).toEqual(['agent submitted', 'agent uploaded', 'staff correctionRequested', 'agent submitted', 'agent uploaded', 'sync accepted', 'sync completed']);
    expect(verifyAudit(store.db)).toMatchObject({ ok: true });
  });

  it('refuses an illegal transition with a typed error and leaves the case as it was', () => {
    const { case: c } = service.submit(example('341600-GJJ-0002'));
    expect(() => service.transition(c.id, { to: 'accepted', actor: 'kiosk' })).toThrow(IllegalTransition);
    expect(() => service.transition(c.id, { to: 'completed', actor: 'endpoint' })).toThrow('from submitted a case goes only to uploaded');
    expect(service.get(c.id)).toEqual(c);
    expect(() => service.transition('0190a1b2-c3d4-7e5f-8a9b-ffffffffffff', { to: 'uploaded', actor: 'kiosk' })).toThrow('no case 0190a1b2');
    expect(() => service.transition('../etc', { to: 'uploaded', actor: 'kiosk' })).toThrow('a case id is a lower-case UUID');
  });

  it('issues on site: the kiosk accepts and completes with the certificate; then the citizen rates it once', () => {
    const { case: c } = service.submit(example('341600-SB-0003'));
    service.transition(c.id, { to: 'accepted', actor: 'kiosk' });
    service.transition(c.id, { to: 'completed', actor: 'kiosk', results: [RESULT] });
    const rated = service.rate(c.id, { score: 2, occasion: 'completion', comment: '打印太慢' });
    expect(rated.rating).toEqual({ score: 2, label: '不满意', occasion: 'completion', at: expect.any(String), comment: '打印太慢' });
    expect(() => service.rate(c.id, { score: 5, occasion: 'completion' })).toThrow('rated already');
    expect(store.cases.get(c.id)!.rating).toBe(2);
    expect(service.get(c.id)).toEqual(rated);
    expect(store.outbox.due(Number.MAX_SAFE_INTEGER).map((e) => `${e.kind}:${(e.payload as { to?: string }).to ?? ''}`)).toEqual(['case.submitted:', 'case.transition:accepted', 'case.transition:completed']);
  });

  it('rates at the end of a visit before completion, not on completion', () => {
    const { case: c } = service.submit(example('341600-YB-0001'));
    expect(() => service.rate(c.id, { score: 5, occasion: 'completion' })).toThrow('this one is submitted');
    expect(service.rate(c.id, { score: 5, occasion: 'visit' }).rating!.label).toBe('非常满意');
  });

  it('attaches a material handed in later: file stored, entry replaced, content hash renewed, outbox told', () => {
    const { case: c } = service.submit(example('341600-GJJ-0002'));
    const bytes = new TextEncoder().encode('%PDF-1.7 购房合同 (fictional)');
    const after = service.attachMaterial(c.id, { materialId: 'purchase-contract', form: '复印件', bytes, mediaType: 'application/pdf' });
    expect(after.materials.find((m) => m.id === 'purchase-contract')).toEqual({ id: 'purchase-contract', provision: 'attached', form: '复印件', sm3: sm3Hex(bytes), size: bytes.length, mediaType: 'application/pdf' });
    expect(after.contentHash).not.toBe(c.contentHash);
    expect(after.contentHash).toBe(caseContentHash(after));
    expect(store.materials.forCase(c.id).map((m) => m.sm3)).toEqual([sm3Hex(bytes)]);
    expect(store.outbox.due(Number.MAX_SAFE_INTEGER).map((e) => e.kind)).toEqual(['case.submitted', 'case.contentChanged']);
    expect(() => service.attachMaterial(c.id, { materialId: 'purchase-contract', form: '原件', bytes, mediaType: 'application/pdf' })).toThrow('materials[2].form');
    expect(() => service.attachMaterial(c.id, { materialId: 'passport', form: '原件', bytes, mediaType: 'application/pdf' })).toThrow('is not a material of this item');
    service.transition(c.id, { to: 'uploaded', actor: 'kiosk' });
    expect(() => service.attachMaterial(c.id, { materialId: 'purchase-contract', form: '复印件', bytes, mediaType: 'application/pdf' })).toThrow('this one is uploaded');
  });

  it('submits the attached files that come with a case, and refuses an attachment without its file', () => {
    const bytes = new TextEncoder().encode('%PDF-1.7 合同');
    const raw = example('341600-GJJ-0002');
    expect(raw.materials[0].id).toBe('purchase-contract');
    raw.materials[0] = { id: 'purchase-contract', provision: 'attached', form: '复印件', sm3: sm3Hex(bytes), size: bytes.length, mediaType: 'application/pdf' };
    expect(() => service.submit(raw)).toThrow('was not handed over with the case');
    expect(store.cases.count()).toBe(0);
    const { case: c } = service.submit(raw, new Map([[sm3Hex(bytes), bytes]]));
    expect(store.materials.forCase(c.id)).toHaveLength(1);
  });

  it('submits a bundle together: one bundle id, all cases or none', () => {
    const bundleId = '0190a1b2-c3d4-7e5f-8a9b-000000000001';
    const bundle = catalog.bundles[0]!;
    const raws = bundle.items.map((code) => ({ ...example(code), bundleId }));
    const results = service.submitBundle(bundle.code, raws);
    expect(results.map((r) => r.case.bundleId)).toEqual([bundleId, bundleId, bundleId]);
    expect(store.cases.byBundle(bundleId)).toHaveLength(3);
    const broken = bundle.items.map((code) => ({ ...example(code), bundleId: '0190a1b2-c3d4-7e5f-8a9b-000000000002' }));
    broken[2]!.form.babyName = '';
    expect(() => service.submitBundle(bundle.code, broken)).toThrow(CaseValidationError);
    expect(store.cases.count()).toBe(3);
  });

  it('lists newest first with id, item, status and content hash', () => {
    const a = service.submit(example('341600-SB-0003')).case;
    const b = service.submit(example('341800-BDC-0004')).case;
    service.transition(a.id, { to: 'uploaded', actor: 'kiosk' });
    expect(service.list().map((e) => [e.id, e.itemCode, e.status, e.contentHash])).toEqual([
      [b.id, '341800-BDC-0004', 'submitted', b.contentHash],
      [a.id, '341600-SB-0003', 'uploaded', a.contentHash],
    ]);
    expect(service.list({ status: 'uploaded' }).map((e) => e.id)).toEqual([a.id]);
    expect(() => service.list({ status: 'lost' as never })).toThrow('unknown case status "lost"');
  });

  it('shows a purged case as its non-personal facts, and refuses to move it', () => {
    const { case: c } = service.submit(example('341600-SB-0003'));
    store.transaction(() => store.cases.purgeForm(c.id));
    const purged = service.get(c.id)!;
    expect(purged).toMatchObject({ purged: true, id: c.id, itemCode: '341600-SB-0003', status: 'submitted', contentHash: c.contentHash });
    expect(JSON.stringify(purged)).not.toContain('王演示');
    expect(() => service.transition(c.id, { to: 'uploaded', actor: 'kiosk' })).toThrow('was purged');
  });
});

describe('CaseService.submitGrouped (the API intake path)', () => {
  it('commits concurrent submissions in group transactions; a conflicting one fails alone', async () => {
    const id = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
    const same = { ...example('341800-BDC-0004'), id };
    const conflicting = { ...same, form: { ...same.form, purpose: '贷款' } };
    const many = Array.from({ length: 40 }, () => service.submitGrouped(example('341600-SB-0003')));
    const [a, b, c] = await Promise.allSettled([service.submitGrouped(same), service.submitGrouped(same), service.submitGrouped(conflicting)]);
    const rest = await Promise.all(many);
    expect(a).toMatchObject({ status: 'fulfilled', value: { created: true } });
    expect(b).toMatchObject({ status: 'fulfilled', value: { created: false } });
    expect(c).toMatchObject({ status: 'rejected', reason: { code: 'store.caseConflict' } });
    expect(new Set(rest.map((r) => r.case.id)).size).toBe(40);
    expect(store.cases.count()).toBe(41);
    expect(store.group.stats().batches).toBeLessThan(41);
    expect(verifyAudit(store.db)).toMatchObject({ ok: true });
  });

  it('refuses invalid input at once, before queueing', async () => {
    await expect(service.submitGrouped({ itemCode: '341600-SB-0003' })).rejects.toThrow(CaseValidationError);
    expect(store.cases.count()).toBe(0);
  });
});

describe('CaseService input checks', () => {
  it('refuses malformed transition results and attachments with clear errors', () => {
    const { case: c } = service.submit(example('341600-SB-0003'));
    service.transition(c.id, { to: 'accepted', actor: 'kiosk' });
    expect(() => service.transition(c.id, { to: 'completed', actor: 'kiosk', results: [null as never] })).toThrow('results[0] must be an object');
    expect(() => service.transition(c.id, { to: 'completed', actor: 'kiosk', results: [{ ...RESULT, extra: 1 } as never] })).toThrow('results[0].extra is not a key');
    const bytes = new Uint8Array([1, 2, 3]);
    expect(() => service.attachMaterial(c.id, { materialId: 7 as never, form: '原件', bytes, mediaType: 'application/pdf' })).toThrow('materialId must be');
    expect(() => service.attachMaterial(c.id, { materialId: 'x', form: '电子证照' as never, bytes, mediaType: 'application/pdf' })).toThrow('form must be 原件 or 复印件');
    expect(() => service.attachMaterial(c.id, { materialId: 'x', form: '原件', bytes, mediaType: 'text/html' as never })).toThrow('mediaType must be');
    expect(() => service.rate(c.id, 'five' as never)).toThrow('a rating is { score, occasion, comment? }');
    expect(service.get(c.id)).toMatchObject({ status: 'accepted' });
  });
});

describe('受理回执', () => {
  it('is a valid receipt for the printer, with the applicant masked and the materials still missing', () => {
    const { case: c } = service.submit(example('341600-GJJ-0002'));
    const receipt = caseReceipt(c, requireItem(catalog, c.itemCode));
    expect(parseReceipt(receipt)).toEqual(receipt);
    expect(renderReceipt(receipt).length).toBeGreaterThan(100);
    const text = JSON.stringify(receipt);
    expect(text).not.toContain('王演示');
    expect(text).not.toContain('341602199001011234');
    expect(receipt.rows).toContainEqual({ key: '申请人', value: '王**' });
    expect(receipt.rows).toContainEqual({ key: '证件号码', value: '3416**********1234' });
    expect(receipt.rows).toContainEqual({ key: '提交时间', value: '2026-11-21 16:00' });
    expect(receipt.rows).toContainEqual({ key: '申办流水号', value: c.serial });
    expect(receipt.lines).toEqual(['---', '待补交材料：', '· 购房合同']);
    expect(receipt.qr).toBe(`TBC1:${c.id.toUpperCase()}:${c.contentHash.toUpperCase()}`);
    expect(receipt.qr).toMatch(/^[0-9A-Z $%*+\-./:]+$/);
  });
});

describe('CaseService.resubmit (补正)', () => {
  it('submits a case sent back for correction again with the corrected form: new hash, outbox carries it', () => {
    const { case: c } = service.submit(example('341600-GJJ-0002'));
    service.transition(c.id, { to: 'uploaded', actor: 'kiosk' });
    service.transition(c.id, { to: 'correctionRequested', actor: 'staff', note: '提取金额超过可提取额度' });
    const raw = example('341600-GJJ-0002');
    raw.form.amount = 50000;
    const after = service.resubmit(c.id, raw);
    expect(after.status).toBe('submitted');
    expect(after.form.amount).toBe(50000);
    expect(after.contentHash).not.toBe(c.contentHash);
    expect(after.contentHash).toBe(caseContentHash(after));
    expect(store.cases.get(c.id)!.contentHash).toBe(after.contentHash);
    const last = store.outbox.due(Number.MAX_SAFE_INTEGER).at(-1)!;
    expect(last.payload).toMatchObject({ from: 'correctionRequested', to: 'submitted', contentHash: after.contentHash });
    expect(caseContentHash((last.payload as { content: StoredCase }).content)).toBe(after.contentHash);
    expect(verifyAudit(store.db)).toMatchObject({ ok: true });
  });

  it('refuses a case not sent back, another item or applicant, and invalid content', () => {
    const { case: c } = service.submit(example('341600-GJJ-0002'));
    expect(() => service.resubmit(c.id, example('341600-GJJ-0002'))).toThrow('only a case sent back for correction');
    service.transition(c.id, { to: 'uploaded', actor: 'kiosk' });
    service.transition(c.id, { to: 'correctionRequested', actor: 'staff', note: '补正' });
    expect(() => service.resubmit(c.id, example('341600-YB-0001'))).toThrow('a correction keeps the item');
    const other = example('341600-GJJ-0002');
    other.applicant.idNumber = '11010519491231002X';
    expect(() => service.resubmit(c.id, other)).toThrow('a correction keeps the applicant');
    const bad = example('341600-GJJ-0002');
    bad.form.phone = '123';
    expect(() => service.resubmit(c.id, bad)).toThrow('form.phone');
    expect(service.get(c.id)).toMatchObject({ status: 'correctionRequested', contentHash: c.contentHash });
  });
});

describe('case ids that look like phone numbers to the redactor', () => {
  it('are audited like any other (a UUID whose last group holds 11 digits starting 13)', () => {
    const id = '0190a1b2-c3d4-7e5f-8a9b-a13812345678';
    const { case: c } = service.submit({ ...example('341600-SB-0003'), id });
    expect(c.id).toBe(id);
    service.transition(id, { to: 'uploaded', actor: 'kiosk' });
    expect(verifyAudit(store.db)).toMatchObject({ ok: true });
  });
});
