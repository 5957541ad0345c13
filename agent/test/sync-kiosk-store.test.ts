/** The kiosk side of sync (agent/sync/kiosk-sync-store.ts) over a real store (SQLite file, sealed fields, audit) in a temp dir. */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../base/log.js';
import { sm3Hex } from '../../certs/sm3.js';
import { canonicalJson } from '../../certs/pdf/templates/reference.js';
import { verifyAudit } from '../audit/verify.js';
import { CaseService } from '../cases/case-service.js';
import { exampleCase } from '../cases/index.js';
import { demoCatalogData } from '../catalog/demo-catalog.js';
import { ensureCatalog, requireItem, type Catalog } from '../catalog/index.js';
import { openFieldCipher } from '../pii/field-cipher.js';
import { openStore, type Store } from '../store/store.js';
import { AgentKioskSyncStore } from '../sync/kiosk-sync-store.js';
import { CREDENTIALS_FILE } from '../sync/credentials.js';

let dir: string;
let store: Store;
let catalog: Catalog;
let cases: CaseService;
let sync: AgentKioskSyncStore;
let catalogsApplied: Catalog[];

const open = (): Store => openStore({ dataDir: dir, log: silentLogger, cipher: openFieldCipher({ dataDir: dir }) });
const makeSync = (): AgentKioskSyncStore =>
  new AgentKioskSyncStore({
    store,
    cases,
    dataDir: dir,
    catalog: () => catalog,
    onCatalog: (c) => {
      catalog = c;
      catalogsApplied.push(c);
    },
    devices: () => [{ device: 'receipt', state: 'ok' }],
    routedRegions: () => ['341600'],
    log: silentLogger,
  });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tongban-sync-store-'));
  store = open();
  catalog = ensureCatalog(store);
  cases = new CaseService({ store, catalog: () => catalog });
  catalogsApplied = [];
  sync = makeSync();
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const submit = (code: string): string => cases.submit(exampleCase(requireItem(catalog, code))).case.id;
const ALL = { regions: '*' as const, now: Date.now(), limit: 100, exclude: new Set<number>() };
const PDF = new TextEncoder().encode('%PDF-1.7\n% a result document\n%%EOF\n');
const PDF_REF = { sm3: sm3Hex(PDF), size: PDF.length, mediaType: 'application/pdf' as const };

