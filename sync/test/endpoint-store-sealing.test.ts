/**
 * The endpoint store's personal data at rest (sync/endpoint/store/sealing.ts): case content, notes,
 * result titles and status-event bodies sealed in the file, bound to their place, keys private; a
 * version-1 store's clear rows sealed by migration 0002, leaving no clear copy in the file or its WAL.
 */
import { randomUUID } from 'node:crypto';
import { chmodSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../base/log.js';
import { openEndpointDatabase } from '../endpoint/store/database.js';
import type { EndpointStore } from '../endpoint/store/index.js';
import { migrations } from '../endpoint/store/migrations/index.js';
import { openEndpointSealer } from '../endpoint/store/sealing.js';
import { openEndpointStore } from '../endpoint/store/index.js';
import { caseContent, fileRef, hashOf, openStore, pdfBytes, submitted, tempDir, upload } from './endpoint-store-fixtures.js';

const ID = '341602199001011234';
const NAME = '王演示';
const NOTE = '请补交户口簿（王演示本人页）';
const TITLE = '王演示的参保缴费证明';
const SECRETS = [ID, NAME, NOTE, TITLE];

let tmp: ReturnType<typeof tempDir>;
let store: EndpointStore | undefined;
const clock = Date.UTC(2026, 10, 21, 12, 0, 0);

beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => {
  store?.close();
  store = undefined;
  tmp.remove();
});

/** Every file under the directory (database, WAL, keys, files) that holds one of the secrets in clear. */
function leaks(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .flatMap((e) => {
      const bytes = readFileSync(join(e.parentPath, e.name));
      return SECRETS.filter((s) => bytes.includes(Buffer.from(s, 'utf8'))).map((s) => `${join(e.parentPath, e.name)}: ${s}`);
    });
}

function raw(): Database.Database {
  return new Database(join(tmp.dir, 'endpoint.db'));
}

/** A case from kiosk-1 accepted and completed by a clerk with a titled result. */
function completedCase(s: EndpointStore, seq: number): string {
  const e = submitted(seq);
  expect(s.commitBatch('kiosk-1', [e], clock)[0]!.outcome).toBe('committed');
  s.setStatus(e.caseId, 'accepted', {}, clock + 1);
  s.setStatus(e.caseId, 'completed', { results: [{ bytes: pdfBytes('x'), title: TITLE }] }, clock + 2);
  return e.caseId;
}

