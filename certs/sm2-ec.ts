/**
 * Fast SM2 arithmetic: the field modulo p on fixed-size limbs, and Jacobian point arithmetic over it
 * (a constant-time fixed-base multiplication for signing and key derivation, a variable-time [s]G + [t]Q
 * for verification). sm2-curve.ts keeps the plain BigInt reference that the tests compare this against.
 *
 * Field and point code share one module on purpose: the point formulas make thousands of field calls
 * per multiplication, and calls across modules go through export getters once a loader or bundler turns
 * the ESM into CommonJS (tsx does), which costs a third of the speed.
 *
 * FIELD. p = 2^256 - 2^224 - 2^96 + 2^64 - 1. An element is a Float64Array of 16 signed limbs in radix
 * 2^16: value = sum(limb[i] * 2^(16 i)), congruent to the element mod p. A product of two limbs is exact
 * in a double and a column of 16 such products stays far below 2^53, so a multiplication is 256 exact
 * multiply-adds, a fold of the upper half with the special form of p (2^256 = 2^224 + 2^96 - 2^64 + 1
 * mod p) and two carry passes to balanced limbs. Additions and subtractions do not carry at all.
 *
 * Bounds (U = 2^16):
 * - feMul(a, b) / feSqr(a) need max|a limb| * max|b limb| <= 2^39 (for instance two sums of up to 11
 *   reduced elements) and return a reduced element: every |limb| < U.
 * - feAdd / feSub / feScale add bounds: the caller keeps what it multiplies within the product bound.
 * - feCanonical returns the unique representative in [0, p), limbs in [0, U).
 * - The point formulas keep to these: jDouble gives X <= 9U, Y <= 9U, Z <= 2U per limb; the additions
 *   give X <= 4U, Y <= 2U, Z <= U; they accept X <= 10U, Y <= 10U, Z <= 11U; table points are reduced.
 *
 * Floating-point multiply, add and floor take the same time whatever the values (they are integers well
 * inside the normal range). The field functions never branch on or index by the value of an element,
 * except those named ...Vartime; for the point functions, see each.
 */
import { GX, GY, N, P, multiply as referenceMultiply } from './sm2-curve.js';

// --- The field ---

/** A field element: 16 limbs of radix 2^16 (see above). */
export type Fe = Float64Array;

/** p in radix 2^16, least significant limb first. */
const P_LIMBS = [0xffff, 0xffff, 0xffff, 0xffff, 0, 0, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xfffe, 0xffff];

const R16 = 1 / 65536;

export function feNew(): Fe {
  return new Float64Array(16);
}

export function feCopy(o: Fe, a: Fe): Fe {
  o.set(a);
  return o;
}

/** An element from an integer in [0, 2^256). */
export function feFromBigint(x: bigint, o: Fe = feNew()): Fe {
  const hex = x.toString(16).padStart(64, '0');
  if (hex.length !== 64 || x < 0n) throw new RangeError('field element out of range');
  for (let i = 0; i < 16; i++) o[i] = parseInt(hex.slice(60 - 4 * i, 64 - 4 * i), 16);
  return o;
}

/** An element from 32 big-endian bytes at `offset` (any value below 2^256; it need not be below p). */
export function feFromBytes(b: Uint8Array, offset: number, o: Fe = feNew()): Fe {
  for (let i = 0; i < 16; i++) o[i] = (b[offset + 30 - 2 * i]! << 8) | b[offset + 31 - 2 * i]!;
  return o;
}

/** The canonical value as 32 big-endian bytes written at `offset`. */
export function feToBytes(a: Fe, out: Uint8Array, offset: number): Uint8Array {
  const c = feCanonical(scratch, a);
  for (let i = 0; i < 16; i++) {
    const v = c[i]!;
    out[offset + 30 - 2 * i] = v >>> 8;
    out[offset + 31 - 2 * i] = v & 0xff;
  }
  return out;
}

/** The canonical value as a BigInt in [0, p). */
export function feToBigint(a: Fe): bigint {
  const c = feCanonical(scratch, a);
  let hex = '';
  for (let i = 15; i >= 0; i--) hex += c[i]!.toString(16).padStart(4, '0');
  return BigInt('0x' + hex);
}

export function feAdd(o: Fe, a: Fe, b: Fe): Fe {
  for (let i = 0; i < 16; i++) o[i] = a[i]! + b[i]!;
  return o;
}

export function feSub(o: Fe, a: Fe, b: Fe): Fe {
  for (let i = 0; i < 16; i++) o[i] = a[i]! - b[i]!;
  return o;
}

/** o = k * a for a small integer k (limbwise: the bound grows by |k|). */
export function feScale(o: Fe, a: Fe, k: number): Fe {
  for (let i = 0; i < 16; i++) o[i] = a[i]! * k;
  return o;
}

/**
 * The unique representative in [0, p) with limbs in [0, 2^16). Three rounds of a sequential carry with
 * the carry out of 2^256 folded back (the third always folds zero), then p subtracted under a mask.
 */
export function feCanonical(o: Fe, a: Fe): Fe {
  if (o !== a) o.set(a);
  for (let round = 0; round < 3; round++) {
    let c = 0;
    for (let i = 0; i < 16; i++) {
      const v = o[i]! + c;
      c = Math.floor(v * R16);
      o[i] = v - c * 65536;
    }
    o[0] = o[0]! + c;
    o[4] = o[4]! - c;
    o[6] = o[6]! + c;
    o[14] = o[14]! + c;
  }
  // Now 0 <= value < 2^256 < 2p: subtract p when that does not borrow.
  let borrow = 0;
  for (let i = 0; i < 16; i++) {
    const v = o[i]! - P_LIMBS[i]! + borrow;
    borrow = Math.floor(v * R16);
    diff[i] = v - borrow * 65536;
  }
  const keep = -borrow; // 1: value < p, keep it; 0: take value - p
  for (let i = 0; i < 16; i++) o[i] = diff[i]! + keep * (o[i]! - diff[i]!);
  return o;
}

/** Whether a = 0 mod p, without branching on the value. */
export function feIsZero(a: Fe): boolean {
  const c = feCanonical(scratch, a);
  let acc = 0;
  for (let i = 0; i < 16; i++) acc += c[i]!;
  return acc === 0;
}

