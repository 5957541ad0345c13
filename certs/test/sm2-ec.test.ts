// The WebAssembly arithmetic of sm2-wasm.ts / sm2-ec.ts against the BigInt reference of sm2-curve.ts:
// random values, the edges of the representation (values in [p, 2^256) included), and the scalars and
// points where shortcuts could go wrong.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { B, GX, GY, N, P, mod, multiply, multiplyTwo, type AffinePoint } from '../sm2-curve.js';
import { KEY_TABLE_SLOTS, PreparedPoint, fieldForTests as F, mulBase, mulBaseX, mulDouble, sumXMatches, usesWebAssembly } from '../sm2-ec.js';

const G: AffinePoint = { x: GX, y: GY };
const TWO256 = 1n << 256n;
const random = (bound: bigint): bigint => mod(BigInt('0x' + randomBytes(40).toString('hex')), bound);
const randomPoint = (): { x: bigint; y: bigint } => multiply(random(N - 1n) + 1n, G)!;

/** Values that stress carries and the fold: around 0, p, 2^255 and 2^256, and words of all ones. */
const EDGES = [0n, 1n, 2n, P - 2n, P - 1n, P, P + 1n, TWO256 - 1n, TWO256 - 2n, 1n << 255n, (1n << 224n) - 1n, (1n << 224n), 0xffffffffn, P >> 1n];

describe('field arithmetic mod p (WebAssembly)', () => {
  it('is in use on Node', () => {
    expect(usesWebAssembly()).toBe(true);
  });

  it('multiplies, squares, adds, subtracts and scales like BigInt, on random values below 2^256', () => {
    for (let i = 0; i < 400; i++) {
      const a = random(TWO256), b = random(TWO256);
      expect(F.mul(a, b)).toBe((a * b) % P);
      expect(F.sqr(a)).toBe((a * a) % P);
      expect(F.add(a, b)).toBe((a + b) % P);
      expect(F.sub(a, b)).toBe(mod(a - b, P));
      expect(F.mulSmall(a, 1 + (i % 65535))).toBe((a * BigInt(1 + (i % 65535))) % P);
    }
  });

  it('gets the edges right', () => {
    for (const a of EDGES) {
      for (const b of EDGES) {
        expect(F.mul(a, b)).toBe((a * b) % P);
        expect(F.add(a, b)).toBe((a + b) % P);
        expect(F.sub(a, b)).toBe(mod(a - b, P));
      }
      expect(F.sqr(a)).toBe((a * a) % P);
      for (const k of [0, 1, 2, 3, 4, 8, 65535]) expect(F.mulSmall(a, k)).toBe((a * BigInt(k)) % P);
      expect(F.isZero(a)).toBe(a % P === 0n);
    }
  });

  it('inverts (0 to 0)', () => {
    for (const a of [1n, 2n, P - 1n, P + 1n, TWO256 - 1n, random(P), random(P)]) expect((F.inv(a) * a) % P).toBe(1n);
    expect(F.inv(0n)).toBe(0n);
    expect(F.inv(P)).toBe(0n);
  });
});

describe('[k]G (constant-time comb)', () => {
  const expectBase = (k: bigint): void => {
    const want = multiply(k, G)!;
    expect(mulBase(k)).toEqual(want);
    expect(mulBaseX(k)).toBe(want.x);
  };

  it('matches the reference on random scalars', () => {
    for (let i = 0; i < 100; i++) expectBase(random(N - 1n) + 1n);
  });

  it('matches the reference at the edges', () => {
    const ks = [1n, 2n, 3n, 15n, 16n, 17n, N - 1n, N - 2n, N - 3n, N - 16n, (N - 1n) / 2n, (N + 1n) / 2n, 1n << 252n, (1n << 252n) - 1n, (1n << 255n) + 1n];
    for (let i = 1n; i < 64n; i += 3n) ks.push(1n << (4n * i), (1n << (4n * i)) - 1n);
    // Hex digit patterns for the odd-digit recoding: all even, all odd, alternating.
    ks.push(0x2222222222222222222222222222222222222222222222222222222222222222n, 0xeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeen % N);
    ks.push(0x7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7fn, 0x0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0fn);
    for (const k of ks) expectBase(k);
  });

  it('is right for the two scalars whose last addition meets its own operand (the reference path)', () => {
    // k' odd = m + 15 * 16^63 with m = 15 * 16^63 - n: the partial sum equals the last term mod n.
    const k1 = 30n * (1n << 252n) - N;
    expectBase(k1);
    expectBase(N - k1);
  });

  it('refuses scalars outside [1, n-1]', () => {
    for (const k of [0n, N, -1n]) {
      expect(() => mulBase(k)).toThrow(RangeError);
      expect(() => mulBaseX(k)).toThrow(RangeError);
    }
  });
});

