import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../../base/errors.js';
import { silentLogger } from '../../base/log.js';
import { sm3Hex } from '../../certs/sm3.js';
import { openFieldCipher } from '../pii/field-cipher.js';
import { openStore, STORE_FILE, type Store } from '../store/store.js';
import type { NewCase } from '../store/cases-repo.js';
import { uuidv7, UUID_PATTERN } from '../store/uuidv7.js';

let dir: string;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tongban-repos-'));
  store = openStore({ dataDir: dir, log: silentLogger, cipher: openFieldCipher({ dataDir: dir }) });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const ID_NUMBER = '34160219900101123X';
const hash = (s: string): string => sm3Hex(s);

function newCase(over: Partial<NewCase> = {}): NewCase {
  return {
    serial: `SB${Math.random().toString().slice(2, 14)}`,
    itemCode: '340000-000201-001',
    state: 'submitted',
    form: { name: '张三', idNumber: ID_NUMBER, phone: '13800138000' },
    contentHash: hash(JSON.stringify(over)),
    actor: 'kiosk',
    ...over,
  };
}

/** Every byte of the database file and its WAL, to look for clear text. */
function rawBytes(): Buffer {
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  const wal = join(dir, `${STORE_FILE}-wal`);
  return Buffer.concat([readFileSync(join(dir, STORE_FILE)), existsSync(wal) ? readFileSync(wal) : Buffer.alloc(0)]);
}