/**
 * Whether a = 0 mod p, quickly for the common non-zero case: the value as a double is a multiple of p
 * (up to rounding) whenever it is 0 mod p, so anything far from a multiple is not zero.
 */
export function feIsZeroVartime(a: Fe): boolean {
  let v = 0;
  for (let i = 15; i >= 0; i--) v = v * 65536 + a[i]!;
  const q = v / P_DOUBLE;
  if (Math.abs(q - Math.round(q)) > 1e-6) return false;
  return feIsZero(a);
}

/** Whether a = b mod p (variable time). */
export function feEqualVartime(a: Fe, b: Fe): boolean {
  return feIsZeroVartime(feSub(diff2, a, b));
}

const P_DOUBLE = Number(P);
const scratch = feNew();
const diff = feNew();
const diff2 = feNew();

/** o = a * b mod p. o may alias a or b. */
export function feMul(o: Fe, a: Fe, b: Fe): Fe {
  const a0 = a[0]!, a1 = a[1]!, a2 = a[2]!, a3 = a[3]!;
  const a4 = a[4]!, a5 = a[5]!, a6 = a[6]!, a7 = a[7]!;
  const a8 = a[8]!, a9 = a[9]!, a10 = a[10]!, a11 = a[11]!;
  const a12 = a[12]!, a13 = a[13]!, a14 = a[14]!, a15 = a[15]!;
  const b0 = b[0]!, b1 = b[1]!, b2 = b[2]!, b3 = b[3]!;
  const b4 = b[4]!, b5 = b[5]!, b6 = b[6]!, b7 = b[7]!;
  const b8 = b[8]!, b9 = b[9]!, b10 = b[10]!, b11 = b[11]!;
  const b12 = b[12]!, b13 = b[13]!, b14 = b[14]!, b15 = b[15]!;
  let t0 = a0 * b0;
  let t1 = a0 * b1 + a1 * b0;
  let t2 = a0 * b2 + a1 * b1 + a2 * b0;
  let t3 = a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0;
  let t4 = a0 * b4 + a1 * b3 + a2 * b2 + a3 * b1 + a4 * b0;
  let t5 = a0 * b5 + a1 * b4 + a2 * b3 + a3 * b2 + a4 * b1 + a5 * b0;
  let t6 = a0 * b6 + a1 * b5 + a2 * b4 + a3 * b3 + a4 * b2 + a5 * b1 + a6 * b0;
  let t7 = a0 * b7 + a1 * b6 + a2 * b5 + a3 * b4 + a4 * b3 + a5 * b2 + a6 * b1 + a7 * b0;
  let t8 = a0 * b8 + a1 * b7 + a2 * b6 + a3 * b5 + a4 * b4 + a5 * b3 + a6 * b2 + a7 * b1 + a8 * b0;
  let t9 = a0 * b9 + a1 * b8 + a2 * b7 + a3 * b6 + a4 * b5 + a5 * b4 + a6 * b3 + a7 * b2 + a8 * b1 + a9 * b0;
  let t10 = a0 * b10 + a1 * b9 + a2 * b8 + a3 * b7 + a4 * b6 + a5 * b5 + a6 * b4 + a7 * b3 + a8 * b2 + a9 * b1 + a10 * b0;
  let t11 = a0 * b11 + a1 * b10 + a2 * b9 + a3 * b8 + a4 * b7 + a5 * b6 + a6 * b5 + a7 * b4 + a8 * b3 + a9 * b2 + a10 * b1 + a11 * b0;
  let t12 = a0 * b12 + a1 * b11 + a2 * b10 + a3 * b9 + a4 * b8 + a5 * b7 + a6 * b6 + a7 * b5 + a8 * b4 + a9 * b3 + a10 * b2 + a11 * b1 + a12 * b0;
  let t13 = a0 * b13 + a1 * b12 + a2 * b11 + a3 * b10 + a4 * b9 + a5 * b8 + a6 * b7 + a7 * b6 + a8 * b5 + a9 * b4 + a10 * b3 + a11 * b2 + a12 * b1 + a13 * b0;
  let t14 = a0 * b14 + a1 * b13 + a2 * b12 + a3 * b11 + a4 * b10 + a5 * b9 + a6 * b8 + a7 * b7 + a8 * b6 + a9 * b5 + a10 * b4 + a11 * b3 + a12 * b2 + a13 * b1 + a14 * b0;
  let t15 = a0 * b15 + a1 * b14 + a2 * b13 + a3 * b12 + a4 * b11 + a5 * b10 + a6 * b9 + a7 * b8 + a8 * b7 + a9 * b6 + a10 * b5 + a11 * b4 + a12 * b3 + a13 * b2 + a14 * b1 + a15 * b0;
  let t16 = a1 * b15 + a2 * b14 + a3 * b13 + a4 * b12 + a5 * b11 + a6 * b10 + a7 * b9 + a8 * b8 + a9 * b7 + a10 * b6 + a11 * b5 + a12 * b4 + a13 * b3 + a14 * b2 + a15 * b1;
  let t17 = a2 * b15 + a3 * b14 + a4 * b13 + a5 * b12 + a6 * b11 + a7 * b10 + a8 * b9 + a9 * b8 + a10 * b7 + a11 * b6 + a12 * b5 + a13 * b4 + a14 * b3 + a15 * b2;
  let t18 = a3 * b15 + a4 * b14 + a5 * b13 + a6 * b12 + a7 * b11 + a8 * b10 + a9 * b9 + a10 * b8 + a11 * b7 + a12 * b6 + a13 * b5 + a14 * b4 + a15 * b3;
  let t19 = a4 * b15 + a5 * b14 + a6 * b13 + a7 * b12 + a8 * b11 + a9 * b10 + a10 * b9 + a11 * b8 + a12 * b7 + a13 * b6 + a14 * b5 + a15 * b4;
  let t20 = a5 * b15 + a6 * b14 + a7 * b13 + a8 * b12 + a9 * b11 + a10 * b10 + a11 * b9 + a12 * b8 + a13 * b7 + a14 * b6 + a15 * b5;
  let t21 = a6 * b15 + a7 * b14 + a8 * b13 + a9 * b12 + a10 * b11 + a11 * b10 + a12 * b9 + a13 * b8 + a14 * b7 + a15 * b6;
  let t22 = a7 * b15 + a8 * b14 + a9 * b13 + a10 * b12 + a11 * b11 + a12 * b10 + a13 * b9 + a14 * b8 + a15 * b7;
  let t23 = a8 * b15 + a9 * b14 + a10 * b13 + a11 * b12 + a12 * b11 + a13 * b10 + a14 * b9 + a15 * b8;
  let t24 = a9 * b15 + a10 * b14 + a11 * b13 + a12 * b12 + a13 * b11 + a14 * b10 + a15 * b9;
  let t25 = a10 * b15 + a11 * b14 + a12 * b13 + a13 * b12 + a14 * b11 + a15 * b10;
  let t26 = a11 * b15 + a12 * b14 + a13 * b13 + a14 * b12 + a15 * b11;
  let t27 = a12 * b15 + a13 * b14 + a14 * b13 + a15 * b12;
  let t28 = a13 * b15 + a14 * b14 + a15 * b13;
  const t29 = a14 * b15 + a15 * b14;
  const t30 = a15 * b15;
  // 2^256 = 2^224 + 2^96 - 2^64 + 1 (mod p): fold columns 30..16 from the top down (t30 lands on t28, ...).
  let h: number;
  h = t30; t14 += h; t18 -= h; t20 += h; t28 += h;
  h = t29; t13 += h; t17 -= h; t19 += h; t27 += h;
  h = t28; t12 += h; t16 -= h; t18 += h; t26 += h;
  h = t27; t11 += h; t15 -= h; t17 += h; t25 += h;
  h = t26; t10 += h; t14 -= h; t16 += h; t24 += h;
  h = t25; t9 += h; t13 -= h; t15 += h; t23 += h;
  h = t24; t8 += h; t12 -= h; t14 += h; t22 += h;
  h = t23; t7 += h; t11 -= h; t13 += h; t21 += h;
  h = t22; t6 += h; t10 -= h; t12 += h; t20 += h;
  h = t21; t5 += h; t9 -= h; t11 += h; t19 += h;
  h = t20; t4 += h; t8 -= h; t10 += h; t18 += h;
  h = t19; t3 += h; t7 -= h; t9 += h; t17 += h;
  h = t18; t2 += h; t6 -= h; t8 += h; t16 += h;
  h = t17; t1 += h; t5 -= h; t7 += h; t15 += h;
  h = t16; t0 += h; t4 -= h; t6 += h; t14 += h;
  // Two carry passes to balanced limbs (carry = nearest multiple of 2^16, remainder in [-2^15, 2^15]), each
  // pass in parallel (its carries do not depend on each other), the carry out of 2^256 folded back like the
  // upper half. Unrolled, with no helper calls: V8 keeps the t's in registers.
  {
    const c0 = Math.floor(t0 * R16 + 0.5), c1 = Math.floor(t1 * R16 + 0.5), c2 = Math.floor(t2 * R16 + 0.5), c3 = Math.floor(t3 * R16 + 0.5);
    const c4 = Math.floor(t4 * R16 + 0.5), c5 = Math.floor(t5 * R16 + 0.5), c6 = Math.floor(t6 * R16 + 0.5), c7 = Math.floor(t7 * R16 + 0.5);
    const c8 = Math.floor(t8 * R16 + 0.5), c9 = Math.floor(t9 * R16 + 0.5), c10 = Math.floor(t10 * R16 + 0.5), c11 = Math.floor(t11 * R16 + 0.5);
    const c12 = Math.floor(t12 * R16 + 0.5), c13 = Math.floor(t13 * R16 + 0.5), c14 = Math.floor(t14 * R16 + 0.5), c15 = Math.floor(t15 * R16 + 0.5);
    t0 += c15 - c0 * 65536;
    t1 += c0 - c1 * 65536;
    t2 += c1 - c2 * 65536;
    t3 += c2 - c3 * 65536;
    t4 += c3 - c15 - c4 * 65536;
    t5 += c4 - c5 * 65536;
    t6 += c5 + c15 - c6 * 65536;
    t7 += c6 - c7 * 65536;
    t8 += c7 - c8 * 65536;
    t9 += c8 - c9 * 65536;
    t10 += c9 - c10 * 65536;
    t11 += c10 - c11 * 65536;
    t12 += c11 - c12 * 65536;
    t13 += c12 - c13 * 65536;
    t14 += c13 + c15 - c14 * 65536;
    t15 += c14 - c15 * 65536;
  }
  {
    const c0 = Math.floor(t0 * R16 + 0.5), c1 = Math.floor(t1 * R16 + 0.5), c2 = Math.floor(t2 * R16 + 0.5), c3 = Math.floor(t3 * R16 + 0.5);
    const c4 = Math.floor(t4 * R16 + 0.5), c5 = Math.floor(t5 * R16 + 0.5), c6 = Math.floor(t6 * R16 + 0.5), c7 = Math.floor(t7 * R16 + 0.5);
    const c8 = Math.floor(t8 * R16 + 0.5), c9 = Math.floor(t9 * R16 + 0.5), c10 = Math.floor(t10 * R16 + 0.5), c11 = Math.floor(t11 * R16 + 0.5);
    const c12 = Math.floor(t12 * R16 + 0.5), c13 = Math.floor(t13 * R16 + 0.5), c14 = Math.floor(t14 * R16 + 0.5), c15 = Math.floor(t15 * R16 + 0.5);
    t0 += c15 - c0 * 65536;
    t1 += c0 - c1 * 65536;
    t2 += c1 - c2 * 65536;
    t3 += c2 - c3 * 65536;
    t4 += c3 - c15 - c4 * 65536;
    t5 += c4 - c5 * 65536;
    t6 += c5 + c15 - c6 * 65536;
    t7 += c6 - c7 * 65536;
    t8 += c7 - c8 * 65536;
    t9 += c8 - c9 * 65536;
    t10 += c9 - c10 * 65536;
    t11 += c10 - c11 * 65536;
    t12 += c11 - c12 * 65536;
    t13 += c12 - c13 * 65536;
    t14 += c13 + c15 - c14 * 65536;
    t15 += c14 - c15 * 65536;
  }
  o[0] = t0; o[1] = t1; o[2] = t2; o[3] = t3; o[4] = t4; o[5] = t5; o[6] = t6; o[7] = t7;
  o[8] = t8; o[9] = t9; o[10] = t10; o[11] = t11; o[12] = t12; o[13] = t13; o[14] = t14; o[15] = t15;
  return o;
}

