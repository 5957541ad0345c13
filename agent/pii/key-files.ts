/**
 * The field keys on disk: DATA/keys/ (mode 0700) holds one file per key, `<keyId>.key` (32 random bytes,
 * mode 0600), the name of the key new writes use in `current`, and `lookup.secret`, the key of the keyed
 * hash used to find applicants by ID number (it is not rotated with the field keys: every stored hash
 * would change). Files are refused, not repaired, when another user could read them or they are not
 * owned by the agent's user: a key that may have leaked must be noticed by a person.
 */
import { fsyncDir } from '../../base/fsync-dir.js';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  linkSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readSync,
  readdirSync,
  renameSync,
  rmSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { join } from 'node:path';
import { EnvironmentError } from '../../base/errors.js';
import { KEY_ID_PATTERN } from './sealed-format.js';

export const KEY_LENGTH = 32;
const CURRENT_FILE = 'current';
const LOOKUP_FILE = 'lookup.secret';
const KEY_SUFFIX = '.key';

const checkModes = process.platform !== 'win32';

function fail(code: string, message: string, cause?: unknown): EnvironmentError {
  return new EnvironmentError(code, message, cause === undefined ? undefined : { cause });
}

function errno(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? String(err);
}

/** Refuses a file or directory that others may read or that another user owns. */
export function checkPrivate(path: string, st: Stats, kind: 'file' | 'directory'): void {
  if (!checkModes) return;
  const mode = st.mode & 0o777;
  if ((mode & 0o077) !== 0) {
    const want = kind === 'file' ? '600' : '700';
    throw fail('env.keyMode', `${path} has mode ${mode.toString(8).padStart(4, '0')}; keys must be readable only by the agent's user (chmod ${want} ${path})`);
  }
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) {
    throw fail('env.keyOwner', `${path} is owned by uid ${st.uid}, not by the agent's user (uid ${uid})`);
  }
}

/** Writes a new private file: temp file (0600, exclusive) + fsync + rename + directory fsync. */
function writePrivateFile(dir: string, name: string, data: Uint8Array, replace: boolean): void {
  const final = join(dir, name);
  const tmp = join(dir, `.${name}.${process.pid}.tmp`);
  const fd = openSync(tmp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if (replace) {
    renameSync(tmp, final);
  } else {
    // link() fails if the name exists: a key file is never overwritten, even by a racing process.
    try {
      linkSync(tmp, final);
    } catch (err) {
      rmSync(tmp, { force: true });
      if (errno(err) === 'EEXIST') throw fail('env.keyExists', `${final} already exists`, err);
      throw fail('env.keyDir', `cannot write ${final}: ${errno(err)}`, err);
    }
    rmSync(tmp, { force: true });
  }
  fsyncDir(dir);
}

/** Reads a private file without following symlinks; its mode and owner are checked on the open file. */
function readPrivateFile(path: string, maxLength: number): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (err) {
    if (errno(err) === 'ENOENT') throw fail('pii.keyMissing', `key file ${path} does not exist`, err);
    if (errno(err) === 'ELOOP') throw fail('env.keyMode', `${path} is a symbolic link; key files must be regular files`, err);
    throw fail('env.keyUnreadable', `cannot read key file ${path}: ${errno(err)}`, err);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw fail('env.keyMode', `${path} is not a regular file`);
    checkPrivate(path, st, 'file');
    if (st.size > maxLength) throw fail('env.keyCorrupt', `key file ${path} is ${st.size} bytes, expected at most ${maxLength}`);
    const buf = new Uint8Array(st.size);
    let off = 0;
    while (off < buf.length) {
      const n = readSync(fd, buf, off, buf.length - off, off);
      if (n === 0) break;
      off += n;
    }
    return buf.subarray(0, off);
  } finally {
    closeSync(fd);
  }
}

/** A fresh key id: the creation time to the millisecond and a random suffix, e.g. `k20261121T204400123Z-3f9a2c1b`. */
export function newKeyId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:.]/g, '');
  return `k${stamp}-${randomBytes(4).toString('hex')}`;
}

export class KeyFiles {
  constructor(readonly dir: string) {}

