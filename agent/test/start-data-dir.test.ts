/**
 * `tongban start --data DIR` on directories that are, or are not, the agent's: an empty or new one and a
 * data directory of an earlier agent (no marker) are taken; a directory of someone else's files, a
 * store.db that is another program's or no database, a damaged or newer marker, and a directory whose
 * store or field keys have gone are refused with one line naming the directory, exit 3, and left exactly as found.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { tongban, tongbanDaemon } from '../../test/helpers/cli.js';
import { DATA_DIR_FORMAT, MARKER_FILE } from '../data-dir.js';

const READY = /ready: (http:\/\/127\.0\.0\.1:(\d+)\/)/;
const root = mkdtempSync(join(tmpdir(), 'tongban-data-dir-'));
// No simulators: what is tested here is the data directory, and a start without them is quicker.
const config = join(root, 'kiosk.json');
writeFileSync(config, JSON.stringify({ demo: { enabled: false }, api: { port: 0 } }));

const running: { kill(signal: NodeJS.Signals): boolean }[] = [];
afterEach(() => {
  for (const c of running.splice(0)) c.kill('SIGKILL');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
function dir(): string {
  return mkdtempSync(join(root, `d${n++}-`));
}

/** Every path under `dir` with its mode and content: a refused directory must be left as found. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const p = join(rel, name);
      const st = statSync(join(dir, p));
      out[p] = st.isDirectory() ? `dir ${st.mode.toString(8)}` : `${st.mode.toString(8)} ${readFileSync(join(dir, p)).toString('base64')}`;
      if (st.isDirectory()) walk(p);
    }
  };
  walk('');
  return out;
}

/** stderr without the agent's JSON log lines: what a person reads. */
function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l !== '' && !l.startsWith('{'));
}

async function startAndStop(data: string): Promise<void> {
  const d = await tongbanDaemon(['start', '--config', config, '--data', data], READY);
  running.push(d.child);
  d.child.kill('SIGTERM');
  expect(await d.exited).toBe(0);
}

function expectRefused(data: string, message: RegExp): void {
  const before = snapshot(data);
  const r = tongban(['start', '--config', config, '--data', data]);
  expect(r.code).toBe(3);
  const lines = errorLines(r.stderr);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(message);
  expect(snapshot(data)).toEqual(before);
}