describe('uuidv7', () => {
  it('makes increasing version-7 ids, also within one millisecond', () => {
    const ids = Array.from({ length: 5000 }, () => uuidv7(1_700_000_000_000));
    for (const id of ids) {
      expect(id).toMatch(UUID_PATTERN);
      expect(id[14]).toBe('7');
      expect('89ab').toContain(id[19]);
    }
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('cases', () => {
  it('writes a case, its first history entry and its outbox entry together; the form is sealed', () => {
    const r = store.cases.insert(newCase(), { kind: 'case.submit', payload: { note: 'sync me' } });
    expect(r.created).toBe(true);
    expect(r.case.id).toMatch(UUID_PATTERN);
    expect(r.case.form).toEqual({ name: '张三', idNumber: ID_NUMBER, phone: '13800138000' });
    expect(store.cases.get(r.case.id)).toEqual(r.case);
    expect(store.cases.history(r.case.id)).toMatchObject([{ fromState: null, toState: 'submitted', actor: 'kiosk' }]);
    const out = store.outbox.forCase(r.case.id);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ seq: r.outboxSeq, kind: 'case.submit', payload: { note: 'sync me' }, attempts: 0 });
    const raw = rawBytes();
    expect(raw.includes(Buffer.from(ID_NUMBER))).toBe(false);
    expect(raw.includes(Buffer.from('张三'))).toBe(false);
    expect(raw.includes(Buffer.from('sync me'))).toBe(false);
  });

  it('writes neither the case nor its outbox entry when the transaction fails', () => {
    const first = store.cases.insert(newCase({ serial: 'SB1' }), { kind: 'case.submit', payload: null });
    expect(() => store.cases.insert(newCase({ serial: 'SB1' }), { kind: 'case.submit', payload: null })).toThrow(/serial number SB1/);
    expect(() => store.cases.insert(newCase(), { kind: '', payload: null })).toThrow(InputError);
    expect(store.cases.count()).toBe(1);
    expect(store.outbox.pendingCount()).toBe(1);
    expect(store.cases.history(first.case.id)).toHaveLength(1);
  });

  it('is idempotent for a resubmitted id with the same content, and refuses different content', () => {
    const id = uuidv7();
    const c = newCase({ id, contentHash: hash('a') });
    expect(store.cases.insert(c, { kind: 'case.submit', payload: null }).created).toBe(true);
    const again = store.cases.insert({ ...c, serial: 'other' }, { kind: 'case.submit', payload: null });
    expect(again).toMatchObject({ created: false, outboxSeq: null, case: { id, serial: c.serial } });
    expect(store.outbox.pendingCount()).toBe(1);
    expect(() => store.cases.insert({ ...c, contentHash: hash('b') }, { kind: 'case.submit', payload: null })).toThrow(/different content/);
  });

  it('validates ids, hashes and applicants', () => {
    expect(() => store.cases.insert(newCase({ id: 'nope' }), { kind: 'k', payload: null })).toThrow(/not a UUID/);
    expect(() => store.cases.insert(newCase({ contentHash: 'ABC' }), { kind: 'k', payload: null })).toThrow(/64 lowercase hex/);
    expect(() => store.cases.insert(newCase({ applicantId: uuidv7() }), { kind: 'k', payload: null })).toThrow(/applicant .* does not exist/);
  });

  it('transitions with history and an optional outbox entry; refuses a stale from-state', () => {
    const { case: c } = store.cases.insert(newCase(), { kind: 'case.submit', payload: null });
    const moved = store.cases.transition(c.id, { from: 'submitted', to: 'uploaded', actor: 'sync', outbox: { kind: 'case.status', payload: { s: 1 } } });
    expect(moved.state).toBe('uploaded');
    expect(() => store.cases.transition(c.id, { from: 'submitted', to: 'accepted', actor: 'x' })).toThrow(/is uploaded, not submitted/);
    expect(() => store.cases.transition(uuidv7(), { from: 'a', to: 'b', actor: 'x' })).toThrow(/no case/);
    store.cases.transition(c.id, { from: 'uploaded', to: 'correctionRequested', actor: 'endpoint', reason: '身份证复印件不清晰' });
    expect(store.cases.history(c.id).map((h) => [h.fromState, h.toState, h.reason])).toEqual([
      [null, 'submitted', null],
      ['submitted', 'uploaded', null],
      ['uploaded', 'correctionRequested', '身份证复印件不清晰'],
    ]);
    expect(store.outbox.forCase(c.id).map((e) => e.kind)).toEqual(['case.submit', 'case.status']);
  });

  it('rates, lists newest first with paging and state filter, groups bundles, purges the form', () => {
    const bundleId = uuidv7();
    const a = store.cases.insert(newCase({ bundleId }), { kind: 'k', payload: null }).case;
    const b = store.cases.insert(newCase({ bundleId, state: 'draft' }), { kind: 'k', payload: null }).case;
    const c = store.cases.insert(newCase(), { kind: 'k', payload: null }).case;
    store.cases.rate(a.id, 5);
    expect(() => store.cases.rate(a.id, 7 as 5)).toThrow(/1..5/);
    expect(store.cases.get(a.id)!.rating).toBe(5);
    expect(store.cases.list().map((s) => s.id)).toEqual([c.id, b.id, a.id]);
    expect(store.cases.list({ before: b.id }).map((s) => s.id)).toEqual([a.id]);
    expect(store.cases.list({ state: 'draft' }).map((s) => s.id)).toEqual([b.id]);
    expect(store.cases.byBundle(bundleId).map((s) => s.id)).toEqual([a.id, b.id]);
    expect(store.cases.purgeForm(a.id)).toBe(true);
    expect(store.cases.get(a.id)).toMatchObject({ form: null, rating: 5 });
  });

  it('reports a form blob moved to another case as tampered', () => {
    const a = store.cases.insert(newCase(), { kind: 'k', payload: null }).case;
    const b = store.cases.insert(newCase({ form: { name: '李四' } }), { kind: 'k', payload: null }).case;
    store.db.prepare('UPDATE cases SET form_sealed = (SELECT form_sealed FROM cases WHERE id = ?) WHERE id = ?').run(a.id, b.id);
    expect(() => store.cases.get(b.id)).toThrow(/failed authentication/);
  });
});

describe('cases: moves of many at once', () => {
  it('inState finds the cases in a state; moveMany moves them with one history row each, in the order given', () => {
    const ids = [1, 2, 3].map(() => store.cases.insert(newCase(), { kind: 'case.submit', payload: null }).case.id);
    const draft = store.cases.insert(newCase({ state: 'draft' }), { kind: 'case.submit', payload: null }).case.id;
    expect(store.cases.inState([...ids, draft, 'no-such-case'], 'submitted').map((c) => c.id).sort()).toEqual([...ids].sort());
    expect(store.cases.inState([], 'submitted')).toEqual([]);
    const order = [ids[2]!, ids[0]!, ids[1]!];
    store.cases.moveMany(order, { from: 'submitted', to: 'uploaded', actor: 'kiosk', at: 4242 });
    for (const id of ids) {
      expect(store.cases.summary(id)).toMatchObject({ state: 'uploaded', updatedAt: 4242 });
      expect(store.cases.history(id).at(-1)).toMatchObject({ fromState: 'submitted', toState: 'uploaded', actor: 'kiosk', reason: null, at: 4242 });
    }
    const historySeq = (id: string) => (store.db.prepare("SELECT seq FROM case_history WHERE case_id = ? AND to_state = 'uploaded'").get(id) as { seq: number }).seq;
    expect(order.map(historySeq)).toEqual(order.map(historySeq).sort((a, b) => a - b));
  });

  it('moveMany writes nothing when a case is missing, in another state or named twice', () => {
    const a = store.cases.insert(newCase(), { kind: 'case.submit', payload: null }).case.id;
    const b = store.cases.insert(newCase({ state: 'draft' }), { kind: 'case.submit', payload: null }).case.id;
    expect(() => store.cases.moveMany([a, b], { from: 'submitted', to: 'uploaded', actor: 'kiosk' })).toThrow(InputError);
    expect(() => store.cases.moveMany([a, 'no-such-case'], { from: 'submitted', to: 'uploaded', actor: 'kiosk' })).toThrow(InputError);
    expect(() => store.cases.moveMany([a, a], { from: 'submitted', to: 'uploaded', actor: 'kiosk' })).toThrow(InputError);
    expect(store.cases.summary(a)).toMatchObject({ state: 'submitted' });
    expect(store.cases.history(a)).toHaveLength(1);
  });
});

describe('applicants', () => {
  it('seals the fields, finds by a keyed hash of the ID number, purges', () => {
    const a = store.applicants.insert({ identitySource: 'card', fields: { idNumber: ID_NUMBER, name: '张三', address: '安徽省合肥市' } });
    store.applicants.insert({ identitySource: 'qr', fields: { idNumber: '110101199003071234', name: '王五' } });
    expect(store.applicants.get(a.id)!.fields).toMatchObject({ name: '张三' });
    expect(store.applicants.findByIdNumber(ID_NUMBER.toLowerCase())).toEqual([a.id]);
    const stored = store.db.prepare('SELECT id_number_hash FROM applicants WHERE id = ?').get(a.id) as { id_number_hash: string };
    expect(stored.id_number_hash).not.toBe(sm3Hex(ID_NUMBER)); // keyed, not a plain hash anyone can recompute
    expect(rawBytes().includes(Buffer.from('安徽省合肥市'))).toBe(false);
    expect(store.applicants.purge(a.id)).toBe(true);
    expect(store.applicants.get(a.id)).toMatchObject({ fields: null });
    expect(store.applicants.findByIdNumber(ID_NUMBER)).toEqual([]);
    expect(() => store.applicants.insert({ identitySource: 'fax' as 'qr', fields: { idNumber: '1', name: 'x' } })).toThrow(/card or qr/);
  });
});

describe('materials', () => {
  it('stores each file once, sealed, at materials/ab/<sm3>, and reads it back checked', () => {
    const c = store.cases.insert(newCase(), { kind: 'k', payload: null }).case;
    const bytes = Buffer.from('%PDF-1.7 身份证复印件 ' + 'x'.repeat(1000));
    const m = store.materials.put({ caseId: c.id, materialId: 'idCopy', bytes, mime: 'application/pdf' });
    const sm3 = sm3Hex(bytes);
    expect(m).toMatchObject({ sm3, size: bytes.length, path: join('materials', sm3.slice(0, 2), sm3) });
    const file = join(dir, m.path);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file).includes(Buffer.from('身份证复印件'))).toBe(false);
    expect(Buffer.from(store.materials.read(m)).equals(bytes)).toBe(true);
    expect(store.materials.put({ caseId: c.id, materialId: 'idCopy', bytes, mime: 'application/pdf' }).id).toBe(m.id);
    const other = store.cases.insert(newCase(), { kind: 'k', payload: null }).case;
    store.materials.put({ caseId: other.id, materialId: 'idCopy', bytes, mime: 'application/pdf' });
    expect(() => store.materials.put({ caseId: uuidv7(), materialId: 'x', bytes, mime: 'a/b' })).toThrow(/no case/);

    expect(store.materials.purgeCase(c.id)).toBe(1);
    expect(existsSync(file)).toBe(true); // still used by the other case
    expect(() => store.materials.read(store.materials.forCase(c.id)[0]!)).toThrow(/purged/);
    store.materials.purgeCase(other.id);
    expect(existsSync(file)).toBe(false);
  });

  it('removes temp files of an interrupted material write when the store opens', () => {
    const c = store.cases.insert(newCase(), { kind: 'k', payload: null }).case;
    const m = store.materials.put({ caseId: c.id, materialId: 'photo', bytes: Buffer.from('jpeg'), mime: 'image/jpeg' });
    const tmp = join(dir, `${m.path}.4242.tmp`);
    writeFileSync(tmp, 'half a file');
    store.close();
    store = openStore({ dataDir: dir, log: silentLogger, cipher: openFieldCipher({ dataDir: dir }) });
    expect(existsSync(tmp)).toBe(false);
    expect(Buffer.from(store.materials.read(m)).toString()).toBe('jpeg');
  });
});

