/**
 * The endpoint's personal data sealed at rest: case content (applicant, form, materials), notes, result
 * titles and status-event bodies never reach DATA/endpoint.db in clear. This is the endpoint's own small
 * module (sync/ may not import agent/); it follows the agent's scheme (agent/pii/README.md):
 *
 * - SM4-CTR + HMAC-SM3, encrypt-then-MAC, where the runtime's crypto has SM4 (Node/OpenSSL: the server,
 *   the CLI, the agent in development); AES-256-GCM where it has not (the embedded endpoint inside
 *   Electron's main process, BoringSSL). Per-purpose keys derived from one 32-byte key file with
 *   HMAC-SM3 (native, or over certs/sm3's JavaScript SM3), so the SM4, MAC and AES keys differ.
 * - Layout: version (1) · algorithm (1: SM4-CTR+HMAC-SM3, 2: AES-256-GCM) · keyId length · keyId ·
 *   nonce (16 | 12) · ciphertext · tag (32 | 16). The header is authenticated with the rest, and so is
 *   the value's place (`aad`, e.g. `cases/<id>/content`): a value moved to another row or column, a
 *   changed byte or another key is refused (`endpoint.sealTampered`).
 * - In the store's TEXT columns a sealed value is written as `tbs1.` + base64url of those bytes
 *   (`sealText` / `openSealedText`), so the schema keeps its STRICT TEXT columns.
 * - Keys: DATA/keys/ (0700) of the endpoint's data directory: `<keyId>.key` (32 random bytes, 0600),
 *   `current` (the key new values use), `lookup.secret` (the key of the ID-number lookup hash). Made at
 *   the first open; a key file or directory others could read, another user's, or a symbolic link is
 *   refused (EnvironmentError naming the fix), never repaired silently.
 * - `lookupHash(idNumber)`: HMAC-SM3 under the lookup key; the endpoint finds an applicant's cases for an
 *   erasure by it without keeping the number in clear.
 */
import { createCipheriv, createDecipheriv, getCiphers, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  closeSync,
  constants,
  existsSync,
  fstatSync,
  fsyncSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { join } from 'node:path';
import { EnvironmentError, InputError } from '../../../base/errors.js';
import { fsyncDir } from '../../../base/fsync-dir.js';
import { hmacSm3 } from '../../../certs/hmac-sm3.js';
import { hasNativeSm3 } from '../../../certs/sm3.js';

export const SEALED_TEXT_PREFIX = 'tbs1.';
const VERSION = 1;
const ALGORITHMS = {
  'sm4-ctr-hmac-sm3': { id: 1, nonce: 16, tag: 32 },
  'aes-256-gcm': { id: 2, nonce: 12, tag: 16 },
} as const;
export type SealAlgorithm = keyof typeof ALGORITHMS;
const KEY_ID_RE = /^[A-Za-z0-9][A-Za-z0-9-]{0,62}$/;
const KEY_LENGTH = 32;
export const KEYS_DIR = 'keys';

const runtimeHasSm4 = (() => {
  try {
    return getCiphers().includes('sm4-ctr');
  } catch {
    return false;
  }
})();

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

function fail(code: string, message: string, cause?: unknown): EnvironmentError {
  return new EnvironmentError(code, message, cause === undefined ? undefined : { cause });
}

function errno(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? String(err);
}

const checkModes = process.platform !== 'win32';

function checkPrivate(path: string, st: Stats, kind: 'file' | 'directory'): void {
  if (!checkModes) return;
  const mode = st.mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw fail(
      'env.keyMode',
      `${path} has mode ${mode.toString(8).padStart(4, '0')}; the endpoint's keys must be readable only by its user (chmod ${kind === 'file' ? '600' : '700'} ${path})`,
    );
  }
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) throw fail('env.keyOwner', `${path} is owned by uid ${st.uid}, not by the endpoint's user (uid ${uid})`);
}

/** A new private file: temp (0600, exclusive), fsync, then link (never overwrites) or rename, directory fsync. */
function writePrivate(dir: string, name: string, data: Uint8Array, replace: boolean): void {
  const tmp = join(dir, `.${name}.${process.pid}.tmp`);
  const fd = openSync(tmp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    if (replace) {
      renameSync(tmp, join(dir, name));
    } else {
      linkSync(tmp, join(dir, name));
      rmSync(tmp, { force: true });
    }
  } catch (err) {
    rmSync(tmp, { force: true });
    if (errno(err) === 'EEXIST') throw fail('env.keyExists', `${join(dir, name)} already exists`, err);
    throw fail('env.keyDir', `cannot write ${join(dir, name)}: ${errno(err)}`, err);
  }
  fsyncDir(dir);
}

