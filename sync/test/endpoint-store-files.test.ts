/** The endpoint store's files (resumable, content-addressed uploads) and how it opens: real files in temp dirs. */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sm3Hex } from '../../certs/sm3.js';
import { ROOT } from '../../test/helpers/cli.js';
import { ENDPOINT_APPLICATION_ID, type EndpointStore } from '../endpoint/store/index.js';
import { fileRef, openStore, tempDir, upload } from './endpoint-store-fixtures.js';

let tmp: ReturnType<typeof tempDir>;
let store: EndpointStore;

beforeEach(() => {
  tmp = tempDir();
  store = openStore(tmp.dir);
});

afterEach(() => {
  store.close();
  tmp.remove();
});

const jpeg = (n: number): Buffer => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(n - 4)]);

describe('files', () => {
  it('an upload in chunks is verified and stored under its SM3', () => {
    const bytes = jpeg(5000);
    upload(store, bytes, 'image/jpeg', 1500);
    const ref = fileRef(bytes, 'image/jpeg');
    expect(store.fileStatus(ref.sm3)).toMatchObject({ committed: 5000, complete: true, size: 5000, mediaType: 'image/jpeg' });
    expect(store.hasFile(ref.sm3)).toBe(true);
    expect(readFileSync(join(tmp.dir, 'files', ref.sm3)).equals(bytes)).toBe(true);
    expect(Buffer.from(store.readFile(ref.sm3, 1000, 100)).equals(bytes.subarray(1000, 1100))).toBe(true);
    expect(existsSync(join(tmp.dir, 'files', 'partial', ref.sm3))).toBe(false);
    // offered again once complete: nothing to send
    expect(store.beginFile(ref.sm3, 5000, 'image/jpeg')).toEqual({ committed: 5000, complete: true });
  });

  it('resumes from the committed offset after a reopen; a replayed chunk is answered, not written twice; a gap is refused', () => {
    const bytes = jpeg(3000);
    const { sm3 } = fileRef(bytes);
    store.beginFile(sm3, 3000, 'image/jpeg');
    expect(store.appendChunk(sm3, 0, bytes.subarray(0, 1000), false)).toEqual({ committed: 1000, complete: false });
    store.close();
    store = openStore(tmp.dir);
    expect(store.beginFile(sm3, 3000, 'image/jpeg')).toEqual({ committed: 1000, complete: false });
    expect(store.appendChunk(sm3, 0, bytes.subarray(0, 1000), false)).toEqual({ committed: 1000, complete: false });
    expect(store.appendChunk(sm3, 2000, bytes.subarray(2000), true)).toMatchObject({ rejected: { code: 'file.badOffset' } });
    expect(store.fileStatus(sm3)).toMatchObject({ committed: 1000, complete: false });
    expect(store.appendChunk(sm3, 1000, bytes.subarray(1000, 2000), false)).toEqual({ committed: 2000, complete: false });
    expect(store.appendChunk(sm3, 2000, bytes.subarray(2000), true)).toEqual({ committed: 3000, complete: true });
    expect(readFileSync(join(tmp.dir, 'files', sm3)).equals(bytes)).toBe(true);
  });

  it('after a crash, a partial holding more than was committed is cut back to the committed offset at open', () => {
    const bytes = jpeg(4000);
    const { sm3 } = fileRef(bytes);
    store.beginFile(sm3, 4000, 'image/jpeg');
    store.appendChunk(sm3, 0, bytes.subarray(0, 1500), false);
    store.close();
    // what a kill -9 between the write and the committed offset leaves: bytes beyond it (here garbage)
    const partial = join(tmp.dir, 'files', 'partial', sm3);
    appendFileSync(partial, randomBytes(700));
    expect(statSync(partial).size).toBe(2200);
    store = openStore(tmp.dir);
    expect(statSync(partial).size).toBe(1500);
    expect(store.fileStatus(sm3)).toMatchObject({ committed: 1500, complete: false });
    expect(store.appendChunk(sm3, 1500, bytes.subarray(1500), true)).toEqual({ committed: 4000, complete: true });
    expect(readFileSync(join(tmp.dir, 'files', sm3)).equals(bytes)).toBe(true);
  });

  it('a file renamed into place before its row was marked complete is recognised at open; stray partials are removed', () => {
    const bytes = jpeg(2000);
    const { sm3 } = fileRef(bytes);
    store.beginFile(sm3, 2000, 'image/jpeg');
    store.appendChunk(sm3, 0, bytes.subarray(0, 1000), false);
    store.close();
    const partialDir = join(tmp.dir, 'files', 'partial');
    writeFileSync(join(partialDir, sm3), bytes);
    renameSync(join(partialDir, sm3), join(tmp.dir, 'files', sm3));
    writeFileSync(join(partialDir, 'f'.repeat(64)), 'left over');
    store = openStore(tmp.dir);
    expect(store.fileStatus(sm3)).toMatchObject({ complete: true, committed: 2000 });
    expect(existsSync(join(partialDir, 'f'.repeat(64)))).toBe(false);
  });

  it("at open, a result file another process is still writing (<sm3>.tmp-<pid>) is left alone; a dead process's is removed", () => {
    store.close();
    const partialDir = join(tmp.dir, 'files', 'partial');
    const live = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const dead = spawnSync('true').pid;
      const liveTmp = join(partialDir, `${'a'.repeat(64)}.tmp-${live.pid}`);
      const deadTmp = join(partialDir, `${'b'.repeat(64)}.tmp-${dead}`);
      writeFileSync(liveTmp, 'being written');
      writeFileSync(deadTmp, 'abandoned');
      store = openStore(tmp.dir);
      expect(existsSync(liveTmp)).toBe(true);
      expect(existsSync(deadTmp)).toBe(false);
    } finally {
      live.kill('SIGKILL');
    }
  });

  it('bytes whose SM3 is not the offered one are refused and the partial discarded', () => {
    const bytes = jpeg(2000);
    const wrong = sm3Hex(jpeg(2000));
    store.beginFile(wrong, 2000, 'image/jpeg');
    store.appendChunk(wrong, 0, bytes.subarray(0, 1000), false);
    expect(store.appendChunk(wrong, 1000, bytes.subarray(1000), true)).toMatchObject({ rejected: { code: 'file.hashMismatch' } });
    expect(store.fileStatus(wrong)).toMatchObject({ committed: 0, complete: false });
    expect(existsSync(join(tmp.dir, 'files', wrong))).toBe(false);
    expect(existsSync(join(tmp.dir, 'files', 'partial', wrong))).toBe(false);
  });

  it('refuses chunks beyond the size, a wrong last flag, an unoffered file, and offers that are too big or of another type', () => {
    const bytes = jpeg(1000);
    const { sm3 } = fileRef(bytes);
    expect(store.appendChunk(sm3, 0, bytes, true)).toMatchObject({ rejected: { code: 'file.notOffered' } });
    store.beginFile(sm3, 1000, 'image/jpeg');
    expect(store.appendChunk(sm3, 0, Buffer.concat([bytes, bytes]), true)).toMatchObject({ rejected: { code: 'file.badSize' } });
    expect(store.appendChunk(sm3, 0, bytes, false)).toMatchObject({ rejected: { code: 'file.badSize' } });
    expect(store.appendChunk(sm3, 0, bytes.subarray(0, 10), true)).toMatchObject({ rejected: { code: 'file.badSize' } });
    expect(() => store.beginFile(sm3, 64 * 1024 * 1024, 'image/jpeg')).toThrow(expect.objectContaining({ code: 'file.tooBig' }));
    expect(() => store.beginFile(sm3, 10, 'text/html')).toThrow(expect.objectContaining({ code: 'file.badType' }));
    expect(() => store.beginFile('ABC', 10, 'image/jpeg')).toThrow(expect.objectContaining({ code: 'file.badHash' }));
    expect(store.appendChunk(sm3, 0, bytes, true)).toEqual({ committed: 1000, complete: true });
  });

  it('an empty file is one empty last chunk', () => {
    const empty = Buffer.alloc(0);
    const { sm3 } = fileRef(empty);
    store.beginFile(sm3, 0, 'application/pdf');
    expect(store.appendChunk(sm3, 0, empty, true)).toEqual({ committed: 0, complete: true });
    expect(store.readFile(sm3, 0, 10)).toHaveLength(0);
  });
});

