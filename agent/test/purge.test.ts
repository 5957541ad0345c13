import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, MemorySink, type Logger } from '../../base/log.js';
import { verifyAudit } from '../audit/verify.js';
import { openFieldCipher, type FieldCipher } from '../pii/field-cipher.js';
import { isValidIdNumber } from '../pii/id-number.js';
import { purgeApplicant, purgeExpired } from '../purge/purge.js';
import { openStore, type Store } from '../store/store.js';

const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.UTC(2026, 0, 1);
const HASH = 'a'.repeat(64);

/** An ID number with a valid check character (GB 11643). */
function idNumber(body17: string): string {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body17].reduce((s, d, i) => s + Number(d) * w[i]!, 0);
  return body17 + '10X98765432'[sum % 11]!;
}
const WANG = { idNumber: idNumber('34160219900101123'), name: '王小明', phone: '13812345678', address: '安徽省亳州市谯城区人民路88号', photo: Buffer.from('photo-bytes-of-wang').toString('base64') };
const LI = { idNumber: idNumber('31011519850707456'), name: '李四', phone: '13998765432' };

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

interface Kiosk {
  dir: string;
  store: Store;
  cipher: FieldCipher;
  sink: MemorySink;
  log: Logger;
}

function kiosk(): Kiosk {
  const dir = mkdtempSync(join(tmpdir(), 'tongban-purge-'));
  dirs.push(dir);
  const sink = new MemorySink();
  const log = createLogger({ level: 'debug', sink });
  const cipher = openFieldCipher({ dataDir: dir, log });
  const store = openStore({ dataDir: dir, log, cipher });
  stores.push(store);
  return { dir, store, cipher, sink, log };
}

let serial = 0;
/** A case for the applicant, moved to `state` at `at`; its outbox entries sent at `sentAt` (null: not synced). */
function addCase(k: Kiosk, applicantId: string, o: { state: 'completed' | 'submitted'; at: number; sentAt: number | null; material?: Uint8Array; person: typeof WANG | typeof LI }): string {
  const { store } = k;
  const r = store.cases.insert(
    { serial: `S${++serial}`, itemCode: '340000-000201001000', applicantId, state: 'submitted', form: { phone: o.person.phone, reason: '异地就医' }, contentHash: HASH, actor: 'kiosk', at: o.at - 2 * DAY },
    { kind: 'case.submit', payload: { name: o.person.name, idNumber: o.person.idNumber } },
  );
  const id = r.case.id;
  if (o.material) store.materials.put({ caseId: id, materialId: 'hukou', bytes: o.material, mime: 'image/jpeg', at: o.at - 2 * DAY });
  const job = store.printJobs.enqueue({ caseId: id, kind: 'receipt', document: Buffer.from(`回执 ${o.person.name}`), at: o.at - 2 * DAY });
  store.printJobs.markPrinted(job, o.at - 2 * DAY);
  if (o.state === 'completed') {
    store.cases.transition(id, { from: 'submitted', to: 'accepted', actor: 'kiosk', at: o.at - DAY });
    store.cases.transition(id, { from: 'accepted', to: 'completed', actor: 'kiosk', at: o.at });
    const certPath = join('certificates', `${id}.pdf`);
    mkdirSync(join(k.dir, 'certificates'), { recursive: true });
    writeFileSync(join(k.dir, certPath), `%PDF sealed for ${o.person.name}`);
    store.certificates.record({ documentId: `doc-${id}`, caseId: id, template: '社会保险参保缴费证明', path: certPath, sm3: HASH, issuedAt: o.at });
  }
  if (o.sentAt !== null) for (const e of store.outbox.forCase(id)) store.outbox.markSent(e.seq, o.sentAt);
  return id;
}

function applicant(k: Kiosk, person: typeof WANG | typeof LI, at: number): string {
  return k.store.applicants.insert({ identitySource: 'card', fields: person, at }).id;
}

/** Everything on disk under the data directory that could hold personal data in clear. */
function diskText(dir: string): Buffer {
  const parts: Buffer[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else parts.push(readFileSync(p));
    }
  };
  walk(dir);
  return Buffer.concat(parts);
}

function logText(k: Kiosk): string {
  return k.sink.lines.join('');
}