describe('[s]G + [t]Q (variable time)', () => {
  const check = (s: bigint, t: bigint, q: { x: bigint; y: bigint }, prepared: PreparedPoint): void => {
    const want = multiplyTwo(s, t, q);
    expect(mulDouble(s, t, prepared)).toEqual(want);
    if (want !== null) {
      expect(sumXMatches(s, t, prepared, want.x % N)).toBe(true);
      expect(sumXMatches(s, t, prepared, (want.x + 1n) % N)).toBe(false);
    } else {
      expect(sumXMatches(s, t, prepared, 0n)).toBe(false);
    }
  };

  it('matches the reference for new keys (first use) and known keys (split tables)', () => {
    for (let i = 0; i < 25; i++) {
      const q = randomPoint();
      const prepared = new PreparedPoint(q.x, q.y);
      for (let use = 0; use < 3; use++) check(random(N), random(N), q, prepared);
    }
  });

  it('handles sums that double, cancel, or start from zero scalars, on both paths', () => {
    const m = 5n;
    const q = multiply(m, G)!;
    const prepared = new PreparedPoint(q.x, q.y);
    const cases: Array<[bigint, bigint]> = [[N - m, 1n], [N - 2n * m, 2n], [m, 1n], [1n, 1n], [2n * m, 2n], [0n, 1n], [1n, 0n], [0n, 0n], [N - 1n, N - 1n], [3n, N - 1n], [N - 5n, 1n]];
    // Parts of the split (64-bit chunks) that meet: s = t m in one chunk, and across chunks.
    cases.push([m << 64n, 1n << 64n], [(N - m) << 64n, 1n << 64n], [(1n << 64n) - 1n, (1n << 128n) - 1n]);
    for (let use = 0; use < 3; use++) for (const [s, t] of cases) check(s % N, t % N, q, prepared);
    const gq = new PreparedPoint(GX, GY);
    for (let use = 0; use < 3; use++) {
      for (const [s, t] of [[1n, 1n], [7n, 7n], [127n, 127n], [N - 127n, 127n], [1n << 64n, 1n << 64n], [random(N), N - 1n]] as const) check(s, t, G, gq);
    }
    const negG = { x: GX, y: P - GY };
    const ng = new PreparedPoint(negG.x, negG.y);
    for (let use = 0; use < 3; use++) {
      for (const [s, t] of [[1n, 1n], [5n, 5n], [5n, 3n], [1n << 192n, 1n << 192n], [random(N), random(N)]] as const) check(s, t, negG, ng);
    }
  });

  it('stays right when more keys want split tables than there are slots', () => {
    const keys = Array.from({ length: KEY_TABLE_SLOTS + 6 }, () => {
      const q = randomPoint();
      return { q, prepared: new PreparedPoint(q.x, q.y) };
    });
    for (let round = 0; round < 3; round++) for (const { q, prepared } of keys) check(random(N), random(N), q, prepared);
  });

  it('compares x at or above n (the verifier accepts x1 = v + n)', () => {
    // A point with x in [n, p): a verification meets one with probability about 2^-128, so build one
    // and reach it as [0]G + [1]Q.
    let x = N;
    let y: bigint | undefined;
    for (; y === undefined; x++) {
      const rhs = mod(x ** 3n - 3n * x + B, P);
      const root = modPow(rhs, (P + 1n) / 4n);
      if ((root * root) % P === rhs) y = root;
    }
    x--;
    const prepared = new PreparedPoint(x, y);
    for (let use = 0; use < 3; use++) {
      expect(sumXMatches(0n, 1n, prepared, x - N)).toBe(true);
      expect(sumXMatches(0n, 1n, prepared, x - N + 1n)).toBe(false);
      expect(mulDouble(0n, 1n, prepared)).toEqual({ x, y });
    }
  });
});

describe('without WebAssembly (a strict content security policy)', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.resetModules();
  });

  it('falls back to the BigInt reference and gives the same results', async () => {
    vi.stubGlobal('WebAssembly', undefined);
    vi.resetModules();
    const ec = await import('../sm2-ec.js');
    expect(ec.usesWebAssembly()).toBe(false);
    expect(() => ec.fieldForTests.mul(1n, 2n)).toThrow(/not available/);
    const k = random(N - 1n) + 1n;
    expect(ec.mulBase(k)).toEqual(multiply(k, G));
    expect(ec.mulBaseX(k)).toBe(multiply(k, G)!.x);
    expect(() => ec.mulBaseX(0n)).toThrow(RangeError);
    const q = randomPoint();
    const prepared = new ec.PreparedPoint(q.x, q.y);
    const s = random(N), t = random(N);
    const want = multiplyTwo(s, t, q)!;
    expect(ec.mulDouble(s, t, prepared)).toEqual(want);
    expect(ec.sumXMatches(s, t, prepared, want.x % N)).toBe(true);
    expect(ec.sumXMatches(s, t, prepared, (want.x + 1n) % N)).toBe(false);
  });
});

function modPow(b: bigint, e: bigint): bigint {
  let r = 1n;
  for (b %= P; e > 0n; e >>= 1n, b = (b * b) % P) if (e & 1n) r = (r * b) % P;
  return r;
}
