/**
 * Fast SM2 scalar multiplication over the WebAssembly field and point arithmetic of sm2-wasm.ts:
 * - [k]G for signing and key derivation: a comb of 64 windows of 4 bits with odd digits, 64 additions
 *   of table points chosen in constant time, no doublings, and a constant-time inversion at the end;
 * - [s]G + [t]Q for verification (variable time, public inputs): interleaved wNAF, with precomputed
 *   tables for G and, for a public key seen more than once, for the key: both scalars are then split
 *   in four 64-bit parts over 2^(64 i)-multiples of the points, for 65 doublings instead of 257.
 * Where WebAssembly is unavailable (a strict content security policy), everything falls back to the
 * BigInt reference of sm2-curve.ts: correct, but tens of times slower.
 *
 * Memory is the module's own (sm2-wasm.ts LAYOUT); tables are built there on first use.
 */
import { GX, GY, N, P, multiply as referenceMultiply, multiplyTwo as referenceMultiplyTwo } from './sm2-curve.js';
import { LAYOUT, loadSm2Wasm, type Sm2Wasm } from './sm2-wasm.js';

let loaded = false;
let instance: Sm2Wasm | undefined;
let mem32 = new Uint32Array(0);
let mem8 = new Uint8Array(0);

/** The WebAssembly module, built on first use (about 10 ms, spared to programs that never sign). */
function engine(): Sm2Wasm | undefined {
  if (!loaded) {
    loaded = true;
    instance = loadSm2Wasm();
    if (instance !== undefined) {
      mem32 = new Uint32Array(instance.memory.buffer);
      mem8 = new Uint8Array(instance.memory.buffer);
    }
  }
  return instance;
}

/** Whether the WebAssembly arithmetic is in use (false: the BigInt reference). */
export function usesWebAssembly(): boolean {
  return engine() !== undefined;
}

const FE = (i: number): number => LAYOUT.FE + 32 * i;
const JAC = 96;
const AFF = 64;

