/**
 * SM2 digital signatures (GB/T 32918.2) with SM3, as GM/T 0009 prescribes: Z_A over the signer's
 * distinguishing ID (default "1234567812345678"), e = SM3(Z_A || M), DER SEQUENCE { r, s }.
 *
 * Keys are raw here: a private key is 32 bytes (d), a public key 65 bytes (04 || x || y). keys.ts reads
 * and writes them as PKCS#8 / SPKI.
 */
import { randomBytes } from 'node:crypto';
import { InputError } from '../base/errors.js';
import { bigintToBytes, bytesToBigint, concatBytes } from './bytes.js';
import { A, B, GX, GY, N, P, isOnCurve, invert, mod, multiplyBase, multiplyTwo, type AffinePoint } from './sm2-curve.js';
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
  const pt = multiplyBase(privateScalar(privateKey));
  if (pt === null) throw new InputError('sm2.privateKey', 'SM2 private key out of range');
  return encodePublicKey(pt);
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
  const pt = parsePublicKey(publicKey);
  const idb = idBytes(id);
  const entl = idb.length * 8;
  return createSm3()
    .update(Uint8Array.of(entl >>> 8, entl & 0xff))
    .update(idb)
    .update(CURVE_BYTES)
    .update(bigintToBytes(pt.x, 32))
    .update(bigintToBytes(pt.y, 32))
    .digest();
}

/** e = SM3(Z_A || M) as an integer. */
function digestScalar(z: Uint8Array, message: Uint8Array): bigint {
  return bytesToBigint(createSm3().update(z).update(message).digest());
}

/** Signs `message`; returns the DER SEQUENCE { r, s }. */
export function sign(privateKey: Uint8Array, message: Uint8Array, options: Sm2SignOptions = {}): Uint8Array {
  const d = privateScalar(privateKey);
  const publicKey = options.publicKey ?? publicKeyFromPrivate(privateKey);
  const e = digestScalar(computeZ(publicKey, options.id), message);
  const dInv = invert(1n + d, N);
  for (;;) {
    const k = options.testNonce ?? mod(bytesToBigint(randomBytes(40)), N - 1n) + 1n;
    const kg = multiplyBase(k);
    if (kg === null) continue;
    const r = mod(e + kg.x, N);
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
  const pt = parsePublicKey(publicKey);
  const { r, s } = decodeSignature(signature);
  if (r < 1n || r >= N) return { valid: false, reason: 'r out of range [1, n-1]' };
  if (s < 1n || s >= N) return { valid: false, reason: 's out of range [1, n-1]' };
  const t = mod(r + s, N);
  if (t === 0n) return { valid: false, reason: 't = r + s = 0 mod n' };
  const e = digestScalar(computeZ(publicKey, options.id), message);
  const x1y1 = multiplyTwo(s, t, pt);
  if (x1y1 === null) return { valid: false, reason: 'signature does not match' };
  return mod(e + x1y1.x, N) === r ? { valid: true } : { valid: false, reason: 'signature does not match' };
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
