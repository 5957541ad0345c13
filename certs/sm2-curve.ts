/**
 * The SM2 curve (sm2p256v1, GB/T 32918.5) and a plain reference of its arithmetic: points in Jacobian
 * coordinates over BigInt, double-and-add. Every function here is pure. sm2.ts signs and verifies with
 * the fast arithmetic of sm2-ec.ts; this one is what the tests check that against, and what sm2-ec.ts
 * falls back to where WebAssembly is unavailable (and for two scalars of its comb).
 */

export const P = 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn;
export const A = P - 3n;
export const B = 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n;
export const N = 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n;
export const GX = 0x32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7n;
export const GY = 0xbc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0n;

/** An affine point; `null` is the point at infinity. */
export type AffinePoint = { readonly x: bigint; readonly y: bigint } | null;

interface Jacobian {
  x: bigint;
  y: bigint;
  z: bigint; // z = 0: infinity
}

export function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

/** a^-1 mod m (m prime) by the extended Euclidean algorithm. */
export function invert(a: bigint, m: bigint): bigint {
  let r0 = mod(a, m);
  if (r0 === 0n) throw new RangeError('no inverse of 0');
  let r1 = m;
  let s0 = 1n;
  let s1 = 0n;
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return mod(s0, m);
}

export function isOnCurve(pt: AffinePoint): boolean {
  if (pt === null) return false;
  const { x, y } = pt;
  if (x < 0n || x >= P || y < 0n || y >= P) return false;
  return mod(y * y - (x * x * x + A * x + B), P) === 0n;
}

const INF: Jacobian = { x: 1n, y: 1n, z: 0n };

function double(p: Jacobian): Jacobian {
  if (p.z === 0n || p.y === 0n) return INF;
  // a = -3: M = 3(X - Z^2)(X + Z^2)
  const z2 = (p.z * p.z) % P;
  const m = (3n * mod(p.x - z2, P) * ((p.x + z2) % P)) % P;
  const y2 = (p.y * p.y) % P;
  const s = (4n * p.x * y2) % P;
  const x3 = mod(m * m - 2n * s, P);
  const y3 = mod(m * (s - x3) - 8n * ((y2 * y2) % P), P);
  const z3 = (2n * p.y * p.z) % P;
  return { x: x3, y: y3, z: z3 };
}

function add(p: Jacobian, q: Jacobian): Jacobian {
  if (p.z === 0n) return q;
  if (q.z === 0n) return p;
  const z1z1 = (p.z * p.z) % P;
  const z2z2 = (q.z * q.z) % P;
  const u1 = (p.x * z2z2) % P;
  const u2 = (q.x * z1z1) % P;
  const s1 = (((p.y * q.z) % P) * z2z2) % P;
  const s2 = (((q.y * p.z) % P) * z1z1) % P;
  const h = mod(u2 - u1, P);
  const r = mod(s2 - s1, P);
  if (h === 0n) return r === 0n ? double(p) : INF;
  const h2 = (h * h) % P;
  const h3 = (h2 * h) % P;
  const u1h2 = (u1 * h2) % P;
  const x3 = mod(r * r - h3 - 2n * u1h2, P);
  const y3 = mod(r * (u1h2 - x3) - s1 * h3, P);
  const z3 = (((h * p.z) % P) * q.z) % P;
  return { x: x3, y: y3, z: z3 };
}

function toAffine(p: Jacobian): AffinePoint {
  if (p.z === 0n) return null;
  const zi = invert(p.z, P);
  const zi2 = (zi * zi) % P;
  return { x: (p.x * zi2) % P, y: (((p.y * zi2) % P) * zi) % P };
}

function fromAffine(p: AffinePoint): Jacobian {
  return p === null ? INF : { x: p.x, y: p.y, z: 1n };
}

/** [k]P by left-to-right double-and-add. */
export function multiply(k: bigint, point: AffinePoint): AffinePoint {
  let acc = INF;
  const base = fromAffine(point);
  for (let i = BigInt(k.toString(2).length - 1); i >= 0n; i--) {
    acc = double(acc);
    if ((k >> i) & 1n) acc = add(acc, base);
  }
  return toAffine(acc);
}

export const G: AffinePoint = { x: GX, y: GY };

/** [k]G. */
export function multiplyBase(k: bigint): AffinePoint {
  return multiply(k, G);
}

/** [a]G + [b]Q: the verification equation. */
export function multiplyTwo(a: bigint, b: bigint, q: AffinePoint): AffinePoint {
  return toAffine(add(fromAffine(multiply(a, G)), fromAffine(multiply(b, q))));
}