  /** Creates DATA/keys (0700) when `create`, then checks its mode and owner. */
  prepare(create: boolean): void {
    if (create) {
      try {
        mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      } catch (err) {
        throw fail('env.keyDir', `cannot create key directory ${this.dir}: ${errno(err)}`, err);
      }
    }
    let st: Stats;
    try {
      st = lstatSync(this.dir);
    } catch (err) {
      if (errno(err) === 'ENOENT') throw fail('pii.keyMissing', `key directory ${this.dir} does not exist (the agent creates it at its first start)`, err);
      throw fail('env.keyDir', `cannot read key directory ${this.dir}: ${errno(err)}`, err);
    }
    if (!st.isDirectory()) throw fail('env.keyDir', `${this.dir} is not a directory`);
    checkPrivate(this.dir, st, 'directory');
  }

  keyPath(keyId: string): string {
    if (!KEY_ID_PATTERN.test(keyId)) throw new TypeError(`invalid key id ${JSON.stringify(keyId)}`);
    return join(this.dir, keyId + KEY_SUFFIX);
  }

  /** The current key's id, or undefined before the first key exists. */
  currentKeyId(): string | undefined {
    let raw: Uint8Array;
    try {
      raw = readPrivateFile(join(this.dir, CURRENT_FILE), 256);
    } catch (err) {
      if ((err as EnvironmentError).code === 'pii.keyMissing') return undefined;
      throw err;
    }
    const id = new TextDecoder().decode(raw).trim();
    if (!KEY_ID_PATTERN.test(id)) throw fail('env.keyCorrupt', `${join(this.dir, CURRENT_FILE)} does not name a key`);
    return id;
  }

  setCurrent(keyId: string): void {
    this.readKey(keyId); // never point at a key that is not there
    writePrivateFile(this.dir, CURRENT_FILE, new TextEncoder().encode(keyId + '\n'), true);
  }

  readKey(keyId: string): Uint8Array {
    const key = readPrivateFile(this.keyPath(keyId), KEY_LENGTH);
    if (key.length !== KEY_LENGTH) throw fail('env.keyCorrupt', `key file ${this.keyPath(keyId)} is ${key.length} bytes, expected ${KEY_LENGTH}`);
    return key;
  }

  /** Makes a new random key file and returns its id (it does not become current by itself). */
  createKey(now?: Date): string {
    const keyId = newKeyId(now);
    writePrivateFile(this.dir, keyId + KEY_SUFFIX, randomBytes(KEY_LENGTH), false);
    return keyId;
  }

  /** The ids of every key file present, by name (creation time, to the millisecond). */
  listKeyIds(): string[] {
    return readdirSync(this.dir)
      .filter((n) => n.endsWith(KEY_SUFFIX) && KEY_ID_PATTERN.test(n.slice(0, -KEY_SUFFIX.length)))
      .map((n) => n.slice(0, -KEY_SUFFIX.length))
      .sort();
  }

  removeKey(keyId: string): void {
    rmSync(this.keyPath(keyId));
    fsyncDir(this.dir);
  }

  /** The lookup-hash key, created with the first field key. */
  lookupKey(create: boolean): Uint8Array {
    return this.secret(LOOKUP_FILE, create);
  }

  /**
   * A named 32-byte secret that is never rotated (`lookup.secret`; `identity-code.secret`, the key of the
   * personal QR codes, agent/identify), made at random when missing and `create`.
   */
  secret(name: string, create: boolean): Uint8Array {
    if (!/^[a-z][a-z-]*\.secret$/.test(name)) throw new TypeError(`invalid secret name ${JSON.stringify(name)}`);
    const path = join(this.dir, name);
    try {
      return this.checkedLookup(readPrivateFile(path, KEY_LENGTH), path);
    } catch (err) {
      if (!create || (err as EnvironmentError).code !== 'pii.keyMissing') throw err;
    }
    try {
      writePrivateFile(this.dir, name, randomBytes(KEY_LENGTH), false);
    } catch (err) {
      if ((err as EnvironmentError).code !== 'env.keyExists') throw err; // another process made it first
    }
    return this.checkedLookup(readPrivateFile(path, KEY_LENGTH), path);
  }

  private checkedLookup(key: Uint8Array, path: string): Uint8Array {
    if (key.length !== KEY_LENGTH) throw fail('env.keyCorrupt', `key file ${path} is ${key.length} bytes, expected ${KEY_LENGTH}`);
    return key;
  }
}
