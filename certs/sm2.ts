/**
 * SM2 digital signatures (GB/T 32918.2) with SM3, as GM/T 0009 prescribes: Z_A over the signer's
 * distinguishing ID (default "1234567812345678"), e = SM3(Z_A || M), DER SEQUENCE { r, s }.
 *
 * Keys are raw here: a private key is 32 bytes (d), a public key 65 bytes (04 || x || y). keys.ts reads
 * and writes them as PKCS#8 / SPKI.
 *
 * The point arithmetic is sm2-ec.ts (WebAssembly, tables); the scalar arithmetic mod n stays in BigInt
 * (a few operations per signature). What depends on a key alone is computed once and kept in small caches:
 * per public key the parsed point, Z_A per ID and a verification table; per private key (1 + d)^-1 and
 * the public key. Constant-time: [k]G and [d]G run the same field operations and memory accesses for
 * every scalar; the BigInt steps (k mod n, s = (1 + d)^-1 (k - r d) mod n, the inverse) do not promise
 * that. Verification handles public data only and takes variable-time shortcuts.
 */
import { randomBytes } from 'node:crypto';
import { InputError } from '../base/errors.js';
import { bigintToBytes, bytesToBigint, bytesToHex, concatBytes, equalBytes } from './bytes.js';
import { A, B, GX, GY, N, P, isOnCurve, invert, mod, type AffinePoint } from './sm2-curve.js';
import { KEY_TABLE_SLOTS, PreparedPoint, mulBase, mulBaseX, sumXMatches } from './sm2-ec.js';
import { createSm3 } from './sm3.js';

export const DEFAULT_SM2_ID = '1234567812345678';

export interface Sm2KeyPair {
  readonly privateKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

export interface Sm2Options {
  /** The signer's distinguishing ID (UTF-8 string or bytes); default "1234567812345678". */
  readonly id?: string | Uint8Array;
}

export interface Sm2SignOptions extends Sm2Options {
  /** The signer's public key, when known: saves deriving it from the private key. */
  readonly publicKey?: Uint8Array;
  /** TEST ONLY: a fixed nonce k, to reproduce published vectors. Never set in production. */
  readonly testNonce?: bigint;
}

export type Sm2Verdict = { readonly valid: true } | { readonly valid: false; readonly reason: string };

const encoder = new TextEncoder();

function idBytes(id: string | Uint8Array | undefined): Uint8Array {
  const b = id === undefined ? encoder.encode(DEFAULT_SM2_ID) : typeof id === 'string' ? encoder.encode(id) : id;
  if (b.length * 8 > 0xffff) throw new InputError('sm2.id', 'SM2 ID is longer than 8191 bytes');
  return b;
}

/** Reads d from 32 bytes and checks 1 <= d <= n-2 (n-1 has no (1+d)^-1). */
export function privateScalar(privateKey: Uint8Array): bigint {
  if (privateKey.length !== 32) throw new InputError('sm2.privateKey', `an SM2 private key is 32 bytes, not ${privateKey.length}`);
  const d = bytesToBigint(privateKey);
  if (d < 1n || d > N - 2n) throw new InputError('sm2.privateKey', 'SM2 private key out of range');
  return d;
}

/** Parses 04||x||y (or a compressed 02/03||x) and checks the point is on the curve and finite. */
export function parsePublicKey(publicKey: Uint8Array): { x: bigint; y: bigint } {
  let pt: AffinePoint;
  if (publicKey.length === 65 && publicKey[0] === 0x04) {
    pt = { x: bytesToBigint(publicKey.subarray(1, 33)), y: bytesToBigint(publicKey.subarray(33)) };
  } else if (publicKey.length === 33 && (publicKey[0] === 0x02 || publicKey[0] === 0x03)) {
    pt = decompress(bytesToBigint(publicKey.subarray(1)), publicKey[0] === 0x03);
  } else if (publicKey.length === 1 && publicKey[0] === 0x00) {
    throw new InputError('sm2.publicKey', 'SM2 public key is the point at infinity');
  } else {
    throw new InputError('sm2.publicKey', `malformed SM2 public key (${publicKey.length} bytes)`);
  }
  if (pt === null || !isOnCurve(pt)) throw new InputError('sm2.publicKey', 'SM2 public key is not on the curve');
  return pt;
}

function decompress(x: bigint, odd: boolean): AffinePoint {
  if (x >= P) return null;
  const rhs = mod(x * x * x + A * x + B, P);
  // p = 3 mod 4: sqrt = rhs^((p+1)/4)
  let y = modPow(rhs, (P + 1n) / 4n, P);
  if ((y * y) % P !== rhs) return null;
  if ((y & 1n) !== (odd ? 1n : 0n)) y = P - y;
  return { x, y };
}

function modPow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b %= m;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return r;
}