/** o = a^2 mod p. o may alias a. */
export function feSqr(o: Fe, a: Fe): Fe {
  const a0 = a[0]!, a1 = a[1]!, a2 = a[2]!, a3 = a[3]!;
  const a4 = a[4]!, a5 = a[5]!, a6 = a[6]!, a7 = a[7]!;
  const a8 = a[8]!, a9 = a[9]!, a10 = a[10]!, a11 = a[11]!;
  const a12 = a[12]!, a13 = a[13]!, a14 = a[14]!, a15 = a[15]!;
  const d1 = a1 + a1, d2 = a2 + a2, d3 = a3 + a3, d4 = a4 + a4, d5 = a5 + a5;
  const d6 = a6 + a6, d7 = a7 + a7, d8 = a8 + a8, d9 = a9 + a9, d10 = a10 + a10;
  const d11 = a11 + a11, d12 = a12 + a12, d13 = a13 + a13, d14 = a14 + a14, d15 = a15 + a15;
  let t0 = a0 * a0;
  let t1 = a0 * d1;
  let t2 = a0 * d2 + a1 * a1;
  let t3 = a0 * d3 + a1 * d2;
  let t4 = a0 * d4 + a1 * d3 + a2 * a2;
  let t5 = a0 * d5 + a1 * d4 + a2 * d3;
  let t6 = a0 * d6 + a1 * d5 + a2 * d4 + a3 * a3;
  let t7 = a0 * d7 + a1 * d6 + a2 * d5 + a3 * d4;
  let t8 = a0 * d8 + a1 * d7 + a2 * d6 + a3 * d5 + a4 * a4;
  let t9 = a0 * d9 + a1 * d8 + a2 * d7 + a3 * d6 + a4 * d5;
  let t10 = a0 * d10 + a1 * d9 + a2 * d8 + a3 * d7 + a4 * d6 + a5 * a5;
  let t11 = a0 * d11 + a1 * d10 + a2 * d9 + a3 * d8 + a4 * d7 + a5 * d6;
  let t12 = a0 * d12 + a1 * d11 + a2 * d10 + a3 * d9 + a4 * d8 + a5 * d7 + a6 * a6;
  let t13 = a0 * d13 + a1 * d12 + a2 * d11 + a3 * d10 + a4 * d9 + a5 * d8 + a6 * d7;
  let t14 = a0 * d14 + a1 * d13 + a2 * d12 + a3 * d11 + a4 * d10 + a5 * d9 + a6 * d8 + a7 * a7;
  let t15 = a0 * d15 + a1 * d14 + a2 * d13 + a3 * d12 + a4 * d11 + a5 * d10 + a6 * d9 + a7 * d8;
  let t16 = a1 * d15 + a2 * d14 + a3 * d13 + a4 * d12 + a5 * d11 + a6 * d10 + a7 * d9 + a8 * a8;
  let t17 = a2 * d15 + a3 * d14 + a4 * d13 + a5 * d12 + a6 * d11 + a7 * d10 + a8 * d9;
  let t18 = a3 * d15 + a4 * d14 + a5 * d13 + a6 * d12 + a7 * d11 + a8 * d10 + a9 * a9;
  let t19 = a4 * d15 + a5 * d14 + a6 * d13 + a7 * d12 + a8 * d11 + a9 * d10;
  let t20 = a5 * d15 + a6 * d14 + a7 * d13 + a8 * d12 + a9 * d11 + a10 * a10;
  let t21 = a6 * d15 + a7 * d14 + a8 * d13 + a9 * d12 + a10 * d11;
  let t22 = a7 * d15 + a8 * d14 + a9 * d13 + a10 * d12 + a11 * a11;
  let t23 = a8 * d15 + a9 * d14 + a10 * d13 + a11 * d12;
  let t24 = a9 * d15 + a10 * d14 + a11 * d13 + a12 * a12;
  let t25 = a10 * d15 + a11 * d14 + a12 * d13;
  let t26 = a11 * d15 + a12 * d14 + a13 * a13;
  let t27 = a12 * d15 + a13 * d14;
  let t28 = a13 * d15 + a14 * a14;
  const t29 = a14 * d15;
  const t30 = a15 * a15;
  // 2^256 = 2^224 + 2^96 - 2^64 + 1 (mod p): fold columns 30..16 from the top down (t30 lands on t28, ...).
  let h: number;
  h = t30; t14 += h; t18 -= h; t20 += h; t28 += h;
  h = t29; t13 += h; t17 -= h; t19 += h; t27 += h;
  h = t28; t12 += h; t16 -= h; t18 += h; t26 += h;
  h = t27; t11 += h; t15 -= h; t17 += h; t25 += h;
  h = t26; t10 += h; t14 -= h; t16 += h; t24 += h;
  h = t25; t9 += h; t13 -= h; t15 += h; t23 += h;
  h = t24; t8 += h; t12 -= h; t14 += h; t22 += h;
  h = t23; t7 += h; t11 -= h; t13 += h; t21 += h;
  h = t22; t6 += h; t10 -= h; t12 += h; t20 += h;
  h = t21; t5 += h; t9 -= h; t11 += h; t19 += h;
  h = t20; t4 += h; t8 -= h; t10 += h; t18 += h;
  h = t19; t3 += h; t7 -= h; t9 += h; t17 += h;
  h = t18; t2 += h; t6 -= h; t8 += h; t16 += h;
  h = t17; t1 += h; t5 -= h; t7 += h; t15 += h;
  h = t16; t0 += h; t4 -= h; t6 += h; t14 += h;
  // Two carry passes to balanced limbs (carry = nearest multiple of 2^16, remainder in [-2^15, 2^15]), each
  // pass in parallel (its carries do not depend on each other), the carry out of 2^256 folded back like the
  // upper half. Unrolled, with no helper calls: V8 keeps the t's in registers.
  {
    const c0 = Math.floor(t0 * R16 + 0.5), c1 = Math.floor(t1 * R16 + 0.5), c2 = Math.floor(t2 * R16 + 0.5), c3 = Math.floor(t3 * R16 + 0.5);
    const c4 = Math.floor(t4 * R16 + 0.5), c5 = Math.floor(t5 * R16 + 0.5), c6 = Math.floor(t6 * R16 + 0.5), c7 = Math.floor(t7 * R16 + 0.5);
    const c8 = Math.floor(t8 * R16 + 0.5), c9 = Math.floor(t9 * R16 + 0.5), c10 = Math.floor(t10 * R16 + 0.5), c11 = Math.floor(t11 * R16 + 0.5);
    const c12 = Math.floor(t12 * R16 + 0.5), c13 = Math.floor(t13 * R16 + 0.5), c14 = Math.floor(t14 * R16 + 0.5), c15 = Math.floor(t15 * R16 + 0.5);
    t0 += c15 - c0 * 65536;
    t1 += c0 - c1 * 65536;
    t2 += c1 - c2 * 65536;
    t3 += c2 - c3 * 65536;
    t4 += c3 - c15 - c4 * 65536;
    t5 += c4 - c5 * 65536;
    t6 += c5 + c15 - c6 * 65536;
    t7 += c6 - c7 * 65536;
    t8 += c7 - c8 * 65536;
    t9 += c8 - c9 * 65536;
    t10 += c9 - c10 * 65536;
    t11 += c10 - c11 * 65536;
    t12 += c11 - c12 * 65536;
    t13 += c12 - c13 * 65536;
    t14 += c13 + c15 - c14 * 65536;
    t15 += c14 - c15 * 65536;
  }
  {
    const c0 = Math.floor(t0 * R16 + 0.5), c1 = Math.floor(t1 * R16 + 0.5), c2 = Math.floor(t2 * R16 + 0.5), c3 = Math.floor(t3 * R16 + 0.5);
    const c4 = Math.floor(t4 * R16 + 0.5), c5 = Math.floor(t5 * R16 + 0.5), c6 = Math.floor(t6 * R16 + 0.5), c7 = Math.floor(t7 * R16 + 0.5);
    const c8 = Math.floor(t8 * R16 + 0.5), c9 = Math.floor(t9 * R16 + 0.5), c10 = Math.floor(t10 * R16 + 0.5), c11 = Math.floor(t11 * R16 + 0.5);
    const c12 = Math.floor(t12 * R16 + 0.5), c13 = Math.floor(t13 * R16 + 0.5), c14 = Math.floor(t14 * R16 + 0.5), c15 = Math.floor(t15 * R16 + 0.5);
    t0 += c15 - c0 * 65536;
    t1 += c0 - c1 * 65536;
    t2 += c1 - c2 * 65536;
    t3 += c2 - c3 * 65536;
    t4 += c3 - c15 - c4 * 65536;
    t5 += c4 - c5 * 65536;
    t6 += c5 + c15 - c6 * 65536;
    t7 += c6 - c7 * 65536;
    t8 += c7 - c8 * 65536;
    t9 += c8 - c9 * 65536;
    t10 += c9 - c10 * 65536;
    t11 += c10 - c11 * 65536;
    t12 += c11 - c12 * 65536;
    t13 += c12 - c13 * 65536;
    t14 += c13 + c15 - c14 * 65536;
    t15 += c14 - c15 * 65536;
  }
  o[0] = t0; o[1] = t1; o[2] = t2; o[3] = t3; o[4] = t4; o[5] = t5; o[6] = t6; o[7] = t7;
  o[8] = t8; o[9] = t9; o[10] = t10; o[11] = t11; o[12] = t12; o[13] = t13; o[14] = t14; o[15] = t15;
  return o;
}