describe('outbox and inbox', () => {
  it('hands out due entries FIFO by sequence; failures wait, quarantine removes, sent is done', () => {
    const seqs = [1, 2, 3].map((i) => store.outbox.add({ kind: 'ping', payload: { i } }, 1000 - i)); // created_at runs backwards
    expect(store.outbox.due(5000).map((e) => e.seq)).toEqual(seqs);
    store.outbox.markFailed(seqs[0]!, 'endpoint down', 9000);
    expect(store.outbox.due(5000).map((e) => e.seq)).toEqual([seqs[1], seqs[2]]);
    expect(store.outbox.due(9000).map((e) => e.seq)).toEqual(seqs);
    expect(store.outbox.get(seqs[0]!)).toMatchObject({ attempts: 1, lastError: 'endpoint down' });
    store.outbox.quarantine(seqs[1]!, 'refused: schema');
    store.outbox.markSent(seqs[2]!);
    expect(store.outbox.due(9000).map((e) => e.seq)).toEqual([seqs[0]]);
    expect(store.outbox.pendingCount()).toBe(1);
  });

  it('markSentMany marks the unsent entries of a batch at once, in the order given, each once, with its case id', () => {
    const c = store.cases.insert(newCase(), { kind: 'case.submit', payload: null });
    const plain = store.outbox.add({ kind: 'ping', payload: null });
    const other = store.outbox.add({ kind: 'ping', payload: null });
    store.outbox.markSent(other, 5);
    const seqs = [plain, c.outboxSeq!, other, 99_999, plain];
    expect(store.outbox.markSentMany(seqs, 777)).toEqual([
      { seq: plain, caseId: null },
      { seq: c.outboxSeq, caseId: c.case.id },
    ]);
    expect(store.outbox.get(plain)!.sentAt).toBe(777);
    expect(store.outbox.get(other)!.sentAt).toBe(5); // sent before: untouched
    expect(store.outbox.markSentMany(seqs, 888)).toEqual([]); // a repeated acknowledgement marks nothing
    expect(store.outbox.get(c.outboxSeq!)!.sentAt).toBe(777);
    expect(() => store.outbox.markSentMany([1.5], 1)).toThrow(InputError);
  });

  it('receives each message once and keeps the cursor per endpoint', () => {
    expect(store.inbox.receive({ endpoint: 'prov', messageId: 'm1', cursor: 'c1', payload: { a: 1 } })).toBe(true);
    expect(store.inbox.receive({ endpoint: 'prov', messageId: 'm1', cursor: 'c1', payload: { a: 1 } })).toBe(false);
    store.inbox.receive({ endpoint: 'prov', messageId: 'm2', cursor: 'c2', payload: { a: 2 } });
    expect(store.inbox.cursor('prov')).toBe('c2');
    expect(store.inbox.cursor('other')).toBeNull();
    const un = store.inbox.unapplied();
    expect(un.map((m) => m.messageId)).toEqual(['m1', 'm2']);
    store.inbox.markApplied(un[0]!.seq);
    expect(store.inbox.unapplied().map((m) => m.messageId)).toEqual(['m2']);
  });
});