describe('id numbers', () => {
  it('checks the GB 11643 check character', () => {
    expect(isValidIdNumber(WANG.idNumber)).toBe(true);
    expect(isValidIdNumber(WANG.idNumber.slice(0, 17) + (WANG.idNumber[17] === '0' ? '1' : '0'))).toBe(false);
    expect(isValidIdNumber('1234')).toBe(false);
    expect(isValidIdNumber('11010519491231002x')).toBe(true);
    expect(isValidIdNumber('USA310072209150')).toBe(true); // older 外国人永久居留身份证
    expect(isValidIdNumber('US3100722091501')).toBe(false);
  });
});

describe('retention purge', () => {
  it('erases cases completed and synced before the retention, keeps the non-personal facts, audits each erasure', () => {
    const k = kiosk();
    const wang = applicant(k, WANG, T0);
    const material = Buffer.from('scan of the household register of 王小明');
    const old = addCase(k, wang, { state: 'completed', at: T0 + DAY * 3, sentAt: T0 + DAY * 4, material, person: WANG });
    const now = T0 + DAY * 40;

    const dry = purgeExpired(k.store, { cipher: k.cipher, log: k.log, retentionDays: 30, now, dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, cases: [old], applicants: [wang] });
    expect(k.store.cases.get(old)!.form).not.toBeNull();

    const report = purgeExpired(k.store, { cipher: k.cipher, log: k.log, retentionDays: 30, now });
    expect(report).toMatchObject({ dryRun: false, cases: [old], applicants: [wang], materialFilesDeleted: 1, certificateFilesDeleted: 1 });

    const c = k.store.cases.get(old)!;
    expect(c).toMatchObject({ id: old, state: 'completed', contentHash: HASH, form: null, purgedAt: now, itemCode: '340000-000201001000' });
    expect(k.store.cases.history(old).map((h) => h.toState)).toEqual(['submitted', 'accepted', 'completed']);
    expect(k.store.applicants.get(wang)).toMatchObject({ fields: null, purgedAt: now });
    expect(k.store.applicants.findByIdNumber(WANG.idNumber)).toEqual([]);
    const [m] = k.store.materials.forCase(old);
    expect(m).toMatchObject({ purgedAt: now, sm3: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(existsSync(join(k.dir, m!.path))).toBe(false);
    expect(existsSync(join(k.dir, 'certificates', `${old}.pdf`))).toBe(false);
    expect(k.store.outbox.forCase(old).every((e) => e.payload === null)).toBe(true);

    const audit = k.store.db.prepare("SELECT subject, details FROM audit_log WHERE type = 'purge' ORDER BY seq").all() as { subject: string; details: string }[];
    expect(audit.map((a) => a.subject)).toEqual([old, `applicant:${wang}`]);
    expect(JSON.parse(audit[0]!.details)).toMatchObject({ reason: 'retention', materials: 1, certificates: 1 });
    expect(verifyAudit(k.store.db).ok).toBe(true);

    // Nothing personal is left in clear anywhere in the data directory, nor in the log.
    k.store.db.pragma('wal_checkpoint(TRUNCATE)');
    const disk = diskText(k.dir);
    for (const s of [WANG.idNumber, WANG.name, WANG.phone, '王小明']) expect(disk.includes(Buffer.from(s))).toBe(false);
    expect(logText(k)).toContain('retention purge done');
    for (const s of [WANG.idNumber, WANG.name, WANG.phone]) expect(logText(k)).not.toContain(s);

    // A second run finds nothing more.
    expect(purgeExpired(k.store, { cipher: k.cipher, log: k.log, retentionDays: 30, now })).toMatchObject({ cases: [], applicants: [] });
  });

  it('keeps cases that are recent, not completed, or not synced, and the applicants they refer to', () => {
    const k = kiosk();
    const wang = applicant(k, WANG, T0);
    const li = applicant(k, LI, T0);
    const now = T0 + DAY * 40;
    const recent = addCase(k, wang, { state: 'completed', at: now - DAY * 5, sentAt: now - DAY * 5, person: WANG });
    const unsynced = addCase(k, li, { state: 'completed', at: T0 + DAY, sentAt: null, person: LI });
    const syncedLate = addCase(k, li, { state: 'completed', at: T0 + DAY, sentAt: now - DAY, person: LI });
    const open = addCase(k, li, { state: 'submitted', at: T0 + DAY, sentAt: T0 + DAY, person: LI });
    const report = purgeExpired(k.store, { cipher: k.cipher, log: k.log, retentionDays: 30, now });
    expect(report.cases).toEqual([]);
    expect(report.applicants).toEqual([]);
    for (const id of [recent, unsynced, syncedLate, open]) expect(k.store.cases.get(id)!.form).not.toBeNull();
    expect(k.store.applicants.get(li)!.fields).toMatchObject({ name: '李四' });
    // With a retention of 0 days the synced, completed ones go; the unsynced and the open one stay.
    const all = purgeExpired(k.store, { cipher: k.cipher, log: k.log, retentionDays: 0, now });
    expect(all.cases.sort()).toEqual([recent, syncedLate].sort());
    expect(all.applicants).toEqual([wang]);
    expect(k.store.cases.get(unsynced)!.form).not.toBeNull();
  });

  it('erases in batches of batchSize per transaction and at most maxCases per run', () => {
    const k = kiosk();
    const wang = applicant(k, WANG, T0);
    const ids = Array.from({ length: 5 }, () => addCase(k, wang, { state: 'completed', at: T0 + DAY, sentAt: T0 + DAY, person: WANG })).sort();
    const now = T0 + DAY * 40;
    const first = purgeExpired(k.store, { cipher: k.cipher, log: k.log, retentionDays: 30, now, batchSize: 2, maxCases: 3 });
    expect(first.cases).toEqual(ids.slice(0, 3));
    expect(first.applicants).toEqual([]); // two of its cases are still there
    const second = purgeExpired(k.store, { cipher: k.cipher, log: k.log, retentionDays: 30, now, batchSize: 2, maxCases: 3 });
    expect(second.cases).toEqual(ids.slice(3));
    expect(second.applicants).toEqual([wang]);
    expect(verifyAudit(k.store.db)).toMatchObject({ ok: true });
    expect(() => purgeExpired(k.store, { cipher: k.cipher, retentionDays: 30, batchSize: 0 })).toThrow(RangeError);
  });

  it('keeps a material file another unpurged case still uses', () => {
    const k = kiosk();
    const wang = applicant(k, WANG, T0);
    const shared = Buffer.from('the same scanned page');
    const old = addCase(k, wang, { state: 'completed', at: T0 + DAY, sentAt: T0 + DAY, material: shared, person: WANG });
    const recent = addCase(k, wang, { state: 'completed', at: T0 + DAY * 39, sentAt: T0 + DAY * 39, material: shared, person: WANG });
    const report = purgeExpired(k.store, { cipher: k.cipher, log: k.log, retentionDays: 30, now: T0 + DAY * 40 });
    expect(report).toMatchObject({ cases: [old], applicants: [], materialFilesDeleted: 0 });
    const [m] = k.store.materials.forCase(recent);
    expect(Buffer.from(k.store.materials.read(m!)).equals(shared)).toBe(true);
  });

  it('never deletes a certificate file that is also a material file of a live case', () => {
    const k = kiosk();
    const wang = applicant(k, WANG, T0);
    const old = addCase(k, wang, { state: 'completed', at: T0 + DAY, sentAt: T0 + DAY, person: WANG });
    const live = addCase(k, wang, { state: 'submitted', at: T0 + DAY * 39, sentAt: null, material: Buffer.from('%PDF shared'), person: WANG });
    const [m] = k.store.materials.forCase(live);
    k.store.certificates.record({ documentId: 'doc-shared', caseId: old, template: 't', path: m!.path, sm3: m!.sm3 });
    purgeExpired(k.store, { cipher: k.cipher, log: k.log, retentionDays: 30, now: T0 + DAY * 40 });
    expect(k.store.cases.get(old)!.purgedAt).not.toBeNull();
    expect(Buffer.from(k.store.materials.read(m!)).toString()).toBe('%PDF shared');
  });

  it('deletes files left behind by a crash between the commit and the deletion (the sweep)', () => {
    const k = kiosk();
    const wang = applicant(k, WANG, T0);
    const old = addCase(k, wang, { state: 'completed', at: T0 + DAY, sentAt: T0 + DAY, material: Buffer.from('page'), person: WANG });
    const [m] = k.store.materials.forCase(old);
    const file = readFileSync(join(k.dir, m!.path));
    purgeExpired(k.store, { cipher: k.cipher, log: k.log, retentionDays: 30, now: T0 + DAY * 40 });
    // As if the process died after the commit: the file is back.
    writeFileSync(join(k.dir, m!.path), file);
    writeFileSync(join(k.dir, 'certificates', `${old}.pdf`), 'left over');
    expect(purgeExpired(k.store, { cipher: k.cipher, log: k.log, retentionDays: 30, now: T0 + DAY * 41 })).toMatchObject({ cases: [], materialFilesDeleted: 1, certificateFilesDeleted: 1 });
    expect(existsSync(join(k.dir, m!.path))).toBe(false);
  });
});

describe('operator erasure of one applicant', () => {
  it('erases every record of that person, synced or not, quarantines unsent entries, audits without the number', () => {
    const k = kiosk();
    const wang1 = applicant(k, WANG, T0);
    const wang2 = k.store.applicants.insert({ identitySource: 'qr', fields: { ...WANG, idNumber: WANG.idNumber.toLowerCase() }, at: T0 }).id;
    const li = applicant(k, LI, T0);
    const done = addCase(k, wang1, { state: 'completed', at: T0 + DAY, sentAt: T0 + DAY, material: Buffer.from('wang page'), person: WANG });
    const pending = addCase(k, wang2, { state: 'submitted', at: T0 + DAY, sentAt: null, person: WANG });
    const other = addCase(k, li, { state: 'submitted', at: T0 + DAY, sentAt: null, person: LI });

    const dry = purgeApplicant(k.store, WANG.idNumber, { cipher: k.cipher, log: k.log, dryRun: true, now: T0 + DAY * 2 });
    expect(dry).toMatchObject({ dryRun: true, applicants: [wang1, wang2].sort(), unsyncedCases: [pending] });
    expect(k.store.applicants.get(wang1)!.fields).not.toBeNull();

    const report = purgeApplicant(k.store, WANG.idNumber, { cipher: k.cipher, log: k.log, now: T0 + DAY * 2 });
    expect(report.cases.sort()).toEqual([done, pending].sort());
    expect(report).toMatchObject({ unsyncedCases: [pending], materialFilesDeleted: 1, certificateFilesDeleted: 1 });
    expect(k.store.applicants.get(wang1)!.fields).toBeNull();
    expect(k.store.applicants.get(wang2)!.fields).toBeNull();
    expect(k.store.outbox.forCase(pending)[0]).toMatchObject({ payload: null, quarantinedReason: 'personal data erased before sync' });
    expect(k.store.outbox.due(Date.now()).map((e) => e.caseId)).toEqual([other]);
    expect(k.store.applicants.get(li)!.fields).toMatchObject({ name: '李四' });
    expect(k.store.cases.get(other)!.form).not.toBeNull();

    const audit = k.store.db.prepare("SELECT subject, details, actor FROM audit_log WHERE type = 'purge'").all() as { subject: string; details: string; actor: string }[];
    expect(audit.map((a) => a.subject).sort()).toEqual([done, pending, `applicant:${wang1}`, `applicant:${wang2}`].sort());
    expect(audit.every((a) => a.actor === 'operator' && JSON.parse(a.details).reason === 'operator')).toBe(true);
    const auditText = JSON.stringify(k.store.db.prepare('SELECT * FROM audit_log').all());
    expect(auditText).not.toContain(WANG.idNumber);
    expect(auditText).not.toContain(WANG.idNumber.slice(-4));
    expect(logText(k)).toContain('applicant erased on request');
    for (const s of [WANG.idNumber, WANG.idNumber.toLowerCase(), WANG.name, WANG.phone]) expect(logText(k)).not.toContain(s);
    expect(verifyAudit(k.store.db).ok).toBe(true);

    expect(purgeApplicant(k.store, WANG.idNumber, { cipher: k.cipher, log: k.log })).toMatchObject({ applicants: [], cases: [] });
  });
});