describe('tongban start: which data directories are the agent’s', () => {
  it('takes an empty directory and marks it once its store is made', async () => {
    const data = dir();
    await startAndStop(data);
    const marker = JSON.parse(readFileSync(join(data, MARKER_FILE), 'utf8')) as Record<string, unknown>;
    expect(marker).toMatchObject({ tongban: 'data directory', format: DATA_DIR_FORMAT });
    expect(statSync(join(data, MARKER_FILE)).mode & 0o777).toBe(0o600);
    await startAndStop(data); // and takes it again
  });

  it('refuses a directory of unrelated files, naming it and some of them, and touches nothing', () => {
    const data = dir();
    writeFileSync(join(data, 'thesis.docx'), 'chapter one');
    mkdirSync(join(data, 'photos'));
    writeFileSync(join(data, 'photos', 'a.jpg'), Buffer.from([0xff, 0xd8, 0xff]));
    expectRefused(data, new RegExp(`^tongban: ${data} is not a tongban data directory \\(it holds "photos", "thesis\\.docx" and no ${MARKER_FILE} or store\\.db\\); it was left untouched: pass --data an empty or new directory$`));
  });

  it('refuses a store.db that is no database, or another program’s SQLite database, and touches nothing', () => {
    const junk = dir();
    writeFileSync(join(junk, 'store.db'), Buffer.alloc(8192, 0x5a));
    expectRefused(junk, /^tongban: .*store\.db is not a SQLite database .*left untouched$/);

    const other = dir();
    const db = new Database(join(other, 'store.db'));
    // in WAL mode, as a live database would be: looking at it must not leave -wal or -shm files beside it
    db.exec("PRAGMA journal_mode = WAL; CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT); PRAGMA application_id = 1234;");
    db.close();
    expectRefused(other, /^tongban: .*store\.db is a SQLite database of another application \(application_id 1234\), not a tongban store: .*left untouched$/);

    // A database of another program that never set application_id is no more ours.
    const plain = dir();
    const db2 = new Database(join(plain, 'store.db'));
    db2.exec('CREATE TABLE notes (body TEXT)');
    db2.close();
    expectRefused(plain, /application_id 0\), not a tongban store/);
  });

  it('adopts a data directory of an earlier agent (a tongban store.db, no marker), keeping what is in it', async () => {
    const data = dir();
    await startAndStop(data);
    const token = readFileSync(join(data, 'api-token'), 'utf8');
    rmSync(join(data, MARKER_FILE)); // as an agent before the marker left it
    writeFileSync(join(data, 'operator-notes.txt'), 'a file someone put there'); // a tongban store decides, not the other files
    await startAndStop(data);
    expect(readFileSync(join(data, MARKER_FILE), 'utf8')).toContain('"format": 1');
    expect(readFileSync(join(data, 'api-token'), 'utf8')).toBe(token);
    expect(readFileSync(join(data, 'operator-notes.txt'), 'utf8')).toBe('a file someone put there');
  });

  it('takes a directory left by a first start interrupted before its store was made (only the agent’s own files)', async () => {
    const data = dir();
    writeFileSync(join(data, 'api-token'), 'x'.repeat(43) + '\n', { mode: 0o600 });
    mkdirSync(join(data, 'logs'), { mode: 0o700 });
    writeFileSync(join(data, 'agent.lock'), '999999999'); // its owner is gone
    await startAndStop(data);
    expect(readdirSync(data)).toContain(MARKER_FILE);
  });

  it('refuses a marker of a newer format, a damaged marker, and a marked directory whose store.db has gone', async () => {
    const newer = dir();
    await startAndStop(newer);
    writeFileSync(join(newer, MARKER_FILE), JSON.stringify({ tongban: 'data directory', format: DATA_DIR_FORMAT + 1, createdAt: '2030-01-01T00:00:00Z', createdBy: '9.0.0' }));
    expectRefused(newer, new RegExp(`^tongban: data directory ${newer} has format ${DATA_DIR_FORMAT + 1}, newer than this tongban knows \\(${DATA_DIR_FORMAT}\\): upgrade tongban, do not downgrade; it was left untouched$`));

    const damaged = dir();
    writeFileSync(join(damaged, MARKER_FILE), '{"tongban": "data dir');
    expectRefused(damaged, new RegExp(`^tongban: ${damaged}/${MARKER_FILE} is damaged \\(not JSON\\); .*remove that file and start again`));

    const lost = dir();
    await startAndStop(lost);
    for (const f of readdirSync(lost).filter((f) => f.startsWith('store.db'))) rmSync(join(lost, f));
    expectRefused(lost, new RegExp(`^tongban: data directory ${lost} has lost its store \\(store\\.db is missing, though ${MARKER_FILE} says one was made\\): restore store\\.db from a backup, or move the directory away to start empty; it was left untouched$`));
  });

  it('refuses a data directory whose field keys have gone (marked or not): new keys would hide that the store cannot be read', async () => {
    const marked = dir();
    await startAndStop(marked);
    rmSync(join(marked, 'keys'), { recursive: true });
    expectRefused(marked, new RegExp(`^tongban: data directory ${marked} has lost its field keys \\(keys/current and keys/lookup\\.secret missing, though its store was made\\): .*restore ${marked}/keys from a backup; it was left untouched$`));

    const earlier = dir();
    await startAndStop(earlier);
    rmSync(join(earlier, MARKER_FILE));
    rmSync(join(earlier, 'keys', 'lookup.secret'));
    expectRefused(earlier, /has lost its field keys \(keys\/lookup\.secret missing/);
  });
});