describe('opening', () => {
  it('keeps its endpoint id across opens and marks the file as an endpoint store', () => {
    const id = store.endpointId;
    store.close();
    store = openStore(tmp.dir);
    expect(store.endpointId).toBe(id);
    store.close();
    const db = new Database(join(tmp.dir, 'endpoint.db'), { readonly: true });
    expect(db.pragma('application_id', { simple: true })).toBe(ENDPOINT_APPLICATION_ID);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    store = openStore(tmp.dir);
  });

  function refused(prepare: (path: string) => void, pattern: RegExp): void {
    store.close();
    const other = tempDir();
    try {
      const path = join(other.dir, 'endpoint.db');
      prepare(path);
      const before = readFileSync(path);
      expect(() => openStore(other.dir)).toThrow(pattern);
      expect(readFileSync(path).equals(before)).toBe(true);
    } finally {
      other.remove();
      store = openStore(tmp.dir);
    }
  }

  it('refuses a file that is not SQLite, a database of another application (the agent store too), and a newer schema; leaves them untouched', () => {
    refused((p) => writeFileSync(p, 'this is not a database at all, just some text that is long enough'.repeat(20)), /not a SQLite database/);
    refused((p) => {
      const db = new Database(p);
      db.pragma('application_id = 0x5442414e');
      db.exec('CREATE TABLE cases (id TEXT)');
      db.close();
    }, /another application \(application_id 1413628238\)/);
    refused((p) => {
      const db = new Database(p);
      db.exec('CREATE TABLE t (x)');
      db.close();
    }, /another application/);
    refused((p) => {
      const db = new Database(p);
      db.pragma(`application_id = ${ENDPOINT_APPLICATION_ID}`);
      db.pragma('user_version = 99');
      db.exec('CREATE TABLE t (x)');
      db.close();
    }, /schema version 99, newer than this tongban knows/);
  });

  it('refuses a damaged file', () => {
    store.close();
    const path = join(tmp.dir, 'endpoint.db');
    const db = new Database(path);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.pragma('journal_mode = DELETE');
    db.close();
    const bytes = readFileSync(path);
    // overwrite the pages after the header page with garbage: the schema and tables are gone
    for (let i = 4096; i < bytes.length; i++) bytes[i] = (i * 7) & 0xff;
    writeFileSync(path, bytes);
    expect(() => openStore(tmp.dir)).toThrow(/damaged|not a SQLite database/);
    store = openStore(join(tmp.dir, 'fresh'));
  });
});

