/**
 * The agent's data directory: where the store, keys, logs and the runtime file live. One agent at a
 * time may own it (a lock file holding the owner's pid), and other `tongban` commands find the running
 * agent through `agent.json` in it.
 */
import { closeSync, constants, existsSync, fstatSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeFileSync, writeSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { EnvironmentError, InputError, messageOf } from '../base/errors.js';
import { fsyncDir } from '../base/fsync-dir.js';
import { STORE_FILE, TONGBAN_APPLICATION_ID } from './store/open-store.js';

/** `--data DIR`, else $TONGBAN_DATA, else $XDG_DATA_HOME/tongban (~/.local/share/tongban). */
export function resolveDataDir(option: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string {
  if (option !== undefined && option.trim() === '') throw new InputError('input.dataDir', '--data needs a directory');
  if (option) return resolve(cwd, option);
  if (env.TONGBAN_DATA) return resolve(cwd, env.TONGBAN_DATA);
  const xdg = env.XDG_DATA_HOME || join(env.HOME || homedir(), '.local', 'share');
  return join(xdg, 'tongban');
}

/**
 * The marker a data directory carries once the agent has opened its store there: proof that the
 * directory is tongban's, and the layout's format, so that a newer layout is refused by an older agent.
 */
export const MARKER_FILE = 'tongban-data.json';
/** The running agent's address for other commands (`RuntimeInfo`). */
export const RUNTIME_FILE = 'agent.json';
/** The data directory's layout (which files live where); the store's schema has its own version. */
export const DATA_DIR_FORMAT = 1;

interface Marker {
  readonly tongban: 'data directory';
  readonly format: number;
  readonly createdAt: string;
  readonly createdBy: string;
}

/**
 * What the agent itself puts at the top of its data directory. A directory without the marker is taken
 * as the agent's only if it holds nothing else (a first start interrupted before its store was made)
 * or a tongban store.db (a data directory from before the marker).
 */
const OWN_NAMES = new Set([STORE_FILE, `${STORE_FILE}-wal`, `${STORE_FILE}-shm`, `${STORE_FILE}-journal`, 'agent.lock', RUNTIME_FILE, 'api-token', 'keys', 'logs', 'run', 'materials', 'endpoint', 'lost+found']);
const OWN_PATTERNS = [/^\.write-test-\d+$/, /^agent\.json\.\d+\.tmp$/, /^tongban-data\.json\.\d+\.tmp$/];

/** The data directory as found at start, before anything is written into it. */
export type DataDirState =
  /** Carries the marker: the agent's, and of a format this agent reads. */
  | { readonly kind: 'marked'; readonly format: number }
  /** No marker, but empty, the agent's own files only, or a tongban store.db: the marker is written once the store opens. */
  | { readonly kind: 'unmarked' };

function refuse(code: string, message: string): EnvironmentError {
  return new EnvironmentError(code, message);
}

function readMarker(dir: string): Marker | undefined {
  const path = join(dir, MARKER_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new EnvironmentError('env.dataDir', `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? messageOf(err)}`, { cause: err });
  }
  const damaged = (detail: string) =>
    refuse('env.dataDirDamaged', `${path} is damaged (${detail}); the data directory was left untouched: if ${dir} is the agent's data directory, remove that file and start again (the store is checked when the directory is adopted)`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw damaged('not JSON');
  }
  if (typeof value !== 'object' || value === null || (value as { tongban?: unknown }).tongban !== 'data directory') throw damaged('not a tongban marker');
  const format = (value as { format?: unknown }).format;
  if (typeof format !== 'number' || !Number.isInteger(format) || format < 1) throw damaged('no format number');
  return value as Marker;
}

/**
 * A store.db found without the marker is looked at by its header, read as plain bytes (opening it with
 * SQLite, even read-only, would leave -wal and -shm files beside a database in WAL mode): a file that is
 * no SQLite database, or a database with another application id or with tables but none, makes the
 * directory foreign. Anything subtler (damage inside, content still only in the WAL) is left to the
 * store's own checks at open.
 */
function probeStore(path: string): 'tongban' | 'empty' {
  const header = Buffer.alloc(100);
  let size: number;
  let read: number;
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new EnvironmentError('env.store', `cannot read the store ${path}: ${(err as NodeJS.ErrnoException).code ?? messageOf(err)}`, { cause: err });
  }
  try {
    size = fstatSync(fd).size;
    read = readSync(fd, header, 0, 100, 0);
  } finally {
    closeSync(fd);
  }
  if (size === 0) return 'empty'; // SQLite takes an empty file as an empty database
  if (read < 100 || header.toString('latin1', 0, 16) !== 'SQLite format 3\0') {
    throw refuse('env.storeForeign', `${path} is not a SQLite database (a foreign or damaged file): pass --data another directory or restore the store from a backup; it was left untouched`);
  }
  const applicationId = header.readUInt32BE(68);
  const rawPageSize = header.readUInt16BE(16);
  const pages = Math.floor(size / (rawPageSize === 1 ? 65536 : rawPageSize || 1));
  // Page 1 holds the schema; any table or index has a root page after it.
  if (applicationId !== TONGBAN_APPLICATION_ID && (applicationId !== 0 || pages > 1)) {
    throw refuse('env.storeForeign', `${path} is a SQLite database of another application (application_id ${applicationId}), not a tongban store: pass --data another directory; it was left untouched`);
  }
  return applicationId === TONGBAN_APPLICATION_ID ? 'tongban' : 'empty';
}

/** The field keys the agent makes before its store (pii/key-files.ts): a store without them cannot be read, and new ones would hide that. */
const KEY_FILES = ['current', 'lookup.secret'];

function checkKeys(dir: string): void {
  const missing = KEY_FILES.map((f) => join('keys', f)).filter((f) => !existsSync(join(dir, f)));
  if (missing.length > 0) {
    throw refuse(
      'env.keysMissing',
      `data directory ${dir} has lost its field keys (${missing.join(' and ')} missing, though its store was made): the personal data in the store cannot be opened without them: restore ${join(dir, 'keys')} from a backup; it was left untouched`,
    );
  }
}

/**
 * Decides, reading only, whether `dir` may be used as the agent's data directory: refuses a directory
 * of someone else's files, another program's store.db, a damaged or newer marker, and a directory
 * whose store or field keys have gone. Never writes, so a refused directory is left exactly as found.
 */
export function inspectDataDir(dir: string): DataDirState {
  const marker = readMarker(dir);
  const store = join(dir, STORE_FILE);
  if (marker) {
    if (marker.format > DATA_DIR_FORMAT) {
      throw refuse('env.dataDirTooNew', `data directory ${dir} has format ${marker.format}, newer than this tongban knows (${DATA_DIR_FORMAT}): upgrade tongban, do not downgrade; it was left untouched`);
    }
    if (!existsSync(store)) {
      throw refuse('env.storeMissing', `data directory ${dir} has lost its store (${STORE_FILE} is missing, though ${MARKER_FILE} says one was made): restore ${STORE_FILE} from a backup, or move the directory away to start empty; it was left untouched`);
    }
    checkKeys(dir);
    return { kind: 'marked', format: marker.format };
  }
  if (existsSync(store)) {
    if (statSync(store).isFile() && probeStore(store) === 'tongban') checkKeys(dir);
    return { kind: 'unmarked' };
  }
  const foreign = readdirSync(dir).filter((name) => !OWN_NAMES.has(name) && !OWN_PATTERNS.some((p) => p.test(name))).sort();
  if (foreign.length > 0) {
    const shown = foreign.slice(0, 3).map((n) => JSON.stringify(n)).join(', ') + (foreign.length > 3 ? ', …' : '');
    throw refuse(
      'env.dataDirForeign',
      `${dir} is not a tongban data directory (it holds ${shown} and no ${MARKER_FILE} or ${STORE_FILE}); it was left untouched: pass --data an empty or new directory`,
    );
  }
  return { kind: 'unmarked' };
}

/** Writes the marker (temp file, fsync, rename, directory fsync) once the store has opened. */
export function writeDataDirMarker(dir: string, version: string): void {
  const marker: Marker = { tongban: 'data directory', format: DATA_DIR_FORMAT, createdAt: new Date().toISOString(), createdBy: version };
  const tmp = join(dir, `${MARKER_FILE}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, JSON.stringify(marker, null, 2) + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, join(dir, MARKER_FILE));
  fsyncDir(dir);
}

/**
 * Creates the directory (mode 0700: it holds personal data and keys), refuses it if it is not the
 * agent's (`inspectDataDir`, before anything is written into it) and checks that it is usable.
 */
export function prepareDataDir(dir: string): DataDirState {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new EnvironmentError('env.dataDir', `cannot create data directory ${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
  }
  const st = statSync(dir);
  if (!st.isDirectory()) throw new EnvironmentError('env.dataDir', `data directory ${dir} is not a directory`);
  const state = inspectDataDir(dir);
  const probe = join(dir, `.write-test-${process.pid}`);
  try {
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (err) {
    throw new EnvironmentError('env.dataDir', `data directory ${dir} is not writable: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
  }
  return state;
}

export interface DataDirLock {
  readonly path: string;
  release(): void;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the directory's lock, or fails with the pid of the agent that holds it. A lock left behind by a
 * process that no longer runs (kill -9, power cut) is taken over.
 */
export function lockDataDir(dir: string): DataDirLock {
  const path = join(dir, 'agent.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return {
        path,
        release() {
          try {
            if (readFileSync(path, 'utf8').trim() === String(process.pid)) rmSync(path);
          } catch {
            // already gone
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new EnvironmentError('env.dataDir', `cannot lock data directory ${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
      }
      const holder = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && pidAlive(holder)) {
        throw new EnvironmentError('env.alreadyRunning', `another agent (pid ${holder}) is already running on ${dir}`);
      }
      rmSync(path, { force: true }); // stale: its owner is gone
    }
  }
  throw new EnvironmentError('env.dataDir', `cannot lock data directory ${dir}`);
}

/** What other commands need to reach the running agent. */
export interface RuntimeInfo {
  readonly pid: number;
  readonly url: string;
  readonly version: string;
  readonly startedAt: string;
  /** The sync endpoint the agent runs in-process (the embedded default), if any. */
  readonly syncEndpoint?: string;
}

/** Written atomically (temp file + rename) so a reader never sees half a file. */
export function writeRuntimeInfo(dir: string, info: RuntimeInfo): void {
  const tmp = join(dir, `${RUNTIME_FILE}.${process.pid}.tmp`);
  writeFileSync(tmp, JSON.stringify(info, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, join(dir, RUNTIME_FILE));
}

export function removeRuntimeInfo(dir: string): void {
  rmSync(join(dir, RUNTIME_FILE), { force: true });
}