/** o = a^(2^n) mod p. */
export function feSqrN(o: Fe, a: Fe, n: number): Fe {
  feSqr(o, a);
  for (let i = 1; i < n; i++) feSqr(o, o);
  return o;
}

const inv = Array.from({ length: 7 }, feNew);

/**
 * o = a^-1 = a^(p-2) mod p (0 for 0), by a fixed addition chain: 256 squarings and 15 multiplications,
 * the same sequence for every input. p - 2 in bits: 31 ones, a zero, 128 ones, 32 zeros, 62 ones,
 * a zero, a one.
 */
export function feInvert(o: Fe, a: Fe): Fe {
  const [x2, x3, x6, x12, x24, x30, r] = inv as [Fe, Fe, Fe, Fe, Fe, Fe, Fe];
  feMul(x2, feSqr(x2, a), a); // a^(2^2-1)
  feMul(x3, feSqr(x3, x2), a);
  feMul(x6, feSqrN(x6, x3, 3), x3);
  feMul(x12, feSqrN(x12, x6, 6), x6);
  feMul(x24, feSqrN(x24, x12, 12), x12);
  feMul(x30, feSqrN(x30, x24, 6), x6);
  feMul(r, feSqr(r, x30), a); // r = a^(2^31-1): the leading 31 ones
  const x32 = feMul(x2, feSqr(x2, r), a); // x2 is free again
  feSqr(r, r); // the zero
  for (let i = 0; i < 4; i++) feMul(r, feSqrN(r, r, 32), x32); // 128 ones
  feSqrN(r, r, 32); // 32 zeros
  feMul(r, feSqrN(r, r, 32), x32); // 32 ones
  feMul(r, feSqrN(r, r, 30), x30); // 30 ones
  feSqr(r, r); // the zero
  feMul(r, feSqr(r, r), a); // the final one
  return feCopy(o, r);
}