function writeFe(ptr: number, x: bigint): void {
  const hex = x.toString(16).padStart(64, '0');
  for (let i = 0; i < 8; i++) mem32[(ptr >>> 2) + i] = parseInt(hex.slice(56 - 8 * i, 64 - 8 * i), 16);
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** The canonical value (in [0, p)) of the element at ptr. */
function readFe(w: Sm2Wasm, ptr: number): bigint {
  const at = FE(15);
  w.fe_canonical(at, ptr);
  // The 8 little-endian words are the 32 little-endian bytes of the value.
  let hex = '0x';
  for (let i = 31; i >= 0; i--) hex += HEX[mem8[at + i]!]!;
  return BigInt(hex);
}

function writeAffineAsJacobian(ptr: number, x: bigint, y: bigint): void {
  writeFe(ptr, x);
  writeFe(ptr + 32, y);
  writeFe(ptr + 64, 1n);
}

/** out[i] = (2 i + 1) p for i < count, Jacobian (p finite, of order n; 2 count - 1 < n). */
function oddMultiples(w: Sm2Wasm, p: number, out: number, count: number): void {
  w.fe_copy(out, p);
  w.fe_copy(out + 32, p + 32);
  w.fe_copy(out + 64, p + 64);
  w.jdbl(LAYOUT.TMP, p);
  for (let i = 1; i < count; i++) w.jadd(out + JAC * i, out + JAC * (i - 1), LAYOUT.TMP);
}

/**
 * The count Jacobian points at `from` as affine (x, y) at `to`, canonical, with one inversion
 * (Montgomery's trick: prefix products of the Z's, invert the last, walk back).
 */
function batchToAffine(w: Sm2Wasm, from: number, count: number, to: number): void {
  const prefix = LAYOUT.BUILD + 512 * JAC;
  const z = (i: number): number => from + JAC * i + 64;
  w.fe_copy(prefix, z(0));
  for (let i = 1; i < count; i++) w.fe_mul(prefix + 32 * i, prefix + 32 * (i - 1), z(i));
  const inv = FE(0), zi = FE(1), zi2 = FE(2);
  w.fe_inv(inv, prefix + 32 * (count - 1));
  for (let i = count - 1; i >= 0; i--) {
    if (i > 0) {
      w.fe_mul(zi, inv, prefix + 32 * (i - 1));
      w.fe_mul(inv, inv, z(i));
    } else {
      w.fe_copy(zi, inv);
    }
    w.fe_sqr(zi2, zi);
    w.fe_mul(to + AFF * i, from + JAC * i, zi2);
    w.fe_canonical(to + AFF * i, to + AFF * i);
    w.fe_mul(zi2, zi2, zi);
    w.fe_mul(to + AFF * i + 32, from + JAC * i + 32, zi2);
    w.fe_canonical(to + AFF * i + 32, to + AFF * i + 32);
  }
}

/** p = 2^n p in place (Jacobian). */
function doubleTimes(w: Sm2Wasm, p: number, n: number): void {
  for (let i = 0; i < n; i++) w.jdbl(p, p);
}

// --- [k]G, constant time ---

let combReady = false;

/** Window i (0..63) of the comb holds (1, 3, ..., 15) * 16^i * G, affine: 512 points, 32 KiB. */
function buildComb(w: Sm2Wasm): void {
  const b = LAYOUT.ACC;
  writeAffineAsJacobian(b, GX, GY);
  for (let i = 0; i < 64; i++) {
    const window = LAYOUT.BUILD + i * 8 * JAC;
    oddMultiples(w, b, window, 8);
    if (i < 63) w.jadd(b, window + 7 * JAC, b); // 15 B + B = 16 B
  }
  batchToAffine(w, LAYOUT.BUILD, 512, LAYOUT.COMB);
  combReady = true;
}

const digits = new Int32Array(64);

/**
 * [k]G, affine, for k in [1, n-1]. The field operations and memory accesses are the same for every k
 * (hex digits, recoding, table reads, additions, inversion), except for exactly two values of k whose last
 * addition meets its own operand (k = 30 * 2^252 - n and n minus that; see comb()), which fall back to the
 * BigInt reference.
 */
export function mulBase(k: bigint): { x: bigint; y: bigint } {
  const w = engine();
  const flip = w === undefined ? -1 : comb(w, k);
  if (w === undefined || flip < 0) return referenceBase(k);
  const zi = FE(0), zi2 = FE(1);
  w.fe_inv(zi, LAYOUT.ACC + 64);
  w.fe_sqr(zi2, zi);
  w.fe_mul(FE(2), LAYOUT.ACC, zi2);
  w.fe_mul(zi2, zi2, zi);
  w.fe_mul(FE(3), LAYOUT.ACC + 32, zi2);
  // y or p - y, chosen without a branch on flip.
  w.fe_sub(FE(4), LAYOUT.ZERO, FE(3));
  const ys = [readFe(w, FE(3)), readFe(w, FE(4))];
  return { x: readFe(w, FE(2)), y: ys[flip]! };
}

/** The x-coordinate of [k]G, all a signature needs (x is the same for k and n - k); as mulBase. */
export function mulBaseX(k: bigint): bigint {
  const w = engine();
  const flip = w === undefined ? -1 : comb(w, k);
  if (w === undefined || flip < 0) return referenceBase(k).x;
  w.fe_inv(FE(0), LAYOUT.ACC + 64);
  w.fe_sqr(FE(1), FE(0));
  w.fe_mul(FE(2), LAYOUT.ACC, FE(1));
  return readFe(w, FE(2));
}

/**
 * [k']G into ACC (Jacobian), where k' is whichever of k and n - k is odd ([n-k]G = -[k]G). Returns 1
 * when k' = n - k, 0 when k' = k, and -1 in the two cases where Z came out 0.
 */
function comb(w: Sm2Wasm, k: bigint): number {
  if (k <= 0n || k >= N) throw new RangeError('scalar out of range [1, n-1]');
  if (!combReady) buildComb(w);
  const flip = Number(~k & 1n);
  const odd = [k, N - k][flip]!;
  // Hex digits, least significant first, without branches: '0'-'9' & 15 = 0-9, 'a'-'f' & 15 + 9 = 10-15.
  const hex = odd.toString(16).padStart(64, '0');
  for (let i = 0; i < 64; i++) {
    const c = hex.charCodeAt(63 - i);
    digits[i] = (c & 15) + 9 * (c >> 6);
  }
  // Recode to odd digits in [-15, 15]: when the next digit is even, borrow 16 from this one (odd, so it
  // stays odd) and add one to the next (which becomes odd). The top digit ends in [1, 15].
  for (let i = 0; i < 63; i++) {
    const even = 1 - (digits[i + 1]! & 1);
    digits[i + 1] = digits[i + 1]! + even;
    digits[i] = digits[i]! - 16 * even;
  }
  // The partial sum after window i is odd and below 16^i in size, the next term at least 16^i: they only
  // meet (H = 0 in the addition, leaving Z = 0) by wrapping modulo n in the last window, for
  // k' = 30 * 16^63 - n.
  const acc = LAYOUT.ACC, sel = LAYOUT.SEL;
  w.comb_select(sel, LAYOUT.COMB, 0, digits[0]!);
  w.fe_copy(acc, sel);
  w.fe_copy(acc + 32, sel + 32);
  w.fe_copy(acc + 64, LAYOUT.ONE);
  for (let i = 1; i < 64; i++) {
    w.comb_select(sel, LAYOUT.COMB, i, digits[i]!);
    w.jadd_affine(acc, acc, sel);
  }
  return w.fe_is_zero(acc + 64) === 1 ? -1 : flip;
}

function referenceBase(k: bigint): { x: bigint; y: bigint } {
  if (k <= 0n || k >= N) throw new RangeError('scalar out of range [1, n-1]');
  const pt = referenceMultiply(k, { x: GX, y: GY });
  if (pt === null) throw new RangeError('scalar out of range [1, n-1]');
  return pt;
}

// --- [s]G + [t]Q, variable time ---

let gTablesReady = false;
const G_WINDOW = 8; // 64 odd multiples of each 2^(64 i) G
const Q_WINDOW = 5; // a key seen once: 8 Jacobian odd multiples, built per call
const Q_WINDOW_CACHED = 7; // a key seen again: 32 affine odd multiples of each 2^(64 i) Q, kept in a slot

/** Odd multiples (1..127) of 2^(64 i) G, i = 0..3, affine: 256 points, 16 KiB. */
function buildGTables(w: Sm2Wasm): void {
  const g = LAYOUT.ACC;
  writeAffineAsJacobian(g, GX, GY);
  for (let i = 0; i < 4; i++) {
    if (i > 0) doubleTimes(w, g, 64);
    oddMultiples(w, g, LAYOUT.BUILD + i * 64 * JAC, 64);
  }
  batchToAffine(w, LAYOUT.BUILD, 256, LAYOUT.G_TABLES);
  gTablesReady = true;
}

/** How many public keys can hold split tables at once. */
export const KEY_TABLE_SLOTS = LAYOUT.KEY_SLOT_COUNT;

/** Per-key table slots: which prepared point owns each, and when it was last used. */
const slotOwner: Array<PreparedPoint | undefined> = new Array(LAYOUT.KEY_SLOT_COUNT).fill(undefined);
const slotUsed = new Float64Array(LAYOUT.KEY_SLOT_COUNT);
let useClock = 0;

/**
 * A public key made ready for repeated verification. From its second use it gets a slot of precomputed
 * tables (odd multiples of 2^(64 i) Q, 8 KiB, about one new-key verification's worth of work to build);
 * the slots go to the most recently used keys. sm2.ts keeps as many keys as there are slots, so a key
 * must come back while still cached to earn one, and a round of many keys does not thrash the slots.
 */
export class PreparedPoint {
  private uses = 0;
  private slot = -1;

  constructor(
    readonly x: bigint,
    readonly y: bigint,
  ) {}

  /** The address of this key's tables, building them on the second use; undefined for the first. */
  tables(w: Sm2Wasm): number | undefined {
    this.uses++;
    if (this.slot >= 0 && slotOwner[this.slot] === this) {
      slotUsed[this.slot] = ++useClock;
      return LAYOUT.KEY_SLOTS + this.slot * LAYOUT.KEY_SLOT_BYTES;
    }
    if (this.uses < 2) return undefined;
    let slot = slotOwner.indexOf(undefined);
    if (slot < 0) slot = slotUsed.indexOf(Math.min(...slotUsed));
    slotOwner[slot] = this;
    slotUsed[slot] = ++useClock;
    this.slot = slot;
    const base = LAYOUT.KEY_SLOTS + slot * LAYOUT.KEY_SLOT_BYTES;
    const q = LAYOUT.ACC;
    writeAffineAsJacobian(q, this.x, this.y);
    const count = 1 << (Q_WINDOW_CACHED - 2);
    for (let i = 0; i < 4; i++) {
      if (i > 0) doubleTimes(w, q, 64);
      oddMultiples(w, q, LAYOUT.BUILD + i * count * JAC, count);
    }
    batchToAffine(w, LAYOUT.BUILD, 4 * count, base);
    return base;
  }
}

const scalarWords = new Uint32Array(10);

/** The 8 words of k < 2^256 (least significant first) into scalarWords, plus a zero word. */
function loadWords(k: bigint): void {
  const hex = k.toString(16).padStart(64, '0');
  for (let i = 0; i < 8; i++) scalarWords[i] = parseInt(hex.slice(56 - 8 * i, 64 - 8 * i), 16);
}

function bits(words: Uint32Array, bit: number, count: number): number {
  const i = bit >>> 5, shift = bit & 31;
  const lo = words[i]! >>> shift;
  const v = shift + count > 32 ? lo | (words[i + 1]! << (32 - shift)) : lo;
  return v & ((1 << count) - 1);
}

/**
 * Width-w NAF of bits [from, from + length) of scalarWords into naf (which it clears up to length + 1):
 * digits 0 or odd with |digit| < 2^(w-1), at positions 0..length + 1. Returns the last position used + 1.
 */
function wnaf(from: number, length: number, w: number, naf: Int32Array): number {
  naf.fill(0, 0, length + 2);
  let carry = 0;
  let last = -1;
  for (let bit = 0; bit <= length + 1; ) {
    const b = bit < length ? bits(scalarWords, from + bit, 1) : 0;
    if (b === carry) {
      bit++;
      continue;
    }
    // Read the bits left in this part (zeros beyond it), but step by w: the carry belongs at bit + w.
    const now = Math.min(w, length - bit);
    let word = (now > 0 ? bits(scalarWords, from + bit, now) : 0) + carry;
    carry = (word >> (w - 1)) & 1;
    word -= carry << w;
    naf[bit] = word;
    last = bit;
    bit += w;
  }
  return last + 1;
}

const nafS = Array.from({ length: 4 }, () => new Int32Array(258));
const nafT = Array.from({ length: 4 }, () => new Int32Array(258));

/** Accumulator state of the interleaved loops. */
let accInfinity = true;

/** ACC += the affine table entry for digit d (variable time). */
function addAffineDigit(w: Sm2Wasm, table: number, d: number): void {
  let q = table + ((Math.abs(d) - 1) >> 1) * AFF;
  if (d < 0) {
    w.fe_copy(LAYOUT.SEL, q);
    w.fe_sub(LAYOUT.SEL + 32, LAYOUT.ZERO, q + 32);
    q = LAYOUT.SEL;
  }
  if (accInfinity) {
    w.fe_copy(LAYOUT.ACC, q);
    w.fe_copy(LAYOUT.ACC + 32, q + 32);
    w.fe_copy(LAYOUT.ACC + 64, LAYOUT.ONE);
    accInfinity = false;
  } else {
    accInfinity = w.jadd_affine_vt(LAYOUT.ACC, LAYOUT.ACC, q) === 1;
  }
}

/** ACC += the Jacobian table entry for digit d (variable time). */
function addJacobianDigit(w: Sm2Wasm, table: number, d: number): void {
  let q = table + ((Math.abs(d) - 1) >> 1) * JAC;
  if (d < 0) {
    w.fe_copy(LAYOUT.TMP, q);
    w.fe_sub(LAYOUT.TMP + 32, LAYOUT.ZERO, q + 32);
    w.fe_copy(LAYOUT.TMP + 64, q + 64);
    q = LAYOUT.TMP;
  }
  if (accInfinity) {
    w.fe_copy(LAYOUT.ACC, q);
    w.fe_copy(LAYOUT.ACC + 32, q + 32);
    w.fe_copy(LAYOUT.ACC + 64, q + 64);
    accInfinity = false;
  } else {
    accInfinity = w.jadd_vt(LAYOUT.ACC, LAYOUT.ACC, q) === 1;
  }
}

/** Leaves [s]G + [t]Q in ACC (Jacobian) and returns false for the point at infinity; s, t in [0, n). */
function sumInAcc(w: Sm2Wasm, s: bigint, t: bigint, q: PreparedPoint): boolean {
  if (!gTablesReady) buildGTables(w);
  const slot = q.tables(w);
  accInfinity = true;
  if (slot !== undefined) {
    // Four 64-bit parts of each scalar over 2^(64 i) G and 2^(64 i) Q: 65 shared doublings.
    let top = 0;
    loadWords(s);
    for (let i = 0; i < 4; i++) top = Math.max(top, wnaf(64 * i, 64, G_WINDOW, nafS[i]!));
    loadWords(t);
    for (let i = 0; i < 4; i++) top = Math.max(top, wnaf(64 * i, 64, Q_WINDOW_CACHED, nafT[i]!));
    const qCount = 1 << (Q_WINDOW_CACHED - 2);
    for (let bit = top - 1; bit >= 0; bit--) {
      if (!accInfinity) w.jdbl(LAYOUT.ACC, LAYOUT.ACC);
      for (let i = 0; i < 4; i++) {
        const ds = nafS[i]![bit]!;
        if (ds !== 0) addAffineDigit(w, LAYOUT.G_TABLES + i * 64 * AFF, ds);
        const dt = nafT[i]![bit]!;
        if (dt !== 0) addAffineDigit(w, slot + i * qCount * AFF, dt);
      }
    }
  } else {
    writeAffineAsJacobian(LAYOUT.ACC, q.x, q.y);
    oddMultiples(w, LAYOUT.ACC, LAYOUT.Q_JAC, 1 << (Q_WINDOW - 2));
    loadWords(s);
    const lenS = wnaf(0, 256, G_WINDOW, nafS[0]!);
    loadWords(t);
    const lenT = wnaf(0, 256, Q_WINDOW, nafT[0]!);
    for (let bit = Math.max(lenS, lenT) - 1; bit >= 0; bit--) {
      if (!accInfinity) w.jdbl(LAYOUT.ACC, LAYOUT.ACC);
      const ds = nafS[0]![bit]!;
      if (ds !== 0) addAffineDigit(w, LAYOUT.G_TABLES, ds);
      const dt = nafT[0]![bit]!;
      if (dt !== 0) addJacobianDigit(w, LAYOUT.Q_JAC, dt);
    }
  }
  return !accInfinity;
}

/** Whether the affine x of ACC is x (an integer in [0, p)): X = x Z^2, no inversion. */
function accXIs(w: Sm2Wasm, x: bigint): boolean {
  writeFe(FE(0), x);
  w.fe_sqr(FE(1), LAYOUT.ACC + 64);
  w.fe_mul(FE(1), FE(1), FE(0));
  w.fe_sub(FE(1), FE(1), LAYOUT.ACC);
  return w.fe_is_zero(FE(1)) === 1;
}

/**
 * The SM2 verification test on x1 = x([s]G + [t]Q): whether x1 = v (mod n), for v in [0, n). Since
 * x1 < p < 2n, that is x1 = v or x1 = v + n. False when the sum is the point at infinity.
 */
export function sumXMatches(s: bigint, t: bigint, q: PreparedPoint, v: bigint): boolean {
  const w = engine();
  if (w === undefined) {
    const pt = referenceMultiplyTwo(s, t, q);
    return pt !== null && (pt.x === v || pt.x === v + N);
  }
  if (!sumInAcc(w, s, t, q)) return false;
  return accXIs(w, v) || (v + N < P && accXIs(w, v + N));
}

/** [s]G + [t]Q, affine, or null for infinity (s, t in [0, n)). For tests and tools; verification uses sumXMatches. */
export function mulDouble(s: bigint, t: bigint, q: PreparedPoint): { x: bigint; y: bigint } | null {
  const w = engine();
  if (w === undefined) return referenceMultiplyTwo(s, t, q);
  if (!sumInAcc(w, s, t, q)) return null;
  w.fe_inv(FE(0), LAYOUT.ACC + 64);
  w.fe_sqr(FE(1), FE(0));
  w.fe_mul(FE(2), LAYOUT.ACC, FE(1));
  w.fe_mul(FE(1), FE(1), FE(0));
  w.fe_mul(FE(3), LAYOUT.ACC + 32, FE(1));
  return { x: readFe(w, FE(2)), y: readFe(w, FE(3)) };
}

/**
 * The field operations on integers in [0, 2^256), results canonical: for the tests, which compare them
 * with BigInt arithmetic. Throws where the WebAssembly arithmetic is not in use.
 */
export const fieldForTests = {
  mul: (a: bigint, b: bigint): bigint => binary((w) => w.fe_mul(FE(8), FE(6), FE(7)), a, b),
  sqr: (a: bigint): bigint => binary((w) => w.fe_sqr(FE(8), FE(6)), a, 0n),
  add: (a: bigint, b: bigint): bigint => binary((w) => w.fe_add(FE(8), FE(6), FE(7)), a, b),
  sub: (a: bigint, b: bigint): bigint => binary((w) => w.fe_sub(FE(8), FE(6), FE(7)), a, b),
  mulSmall: (a: bigint, k: number): bigint => binary((w) => w.fe_mul_small(FE(8), FE(6), k), a, 0n),
  inv: (a: bigint): bigint => binary((w) => w.fe_inv(FE(8), FE(6)), a, 0n),
  isZero: (a: bigint): boolean => {
    const w = need();
    writeFe(FE(6), a);
    return w.fe_is_zero(FE(6)) === 1;
  },
};

function need(): Sm2Wasm {
  const w = engine();
  if (w === undefined) throw new Error('the WebAssembly SM2 arithmetic is not available here');
  return w;
}

function binary(op: (w: Sm2Wasm) => void, a: bigint, b: bigint): bigint {
  const w = need();
  writeFe(FE(6), a);
  writeFe(FE(7), b);
  op(w);
  return readFe(w, FE(8));
}
