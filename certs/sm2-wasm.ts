/**
 * SM2 field and point arithmetic as a WebAssembly module, written with the assembler of sm2-asm.ts and
 * built on first use (12 KB of code, about 10 ms to emit and compile). sm2-ec.ts drives it. It compiles
 * synchronously: fine in Node and in Electron's main process; a browser page's main thread may refuse
 * that for a module this size, and sm2-ec.ts then falls back to the BigInt reference.
 *
 * Why WebAssembly: a 256 x 256-bit product needs 64-bit integer multiplies. JavaScript has none (BigInt
 * allocates; doubles hold 53 bits, so 16-bit limbs and 256 products), and the same field multiplication
 * runs about three times faster here (i64.mul on 32-bit words) than on the best double-based limbs.
 *
 * FIELD. An element is 8 little-endian 32-bit words at a byte offset in memory, holding any value in
 * [0, 2^256) (so p..2^256-1 stand for 0..2^256-1-p); fe_canonical gives the representative in [0, p).
 * Products are reduced with the special form of p = 2^256 - 2^224 - 2^96 + 2^64 - 1:
 * 2^256 = 2^224 + 2^96 - 2^64 + 1 (mod p), folded word by word from the top, then three signed carry
 * passes (the third never folds: see foldRounds).
 *
 * POINTS. Jacobian (X, Y, Z) at o, o + 32, o + 64; affine (x, y) at q, q + 32. a = -3 doubling,
 * Jacobian + affine and Jacobian + Jacobian addition. The plain additions do not handle infinity or equal
 * inputs (the callers exclude or detect those); the _vt ones do, in variable time.
 *
 * Every function here runs the same instructions and touches the same addresses whatever the values
 * (wasm integer arithmetic is constant-time on the targets V8 supports), except the _vt functions and
 * fe_is_zero's result itself.
 */
import { type Func, I32, I64, ModuleBuilder } from './sm2-asm.js';

const P = 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn;

/** 32-bit words of a value, least significant first. */
function words(x: bigint, count = 8): number[] {
  return Array.from({ length: count }, (_, i) => Number((x >> BigInt(32 * i)) & 0xffffffffn));
}

/** Where things live in the module's memory (byte offsets; 10 pages = 640 KiB, fixed). */
export const LAYOUT = {
  ZERO: 0x0000, // constant 0
  ONE: 0x0020, // constant 1
  SCRATCH: 0x0100, // 20 field elements for the point formulas (module-internal)
  INV: 0x0400, // 8 field elements for fe_inv (module-internal)
  FE: 0x0600, // 16 field elements for the JavaScript side
  ACC: 0x0800, // a Jacobian accumulator
  SEL: 0x0880, // a selected affine point
  TMP: 0x0900, // a Jacobian temporary
  Q_JAC: 0x1000, // 8 Jacobian odd multiples of a public key seen once (768 bytes)
  G_TABLES: 0x2000, // 4 x 64 affine odd multiples of 2^(64 i) G (16 KiB)
  COMB: 0x6000, // 64 windows x 8 affine odd multiples of 16^i G (32 KiB)
  BUILD: 0xe000, // table building: up to 512 Jacobian points, then 512 prefix products (64 KiB)
  KEY_SLOTS: 0x1e000, // per-key tables: 64 slots x 128 affine points (512 KiB)
  KEY_SLOT_BYTES: 0x2000,
  KEY_SLOT_COUNT: 64,
  PAGES: 10, // 0x1e000 + 64 * 0x2000 = 0x9e000 bytes
} as const;

/** The module's exports, typed. Pointers are byte offsets into `memory`. */
export interface Sm2Wasm {
  readonly memory: { readonly buffer: ArrayBuffer };
  fe_mul(o: number, a: number, b: number): void;
  fe_sqr(o: number, a: number): void;
  fe_add(o: number, a: number, b: number): void;
  fe_sub(o: number, a: number, b: number): void;
  fe_mul_small(o: number, a: number, k: number): void;
  fe_canonical(o: number, a: number): void;
  fe_is_zero(a: number): number;
  fe_inv(o: number, a: number): void;
  fe_copy(o: number, a: number): void;
  jdbl(o: number, a: number): void;
  jadd_affine(o: number, a: number, q: number): void;
  jadd(o: number, a: number, b: number): void;
  jadd_affine_vt(o: number, a: number, q: number): number;
  jadd_vt(o: number, a: number, b: number): number;
  comb_select(out: number, table: number, window: number, digit: number): void;
}