// --- Points ---

export interface Jacobian {
  readonly x: Fe;
  readonly y: Fe;
  readonly z: Fe;
}

export interface AffineFe {
  readonly x: Fe;
  readonly y: Fe;
}

function jNew(): Jacobian {
  return { x: feNew(), y: feNew(), z: feNew() };
}

function jCopy(o: Jacobian, a: Jacobian): void {
  o.x.set(a.x);
  o.y.set(a.y);
  o.z.set(a.z);
}

function jFromAffine(o: Jacobian, x: Fe, y: Fe): void {
  o.x.set(x);
  o.y.set(y);
  o.z.fill(0);
  o.z[0] = 1;
}

// Scratch elements. Every function here runs to completion synchronously, so one set is enough.
const t1 = feNew(), t2 = feNew(), t3 = feNew(), t4 = feNew();
const z1z1 = feNew(), z2z2 = feNew(), u1 = feNew(), u2 = feNew(), s1 = feNew(), s2 = feNew();
const hh = feNew(), hhh = feNew(), hd = feNew(), rd = feNew(), vv = feNew();

/** o = 2a (dbl-2001-b, a = -3: 3M + 5S). Infinity (Z = 0) stays infinity. o may be a. */
export function jDouble(o: Jacobian, a: Jacobian): void {
  const delta = t1, gamma = t2, beta = t3, alpha = t4;
  feSqr(delta, a.z);
  feSqr(gamma, a.y);
  feMul(beta, a.x, gamma);
  feMul(alpha, feSub(u1, a.x, delta), feAdd(u2, a.x, delta));
  feScale(alpha, alpha, 3); // 3(X - Z^2)(X + Z^2) <= 3U
  feScale(o.z, feMul(o.z, a.y, a.z), 2); // Z3 = 2YZ <= 2U
  feSub(o.x, feSqr(u1, alpha), feScale(u2, beta, 8)); // X3 = alpha^2 - 8 beta <= 9U
  feMul(u1, alpha, feSub(u1, feScale(u1, beta, 4), o.x)); // alpha (4 beta - X3): operands <= 3U, 13U
  feSub(o.y, u1, feScale(u2, feSqr(u2, gamma), 8)); // Y3 = ... - 8 gamma^2 <= 9U
}