describe('KioskSyncStore: the outbox', () => {
  it('gives the earliest unsent entry of each case, FIFO, as protocol entries whose content hashes to the case hash', () => {
    const a = submit('341600-YB-0001');
    const b = submit('341600-GJJ-0002'); // decided in 310110 (异地代收代办): routed there
    const p = sync.pending(ALL);
    expect(p.map((e) => [e.caseId, e.region, e.kind])).toEqual([
      [a, '341600', 'case.submitted'],
      [b, '310110', 'case.submitted'],
    ]);
    const entry = p[0]!;
    const payload = entry.payload as { contentHash: string; content: object; serial: string };
    expect(sm3Hex(canonicalJson(payload.content))).toBe(payload.contentHash);
    expect(payload.contentHash).toBe(cases.require(a).contentHash);
    expect(entry.attempts).toBe(0);
    // regions, exclude (in flight), limit
    expect(sync.pending({ ...ALL, regions: ['310110'] }).map((e) => e.caseId)).toEqual([b]);
    expect(sync.pending({ ...ALL, regions: ['110000'] })).toEqual([]);
    expect(sync.pending({ ...ALL, exclude: new Set([entry.seq]) }).map((e) => e.caseId)).toEqual([b]);
    expect(sync.pending({ ...ALL, limit: 1 }).map((e) => e.caseId)).toEqual([a]);
  });

  it("a case's later entry waits until the earlier one is acknowledged; one held back or quarantined holds its case only", () => {
    const a = submit('341600-GJJ-0002');
    cases.attachMaterial(a, { materialId: 'purchase-contract', form: '复印件', bytes: PDF, mediaType: 'application/pdf' });
    const b = submit('341600-YB-0001');
    const [first, other] = sync.pending(ALL);
    expect([first!.caseId, first!.kind, other!.caseId]).toEqual([a, 'case.submitted', b]);
    // in flight: neither it nor the case's next entry
    expect(sync.pending({ ...ALL, exclude: new Set([first!.seq]) }).map((e) => e.caseId)).toEqual([b]);
    // held back after a failure
    sync.failed(first!.seq, 'files.missing', Date.now() + 60_000);
    expect(sync.pending(ALL).map((e) => e.caseId)).toEqual([b]);
    expect(store.outbox.get(first!.seq)).toMatchObject({ attempts: 1, lastError: 'files.missing' });
    // due again
    const later = sync.pending({ ...ALL, now: Date.now() + 61_000 });
    expect(later.map((e) => [e.caseId, e.attempts])).toEqual([
      [a, 1],
      [b, 0],
    ]);
    sync.acknowledged([first!.seq], Date.now());
    const next = sync.pending(ALL).find((e) => e.caseId === a)!;
    expect(next.kind).toBe('case.contentChanged');
    expect(next.files).toEqual([PDF_REF]);
    expect(sync.hasFile(PDF_REF.sm3)).toBe(true);
    expect(Buffer.from(sync.readFile(PDF_REF.sm3))).toEqual(Buffer.from(PDF)); // opened: sealed at rest
    expect(readdirSync(join(dir, 'materials', PDF_REF.sm3.slice(0, 2))).map((f) => readFileSync(join(dir, 'materials', PDF_REF.sm3.slice(0, 2), f)).includes(Buffer.from('a result document')))).toEqual([false]);
    expect(sync.hasFile('0'.repeat(64))).toBe(false);
    // quarantined: the case waits, shown for staff; the other case goes on
    sync.quarantine(next.seq, 'case.hashMismatch', 'the content does not hash to contentHash');
    expect(sync.pending(ALL).map((e) => e.caseId)).toEqual([b]);
    expect(sync.quarantined()).toEqual([{ seq: next.seq, caseId: a, region: '310110', kind: 'case.contentChanged', code: 'case.hashMismatch', reason: 'the content does not hash to contentHash', createdAt: expect.any(String) }]);
    expect(sync.counts('*')).toEqual({ pending: 1, quarantined: 1 });
    expect(sync.counts(['310110'])).toEqual({ pending: 0, quarantined: 1 });
    // released by staff: due now, attempts reset
    expect(sync.retry(next.seq)).toBe(true);
    expect(sync.retry(next.seq)).toBe(false);
    expect(sync.pending(ALL).map((e) => [e.caseId, e.kind, e.attempts])).toEqual([
      [a, 'case.contentChanged', 0],
      [b, 'case.submitted', 0],
    ]);
  });

  it('acknowledged marks the rows sent and moves submitted cases to uploaded (audited) in one transaction; items issued on site stay', () => {
    const a = submit('341600-YB-0001');
    const onSite = submit('341600-SB-0003');
    const seqs = sync.pending(ALL).map((e) => e.seq);
    sync.acknowledged(seqs, 1234);
    expect(cases.require(a)).toMatchObject({ status: 'uploaded' });
    expect(cases.require(a).history.at(-1)).toMatchObject({ from: 'submitted', to: 'uploaded', actor: 'kiosk' });
    expect(cases.require(onSite)).toMatchObject({ status: 'submitted' });
    expect(seqs.map((s) => store.outbox.get(s)!.sentAt)).toEqual([1234, 1234]);
    expect(sync.pending(ALL)).toEqual([]);
    sync.acknowledged(seqs, 9999); // a duplicate acknowledgement changes nothing
    expect(store.outbox.get(seqs[0]!)!.sentAt).toBe(1234);
    expect(cases.require(a).history).toHaveLength(2);
    expect(verifyAudit(store.db)).toMatchObject({ ok: true });
  });

  it('acknowledged of a whole batch: every case moved once, history and audit in acknowledgement order, the rest untouched', () => {
    const ids = Array.from({ length: 30 }, (_, i) => submit(i % 3 === 2 ? '341600-SB-0003' : '341600-YB-0001'));
    const entries = sync.pending(ALL);
    expect(entries).toHaveLength(30);
    const acked = entries.slice(0, 20).reverse(); // acknowledged in another order than submitted
    const auditBefore = store.auditHead()?.seq ?? 0;
    sync.acknowledged([...acked.map((e) => e.seq), acked[0]!.seq], 4321); // a seq named twice counts once
    const movedIds = acked.map((e) => e.caseId).filter((id) => ids.indexOf(id) % 3 !== 2);
    for (const id of ids) {
      const c = cases.require(id);
      const wasAcked = acked.some((e) => e.caseId === id);
      expect(c.status).toBe(wasAcked && ids.indexOf(id) % 3 !== 2 ? 'uploaded' : 'submitted');
      expect(c.history).toHaveLength(wasAcked && ids.indexOf(id) % 3 !== 2 ? 2 : 1);
    }
    const audit = store.db.prepare("SELECT subject, details FROM audit_log WHERE seq > ? AND type = 'caseTransition' ORDER BY seq").all(auditBefore) as { subject: string; details: string }[];
    expect(audit.map((a) => a.subject)).toEqual(movedIds);
    expect(JSON.parse(audit[0]!.details)).toEqual({ from: 'submitted', item: '341600-YB-0001', to: 'uploaded' });
    expect(verifyAudit(store.db)).toMatchObject({ ok: true });
    expect(sync.pending(ALL).map((e) => e.seq)).toEqual(entries.slice(20).map((e) => e.seq));
  });

  it('an entry made without a region gets its case item’s target region; unrouted regions are counted', () => {
    const a = submit('341600-GJJ-0002');
    const seq = store.outbox.add({ kind: 'case.contentChanged', caseId: a, payload: { contentHash: cases.require(a).contentHash, content: {} } });
    expect(store.outbox.get(seq)!.region).toBeNull();
    sync = makeSync();
    expect(store.outbox.get(seq)!.region).toBe('310110');
    submit('341600-YB-0001');
    expect(sync.unrouted(['341600'])).toEqual([{ region: '310110', count: 2 }]);
    expect(sync.unrouted(['*'])).toEqual([]);
    expect(sync.heartbeat().queue).toEqual({ pending: 3, quarantined: 0, unrouted: 2, inboxUnapplied: 0 });
  });

  it('an entry the protocol cannot carry is quarantined at the kiosk, never dropped, never blocking the others', () => {
    const a = submit('341600-YB-0001');
    const b = submit('341600-SB-0003');
    store.db.prepare("UPDATE outbox SET kind = 'case.mystery' WHERE case_id = ?").run(a);
    // the payload's aad names the kind: reseal it under the new kind as the store would
    store.db.prepare('UPDATE outbox SET payload_sealed = ? WHERE case_id = ?').run(openFieldCipher({ dataDir: dir }).seal('{}', `outbox/${a}/case.mystery`), a);
    expect(sync.pending(ALL).map((e) => e.caseId)).toEqual([b]);
    expect(sync.quarantined()).toMatchObject([{ caseId: a, code: 'kiosk.badEntry' }]);
  });
});