export function encodePublicKey(pt: { x: bigint; y: bigint }): Uint8Array {
  return concatBytes(Uint8Array.of(4), bigintToBytes(pt.x, 32), bigintToBytes(pt.y, 32));
}

export function publicKeyFromPrivate(privateKey: Uint8Array): Uint8Array {
  return Uint8Array.from(signer(privateKey).publicKey());
}

function derivePublicKey(d: bigint): Uint8Array {
  return encodePublicKey(mulBase(d));
}

export function generateKeyPair(): Sm2KeyPair {
  for (;;) {
    const d = bytesToBigint(randomBytes(32));
    if (d < 1n || d > N - 2n) continue;
    const privateKey = bigintToBytes(d, 32);
    return { privateKey, publicKey: publicKeyFromPrivate(privateKey) };
  }
}

const CURVE_BYTES = concatBytes(bigintToBytes(A, 32), bigintToBytes(B, 32), bigintToBytes(GX, 32), bigintToBytes(GY, 32));

/** Z_A = SM3(ENTL || ID || a || b || xG || yG || xA || yA). Depends only on the key and the ID. */
export function computeZ(publicKey: Uint8Array, id?: string | Uint8Array): Uint8Array {
  return Uint8Array.from(publicKeyEntry(publicKey).z(id));
}

// --- What depends on a key alone, kept between calls ---

const PUBLIC_KEY_CACHE_SIZE = KEY_TABLE_SLOTS;
const IDS_PER_KEY = 8;

/** A public key, parsed and checked once, with its Z_A per ID and its verification table. */
class PublicKeyEntry {
  readonly prepared: PreparedPoint;
  private readonly zById = new Map<string, Uint8Array>();

  constructor(readonly point: { readonly x: bigint; readonly y: bigint }) {
    this.prepared = new PreparedPoint(point.x, point.y);
  }

  z(id: string | Uint8Array | undefined): Uint8Array {
    const key = id === undefined ? '' : typeof id === 'string' ? 's' + id : 'b' + bytesToHex(id);
    let z = this.zById.get(key);
    if (z === undefined) {
      const idb = idBytes(id);
      const entl = idb.length * 8;
      z = createSm3()
        .update(Uint8Array.of(entl >>> 8, entl & 0xff))
        .update(idb)
        .update(CURVE_BYTES)
        .update(bigintToBytes(this.point.x, 32))
        .update(bigintToBytes(this.point.y, 32))
        .digest();
      if (this.zById.size >= IDS_PER_KEY) this.zById.clear();
      this.zById.set(key, z);
    }
    return z;
  }
}

/** The most recently used public keys, least recent first (a Map keeps insertion order). */
const publicKeys = new Map<string, PublicKeyEntry>();

/** The entry for a public key; parsing it (and throwing on a bad key) the first time. */
function publicKeyEntry(publicKey: Uint8Array): PublicKeyEntry {
  const key = bytesToHex(publicKey);
  let entry = publicKeys.get(key);
  if (entry !== undefined) {
    publicKeys.delete(key);
  } else {
    entry = new PublicKeyEntry(parsePublicKey(publicKey));
    if (publicKeys.size >= PUBLIC_KEY_CACHE_SIZE) publicKeys.delete(publicKeys.keys().next().value!);
  }
  publicKeys.set(key, entry);
  return entry;
}

/** A private key's d, (1 + d)^-1 mod n and (on demand) public key. */
class SignerEntry {
  readonly copy: Uint8Array;
  readonly d: bigint;
  readonly dInv: bigint;
  private pub: Uint8Array | undefined;

  constructor(privateKey: Uint8Array) {
    this.d = privateScalar(privateKey);
    this.copy = Uint8Array.from(privateKey);
    this.dInv = invert(1n + this.d, N);
  }

  publicKey(): Uint8Array {
    return (this.pub ??= derivePublicKey(this.d));
  }
}

/**
 * Signer data per private-key array, held only as long as the caller holds the array (no key material
 * in a long-lived table), and checked against the array's current bytes in case the caller reused it.
 */
const signers = new WeakMap<Uint8Array, SignerEntry>();

function signer(privateKey: Uint8Array): SignerEntry {
  let entry = signers.get(privateKey);
  if (entry === undefined || !equalBytes(entry.copy, privateKey)) {
    entry = new SignerEntry(privateKey);
    signers.set(privateKey, entry);
  }
  return entry;
}

/** e = SM3(Z_A || M) as an integer. */
function digestScalar(z: Uint8Array, message: Uint8Array): bigint {
  return bytesToBigint(createSm3().update(z).update(message).digest());
}

const NONCE_BYTES = 40;
const NONCES_PER_DRAW = 64;
let noncePool = new Uint8Array(0);
let nonceOffset = 0;

/**
 * 40 bytes from the CSPRNG for a nonce. They are drawn 64 nonces at a time (one system call instead of
 * 64: it was a tenth of a signature's time) and each is wiped from the pool as it is handed out.
 */