/**
 * The tail shared by the additions, from U1 = X1 Z2^2 (u1), S1 = Y1 Z2^3 (s1), H = U2 - U1 (hd),
 * R = S2 - S1 (rd) and the new Z already in o.z. o may alias the input the U1 and S1 came from.
 */
function addTail(o: Jacobian): void {
  feSqr(hh, hd);
  feMul(hhh, hd, hh);
  feMul(vv, u1, hh);
  feSub(o.x, feSub(t1, feSub(t1, feSqr(t1, rd), hhh), vv), vv); // X3 = R^2 - H^3 - 2V <= 4U
  feMul(t1, rd, feSub(t1, vv, o.x)); // R (V - X3): operands <= 2U, 5U
  feSub(o.y, t1, feMul(t2, s1, hhh)); // Y3 <= 2U
}

/**
 * o = a + (x2, y2) for an affine point (madd: 8M + 3S). Not for infinity, nor for a = +-(x2, y2): the
 * callers rule those out or detect them afterwards (a result with Z = 0). o may be a.
 */
export function jAddAffine(o: Jacobian, a: Jacobian, x2: Fe, y2: Fe): void {
  feSqr(z1z1, a.z);
  feMul(u2, x2, z1z1);
  feMul(s2, feMul(s2, y2, a.z), z1z1);
  feSub(hd, u2, a.x);
  feSub(rd, s2, a.y);
  feCopy(u1, a.x);
  feCopy(s1, a.y);
  feMul(o.z, a.z, hd);
  addTail(o);
}

/** o = a + b, both Jacobian (12M + 4S), with the same exclusions as jAddAffine. o may be a or b. */
export function jAdd(o: Jacobian, a: Jacobian, b: Jacobian): void {
  feSqr(z1z1, a.z);
  feSqr(z2z2, b.z);
  feMul(u1, a.x, z2z2);
  feMul(u2, b.x, z1z1);
  feMul(s1, feMul(s1, a.y, b.z), z2z2);
  feMul(s2, feMul(s2, b.y, a.z), z1z1);
  feSub(hd, u2, u1);
  feSub(rd, s2, s1);
  feMul(o.z, feMul(t1, a.z, b.z), hd);
  addTail(o);
}

/**
 * Variable-time o = a + (x2, y2) for a finite a, handling a = +-(x2, y2). Returns false when the sum
 * is the point at infinity (o is then garbage).
 */
function jAddAffineVartime(o: Jacobian, a: Jacobian, x2: Fe, y2: Fe): boolean {
  feSqr(z1z1, a.z);
  feMul(u2, x2, z1z1);
  feMul(s2, feMul(s2, y2, a.z), z1z1);
  feSub(hd, u2, a.x);
  feSub(rd, s2, a.y);
  if (feIsZeroVartime(hd)) {
    if (!feIsZeroVartime(rd)) return false; // a = -(x2, y2)
    jDouble(o, a); // a = (x2, y2)
    return true;
  }
  feCopy(u1, a.x);
  feCopy(s1, a.y);
  feMul(o.z, a.z, hd);
  addTail(o);
  return true;
}

/** Variable-time o = a + b for finite a and b, handling a = +-b. Returns false for infinity. */
function jAddVartime(o: Jacobian, a: Jacobian, b: Jacobian): boolean {
  feSqr(z1z1, a.z);
  feSqr(z2z2, b.z);
  feMul(u1, a.x, z2z2);
  feMul(u2, b.x, z1z1);
  feMul(s1, feMul(s1, a.y, b.z), z2z2);
  feMul(s2, feMul(s2, b.y, a.z), z1z1);
  feSub(hd, u2, u1);
  feSub(rd, s2, s1);
  if (feIsZeroVartime(hd)) {
    if (!feIsZeroVartime(rd)) return false;
    jDouble(o, a);
    return true;
  }
  feMul(o.z, feMul(t1, a.z, b.z), hd);
  addTail(o);
  return true;
}

/**
 * Affine coordinates of many finite points with one inversion (Montgomery's trick), written to `out`
 * at offset 32 i as x (16 limbs) then y (16 limbs), reduced.
 */