describe('sealed at rest', () => {
  it('content, notes, result titles and event bodies are nowhere in the data directory in clear (WAL included); the clerk views open them', () => {
    store = openStore(tmp.dir);
    store.enroll(store.createEnrollToken('kiosk-1'), '0.1.0');
    const a = submitted(1);
    store.commitBatch('kiosk-1', [a], clock);
    store.setStatus(a.caseId, 'correctionRequested', { note: NOTE }, clock + 1);
    const b = completedCase(store, 2);
    // Before close: the WAL holds the writes.
    expect(readdirSync(tmp.dir)).toContain('endpoint.db-wal');
    expect(leaks(tmp.dir)).toEqual([]);
    const shown = store.getCase(a.caseId)!;
    expect(shown.content).toEqual(caseContent(a.caseId));
    expect(shown.history.at(-1)!.note).toBe(NOTE);
    expect(store.getCase(b)!.results[0]!.title).toBe(TITLE);
    const events = store.eventsAfter('kiosk-1', null, 10).filter((e) => e.kind === 'case.status');
    expect(events.map((e) => (e.kind === 'case.status' ? (e.note ?? e.results[0]?.title) : undefined))).toEqual([NOTE, undefined, TITLE]);
    const row = raw().prepare('SELECT content, applicant_hash FROM cases WHERE id = ?').get(a.caseId) as { content: string; applicant_hash: string };
    expect(row.content).toMatch(/^tbs1\./);
    expect(row.applicant_hash).toMatch(/^[0-9a-f]{64}$/);
    store.close();
    store = undefined;
    expect(leaks(tmp.dir)).toEqual([]);
  });

  it('keys: DATA/keys 0700 and its files 0600, made at the first open; a key file others could read is refused', () => {
    store = openStore(tmp.dir);
    store.close();
    store = undefined;
    const keys = join(tmp.dir, 'keys');
    expect(statSync(keys).mode & 0o777).toBe(0o700);
    const names = readdirSync(keys);
    expect(names).toEqual(expect.arrayContaining(['current', 'lookup.secret']));
    for (const n of names) expect(statSync(join(keys, n)).mode & 0o777).toBe(0o600);
    const keyFile = names.find((n) => n.endsWith('.key'))!;
    chmodSync(join(keys, keyFile), 0o644);
    expect(() => openStore(tmp.dir)).toThrow(expect.objectContaining({ code: 'env.keyMode' }));
    chmodSync(join(keys, keyFile), 0o600);
    chmodSync(keys, 0o755);
    expect(() => openStore(tmp.dir)).toThrow(expect.objectContaining({ code: 'env.keyMode' }));
  });

  it('a changed byte, a value moved from another case and another key are refused', () => {
    store = openStore(tmp.dir);
    store.enroll(store.createEnrollToken('kiosk-1'), '0.1.0');
    const a = submitted(1);
    const b = submitted(2);
    store.commitBatch('kiosk-1', [a, b], clock);
    const db = raw();
    const contentOf = (id: string) => (db.prepare('SELECT content FROM cases WHERE id = ?').get(id) as { content: string }).content;
    const original = contentOf(a.caseId);
    // Moved: b's sealed content into a's row.
    db.prepare('UPDATE cases SET content = ? WHERE id = ?').run(contentOf(b.caseId), a.caseId);
    expect(() => store!.getCase(a.caseId)).toThrow(expect.objectContaining({ code: 'endpoint.sealTampered' }));
    // Changed: one byte of the ciphertext.
    const bytes = Buffer.from(original.slice(5), 'base64url');
    bytes[bytes.length - 40]! ^= 1;
    db.prepare('UPDATE cases SET content = ? WHERE id = ?').run(`tbs1.${bytes.toString('base64url')}`, a.caseId);
    expect(() => store!.getCase(a.caseId)).toThrow(expect.objectContaining({ code: 'endpoint.sealTampered' }));
    // In clear: refused too (never taken for a value).
    db.prepare('UPDATE cases SET content = ? WHERE id = ?').run(JSON.stringify(caseContent(a.caseId)), a.caseId);
    expect(() => store!.getCase(a.caseId)).toThrow(expect.objectContaining({ code: 'endpoint.sealFormat' }));
    db.close();
    expect(store.getCase(b.caseId)!.content).toEqual(caseContent(b.caseId));
    store.close();
    store = undefined;
    // Another key under the same name.
    const keys = join(tmp.dir, 'keys');
    const keyFile = readdirSync(keys).find((n) => n.endsWith('.key'))!;
    writeFileSync(join(keys, keyFile), Buffer.alloc(32, 7), { mode: 0o600 });
    store = openStore(tmp.dir);
    expect(() => store!.getCase(b.caseId)).toThrow(expect.objectContaining({ code: 'endpoint.sealTampered' }));
  });

  it('a store with sealed cases whose keys have gone is refused, not given new keys', () => {
    store = openStore(tmp.dir);
    store.enroll(store.createEnrollToken('kiosk-1'), '0.1.0');
    store.commitBatch('kiosk-1', [submitted(1)], clock);
    store.close();
    store = undefined;
    renameSync(join(tmp.dir, 'keys'), join(tmp.dir, 'keys-elsewhere'));
    expect(() => openStore(tmp.dir)).toThrow(expect.objectContaining({ code: 'endpoint.keyMissing' }));
    expect(readdirSync(tmp.dir)).not.toContain('keys');
  });

  it('AES-256-GCM where the runtime has no SM4 (Electron): its values open on Node too; an SM4 value says SM4 is missing there', () => {
    const electron = openEndpointSealer({ dataDir: tmp.dir, runtime: { sm4: false, nativeSm3: false } });
    const node = openEndpointSealer({ dataDir: tmp.dir });
    expect(electron.algorithm).toBe('aes-256-gcm');
    const v = electron.sealText(NAME, 'cases/x/content');
    expect(node.openText(v, 'cases/x/content')).toBe(NAME);
    expect(() => node.openText(v, 'cases/y/content')).toThrow(expect.objectContaining({ code: 'endpoint.sealTampered' }));
    expect(electron.idNumberHash(`${ID.slice(0, 17)}x`)).toBe(node.idNumberHash(`${ID.slice(0, 17)}X `));
    if (node.algorithm === 'sm4-ctr-hmac-sm3') {
      expect(() => electron.openText(node.sealText(NAME, 'a/b/c'), 'a/b/c')).toThrow(expect.objectContaining({ code: 'endpoint.algorithmUnavailable' }));
    }
  });
});