function nonceBytes(): Uint8Array {
  if (nonceOffset + NONCE_BYTES > noncePool.length) {
    noncePool = randomBytes(NONCE_BYTES * NONCES_PER_DRAW);
    nonceOffset = 0;
  }
  // A copy (Buffer#slice would be a view, and the wipe below would zero the nonce with it).
  const out = Uint8Array.from(noncePool.subarray(nonceOffset, nonceOffset + NONCE_BYTES));
  noncePool.fill(0, nonceOffset, nonceOffset + NONCE_BYTES);
  nonceOffset += NONCE_BYTES;
  return out;
}

/** Signs `message`; returns the DER SEQUENCE { r, s }. */
export function sign(privateKey: Uint8Array, message: Uint8Array, options: Sm2SignOptions = {}): Uint8Array {
  const { d, dInv } = signer(privateKey);
  const publicKey = options.publicKey ?? signer(privateKey).publicKey();
  const e = digestScalar(publicKeyEntry(publicKey).z(options.id), message);
  for (;;) {
    // k uniform in [1, n-1] (40 random bytes reduced mod n-1: the bias is below 2^-60).
    const k = options.testNonce ?? mod(bytesToBigint(nonceBytes()), N - 1n) + 1n;
    const r = mod(e + mulBaseX(k), N);
    if (r === 0n || r + k === N) {
      if (options.testNonce !== undefined) throw new RangeError('test nonce gives r = 0 or r + k = n');
      continue;
    }
    const s = mod(dInv * (k - r * d), N);
    if (s === 0n) {
      if (options.testNonce !== undefined) throw new RangeError('test nonce gives s = 0');
      continue;
    }
    return encodeSignature(r, s);
  }
}

/**
 * Verifies a DER signature. A malformed public key or DER encoding throws an InputError (the input is
 * unreadable); a well-formed signature that does not hold returns `{ valid: false, reason }`.
 */
export function verifyDetailed(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array, options: Sm2Options = {}): Sm2Verdict {
  const key = publicKeyEntry(publicKey);
  const { r, s } = decodeSignature(signature);
  if (r < 1n || r >= N) return { valid: false, reason: 'r out of range [1, n-1]' };
  if (s < 1n || s >= N) return { valid: false, reason: 's out of range [1, n-1]' };
  const t = mod(r + s, N);
  if (t === 0n) return { valid: false, reason: 't = r + s = 0 mod n' };
  const e = digestScalar(key.z(options.id), message);
  // (e + x1) mod n = r, where (x1, y1) = [s]G + [t]P_A (not infinity): x1 = r - e (mod n).
  const match = sumXMatches(s, t, key.prepared, mod(r - e, N));
  return match ? { valid: true } : { valid: false, reason: 'signature does not match' };
}

export function verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array, options: Sm2Options = {}): boolean {
  return verifyDetailed(publicKey, message, signature, options).valid;
}

// --- DER SEQUENCE { r INTEGER, s INTEGER } (GM/T 0009) ---

function encodeInteger(n: bigint): Uint8Array {
  let b = bigintToBytes(n, Math.max(1, Math.ceil(n.toString(16).length / 2)));
  if (b[0]! & 0x80) b = concatBytes(Uint8Array.of(0), b);
  return concatBytes(Uint8Array.of(0x02, b.length), b);
}

export function encodeSignature(r: bigint, s: bigint): Uint8Array {
  const body = concatBytes(encodeInteger(r), encodeInteger(s));
  return concatBytes(Uint8Array.of(0x30, body.length), body);
}

/** Strict DER: minimal lengths and integers, positive values, no trailing bytes. */
export function decodeSignature(der: Uint8Array): { r: bigint; s: bigint } {
  const fail = (why: string): never => {
    throw new InputError('sm2.signatureEncoding', `malformed DER signature: ${why}`);
  };
  if (der.length < 8 || der.length > 72) fail(`${der.length} bytes`);
  if (der[0] !== 0x30) fail('not a SEQUENCE');
  if (der[1] !== der.length - 2) fail('SEQUENCE length does not match');
  let o = 2;
  const readInt = (name: string): bigint => {
    if (der[o] !== 0x02) fail(`${name} is not an INTEGER`);
    const len = der[o + 1]!;
    if (len === 0 || len > 33 || o + 2 + len > der.length) fail(`${name} has a bad length`);
    const v = der.subarray(o + 2, o + 2 + len);
    if (v[0]! & 0x80) fail(`${name} is negative`);
    if (len > 1 && v[0] === 0 && !(v[1]! & 0x80)) fail(`${name} is not minimally encoded`);
    o += 2 + len;
    return bytesToBigint(v);
  };
  const r = readInt('r');
  const s = readInt('s');
  if (o !== der.length) fail('trailing bytes');
  return { r, s };
}
