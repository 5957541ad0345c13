// The limb arithmetic of sm2-ec.ts against the BigInt reference of sm2-curve.ts: random values, the
// extremes of the documented limb bounds, and the scalars and points where shortcuts could go wrong.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GX, GY, N, P, mod, multiply, multiplyTwo, type AffinePoint } from '../sm2-curve.js';
import {
  type Fe,
  PreparedPoint,
  feCanonical,
  feFromBigint,
  feFromBytes,
  feInvert,
  feIsZero,
  feIsZeroVartime,
  feMul,
  feNew,
  feSqr,
  feToBigint,
  feToBytes,
  jacobianXEquals,
  mulBase,
  mulDoubleVartime,
  toAffineBigint,
} from '../sm2-ec.js';

const G: AffinePoint = { x: GX, y: GY };
const random = (bound: bigint): bigint => mod(BigInt('0x' + randomBytes(40).toString('hex')), bound);
/** The integer a loose element stands for (not reduced). */
const value = (a: Fe): bigint => a.reduce((acc, limb, i) => acc + BigInt(limb) * (1n << BigInt(16 * i)), 0n);
const limbs = (f: (i: number) => number): Fe => Float64Array.from({ length: 16 }, (_, i) => f(i));
const maxLimb = (a: Fe): number => Math.max(...a.map(Math.abs));

describe('field arithmetic mod p', () => {
  it('multiplies and squares like BigInt on random elements', () => {
    const o = feNew();
    for (let i = 0; i < 500; i++) {
      const a = random(P), b = random(P);
      expect(feToBigint(feMul(o, feFromBigint(a), feFromBigint(b)))).toBe((a * b) % P);
      expect(maxLimb(o)).toBeLessThan(65536);
      expect(feToBigint(feSqr(o, feFromBigint(a)))).toBe((a * a) % P);
    }
  });

  it('stays exact and returns reduced limbs at the extremes of the operand bound (|a| |b| <= 2^39)', () => {
    const o = feNew();
    const cases: Array<[Fe, Fe]> = [];
    for (const [ea, eb] of [[19.5, 19.5], [21, 18], [23, 16], [16, 16]] as const) {
      const A = Math.floor(2 ** ea), B = Math.floor(2 ** eb);
      cases.push([limbs(() => A), limbs(() => B)]);
      cases.push([limbs(() => -A), limbs(() => B)]);
      cases.push([limbs((i) => (i % 2 ? A : -A)), limbs((i) => (i % 3 ? -B : B))]);
      cases.push([limbs(() => Math.round((Math.random() * 2 - 1) * A)), limbs(() => Math.round((Math.random() * 2 - 1) * B))]);
    }
    for (const [a, b] of cases) {
      const want = mod(value(a) * value(b), P);
      expect(feToBigint(feMul(o, a, b))).toBe(want);
      expect(maxLimb(o)).toBeLessThan(65536);
      expect(feToBigint(feMul(o, b, a))).toBe(want);
    }
    for (const a of [limbs(() => 741455), limbs((i) => (i & 1 ? 741455 : -741455))]) {
      expect(feToBigint(feSqr(o, a))).toBe(mod(value(a) ** 2n, P));
      expect(maxLimb(o)).toBeLessThan(65536);
    }
  });

  it('lets outputs alias inputs', () => {
    const a = random(P), b = random(P);
    const fa = feFromBigint(a), fb = feFromBigint(b);
    feMul(fa, fa, fb);
    expect(feToBigint(fa)).toBe((a * b) % P);
    feSqr(fb, fb);
    expect(feToBigint(fb)).toBe((b * b) % P);
  });

  it('inverts, and maps 0 to 0', () => {
    const o = feNew();
    for (const a of [1n, 2n, P - 1n, P - 2n, random(P), random(P)]) {
      expect((feToBigint(feInvert(o, feFromBigint(a))) * a) % P).toBe(1n);
    }
    expect(feToBigint(feInvert(o, feFromBigint(0n)))).toBe(0n);
  });

  it('canonicalises loose forms, including multiples of p and values above 2^256', () => {
    const o = feNew();
    const pLimbs = feFromBigint(P);
    const twoP = limbs((i) => 2 * pLimbs[i]!);
    const negP = limbs((i) => -pLimbs[i]!);
    for (const a of [pLimbs, twoP, negP, limbs(() => 0)]) {
      expect(feToBigint(a)).toBe(0n);
      expect(feIsZero(a)).toBe(true);
      expect(feIsZeroVartime(a)).toBe(true);
    }
    for (const a of [limbs(() => 65535), limbs(() => -65535), limbs(() => 9 * 65536), limbs((i) => (i === 15 ? 1 << 20 : -3)), feFromBigint(P - 1n)]) {
      const want = mod(value(a), P);
      feCanonical(o, a);
      expect(value(o)).toBe(want);
      expect(o.every((l) => l >= 0 && l < 65536)).toBe(true);
      expect(feIsZero(a)).toBe(want === 0n);
      expect(feIsZeroVartime(a)).toBe(want === 0n);
    }
    const one = feFromBigint(1n);
    const pPlusOne = limbs((i) => pLimbs[i]! + one[i]!);
    expect(feIsZeroVartime(pPlusOne)).toBe(false);
    expect(feToBigint(pPlusOne)).toBe(1n);
  });

  it('reads and writes 32 big-endian bytes', () => {
    const x = random(P);
    const bytes = Buffer.from(x.toString(16).padStart(64, '0'), 'hex');
    const fe = feFromBytes(bytes, 0);
    expect(feToBigint(fe)).toBe(x);
    const out = new Uint8Array(34);
    feToBytes(fe, out, 1);
    expect(Buffer.from(out.subarray(1, 33)).equals(bytes)).toBe(true);
    // 2^256 - 1 is above p: read as a loose element, written back reduced.
    expect(feToBigint(feFromBytes(new Uint8Array(32).fill(0xff), 0))).toBe((1n << 256n) - 1n - P);
  });
});