/** Reads a private file without following links; mode and owner checked on the open file. */
function readPrivate(path: string, max: number): Uint8Array | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (err) {
    if (errno(err) === 'ENOENT') return undefined;
    if (errno(err) === 'ELOOP') throw fail('env.keyMode', `${path} is a symbolic link; key files must be regular files`, err);
    throw fail('env.keyUnreadable', `cannot read the key file ${path}: ${errno(err)}`, err);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw fail('env.keyMode', `${path} is not a regular file`);
    checkPrivate(path, st, 'file');
    if (st.size > max) throw fail('env.keyCorrupt', `the key file ${path} has ${st.size} bytes, at most ${max} expected`);
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

export interface EndpointSealer {
  readonly keyId: string;
  readonly algorithm: SealAlgorithm;
  seal(plaintext: Uint8Array | string, aad: string): Buffer;
  /** The plaintext; InputError `endpoint.sealTampered` / `endpoint.sealFormat`, EnvironmentError `endpoint.keyMissing`. */
  open(sealed: Uint8Array, aad: string): Uint8Array;
  /** `tbs1.<base64url>` of the sealed UTF-8 text: what the store writes in a TEXT column. */
  sealText(text: string, aad: string): string;
  openText(value: string, aad: string): string;
  /** HMAC-SM3 (hex) of the normalised ID number (trimmed, X upper-case) under the lookup key. */
  idNumberHash(idNumber: string): string;
  /**
   * The stream cipher of stored files (`files.secret`; made when `create` and missing): XORs `data`
   * found at `offset` of the file named `sm3` with its keystream, so a file keeps its plaintext offsets
   * (resumable uploads, truncation and range reads work unchanged). Applying it twice gives the data back.
   */
  fileCipher(create: boolean): FileCipher;
}

export interface FileCipher {
  apply(sm3: string, data: Uint8Array, offset: number): Buffer;
}

export interface OpenSealerOptions {
  /** The endpoint's data directory: keys in DATA/keys/. */
  readonly dataDir: string;
  /** Make DATA/keys and the first key when missing (default true). */
  readonly create?: boolean;
  /** Force the algorithm of new values (tests); default SM4 where the runtime has it. */
  readonly algorithm?: SealAlgorithm;
  /** What the runtime offers (tests run as Electron with `{ sm4: false, nativeSm3: false }`). */
  readonly runtime?: { readonly sm4: boolean; readonly nativeSm3: boolean };
}

function newKeyId(): string {
  return `k${new Date().toISOString().replace(/[-:.]/g, '')}-${randomBytes(4).toString('hex')}`;
}

export function keysDirOf(dataDir: string): string {
  return join(dataDir, KEYS_DIR);
}

export function openEndpointSealer(options: OpenSealerOptions): EndpointSealer {
  const hasSm4 = options.runtime?.sm4 ?? runtimeHasSm4;
  const native = (options.runtime?.nativeSm3 ?? hasNativeSm3) && hasNativeSm3;
  const algorithm: SealAlgorithm = options.algorithm ?? (hasSm4 ? 'sm4-ctr-hmac-sm3' : 'aes-256-gcm');
  if (algorithm === 'sm4-ctr-hmac-sm3' && !hasSm4) throw fail('endpoint.algorithmUnavailable', 'this runtime has no SM4; seal with aes-256-gcm');
  const create = options.create ?? true;
  const dir = keysDirOf(options.dataDir);
  if (create && !existsSync(dir)) {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw fail('env.keyDir', `cannot create the key directory ${dir}: ${errno(err)}`, err);
    }
  }
  let st: Stats;
  try {
    st = lstatSync(dir);
  } catch (err) {
    if (errno(err) === 'ENOENT') throw fail('endpoint.keyMissing', `the endpoint's key directory ${dir} is missing: its sealed case data cannot be read (restore the keys from a backup)`, err);
    throw fail('env.keyDir', `cannot read the key directory ${dir}: ${errno(err)}`, err);
  }
  if (!st.isDirectory()) throw fail('env.keyDir', `${dir} is not a directory`);
  checkPrivate(dir, st, 'directory');

  const readKey = (keyId: string): Uint8Array => {
    if (!KEY_ID_RE.test(keyId)) throw fail('env.keyCorrupt', `invalid key id ${JSON.stringify(keyId)}`);
    const path = join(dir, `${keyId}.key`);
    const key = readPrivate(path, KEY_LENGTH);
    if (key === undefined) throw fail('endpoint.keyMissing', `the key ${keyId} a sealed value names is not in ${dir}`);
    if (key.length !== KEY_LENGTH) throw fail('env.keyCorrupt', `the key file ${path} has ${key.length} bytes, expected ${KEY_LENGTH}`);
    return key;
  };

  const currentPath = join(dir, 'current');
  let currentRaw = readPrivate(currentPath, 256);
  if (currentRaw === undefined) {
    if (!create) throw fail('endpoint.keyMissing', `no key in ${dir} (${currentPath} is missing)`);
    const id = newKeyId();
    writePrivate(dir, `${id}.key`, randomBytes(KEY_LENGTH), false);
    writePrivate(dir, 'current', encoder.encode(`${id}\n`), true);
    currentRaw = encoder.encode(id);
  }
  const current = new TextDecoder().decode(currentRaw).trim();
  if (!KEY_ID_RE.test(current)) throw fail('env.keyCorrupt', `${currentPath} does not name a key`);

  const lookupPath = join(dir, 'lookup.secret');
  let lookupRaw = readPrivate(lookupPath, KEY_LENGTH);
  if (lookupRaw === undefined) {
    if (!create) throw fail('endpoint.keyMissing', `${lookupPath} is missing`);
    try {
      writePrivate(dir, 'lookup.secret', randomBytes(KEY_LENGTH), false);
    } catch (err) {
      if ((err as EnvironmentError).code !== 'env.keyExists') throw err;
    }
    lookupRaw = readPrivate(lookupPath, KEY_LENGTH);
  }
  if (lookupRaw?.length !== KEY_LENGTH) throw fail('env.keyCorrupt', `${lookupPath} is not a ${KEY_LENGTH}-byte key`);
  const lookupKey = hmacSm3(lookupRaw, ['tongban/endpoint/v1/lookup'], { native });

  interface Derived {
    sm4: Uint8Array;
    mac: Uint8Array;
    aes: Uint8Array;
  }
  const cache = new Map<string, Derived>();
  const keysFor = (keyId: string): Derived => {
    let k = cache.get(keyId);
    if (!k) {
      const master = readKey(keyId);
      k = {
        sm4: hmacSm3(master, ['tongban/endpoint/v1/sm4-ctr'], { native }).subarray(0, 16),
        mac: hmacSm3(master, ['tongban/endpoint/v1/hmac-sm3'], { native }),
        aes: hmacSm3(master, ['tongban/endpoint/v1/aes-256-gcm'], { native }),
      };
      cache.set(keyId, k);
    }
    return k;
  };
  const currentKeys = keysFor(current);
  const idBytes = encoder.encode(current);
  const header = Buffer.from([VERSION, ALGORITHMS[algorithm].id, idBytes.length, ...idBytes]);

  const aadBytes = (aad: string): Buffer => {
    const a = Buffer.from(aad, 'utf8');
    const out = Buffer.allocUnsafe(4 + a.length);
    out.writeUInt32BE(a.length, 0);
    a.copy(out, 4);
    return out;
  };
  const tampered = (aad: string) => new InputError('endpoint.sealTampered', `the sealed value of ${aad} fails authentication (changed, moved from another place, or another key)`);
  const malformed = (aad: string, why: string) => new InputError('endpoint.sealFormat', `the sealed value of ${aad} is malformed: ${why}`);

  const sealer: EndpointSealer = {
    keyId: current,
    algorithm,
    seal(plaintext, aad) {
      const pt = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
      const ad = aadBytes(aad);
      const nonce = randomBytes(ALGORITHMS[algorithm].nonce);
      if (algorithm === 'sm4-ctr-hmac-sm3') {
        const c = createCipheriv('sm4-ctr', currentKeys.sm4, nonce);
        const ct = Buffer.concat([c.update(pt), c.final()]);
        const tag = hmacSm3(currentKeys.mac, [header, ad, nonce, ct], { native });
        return Buffer.concat([header, nonce, ct, tag]);
      }
      const c = createCipheriv('aes-256-gcm', currentKeys.aes, nonce);
      c.setAAD(Buffer.concat([header, ad]));
      const ct = Buffer.concat([c.update(pt), c.final()]);
      return Buffer.concat([header, nonce, ct, c.getAuthTag()]);
    },
    open(sealed, aad) {
      if (!(sealed instanceof Uint8Array) || sealed.length < 4) throw malformed(aad, 'too short');
      if (sealed[0] !== VERSION) throw malformed(aad, `unknown version ${sealed[0]}`);
      const alg = (Object.keys(ALGORITHMS) as SealAlgorithm[]).find((a) => ALGORITHMS[a].id === sealed[1]);
      if (!alg) throw malformed(aad, `unknown algorithm ${sealed[1]}`);
      const spec = ALGORITHMS[alg];
      const bodyStart = 3 + sealed[2]!;
      if (sealed.length < bodyStart + spec.nonce + spec.tag) throw malformed(aad, 'too short');
      const keyId = String.fromCharCode(...sealed.subarray(3, bodyStart));
      if (!KEY_ID_RE.test(keyId)) throw malformed(aad, 'invalid key id');
      if (alg === 'sm4-ctr-hmac-sm3' && !hasSm4) throw fail('endpoint.algorithmUnavailable', `the sealed value of ${aad} uses SM4, which this runtime lacks`);
      const keys = keysFor(keyId);
      const hdr = sealed.subarray(0, bodyStart);
      const nonce = sealed.subarray(bodyStart, bodyStart + spec.nonce);
      const ct = sealed.subarray(bodyStart + spec.nonce, sealed.length - spec.tag);
      const tag = sealed.subarray(sealed.length - spec.tag);
      const ad = aadBytes(aad);
      if (alg === 'sm4-ctr-hmac-sm3') {
        const expected = hmacSm3(keys.mac, [hdr, ad, nonce, ct], { native });
        if (!timingSafeEqual(expected, tag)) throw tampered(aad);
        const d = createDecipheriv('sm4-ctr', keys.sm4, nonce);
        return Buffer.concat([d.update(ct), d.final()]);
      }
      const d = createDecipheriv('aes-256-gcm', keys.aes, nonce, { authTagLength: 16 });
      d.setAAD(Buffer.concat([hdr, ad]));
      d.setAuthTag(tag);
      const out = d.update(ct);
      try {
        return Buffer.concat([out, d.final()]);
      } catch {
        throw tampered(aad);
      }
    },
    sealText(text, aad) {
      return SEALED_TEXT_PREFIX + sealer.seal(text, aad).toString('base64url');
    },
    openText(value, aad) {
      if (typeof value !== 'string' || !value.startsWith(SEALED_TEXT_PREFIX)) throw malformed(aad, 'not a sealed value (stored in clear?)');
      const bytes = sealer.open(Buffer.from(value.slice(SEALED_TEXT_PREFIX.length), 'base64url'), aad);
      try {
        return decoder.decode(bytes);
      } catch {
        throw malformed(aad, 'not UTF-8 text');
      }
    },
    fileCipher(createSecret) {
      const path = join(dir, 'files.secret');
      let secret = readPrivate(path, KEY_LENGTH);
      if (secret === undefined) {
        if (!createSecret) throw fail('endpoint.keyMissing', `${path} is missing: the endpoint's sealed files cannot be read (restore the keys from a backup)`);
        try {
          writePrivate(dir, 'files.secret', randomBytes(KEY_LENGTH), false);
        } catch (err) {
          if ((err as EnvironmentError).code !== 'env.keyExists') throw err;
        }
        secret = readPrivate(path, KEY_LENGTH);
      }
      if (secret?.length !== KEY_LENGTH) throw fail('env.keyCorrupt', `${path} is not a ${KEY_LENGTH}-byte key`);
      return newFileCipher(hmacSm3(secret, ['tongban/endpoint/v1/files'], { native }), native);
    },
    idNumberHash(idNumber) {
      return Buffer.from(hmacSm3(lookupKey, ['idNumber', '\0', idNumber.trim().toUpperCase()], { native })).toString('hex');
    },
  };
  return sealer;
}

