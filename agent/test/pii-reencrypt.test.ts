import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../base/log.js';
import { verifyAudit } from '../audit/verify.js';
import { openFieldCipher, type CipherAlgorithm } from '../pii/field-cipher.js';
import { reencryptAll, rotateFieldKey, SEALED_COLUMNS } from '../pii/reencrypt.js';
import { sealedKeyId, decodeSealed } from '../pii/sealed-format.js';
import { openStore, type Store } from '../store/store.js';

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const PERSON = { idNumber: '11010519491231002X', name: '赵小燕', phone: '13512345678', photo: 'AAAA' };

function open(dir: string, algorithm?: CipherAlgorithm) {
  const cipher = openFieldCipher({ dataDir: dir, algorithm });
  const store = openStore({ dataDir: dir, log: silentLogger, cipher });
  stores.push(store);
  return { cipher, store };
}

/** A kiosk holding one of every sealed thing: applicant, case form, outbox payload, print documents, a material file. */
function filled(algorithm?: CipherAlgorithm) {
  const dir = mkdtempSync(join(tmpdir(), 'tongban-reencrypt-'));
  dirs.push(dir);
  const { cipher, store } = open(dir, algorithm);
  const applicantId = store.applicants.insert({ identitySource: 'card', fields: PERSON }).id;
  const caseId = store.cases.insert(
    { serial: 'S1', itemCode: '310000-000201001000', applicantId, state: 'submitted', form: { phone: PERSON.phone }, contentHash: 'c'.repeat(64), actor: 'kiosk' },
    { kind: 'case.submit', payload: { name: PERSON.name } },
  ).case.id;
  const queued = store.printJobs.enqueue({ caseId, kind: 'receipt', document: Buffer.from('回执 赵小燕') });
  const printed = store.printJobs.enqueue({ caseId, kind: 'receipt', document: Buffer.from('printed') });
  store.printJobs.markPrinted(printed);
  store.materials.put({ caseId, materialId: 'photo', bytes: Buffer.from('a scanned page'), mime: 'image/jpeg' });
  return { dir, cipher, store, applicantId, caseId, queued };
}

function readsEverything(store: Store, ids: { applicantId: string; caseId: string; queued: string }): void {
  expect(store.applicants.get(ids.applicantId)!.fields).toMatchObject({ name: PERSON.name });
  expect(store.cases.get(ids.caseId)!.form).toEqual({ phone: PERSON.phone });
  expect(store.outbox.forCase(ids.caseId)[0]!.payload).toEqual({ name: PERSON.name });
  expect(Buffer.from(store.printJobs.get(ids.queued)!.document!).toString()).toBe('回执 赵小燕');
  const [m] = store.materials.forCase(ids.caseId);
  expect(Buffer.from(store.materials.read(m!)).toString()).toBe('a scanned page');
}

describe('key rotation over the store', () => {
  it('SEALED_COLUMNS names every *_sealed column of the schema', () => {
    const { store } = filled();
    const tables = (store.db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
    const sealed = tables.flatMap((t) => (store.db.pragma(`table_info(${t})`) as { name: string }[]).filter((c) => c.name.endsWith('_sealed')).map((c) => `${t}.${c.name}`));
    expect(sealed.sort()).toEqual(SEALED_COLUMNS.map((c) => `${c.table}.${c.column}`).sort());
  });

  it('rotates, keeps old values readable, reseals everything under the new key, then the old key file can go', () => {
    const k = filled();
    const first = k.cipher.keyId;
    const next = rotateFieldKey(k.store, k.cipher);
    expect(next).not.toBe(first);
    readsEverything(k.store, k);
    const report = reencryptAll(k.store, k.cipher, { batchSize: 2 });
    expect(report).toEqual({ values: 4, files: 1, drainedKeys: [first] });
    const applicantRow = k.store.db.prepare('SELECT fields_sealed AS v FROM applicants').get() as { v: Uint8Array };
    expect(sealedKeyId(applicantRow.v)).toBe(next);
    k.cipher.removeKey(first);
    k.store.close();
    // A fresh process, with only the new key on disk, reads everything.
    const again = open(k.dir);
    expect(again.cipher.keyIds()).toEqual([next]);
    readsEverything(again.store, k);
    expect(reencryptAll(again.store, again.cipher)).toEqual({ values: 0, files: 0, drainedKeys: [] });
    const keys = again.store.db.prepare('SELECT key_id, drained_at FROM field_keys').all() as { key_id: string; drained_at: number | null }[];
    expect(Object.fromEntries(keys.map((r) => [r.key_id, r.drained_at !== null]))).toEqual({ [first]: true, [next]: false });
    const audit = again.store.db.prepare("SELECT subject FROM audit_log WHERE type = 'keyRotation'").all() as { subject: string }[];
    expect(audit.length).toBe(3);
    expect(verifyAudit(again.store.db).ok).toBe(true);
  });

  it('moves values sealed with AES-256-GCM (an Electron kiosk) to SM4 where the runtime has it', () => {
    const k = filled('aes-256-gcm');
    k.store.close();
    const node = open(k.dir);
    readsEverything(node.store, k);
    expect(reencryptAll(node.store, node.cipher)).toMatchObject({ values: 4, files: 1, drainedKeys: [] });
    const row = node.store.db.prepare('SELECT form_sealed AS v FROM cases').get() as { v: Uint8Array };
    expect(decodeSealed(row.v).algorithm).toBe('sm4-ctr-hmac-sm3');
    readsEverything(node.store, k);
  });
});