describe('KioskSyncStore: a damaged entry', () => {
  it('one that cannot be opened is quarantined (kiosk.unreadable), the other cases go on', () => {
    const a = submit('341600-YB-0001');
    const b = submit('341600-SB-0003');
    const row = store.db.prepare('SELECT seq, payload_sealed AS p FROM outbox WHERE case_id = ?').get(a) as { seq: number; p: Buffer };
    const damaged = Buffer.from(row.p);
    damaged[damaged.length - 1]! ^= 0xff;
    store.db.prepare('UPDATE outbox SET payload_sealed = ? WHERE seq = ?').run(damaged, row.seq);
    expect(sync.pending(ALL).map((e) => e.caseId)).toEqual([b]);
    expect(sync.quarantined()).toMatchObject([{ seq: row.seq, caseId: a, code: 'kiosk.unreadable' }]);
  });
});

describe('KioskSyncStore: credentials', () => {
  it('are kept per endpoint in DATA/keys/sync-credentials.json, mode 0600, read back by a new instance', () => {
    expect(sync.credentials('ws://127.0.0.1:1/sync')).toBeUndefined();
    sync.saveCredentials('ws://127.0.0.1:1/sync', { kioskId: 'kiosk-1', secret: 's'.repeat(43) });
    sync.saveCredentials('wss://other.example/sync', { kioskId: 'kiosk-2', secret: 't'.repeat(43) });
    expect(statSync(join(dir, CREDENTIALS_FILE)).mode & 0o777).toBe(0o600);
    const again = makeSync();
    expect(again.credentials('ws://127.0.0.1:1/sync')).toEqual({ kioskId: 'kiosk-1', secret: 's'.repeat(43) });
    expect(again.credentials('wss://other.example/sync')).toEqual({ kioskId: 'kiosk-2', secret: 't'.repeat(43) });
    expect(() => sync.saveCredentials('ws://x/sync', { kioskId: 'bad id!', secret: 'short' })).toThrow('malformed');
  });
});