/**
 * AES-256-CTR with a key and initial counter derived per file (HMAC-SM3 of its SM3 under the files key):
 * a file is only ever written with the bytes its name hashes to, so a keystream never covers two
 * different plaintexts that stay on disk. AES rather than SM4 here: files are bulk data (SM4 in OpenSSL
 * runs at ~60 MB/s, below the endpoint's 50 MiB/s upload target once hashing is added; AES-NI does GB/s)
 * and the same files must open in Electron (BoringSSL: no SM4). Integrity is the content address: the
 * SM3 of the plaintext is checked against the name when an upload completes and when the endpoint
 * reopens a file, and by the kiosk over what it downloads.
 */
function newFileCipher(filesKey: Uint8Array, native: boolean): FileCipher {
  const cache = new Map<string, { key: Uint8Array; iv: bigint }>();
  const keysOf = (sm3: string) => {
    let k = cache.get(sm3);
    if (!k) {
      k = { key: hmacSm3(filesKey, ['key\0', sm3], { native }), iv: BigInt(`0x${Buffer.from(hmacSm3(filesKey, ['iv\0', sm3], { native }).subarray(0, 16)).toString('hex')}`) };
      cache.set(sm3, k);
      if (cache.size > 1024) cache.delete(cache.keys().next().value!);
    }
    return k;
  };
  return {
    apply(sm3, data, offset) {
      const { key, iv } = keysOf(sm3);
      const counter = (iv + BigInt(Math.floor(offset / 16))) & ((1n << 128n) - 1n);
      const c = createCipheriv('aes-256-ctr', key, Buffer.from(counter.toString(16).padStart(32, '0'), 'hex'));
      const skip = offset % 16;
      if (skip) c.update(Buffer.alloc(skip));
      return Buffer.concat([c.update(data), c.final()]);
    },
  };
}

/** Whether a TEXT column value is a sealed value (the migration seals those that are not). */
export function isSealedText(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(SEALED_TEXT_PREFIX);
}