const M32 = 0xffffffffn;

function buildModule(): Uint8Array {
  const m = new ModuleBuilder(LAYOUT.PAGES);
  const { SCRATCH, INV, ZERO } = LAYOUT;

  const loadWords = (f: Func, ptr: number, locals: readonly number[]): void => {
    locals.forEach((l, i) => f.get(ptr).i64Load32U(4 * i).set(l));
  };
  const storeWords = (f: Func, ptr: number, locals: readonly number[]): void => {
    locals.forEach((l, i) => f.get(ptr).get(l).i64Store32(4 * i));
  };
  const locals = (f: Func, n: number): number[] => Array.from({ length: n }, () => f.local(I64));

  /** w[i] += c * sign, for the fold of c * 2^256 = c (2^224 + 2^96 - 2^64 + 1). */
  const foldInto = (f: Func, w: readonly number[], base: number, c: number): void => {
    const addTo = (i: number, sub: boolean): void => {
      f.get(w[i]!).get(c);
      if (sub) f.i64Sub();
      else f.i64Add();
      f.set(w[i]!);
    };
    addTo(base, false);
    addTo(base + 2, true);
    addTo(base + 3, false);
    addTo(base + 7, false);
  };

  /**
   * Signed carry passes over w[0..7] (values well inside i64), folding the carry out of 2^256 back in
   * between. Three passes: after the first the carry c is small; the second leaves c in {-1, 0, 1}; and
   * the value then sits within 2^232 of [0, 2^256) on the right side, so the third pass carries out 0.
   * `extraCarry` adds a constant to the first carry (the 2^256 bit of 2p in fe_sub).
   */
  const foldRounds = (f: Func, w: readonly number[], c: number, v: number, extraCarry = 0): void => {
    for (let round = 0; round < 3; round++) {
      f.i64(0).set(c);
      for (let i = 0; i < 8; i++) {
        f.get(w[i]!).get(c).i64Add().tee(v).i64(M32).i64And().set(w[i]!);
        f.get(v).i64(32).i64ShrS().set(c);
      }
      if (round === 0 && extraCarry !== 0) f.get(c).i64(extraCarry).i64Add().set(c);
      if (round < 2) foldInto(f, w, 0, c);
    }
  };

  /** Reduces the 16-word product w (each < 2^32) into [0, 2^256) and stores it at param 0. */
  const reduceStore = (f: Func, w: readonly number[]): void => {
    const c = f.local(I64), v = f.local(I64);
    for (let j = 7; j >= 0; j--) {
      // h = w[8 + j] at 2^(256 + 32 j): add it at words j, j+3, j+7 and subtract at j+2. Words j+2.. may be
      // upper words not yet folded: going from the top down, they are folded later.
      f.get(w[8 + j]!).set(c);
      foldInto(f, w, j, c);
    }
    foldRounds(f, w, c, v);
    storeWords(f, 0, w.slice(0, 8));
  };

  /** Column k of a product: adds lo/hi halves of each 64-bit partial product into l and h. */
  const column = (f: Func, pairs: ReadonlyArray<readonly [number, number, boolean]>, l: number, h: number, p: number): void => {
    pairs.forEach(([x, y, twice], n) => {
      f.get(x).get(y).i64Mul().tee(p).i64(M32).i64And();
      if (twice) f.i64(1).i64Shl();
      if (n > 0) f.get(l).i64Add();
      f.set(l);
      f.get(p).i64(32).i64ShrU();
      if (twice) f.i64(1).i64Shl();
      if (n > 0) f.get(h).i64Add();
      f.set(h);
    });
  };

  /** Product scanning: w[k] = word k of sum over columns; pairsOf(k) lists the partial products. */
  const product = (f: Func, w: readonly number[], pairsOf: (k: number) => Array<readonly [number, number, boolean]>): void => {
    const l = f.local(I64), h = f.local(I64), p = f.local(I64), carry = f.local(I64), v = f.local(I64);
    for (let k = 0; k < 15; k++) {
      column(f, pairsOf(k), l, h, p);
      if (k === 0) {
        f.get(l).tee(v);
      } else {
        f.get(l).get(carry).i64Add().tee(v);
      }
      f.i64(M32).i64And().set(w[k]!);
      f.get(v).i64(32).i64ShrU().get(h).i64Add().set(carry);
    }
    f.get(carry).set(w[15]!);
  };

  // fe_mul(o, a, b)
  const feMul = m.func('fe_mul', [I32, I32, I32]);
  {
    const f = feMul, a = locals(f, 8), b = locals(f, 8), w = locals(f, 16);
    loadWords(f, 1, a);
    loadWords(f, 2, b);
    product(f, w, (k) => {
      const out: Array<readonly [number, number, boolean]> = [];
      for (let i = Math.max(0, k - 7); i <= Math.min(7, k); i++) out.push([a[i]!, b[k - i]!, false]);
      return out;
    });
    reduceStore(f, w);
  }

  // fe_sqr(o, a): off-diagonal products once, doubled.
  const feSqr = m.func('fe_sqr', [I32, I32]);
  {
    const f = feSqr, a = locals(f, 8), w = locals(f, 16);
    loadWords(f, 1, a);
    product(f, w, (k) => {
      const out: Array<readonly [number, number, boolean]> = [];
      for (let i = Math.max(0, k - 7); i <= Math.min(7, k); i++) {
        const j = k - i;
        if (i < j) out.push([a[i]!, a[j]!, true]);
        else if (i === j) out.push([a[i]!, a[i]!, false]);
      }
      return out;
    });
    reduceStore(f, w);
  }

  // fe_add(o, a, b)
  const feAdd = m.func('fe_add', [I32, I32, I32]);
  {
    const f = feAdd, w = locals(f, 8), c = f.local(I64), v = f.local(I64);
    for (let i = 0; i < 8; i++) f.get(1).i64Load32U(4 * i).get(2).i64Load32U(4 * i).i64Add().set(w[i]!);
    foldRounds(f, w, c, v);
    storeWords(f, 0, w);
  }

  // fe_sub(o, a, b) = a - b + 2p (positive, below 2^258).
  const feSub = m.func('fe_sub', [I32, I32, I32]);
  {
    const f = feSub, w = locals(f, 8), c = f.local(I64), v = f.local(I64);
    const twoP = words(2n * P, 9);
    for (let i = 0; i < 8; i++) f.get(1).i64Load32U(4 * i).get(2).i64Load32U(4 * i).i64Sub().i64(twoP[i]!).i64Add().set(w[i]!);
    foldRounds(f, w, c, v, twoP[8]);
    storeWords(f, 0, w);
  }

  // fe_mul_small(o, a, k) for 0 <= k < 2^16.
  const feMulSmall = m.func('fe_mul_small', [I32, I32, I32]);
  {
    const f = feMulSmall, w = locals(f, 8), c = f.local(I64), v = f.local(I64), k = f.local(I64);
    f.get(2).i64ExtendI32U().set(k);
    for (let i = 0; i < 8; i++) f.get(1).i64Load32U(4 * i).get(k).i64Mul().set(w[i]!);
    foldRounds(f, w, c, v);
    storeWords(f, 0, w);
  }

  // fe_canonical(o, a): a - p when that does not borrow, else a.
  const feCanonical = m.func('fe_canonical', [I32, I32]);
  {
    const f = feCanonical, a = locals(f, 8), d = locals(f, 8), c = f.local(I64), v = f.local(I64);
    const pw = words(P);
    loadWords(f, 1, a);
    f.i64(0).set(c);
    for (let i = 0; i < 8; i++) {
      f.get(a[i]!).i64(pw[i]!).i64Sub().get(c).i64Add().tee(v).i64(M32).i64And().set(d[i]!);
      f.get(v).i64(32).i64ShrS().set(c);
    }
    // c = -1: a < p, keep a; c = 0: take a - p.
    for (let i = 0; i < 8; i++) {
      f.get(0).get(a[i]!).get(c).i64And().get(d[i]!).get(c).i64(-1).i64Xor().i64And().i64Or().i64Store32(4 * i);
    }
  }

  // fe_is_zero(a) -> 1 when a = 0 mod p.
  const feIsZero = m.func('fe_is_zero', [I32], [I32]);
  {
    const f = feIsZero, acc = f.local(I64);
    const tmp = SCRATCH + 15 * 32; // T(15): used by nothing else
    f.i32(tmp).get(0).call(feCanonical);
    f.i32(tmp).i64Load(0).set(acc);
    for (let i = 1; i < 4; i++) f.get(acc).i32(tmp).i64Load(8 * i).i64Or().set(acc);
    f.get(acc).i64Eqz();
  }

  // fe_copy(o, a)
  const feCopy = m.func('fe_copy', [I32, I32]);
  for (let i = 0; i < 4; i++) feCopy.get(0).get(1).i64Load(8 * i).i64Store(8 * i);

  // fe_sqrn(o, a, n): o = a^(2^n), n >= 1.
  const feSqrn = m.func('fe_sqrn', [I32, I32, I32], [], false);
  {
    const f = feSqrn;
    f.get(0).get(1).call(feSqr);
    f.block().loop();
    f.get(2).i32(1).i32Sub().tee(2).i32Eqz().brIf(1);
    f.get(0).get(0).call(feSqr);
    f.br(0).end().end();
  }

  // fe_inv(o, a) = a^(p-2) (0 for 0): p - 2 in bits is 31 ones, a zero, 128 ones, 32 zeros, 62 ones,
  // a zero, a one; a fixed chain of 256 squarings and 15 multiplications.
  const feInv = m.func('fe_inv', [I32, I32]);
  {
    const f = feInv;
    const [x2, x3, x6, x12, x24, x30, x32, r] = Array.from({ length: 8 }, (_, i) => INV + 32 * i) as [number, number, number, number, number, number, number, number];
    const mul = (o: number, a: number | 'a', b: number | 'a'): void => {
      f.i32(o);
      if (a === 'a') f.get(1);
      else f.i32(a);
      if (b === 'a') f.get(1);
      else f.i32(b);
      f.call(feMul);
    };
    const sqrn = (o: number, a: number | 'a', n: number): void => {
      f.i32(o);
      if (a === 'a') f.get(1);
      else f.i32(a);
      f.i32(n).call(feSqrn);
    };
    sqrn(x2, 'a', 1);
    mul(x2, x2, 'a');
    sqrn(x3, x2, 1);
    mul(x3, x3, 'a');
    sqrn(x6, x3, 3);
    mul(x6, x6, x3);
    sqrn(x12, x6, 6);
    mul(x12, x12, x6);
    sqrn(x24, x12, 12);
    mul(x24, x24, x12);
    sqrn(x30, x24, 6);
    mul(x30, x30, x6);
    sqrn(r, x30, 1);
    mul(r, r, 'a'); // 31 ones
    sqrn(x32, r, 1);
    mul(x32, x32, 'a'); // 32 ones
    sqrn(r, r, 1); // the zero
    for (let i = 0; i < 4; i++) {
      sqrn(r, r, 32);
      mul(r, r, x32); // 128 ones
    }
    sqrn(r, r, 32); // 32 zeros
    sqrn(r, r, 32);
    mul(r, r, x32); // 32 ones
    sqrn(r, r, 30);
    mul(r, r, x30); // 30 ones
    sqrn(r, r, 1); // the zero
    sqrn(r, r, 1);
    mul(r, r, 'a'); // the final one
    f.get(0).i32(r).call(feCopy);
  }

  // --- Points ---

  /** An operand: a fixed address, or a parameter plus an offset. */
  type Ref = number | { readonly param: number; readonly off: number };
  const X = (param: number): Ref => ({ param, off: 0 });
  const Y = (param: number): Ref => ({ param, off: 32 });
  const Z = (param: number): Ref => ({ param, off: 64 });
  const T = (i: number): number => SCRATCH + 32 * i;
  const ptr = (f: Func, r: Ref): void => {
    if (typeof r === 'number') f.i32(r);
    else {
      f.get(r.param);
      if (r.off !== 0) f.i32(r.off).i32Add();
    }
  };
  const op3 = (f: Func, fn: Func, o: Ref, a: Ref, b: Ref): void => {
    ptr(f, o);
    ptr(f, a);
    ptr(f, b);
    f.call(fn);
  };
  const op2 = (f: Func, fn: Func, o: Ref, a: Ref): void => {
    ptr(f, o);
    ptr(f, a);
    f.call(fn);
  };
  const small = (f: Func, o: Ref, a: Ref, k: number): void => {
    ptr(f, o);
    ptr(f, a);
    f.i32(k).call(feMulSmall);
  };

  // jdbl(o, a): dbl-2001-b for a = -3 (4M + 4S). Infinity (Z = 0) stays infinity. o may be a.
  const jdbl = m.func('jdbl', [I32, I32]);
  {
    const f = jdbl, a = 1, o = 0;
    const delta = T(0), gamma = T(1), beta = T(2), alpha = T(3), t1 = T(4), t2 = T(5);
    op2(f, feSqr, delta, Z(a));
    op2(f, feSqr, gamma, Y(a));
    op3(f, feMul, beta, X(a), gamma);
    op3(f, feSub, t1, X(a), delta);
    op3(f, feAdd, t2, X(a), delta);
    op3(f, feMul, alpha, t1, t2);
    small(f, alpha, alpha, 3); // 3 (X - Z^2)(X + Z^2)
    op3(f, feMul, Z(o), Y(a), Z(a));
    op3(f, feAdd, Z(o), Z(o), Z(o)); // Z3 = 2 Y Z
    op2(f, feSqr, t1, alpha);
    small(f, t2, beta, 8);
    op3(f, feSub, X(o), t1, t2); // X3 = alpha^2 - 8 beta
    small(f, t1, beta, 4);
    op3(f, feSub, t1, t1, X(o));
    op3(f, feMul, t1, alpha, t1);
    op2(f, feSqr, t2, gamma);
    small(f, t2, t2, 8);
    op3(f, feSub, Y(o), t1, t2); // Y3 = alpha (4 beta - X3) - 8 gamma^2
  }

  const z1z1 = T(6), z2z2 = T(7), u1 = T(8), u2 = T(9), s1 = T(10), s2 = T(11), hd = T(12), rd = T(13), hh = T(14), hhh = T(4), vv = T(5);

  /** From u1, s1, hd (= U2 - U1), rd (= S2 - S1) and Z3 already in o: X3 and Y3. */
  const addTail = (f: Func, o: Ref[]): void => {
    const [ox, oy] = o as [Ref, Ref];
    const t1 = T(0), t2 = T(1);
    op2(f, feSqr, hh, hd);
    op3(f, feMul, hhh, hd, hh);
    op3(f, feMul, vv, u1, hh);
    op2(f, feSqr, t1, rd);
    op3(f, feSub, t1, t1, hhh);
    op3(f, feSub, t1, t1, vv);
    op3(f, feSub, ox, t1, vv); // X3 = R^2 - H^3 - 2V
    op3(f, feSub, t1, vv, ox);
    op3(f, feMul, t1, rd, t1);
    op3(f, feMul, t2, s1, hhh);
    op3(f, feSub, oy, t1, t2); // Y3 = R (V - X3) - S1 H^3
  };

  /** The first half of a Jacobian + affine addition: U1 = X1, S1 = Y1, H, R (o may be a). */
  const affineHead = (f: Func, a: number, q: number): void => {
    op2(f, feSqr, z1z1, Z(a));
    op3(f, feMul, u2, X(q), z1z1);
    op3(f, feMul, s2, Y(q), Z(a));
    op3(f, feMul, s2, s2, z1z1);
    op2(f, feCopy, u1, X(a));
    op2(f, feCopy, s1, Y(a));
    op3(f, feSub, hd, u2, u1);
    op3(f, feSub, rd, s2, s1);
  };

  /** The first half of a Jacobian + Jacobian addition. */
  const jacobianHead = (f: Func, a: number, b: number): void => {
    op2(f, feSqr, z1z1, Z(a));
    op2(f, feSqr, z2z2, Z(b));
    op3(f, feMul, u1, X(a), z2z2);
    op3(f, feMul, u2, X(b), z1z1);
    op3(f, feMul, s1, Y(a), Z(b));
    op3(f, feMul, s1, s1, z2z2);
    op3(f, feMul, s2, Y(b), Z(a));
    op3(f, feMul, s2, s2, z1z1);
    op3(f, feSub, hd, u2, u1);
    op3(f, feSub, rd, s2, s1);
  };

  // jadd_affine(o, a, q): madd (8M + 3S); not for infinity or a = +-q. o may be a.
  const jaddAffine = m.func('jadd_affine', [I32, I32, I32]);
  {
    const f = jaddAffine;
    affineHead(f, 1, 2);
    op3(f, feMul, Z(0), Z(1), hd);
    addTail(f, [X(0), Y(0)]);
  }

  // jadd(o, a, b): 12M + 4S; not for infinity or a = +-b. o may be a or b.
  const jadd = m.func('jadd', [I32, I32, I32]);
  {
    const f = jadd;
    jacobianHead(f, 1, 2);
    op3(f, feMul, T(0), Z(1), Z(2));
    op3(f, feMul, Z(0), T(0), hd);
    addTail(f, [X(0), Y(0)]);
  }

  /** Variable-time tail: H = 0 means a = +-q: double (returns 0) or infinity (returns 1). */
  const equalCase = (f: Func): void => {
    f.i32(hd).call(feIsZero).if();
    f.i32(rd).call(feIsZero).if();
    f.get(0).get(1).call(jdbl).i32(0).return();
    f.end();
    f.i32(1).return();
    f.end();
  };

  // jadd_affine_vt(o, a, q) -> 1 when the sum is infinity; a finite.
  const jaddAffineVt = m.func('jadd_affine_vt', [I32, I32, I32], [I32]);
  {
    const f = jaddAffineVt;
    affineHead(f, 1, 2);
    equalCase(f);
    op3(f, feMul, Z(0), Z(1), hd);
    addTail(f, [X(0), Y(0)]);
    f.i32(0);
  }

  // jadd_vt(o, a, b) -> 1 when the sum is infinity; a and b finite.
  const jaddVt = m.func('jadd_vt', [I32, I32, I32], [I32]);
  {
    const f = jaddVt;
    jacobianHead(f, 1, 2);
    equalCase(f);
    op3(f, feMul, T(0), Z(1), Z(2));
    op3(f, feMul, Z(0), T(0), hd);
    addTail(f, [X(0), Y(0)]);
    f.i32(0);
  }

  // comb_select(out, table, window, digit): out = entry (|digit| - 1) / 2 of the window's 8 affine
  // points, negated when digit < 0, reading all 8 entries the same way (digit odd, |digit| <= 15).
  const combSelect = m.func('comb_select', [I32, I32, I32, I32]);
  {
    const f = combSelect;
    const acc = locals(f, 8), mask = f.local(I64), neg = f.local(I32), index = f.local(I32), base = f.local(I32);
    f.get(3).i32(31).i32ShrS().set(neg); // -1 or 0
    f.get(3).get(neg).i32Xor().get(neg).i32Sub().i32(1).i32Sub().i32(1).i32ShrS().set(index); // (|d| - 1) / 2
    f.get(1).get(2).i32(8 * 64).i32Mul().i32Add().set(base);
    for (let e = 0; e < 8; e++) {
      f.i64(0).get(index).i32(e).i32Eq().i64ExtendI32U().i64Sub().set(mask); // all ones when e = index
      for (let i = 0; i < 8; i++) {
        f.get(base).i64Load(64 * e + 8 * i).get(mask).i64And();
        if (e > 0) f.get(acc[i]!).i64Or();
        f.set(acc[i]!);
      }
    }
    for (let i = 0; i < 8; i++) f.get(0).get(acc[i]!).i64Store(8 * i);
    // y or p - y (as 2p - y reduced), chosen by mask.
    const negY = T(16);
    f.i32(negY).i32(ZERO).get(0).i32(32).i32Add().call(feSub);
    f.i64(0).get(neg).i32(1).i32And().i64ExtendI32U().i64Sub().set(mask);
    for (let i = 0; i < 4; i++) {
      f.get(0).get(acc[4 + i]!).get(mask).i64(-1).i64Xor().i64And().i32(negY).i64Load(8 * i).get(mask).i64And().i64Or().i64Store(32 + 8 * i);
    }
  }

  return m.encode();
}

/** The part of the WebAssembly JavaScript API used here (the project's type libraries do not declare it). */
interface WebAssemblyApi {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: object) => { readonly exports: object };
}

/** The instantiated module, or undefined where WebAssembly is unavailable or refused (a strict CSP). */
export function loadSm2Wasm(): Sm2Wasm | undefined {
  const api = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  if (api === undefined) return undefined;
  try {
    const instance = new api.Instance(new api.Module(buildModule()), {});
    const wasm = instance.exports as Sm2Wasm;
    new Uint32Array(wasm.memory.buffer, LAYOUT.ONE, 8).set([1]);
    return wasm;
  } catch {
    return undefined;
  }
}