function batchToAffine(points: readonly Jacobian[], out: Float64Array): void {
  const n = points.length;
  const prefix = points.map(() => feNew());
  feCopy(prefix[0]!, points[0]!.z);
  for (let i = 1; i < n; i++) feMul(prefix[i]!, prefix[i - 1]!, points[i]!.z);
  const inv = feInvert(feNew(), prefix[n - 1]!);
  const zi = feNew(), zi2 = feNew(), tmp = feNew();
  for (let i = n - 1; i >= 0; i--) {
    const p = points[i]!;
    if (i > 0) {
      feMul(zi, inv, prefix[i - 1]!);
      feMul(inv, inv, p.z);
    } else {
      feCopy(zi, inv);
    }
    feSqr(zi2, zi);
    out.set(feMul(tmp, p.x, zi2), 32 * i);
    out.set(feMul(tmp, p.y, feMul(zi2, zi2, zi)), 32 * i + 16);
  }
}

/** out[i] = (2 i + 1) p, Jacobian (p finite, of order n, 2 out.length - 1 < n). */
function oddMultiplesInto(p: Jacobian, out: readonly Jacobian[]): readonly Jacobian[] {
  jCopy(out[0]!, p);
  jDouble(twice, p);
  for (let i = 1; i < out.length; i++) jAdd(out[i]!, out[i - 1]!, twice);
  return out;
}

const twice = jNew();

function oddMultiples(p: Jacobian, count: number): readonly Jacobian[] {
  return oddMultiplesInto(p, Array.from({ length: count }, jNew));
}

const G_JACOBIAN: Jacobian = (() => {
  const g = jNew();
  jFromAffine(g, feFromBigint(GX), feFromBigint(GY));
  return g;
})();

// --- Fixed base, constant time: [k]G for signing and key derivation ---

/**
 * The comb for G: window i (0..63) holds the odd multiples (1, 3, ..., 15) * 16^i * G, affine. With
 * every digit odd and non-zero, [k]G is 64 additions and no doublings. 512 points, 128 KiB, built
 * on first use (about 2 ms).
 */
let combTable: Float64Array | undefined;

function buildCombTable(): Float64Array {
  const points: Jacobian[] = [];
  const b = jNew();
  jCopy(b, G_JACOBIAN);
  for (let i = 0; i < 64; i++) {
    const odd = oddMultiples(b, 8);
    points.push(...odd);
    if (i < 63) jAdd(b, odd[7]!, b); // 15B + B = 16B
  }
  const table = new Float64Array(512 * 32);
  batchToAffine(points, table);
  return table;
}

const sx = feNew(), sy = feNew(), zinv = feNew(), zinv2 = feNew();
const digits = new Int32Array(64);
const acc = jNew();

/**
 * Reads table entry |d| of window w into (sx, sy), negated when d < 0, touching every entry of the
 * window the same way whatever d is.
 */
function selectComb(table: Float64Array, window: number, d: number): void {
  const neg = d >> 31; // -1 or 0
  const index = (((d ^ neg) - neg) - 1) >> 1; // (|d| - 1) / 2, in 0..7
  sx.fill(0);
  sy.fill(0);
  for (let e = 0; e < 8; e++) {
    const hit = ((e ^ index) - 1) >>> 31; // 1 when e = index, else 0
    const base = (window * 8 + e) * 32;
    for (let l = 0; l < 16; l++) {
      sx[l] = sx[l]! + table[base + l]! * hit;
      sy[l] = sy[l]! + table[base + 16 + l]! * hit;
    }
  }
  feScale(sy, sy, 1 + 2 * neg);
}

/**
 * [k]G, affine, for k in [1, n-1]. The sequence of field operations and memory accesses does not depend
 * on k, except for exactly two values (k = 30 * 2^252 - n and n minus that, where the last addition
 * meets its own operand: see the note in the function), which fall back to the BigInt reference.
 */
export function mulBase(k: bigint): AffineFe {
  if (k <= 0n || k >= N) throw new RangeError('scalar out of range [1, n-1]');
  const table = (combTable ??= buildCombTable());
  // [n-k]G = -[k]G: multiply by whichever of k and n-k is odd, then negate y back when it was n-k.
  const flip = Number(~k & 1n);
  const odd = [k, N - k][flip]!;
  // Hex digits, least significant first, without branches: '0'-'9' & 15 = 0-9, 'a'-'f' & 15 + 9 = 10-15.
  const hex = odd.toString(16).padStart(64, '0');
  for (let i = 0; i < 64; i++) {
    const c = hex.charCodeAt(63 - i);
    digits[i] = (c & 15) + 9 * (c >> 6);
  }
  // Recode to odd digits in [-15, 15]: when the next digit is even, borrow 16 from this one (which is odd,
  // so it stays odd) and add one to the next (which becomes odd). The top digit ends in [1, 15].
  for (let i = 0; i < 63; i++) {
    const even = 1 - (digits[i + 1]! & 1);
    digits[i + 1] = digits[i + 1]! + even;
    digits[i] = digits[i]! - 16 * even;
  }
  // The partial sum after window i is odd and below 16^i in size, the next term at least 16^i: they can
  // only collide (H = 0 in the addition) by wrapping modulo n in the last window, for k' = 30 * 16^63 - n,
  // which leaves Z = 0.
  selectComb(table, 0, digits[0]!);
  jFromAffine(acc, sx, sy);
  for (let i = 1; i < 64; i++) {
    selectComb(table, i, digits[i]!);
    jAddAffine(acc, acc, sx, sy);
  }
  if (feIsZero(acc.z)) return referenceBase(k);
  feInvert(zinv, acc.z);
  feSqr(zinv2, zinv);
  const x = feMul(feNew(), acc.x, zinv2);
  const y = feMul(feNew(), acc.y, feMul(zinv2, zinv2, zinv));
  feScale(y, y, 1 - 2 * flip);
  return { x, y };
}

function referenceBase(k: bigint): AffineFe {
  const pt = referenceMultiply(k, { x: GX, y: GY });
  if (pt === null) throw new RangeError('scalar out of range [1, n-1]');
  return { x: feFromBigint(pt.x), y: feFromBigint(pt.y) };
}

// --- Verification, variable time: [s]G + [t]Q ---