describe('one serving process per data directory', () => {
  it('a second owner in another process is refused while the first runs; a stale lock is taken over; the CLI (not an owner) may open it', () => {
    const lock = join(tmp.dir, 'endpoint.lock');
    expect(readFileSync(lock, 'utf8')).toBe(String(process.pid));
    // another process opening it as owner
    const script = `import { openEndpointStore } from ${JSON.stringify(new URL('../endpoint/store/index.ts', import.meta.url).pathname)};
      import { silentLogger } from ${JSON.stringify(new URL('../../base/log.ts', import.meta.url).pathname)};
      const owner = process.argv[2] === 'owner';
      try { openEndpointStore({ dataDir: process.argv[1], log: silentLogger, owner }).close(); console.log('opened'); }
      catch (e) { console.log(e.code + ': ' + e.message); }`;
    const run = (owner: boolean) =>
      execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, tmp.dir, owner ? 'owner' : 'cli'], { cwd: ROOT, encoding: 'utf8' }).trim();
    expect(run(true)).toMatch(/^env\.alreadyRunning: another endpoint \(pid \d+\) is serving/);
    expect(run(false)).toBe('opened');
    store.close();
    expect(existsSync(lock)).toBe(false);
    writeFileSync(lock, '999999999'); // a process that no longer runs
    expect(run(true)).toBe('opened');
    store = openStore(tmp.dir);
  });
});