describe('migration 0002 of a version-1 store', () => {
  it('seals the clear rows where they are, sets the applicant hash, and leaves no clear copy in the file or its WAL', () => {
    const db = openEndpointDatabase(tmp.dir, silentLogger, migrations.slice(0, 1));
    const caseId = randomUUID();
    const content = caseContent(caseId);
    const pdf = pdfBytes('x');
    db.exec(`INSERT INTO kiosks (id, secret_hash, enrolled_at) VALUES ('kiosk-1', '${'0'.repeat(64)}', 1)`);
    db.prepare("INSERT INTO cases (id, kiosk_id, serial, item_code, region, status, content_hash, content, received_at, updated_at) VALUES (?, 'kiosk-1', 's', ?, '341600', 'completed', ?, ?, 1, 1)").run(
      caseId,
      content.itemCode as string,
      hashOf(content),
      JSON.stringify(content),
    );
    db.prepare("INSERT INTO case_history (case_id, from_status, to_status, actor, note, content_hash, at) VALUES (?, 'uploaded', 'refused', 'endpoint', ?, ?, 2)").run(caseId, NOTE, hashOf(content));
    db.prepare("INSERT INTO files (sm3, size, media_type, committed, complete, created_at) VALUES (?, ?, 'application/pdf', ?, 1, 1)").run('a'.repeat(64), pdf.length, pdf.length);
    db.prepare("INSERT INTO case_results (case_id, document_id, title, sm3, size, media_type, source, at) VALUES (?, 'R-1', ?, ?, ?, 'application/pdf', 'endpoint', 3)").run(caseId, TITLE, 'a'.repeat(64), pdf.length);
    const eventId = randomUUID();
    db.prepare("INSERT INTO events (kiosk_id, event_id, kind, case_id, body, at) VALUES ('kiosk-1', ?, 'case.status', ?, ?, 3)").run(eventId, caseId, JSON.stringify({ caseId, to: 'refused', note: NOTE, results: [] }));
    db.close();
    expect(leaks(tmp.dir).length).toBeGreaterThan(0); // the version-1 file holds them in clear

    store = openStore(tmp.dir);
    expect(leaks(tmp.dir)).toEqual([]);
    const c = store.getCase(caseId)!;
    expect(c.content).toEqual(content);
    expect(c.history[0]!.note).toBe(NOTE);
    expect(c.results[0]!.title).toBe(TITLE);
    expect(store.eventsAfter('kiosk-1', null, 10)[0]).toMatchObject({ kind: 'case.status', note: NOTE });
    const hash = (raw().prepare('SELECT applicant_hash AS h FROM cases').get() as { h: string }).h;
    expect(hash).toBe(openEndpointSealer({ dataDir: tmp.dir, create: false }).idNumberHash(ID));
    store.close();
    store = undefined;
    expect(leaks(tmp.dir)).toEqual([]);
  });
});

describe('sealed files (sealFiles: the embedded endpoint)', () => {
  const MARK = 'CLEAR-SCAN-OF-AN-ID-CARD';
  const scan = Buffer.concat([pdfBytes(MARK), Buffer.alloc(3000, 0x41), Buffer.from(MARK)]);
  const onDisk = (sm3: string) => readFileSync(join(tmp.dir, 'files', sm3));
  const open = (sealFiles?: boolean) => openEndpointStore({ dataDir: tmp.dir, log: silentLogger, ...(sealFiles ? { sealFiles } : {}) });

  it('uploads resume across a reopen, are sealed on disk, read back in clear, and a case listing them commits; the choice stays with the store', () => {
    store = open(true);
    const ref = fileRef(scan);
    store.beginFile(ref.sm3, ref.size, ref.mediaType, 1);
    expect(store.appendChunk(ref.sm3, 0, scan.subarray(0, 1001), false, 1)).toEqual({ committed: 1001, complete: false });
    store.close();
    store = open(); // no option: the store remembers its files are sealed; the running hash is redone from the sealed partial
    store.beginFile(ref.sm3, ref.size, ref.mediaType, 1);
    expect(store.appendChunk(ref.sm3, 1001, scan.subarray(1001), true, 2)).toEqual({ committed: scan.length, complete: true });
    expect(onDisk(ref.sm3).includes(Buffer.from(MARK))).toBe(false);
    expect(Buffer.from(store.readFile(ref.sm3, 0, 1 << 20)).equals(scan)).toBe(true);
    expect(Buffer.from(store.readFile(ref.sm3, 1003, 100)).equals(scan.subarray(1003, 1103))).toBe(true);
    store.enroll(store.createEnrollToken('kiosk-1'), '0.1.0');
    const e = submitted(1, undefined, { attached: [ref] });
    expect(store.commitBatch('kiosk-1', [e], clock)[0]!.outcome).toBe('committed');
    store.setStatus(e.caseId, 'accepted', {}, clock);
    const result = pdfBytes(MARK + '-result');
    store.setStatus(e.caseId, 'completed', { results: [{ bytes: result, title: 't' }] }, clock);
    expect(onDisk(fileRef(result).sm3).includes(Buffer.from(MARK))).toBe(false);
    expect(Buffer.from(store.readFile(fileRef(result).sm3, 0, 1 << 20)).equals(result)).toBe(true);
  });

  it("turning it on seals a store's clear files where they are (partials dropped); they read back the same", () => {
    store = open();
    upload(store, scan);
    const ref = fileRef(scan);
    const other = Buffer.concat([pdfBytes('partial'), Buffer.alloc(5000, 1)]);
    store.beginFile(fileRef(other).sm3, other.length, 'application/pdf', 1);
    store.appendChunk(fileRef(other).sm3, 0, other.subarray(0, 100), false, 1);
    expect(onDisk(ref.sm3).equals(scan)).toBe(true);
    store.close();
    store = open(true);
    expect(onDisk(ref.sm3).includes(Buffer.from(MARK))).toBe(false);
    expect(Buffer.from(store.readFile(ref.sm3, 0, 1 << 20)).equals(scan)).toBe(true);
    expect(store.fileStatus(fileRef(other).sm3)).toMatchObject({ committed: 0, complete: false });
    store.close();
    store = open(true); // again: nothing sealed twice
    expect(Buffer.from(store.readFile(ref.sm3, 0, 1 << 20)).equals(scan)).toBe(true);
  });
});