const G_WINDOW = 8; // odd multiples of G up to 127 G: 64 affine points, 16 KiB
const Q_WINDOW = 5; // a public key seen once: 8 Jacobian odd multiples, built per call
const Q_WINDOW_CACHED = 7; // a public key seen again: 32 affine odd multiples, kept with the key

let gOddTable: Float64Array | undefined;

function buildGOddTable(): Float64Array {
  const count = 1 << (G_WINDOW - 2);
  const table = new Float64Array(count * 32);
  batchToAffine(oddMultiples(G_JACOBIAN, count), table);
  return table;
}

/** A public key made ready for repeated verification: limbs, and an affine table once seen twice. */
export class PreparedPoint {
  readonly x: Fe;
  readonly y: Fe;
  private uses = 0;
  private table: Float64Array | undefined;

  constructor(x: bigint, y: bigint) {
    this.x = feFromBigint(x);
    this.y = feFromBigint(y);
  }

  /** The affine table of odd multiples, built on the second use (it costs about two verifications' worth of additions less than it saves over a few uses). */
  affineTable(): Float64Array | undefined {
    if (this.table === undefined && ++this.uses >= 2) {
      const p = jNew();
      jFromAffine(p, this.x, this.y);
      const count = 1 << (Q_WINDOW_CACHED - 2);
      this.table = new Float64Array(count * 32);
      batchToAffine(oddMultiples(p, count), this.table);
    }
    return this.table;
  }
}

/** Width-w NAF of a non-negative k < 2^256: naf[i] is 0 or odd with |naf[i]| < 2^(w-1). Returns the length. */
function wnaf(k: bigint, w: number, naf: Int32Array): number {
  naf.fill(0);
  const hex = k.toString(16).padStart(64, '0');
  for (let i = 0; i < 8; i++) words[i] = parseInt(hex.slice(56 - 8 * i, 64 - 8 * i), 16);
  words[8] = 0;
  let carry = 0;
  let last = -1;
  for (let bit = 0; bit < 257; ) {
    if (getBits(bit, 1) === carry) {
      bit++;
      continue;
    }
    const now = Math.min(w, 257 - bit);
    let word = getBits(bit, now) + carry;
    carry = (word >> (w - 1)) & 1;
    word -= carry << w;
    naf[bit] = word;
    last = bit;
    bit += now;
  }
  return last + 1;
}

const words = new Uint32Array(9);

function getBits(bit: number, count: number): number {
  const i = bit >>> 5, shift = bit & 31;
  const lo = words[i]! >>> shift;
  const v = shift + count > 32 ? lo | (words[i + 1]! << (32 - shift)) : lo;
  return v & ((1 << count) - 1);
}

const nafS = new Int32Array(258), nafT = new Int32Array(258);
const qJac = Array.from({ length: 1 << (Q_WINDOW - 2) }, jNew);
const ny = feNew(), zero = feNew();
const r = jNew();
const negJ: Jacobian = { x: feNew(), y: ny, z: feNew() };

/**
 * [s]G + [t]Q in Jacobian coordinates, or null for the point at infinity; s, t in [0, n). Variable time
 * (all inputs are public): interleaved wNAF with shared doublings.
 */
export function mulDoubleVartime(s: bigint, t: bigint, q: PreparedPoint): Jacobian | null {
  const gTable = (gOddTable ??= buildGOddTable());
  const qTable = q.affineTable();
  const qw = qTable === undefined ? Q_WINDOW : Q_WINDOW_CACHED;
  if (qTable === undefined) {
    jFromAffine(r, q.x, q.y);
    oddMultiplesInto(r, qJac);
  }
  const lenS = wnaf(s, G_WINDOW, nafS);
  const lenT = wnaf(t, qw, nafT);
  let inf = true;
  for (let i = Math.max(lenS, lenT) - 1; i >= 0; i--) {
    if (!inf) jDouble(r, r);
    const ds = nafS[i]!;
    if (ds !== 0) inf = addFromAffineTable(r, inf, gTable, ds);
    const dt = nafT[i]!;
    if (dt !== 0) {
      if (qTable !== undefined) {
        inf = addFromAffineTable(r, inf, qTable, dt);
      } else {
        const e = qJac[(Math.abs(dt) - 1) >> 1]!;
        let b = e;
        if (dt < 0) {
          negJ.x.set(e.x);
          negJ.z.set(e.z);
          feSub(ny, zero, e.y);
          b = negJ;
        }
        if (inf) {
          jCopy(r, b);
          inf = false;
        } else {
          inf = !jAddVartime(r, r, b);
        }
      }
    }
  }
  return inf ? null : { x: feCopy(feNew(), r.x), y: feCopy(feNew(), r.y), z: feCopy(feNew(), r.z) };
}

const ex = feNew(), ey = feNew();

/** r += entry d of an affine odd-multiples table (variable time). Returns whether r is now infinity. */
function addFromAffineTable(r: Jacobian, inf: boolean, table: Float64Array, d: number): boolean {
  const base = ((Math.abs(d) - 1) >> 1) * 32;
  const sign = d < 0 ? -1 : 1;
  for (let l = 0; l < 16; l++) {
    ex[l] = table[base + l]!;
    ey[l] = sign * table[base + 16 + l]!;
  }
  if (inf) {
    jFromAffine(r, ex, ey);
    return false;
  }
  return !jAddAffineVartime(r, r, ex, ey);
}

/** Whether the affine x of the finite Jacobian point p is x (an integer in [0, p)): X = x Z^2, no inversion. */
export function jacobianXEquals(p: Jacobian, x: bigint): boolean {
  feMul(t1, feFromBigint(x, t2), feSqr(t1, p.z));
  return feIsZeroVartime(feSub(t1, t1, p.x));
}

/** Affine coordinates as integers in [0, p), or null for infinity. */
export function toAffineBigint(p: Jacobian): { x: bigint; y: bigint } | null {
  if (feIsZero(p.z)) return null;
  feInvert(zinv, p.z);
  feSqr(zinv2, zinv);
  const x = feToBigint(feMul(t1, p.x, zinv2));
  const y = feToBigint(feMul(t1, p.y, feMul(zinv2, zinv2, zinv)));
  return { x, y };
}