describe('KioskSyncStore: events from the endpoint', () => {
  const URL = 'ws://127.0.0.1:9/sync';
  let cursor = 0;
  const status = (caseId: string, to: string, extra: object = {}): any => ({ cursor: String(++cursor), id: randomUUID(), kind: 'case.status', caseId, to, results: [], at: new Date().toISOString(), ...extra });

  it('applies statuses through the case workflow (a submitted case first uploaded), stores results as sealed materials, advances the cursor, once', () => {
    const a = submit('341600-YB-0001');
    const accepted = status(a, 'accepted');
    sync.applyEvents(URL, [accepted], new Map());
    expect(cases.require(a).history.map((h) => `${h.to}:${h.actor}`)).toEqual(['submitted:kiosk', 'uploaded:kiosk', 'accepted:endpoint']);
    expect(sync.cursor(URL)).toBe(accepted.cursor);
    const result = { documentId: 'YB:2026.0001', title: '长三角异地就医备案表', ...PDF_REF };
    const completed = status(a, 'completed', { results: [result], note: '已办结，请查收' });
    sync.applyEvents(URL, [completed], new Map([[PDF_REF.sm3, PDF]]));
    const done = cases.require(a) as any;
    expect(done.status).toBe('completed');
    expect(done.results).toEqual([{ kind: '批文', name: '长三角异地就医备案表', documentId: 'YB:2026.0001', sm3: PDF_REF.sm3 }]);
    expect(store.materials.forCase(a).map((m) => m.materialId)).toEqual(['result:YB:2026.0001']);
    expect(Buffer.from(sync.readFile(PDF_REF.sm3))).toEqual(Buffer.from(PDF));
    // redelivered (a replay after a crash before events.ack): skipped
    sync.applyEvents(URL, [accepted, completed], new Map([[PDF_REF.sm3, PDF]]));
    expect(cases.require(a).history).toHaveLength(4);
    expect(store.inbox.forCase(a).map((m) => [m.kind, m.appliedAt !== null, (m.payload as any).to])).toEqual([
      ['case.status', true, 'accepted'],
      ['case.status', true, 'completed'],
    ]);
    // the inbox payload (note, results) is sealed
    const sealed = store.db.prepare('SELECT payload_sealed AS p FROM inbox WHERE message_id = ?').get(completed.id) as { p: Buffer };
    expect(sealed.p.includes(Buffer.from('请查收'))).toBe(false);
    expect(sealed.p.includes(Buffer.from('YB:2026.0001'))).toBe(false);
    expect(verifyAudit(store.db)).toMatchObject({ ok: true });
  });

  it('an event that cannot be applied is recorded with its reason and skipped; the ones after it apply', () => {
    const a = submit('341600-YB-0001');
    const unknown = status(randomUUID(), 'accepted');
    const illegal = status(a, 'completed'); // completed needs a result and an accepted case
    const missingFile = status(a, 'completed', { results: [{ documentId: 'X1', title: 'x', ...PDF_REF }] });
    const ok = status(a, 'refused', { note: '材料不全' });
    sync.applyEvents(URL, [unknown, illegal, missingFile, ok], new Map());
    expect(cases.require(a).status).toBe('refused');
    expect(sync.cursor(URL)).toBe(ok.cursor);
    const skipped = store.inbox.unapplied();
    expect(skipped.map((m) => [m.messageId, m.error])).toEqual([
      [unknown.id, expect.stringContaining('no case')],
      [illegal.id, expect.stringContaining('cannot go from')],
      [missingFile.id, expect.stringContaining('not fetched')],
    ]);
    expect(sync.heartbeat().queue.inboxUnapplied).toBe(3);
  });

  it('a catalog event replaces the catalog (put in force after the commit); a bad or older one is recorded and skipped', () => {
    const next = { ...(structuredClone(demoCatalogData) as any), version: 2 };
    next.items = next.items.slice(0, 3);
    next.bundles = [];
    next.guides = []; // the demo guides lead to items left out here
    const ev = (catalogDoc: object, version: number): any => ({ cursor: String(++cursor), id: randomUUID(), kind: 'catalog', version, catalog: catalogDoc, at: new Date().toISOString() });
    const good = ev(next, 2);
    const bad = ev({ version: 3, items: 'none' }, 3);
    const old = ev(demoCatalogData as object, 1);
    sync.applyEvents(URL, [good, bad, old], new Map());
    expect(catalogsApplied.map((c) => [c.version, c.items.length])).toEqual([[2, 3]]);
    expect(ensureCatalog(store).version).toBe(2);
    expect(store.inbox.unapplied().map((m) => m.messageId)).toEqual([bad.id, old.id]);
    expect(sync.cursor(URL)).toBe(old.cursor);
  });

  it('heartbeat: devices, queue sizes, the audit head', () => {
    submit('341600-YB-0001');
    const hb = sync.heartbeat();
    expect(hb.devices).toEqual([{ device: 'receipt', state: 'ok' }]);
    expect(hb.queue).toEqual({ pending: 1, quarantined: 0, unrouted: 0, inboxUnapplied: 0 });
    expect(hb.auditHead).toEqual({ seq: expect.any(Number), hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });
});
