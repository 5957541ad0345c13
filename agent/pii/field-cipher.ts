/**
 * FieldCipher: authenticated encryption of personal fields (ID numbers, names, phones, addresses, photos)
 * before they reach the store. See README.md in this directory for the choice of algorithms.
 *
 * - SM4-CTR + HMAC-SM3, encrypt-then-MAC, where the runtime's crypto has SM4 (Node/OpenSSL);
 *   AES-256-GCM where it has not (Electron/BoringSSL). The header of every value names its algorithm and
 *   key, so values written under either stay readable wherever that algorithm exists, and after rotation.
 * - `aad` binds a value to its place ("applicants/<id>/name"): a value copied to another row or column
 *   does not open there.
 * - Per-purpose keys are derived from each 32-byte key file with HMAC-SM3 (one block, HKDF-expand-like):
 *   SM4 key, MAC key and AES key are never the same bytes.
 */
import { createCipheriv, createDecipheriv, getCiphers, randomBytes, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import { EnvironmentError, InputError } from '../../base/errors.js';
import { silentLogger, type Logger } from '../../base/log.js';
import { hasNativeSm3 } from '../../certs/sm3.js';
import { hmacSm3 } from '../../certs/hmac-sm3.js';
import { KeyFiles } from './key-files.js';
import { ALGORITHMS, decodeSealed, encodeHeader, type CipherAlgorithm } from './sealed-format.js';

export type { CipherAlgorithm } from './sealed-format.js';

/** Whether this runtime's crypto has SM4-CTR (Node with OpenSSL: yes; Electron with BoringSSL: no). */
export const runtimeHasSm4: boolean = (() => {
  try {
    return getCiphers().includes('sm4-ctr');
  } catch {
    return false;
  }
})();

export interface FieldCipher {
  /** The key new values are sealed with. */
  readonly keyId: string;
  /** The algorithm new values are sealed with. */
  readonly algorithm: CipherAlgorithm;
  seal(plaintext: Uint8Array | string, aad: string): Uint8Array;
  /** The plaintext, or InputError `pii.tampered` / `pii.format`, EnvironmentError `pii.keyMissing`. */
  open(sealed: Uint8Array, aad: string): Uint8Array;
  openText(sealed: Uint8Array, aad: string): string;
  /** True when a value is not under the current key and algorithm (a re-encryption pass reseals it). */
  needsReseal(sealed: Uint8Array): boolean;
  /** Opens and seals again under the current key (same aad). */
  reseal(sealed: Uint8Array, aad: string): Uint8Array;
  /**
   * Keyed hash (HMAC-SM3 under the lookup key) as hex, to find a record by a personal value without
   * storing the value: `lookupHash('idNumber', '34160219900101123X')`. Stable across field key rotation.
   */
  lookupHash(domain: string, value: string): string;
  /** Creates a new key and makes it current; older keys stay for reading. Returns the new key id. */
  rotateKey(): string;
  /** Ids of every key file present (current included), by name (creation time to the millisecond). */
  keyIds(): string[];
  /** Deletes an old key file once no value needs it (never the current key). */
  removeKey(keyId: string): void;
}

export interface FieldCipherOptions {
  /** The agent's data directory; keys live in DATA/keys/. */
  readonly dataDir: string;
  /** Create the key directory and the first key when missing (the agent at start); default true. */
  readonly create?: boolean;
  /** Force an algorithm for new values (tests force the AES path); default: SM4 where available. */
  readonly algorithm?: CipherAlgorithm;
  readonly log?: Logger;
  /**
   * What the runtime's crypto offers; detected by default. Tests pass `{ sm4: false, nativeSm3: false }`
   * to run as Electron (BoringSSL) does.
   */
  readonly runtime?: { readonly sm4: boolean; readonly nativeSm3: boolean };
}

interface DerivedKeys {
  readonly sm4: Uint8Array;
  readonly mac: Uint8Array;
  readonly aes: Uint8Array;
}

function derive(master: Uint8Array, native: boolean): DerivedKeys {
  return {
    sm4: hmacSm3(master, ['tongban/pii/v1/sm4-ctr'], { native }).subarray(0, 16),
    mac: hmacSm3(master, ['tongban/pii/v1/hmac-sm3'], { native }),
    aes: hmacSm3(master, ['tongban/pii/v1/aes-256-gcm'], { native }),
  };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** aad as authenticated bytes: its UTF-8 length (4 bytes, big-endian) and the bytes, so splits are unambiguous. */
function aadBytes(aad: string): Uint8Array {
  if (typeof aad !== 'string' || aad.length === 0) throw new TypeError('FieldCipher: aad must be a non-empty string');
  const a = encoder.encode(aad);
  const out = new Uint8Array(4 + a.length);
  new DataView(out.buffer).setUint32(0, a.length);
  out.set(a, 4);
  return out;
}

/** A fresh buffer of its own (never Node's shared pool: plaintext must not sit beside unrelated bytes). */
function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

function tampered(aad: string): InputError {
  return new InputError('pii.tampered', `sealed value for ${aad} failed authentication (tampered, moved from another field, or wrong key)`);
}

/** The place of a personal field, as aad: `fieldAad('applicants', id, 'name')` -> `applicants/<id>/name`. */
export function fieldAad(table: string, rowId: string | number, column: string): string {
  return `${table}/${rowId}/${column}`;
}

export function openFieldCipher(options: FieldCipherOptions): FieldCipher {
  const create = options.create ?? true;
  const log = (options.log ?? silentLogger).child({ component: 'agent.pii' });
  const hasSm4 = (options.runtime?.sm4 ?? true) && runtimeHasSm4;
  const native = (options.runtime?.nativeSm3 ?? true) && hasNativeSm3;
  const algorithm: CipherAlgorithm = options.algorithm ?? (hasSm4 ? 'sm4-ctr-hmac-sm3' : 'aes-256-gcm');
  if (algorithm === 'sm4-ctr-hmac-sm3' && !hasSm4) {
    throw new EnvironmentError('pii.algorithmUnavailable', 'this runtime has no SM4; use aes-256-gcm');
  }
  const files = new KeyFiles(join(options.dataDir, 'keys'));
  files.prepare(create);
  let current = files.currentKeyId();
  if (current === undefined) {
    if (!create) throw new EnvironmentError('pii.keyMissing', `no field key in ${files.dir} (the agent creates one at its first start)`);
    current = files.createKey();
    files.setCurrent(current);
    log.info('field key created', { keyId: current, dir: files.dir });
  }
  const lookupKey = hmacSm3(files.lookupKey(create), ['tongban/pii/v1/lookup'], { native });
  const cache = new Map<string, DerivedKeys>();
  const keysFor = (keyId: string): DerivedKeys => {
    let k = cache.get(keyId);
    if (!k) {
      try {
        k = derive(files.readKey(keyId), native);
      } catch (err) {
        if ((err as EnvironmentError).code === 'pii.keyMissing') {
          throw new EnvironmentError('pii.keyMissing', `key ${keyId} needed to open a sealed value is not in ${files.dir}`, { cause: err });
        }
        throw err;
      }
      cache.set(keyId, k);
    }
    return k;
  };
  let currentKeys = keysFor(current);

  const cipher: FieldCipher = {
    get keyId() {
      return current!;
    },
    algorithm,

    seal(plaintext, aad) {
      const pt = typeof plaintext === 'string' ? encoder.encode(plaintext) : plaintext;
      const ad = aadBytes(aad);
      const header = encodeHeader(algorithm, current!);
      const nonce = randomBytes(ALGORITHMS[algorithm].nonceLength);
      if (algorithm === 'sm4-ctr-hmac-sm3') {
        const c = createCipheriv('sm4-ctr', currentKeys.sm4, nonce);
        const ct = concat(c.update(pt), c.final());
        const tag = hmacSm3(currentKeys.mac, [header, ad, nonce, ct], { native });
        return concat(header, nonce, ct, tag);
      }
      const c = createCipheriv('aes-256-gcm', currentKeys.aes, nonce);
      c.setAAD(concat(header, ad));
      const ct = concat(c.update(pt), c.final());
      return concat(header, nonce, ct, c.getAuthTag());
    },

    open(sealed, aad) {
      const ad = aadBytes(aad);
      const p = decodeSealed(sealed);
      if (p.algorithm === 'sm4-ctr-hmac-sm3' && !hasSm4) {
        throw new EnvironmentError('pii.algorithmUnavailable', `sealed value for ${aad} uses SM4, which this runtime lacks`);
      }
      const keys = keysFor(p.keyId);
      if (p.algorithm === 'sm4-ctr-hmac-sm3') {
        const expected = hmacSm3(keys.mac, [p.header, ad, p.nonce, p.ciphertext], { native });
        if (!timingSafeEqual(expected, p.tag)) throw tampered(aad);
        const d = createDecipheriv('sm4-ctr', keys.sm4, p.nonce);
        return concat(d.update(p.ciphertext), d.final());
      }
      const d = createDecipheriv('aes-256-gcm', keys.aes, p.nonce, { authTagLength: 16 });
      d.setAAD(concat(p.header, ad));
      d.setAuthTag(p.tag);
      const out = d.update(p.ciphertext);
      try {
        return concat(out, d.final());
      } catch {
        throw tampered(aad);
      }
    },

    openText(sealed, aad) {
      const bytes = cipher.open(sealed, aad);
      try {
        return decoder.decode(bytes);
      } catch {
        throw new InputError('pii.format', `sealed value for ${aad} is not UTF-8 text`);
      }
    },

    needsReseal(sealed) {
      const p = decodeSealed(sealed);
      return p.keyId !== current || p.algorithm !== algorithm;
    },

    reseal(sealed, aad) {
      return cipher.seal(cipher.open(sealed, aad), aad);
    },

    lookupHash(domain, value) {
      if (!domain || domain.includes('\0')) throw new TypeError('FieldCipher.lookupHash: invalid domain');
      return Buffer.from(hmacSm3(lookupKey, [domain, '\0', value], { native })).toString('hex');
    },

    rotateKey() {
      const next = files.createKey();
      files.setCurrent(next);
      const previous = current;
      current = next;
      currentKeys = keysFor(next);
      log.info('field key rotated', { keyId: next, previous });
      return next;
    },

    keyIds() {
      return files.listKeyIds();
    },

    removeKey(keyId) {
      if (keyId === current) throw new InputError('pii.keyInUse', `key ${keyId} is the current key and cannot be removed`);
      files.removeKey(keyId);
      cache.delete(keyId);
      log.info('field key removed', { keyId });
    },
  };
  return cipher;
}

/** Normalises an ID number for its lookup hash (the check character X in upper case, no spaces). */
export function idNumberLookupHash(cipher: FieldCipher, idNumber: string): string {
  return cipher.lookupHash('idNumber', idNumber.trim().toUpperCase());
}