const expectPoint = (got: { x: Fe; y: Fe }, want: AffinePoint): void => {
  expect(want).not.toBeNull();
  expect(feToBigint(got.x)).toBe(want!.x);
  expect(feToBigint(got.y)).toBe(want!.y);
};

describe('[k]G (constant-time comb)', () => {
  it('matches the reference on random scalars', () => {
    for (let i = 0; i < 120; i++) {
      const k = random(N - 1n) + 1n;
      expectPoint(mulBase(k), multiply(k, G));
    }
  });

  it('matches the reference at the edges', () => {
    const ks = [1n, 2n, 3n, 15n, 16n, 17n, N - 1n, N - 2n, N - 3n, N - 16n, (N - 1n) / 2n, (N + 1n) / 2n, 1n << 252n, (1n << 252n) - 1n, (1n << 255n) + 1n];
    for (let i = 1n; i < 64n; i++) ks.push(1n << (4n * i), (1n << (4n * i)) - 1n, 0x1111111111111111111111111111111111111111111111111111111111111111n >> (4n * (64n - i)));
    // Hex digit patterns that exercise the odd-digit recoding: all even, all odd, alternating.
    ks.push(0x2222222222222222222222222222222222222222222222222222222222222222n, 0xeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeen % N);
    ks.push(0x7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7fn, 0x0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0fn);
    for (const k of ks) expectPoint(mulBase(k), multiply(k, G));
  });

  it('is right for the two scalars whose last addition meets a doubling (they take the reference path)', () => {
    // With k' odd split as m + 15 * 16^63, the partial sum m = 15 * 16^63 - n equals the last term mod n.
    const k1 = 30n * (1n << 252n) - N;
    for (const k of [k1, N - k1]) expectPoint(mulBase(k), multiply(k, G));
  });

  it('refuses scalars outside [1, n-1]', () => {
    expect(() => mulBase(0n)).toThrow(RangeError);
    expect(() => mulBase(N)).toThrow(RangeError);
  });
});

describe('[s]G + [t]Q (variable time)', () => {
  const check = (s: bigint, t: bigint, q: AffinePoint, prepared: PreparedPoint): void => {
    const want = multiplyTwo(s, t, q);
    const got = mulDoubleVartime(s, t, prepared);
    if (want === null) {
      expect(got).toBeNull();
      return;
    }
    expect(got).not.toBeNull();
    expect(toAffineBigint(got!)).toEqual(want);
    expect(jacobianXEquals(got!, want.x)).toBe(true);
    expect(jacobianXEquals(got!, mod(want.x + 1n, P))).toBe(false);
  };

  it('matches the reference on random scalars and keys, fresh and with the cached table', () => {
    for (let i = 0; i < 40; i++) {
      const q = multiply(random(N - 1n) + 1n, G);
      const prepared = new PreparedPoint(q!.x, q!.y);
      // The first use builds a small table per call, later uses the key's cached table.
      for (let use = 0; use < 3; use++) check(random(N), random(N), q, prepared);
    }
  });

  it('handles sums that double, cancel or start at infinity', () => {
    const m = 5n;
    const q = multiply(m, G)!;
    for (const prepared of [new PreparedPoint(q.x, q.y), new PreparedPoint(q.x, q.y)]) {
      // s + t m: equal to 0 (infinity), and small sums whose wNAF digits add the same point twice.
      for (const [s, t] of [[N - m, 1n], [N - 2n * m, 2n], [m, 1n], [1n, 1n], [2n * m, 2n], [0n, 1n], [1n, 0n], [0n, 0n], [N - 1n, N - 1n], [3n, N - 1n], [N - 5n, 1n]] as const) {
        check(s, t, q, prepared);
      }
      prepared.affineTable();
    }
    const gq = new PreparedPoint(GX, GY);
    for (let use = 0; use < 3; use++) {
      for (const [s, t] of [[1n, 1n], [7n, 7n], [127n, 127n], [N - 127n, 127n], [random(N), N - 1n]] as const) check(s, t, G, gq);
    }
    const negG = { x: GX, y: P - GY };
    const ng = new PreparedPoint(negG.x, negG.y);
    for (let use = 0; use < 3; use++) {
      for (const [s, t] of [[1n, 1n], [5n, 5n], [5n, 3n], [random(N), random(N)]] as const) check(s, t, negG, ng);
    }
  });
});

describe('comparing x in Jacobian coordinates', () => {
  it('finds an affine x at or above n (the verifier tries r - e and r - e + n)', () => {
    // A curve point with x in [n, p): verification meets one with probability about 2^-128, so build it.
    let x = N;
    let y: bigint | undefined;
    for (; y === undefined; x++) {
      const rhs = mod(x ** 3n - 3n * x + 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n, P);
      const root = modPow(rhs, (P + 1n) / 4n);
      if ((root * root) % P === rhs) y = root;
    }
    x--;
    const z = random(P - 1n) + 1n;
    const pt = { x: feFromBigint((x * z * z) % P), y: feFromBigint((y * z ** 3n) % P), z: feFromBigint(z) };
    expect(jacobianXEquals(pt, x)).toBe(true);
    expect(jacobianXEquals(pt, x - N)).toBe(false);
    expect(toAffineBigint(pt)).toEqual({ x, y });
  });
});

function modPow(b: bigint, e: bigint): bigint {
  let r = 1n;
  for (b %= P; e > 0n; e >>= 1n, b = (b * b) % P) if (e & 1n) r = (r * b) % P;
  return r;
}