describe('catalog, device events, print jobs, certificates, settings', () => {
  it('keeps catalog versions and refuses a stale one', () => {
    expect(store.catalog.current()).toBeUndefined();
    store.catalog.put(1, [{ code: 'a' }]);
    store.catalog.put(3, [{ code: 'b' }]);
    expect(() => store.catalog.put(2, [])).toThrow(/not newer than the stored 3/);
    expect(store.catalog.current()).toMatchObject({ version: 3, items: [{ code: 'b' }] });
  });

  it('appends device events and lists them newest first', () => {
    store.deviceEvents.append({ device: 'printer', type: 'paperOut' });
    store.deviceEvents.append({ device: 'idcard', type: 'online', details: { port: '/dev/pts/3' } });
    expect(store.deviceEvents.recent().map((e) => e.type)).toEqual(['online', 'paperOut']);
    expect(store.deviceEvents.recent({ device: 'printer' })).toMatchObject([{ type: 'paperOut', details: null }]);
  });

  it('keeps print jobs until printed, sealed, and drops the document once printed', () => {
    const id = store.printJobs.enqueue({ kind: 'receipt', document: Buffer.from('回执 张三') });
    store.printJobs.markPrinting(id);
    store.printJobs.markFailed(id, 'paper out');
    expect(store.printJobs.pending()).toMatchObject([{ id, state: 'failed', attempts: 1, lastError: 'paper out' }]);
    expect(Buffer.from(store.printJobs.get(id)!.document!).toString()).toBe('回执 张三');
    expect(rawBytes().includes(Buffer.from('回执 张三'))).toBe(false);
    store.printJobs.markPrinted(id);
    expect(store.printJobs.pending()).toEqual([]);
    expect(store.printJobs.get(id)).toMatchObject({ state: 'printed', document: null });
  });

  it('records certificates and settings', () => {
    const c = store.cases.insert(newCase(), { kind: 'k', payload: null }).case;
    store.certificates.record({ documentId: 'D1', caseId: c.id, template: 'social-insurance', path: 'certificates/D1.pdf', sm3: hash('pdf') });
    expect(store.certificates.forCase(c.id)).toMatchObject([{ documentId: 'D1', sm3: hash('pdf') }]);
    expect(() => store.certificates.record({ documentId: 'D2', caseId: null, template: 't', path: 'p', sm3: 'x' })).toThrow(/SM3/);
    store.settings.set('retentionDays', 30);
    store.settings.set('retentionDays', 60);
    expect(store.settings.get('retentionDays')).toBe(60);
    expect(store.settings.get('missing')).toBeUndefined();
  });

  it('has STRICT tables: a value of the wrong type is refused even from outside tongban', () => {
    store.close();
    const raw = new Database(join(dir, STORE_FILE));
    try {
      expect(() => raw.exec("INSERT INTO catalog (version, items, received_at) VALUES (1, '[]', 'yesterday')")).toThrow(/cannot store TEXT value in INTEGER column/);
      expect(() => raw.exec("INSERT INTO catalog (version, items, received_at) VALUES (1, 'not json', 0)")).toThrow(/CHECK constraint/);
    } finally {
      raw.close();
    }
    store = openStore({ dataDir: dir, log: silentLogger, cipher: openFieldCipher({ dataDir: dir }) });
  });
});
