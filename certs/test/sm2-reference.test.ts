// sign / verify on the fast arithmetic against an SM2 written directly on the BigInt reference curve,
// and the caches kept per key behaving as if there were none.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bytesToBigint, bytesToHex, concatBytes } from '../bytes.js';
import { GX, GY, N, invert, mod, multiply, multiplyTwo } from '../sm2-curve.js';
import { computeZ, decodeSignature, encodeSignature, generateKeyPair, publicKeyFromPrivate, sign, verify } from '../sm2.js';
import { sm3 } from '../sm3.js';

const G = { x: GX, y: GY };

function referencePublicKey(d: bigint): Uint8Array {
  const pt = multiply(d, G)!;
  return Buffer.from('04' + pt.x.toString(16).padStart(64, '0') + pt.y.toString(16).padStart(64, '0'), 'hex');
}

function referenceSign(d: bigint, message: Uint8Array, k: bigint, id?: string): { r: bigint; s: bigint } {
  const e = bytesToBigint(sm3(concatBytes(computeZ(referencePublicKey(d), id), message)));
  const r = mod(e + multiply(k, G)!.x, N);
  const s = mod(invert(1n + d, N) * (k - r * d), N);
  return { r, s };
}

function referenceVerify(pub: Uint8Array, message: Uint8Array, r: bigint, s: bigint): boolean {
  if (r < 1n || r >= N || s < 1n || s >= N) return false;
  const t = mod(r + s, N);
  if (t === 0n) return false;
  const q = { x: bytesToBigint(pub.subarray(1, 33)), y: bytesToBigint(pub.subarray(33)) };
  const e = bytesToBigint(sm3(concatBytes(computeZ(pub), message)));
  const x1y1 = multiplyTwo(s, t, q);
  return x1y1 !== null && mod(e + x1y1.x, N) === r;
}

const randomScalar = (): bigint => mod(bytesToBigint(randomBytes(40)), N - 1n) + 1n;
const asPrivateKey = (d: bigint): Uint8Array => Buffer.from(d.toString(16).padStart(64, '0'), 'hex');

describe('SM2 on the fast arithmetic against the BigInt reference', () => {
  it('derives the same public keys, including at the edges of the key range', () => {
    for (const d of [1n, 2n, N - 2n, N - 3n, ...Array.from({ length: 30 }, randomScalar).filter((d) => d <= N - 2n)]) {
      expect(bytesToHex(publicKeyFromPrivate(asPrivateKey(d)))).toBe(bytesToHex(referencePublicKey(d)));
    }
  });

  it('makes the same signatures for the same nonce, k near 1 and near n included', () => {
    const message = randomBytes(100);
    const ks = [1n, 2n, N - 1n, N - 2n, ...Array.from({ length: 30 }, randomScalar)];
    for (const k of ks) {
      const d = randomScalar() % (N - 2n) || 1n;
      let ours: Uint8Array;
      try {
        ours = sign(asPrivateKey(d), message, { testNonce: k });
      } catch (err) {
        // A nonce giving r = 0, r + k = n or s = 0 is refused; the reference would agree on why.
        const { r, s } = referenceSign(d, message, k);
        expect(r === 0n || r + k === N || s === 0n).toBe(true);
        expect(err).toBeInstanceOf(RangeError);
        continue;
      }
      const { r, s } = referenceSign(d, message, k);
      expect(decodeSignature(ours)).toEqual({ r, s });
    }
  });

  it('accepts and rejects exactly what the reference does', () => {
    const kp = generateKeyPair();
    const message = randomBytes(50);
    for (let i = 0; i < 40; i++) {
      const { r, s } = decodeSignature(sign(kp.privateKey, message));
      const variants: Array<[bigint, bigint]> = [[r, s], [r, (s + 1n) % N || 1n], [(r + 1n) % N || 1n, s], [s, r], [r, N - s]];
      for (const [vr, vs] of variants) {
        const der = encodeSignature(vr, vs);
        expect(verify(kp.publicKey, message, der)).toBe(referenceVerify(kp.publicKey, message, vr, vs));
      }
    }
  });
});

describe('nonces', () => {
  it('draws a fresh, full-size k for every signature', () => {
    // k = s (1 + d) + r d mod n: recover each nonce and look at it.
    const d = randomScalar() % (N - 2n) || 1n;
    const key = asPrivateKey(d);
    const message = randomBytes(32);
    const seen = new Set<bigint>();
    for (let i = 0; i < 200; i++) {
      const { r, s } = decodeSignature(sign(key, message));
      const k = mod(s * (1n + d) + r * d, N);
      expect(k.toString(2).length).toBeGreaterThan(200);
      seen.add(k);
    }
    expect(seen.size).toBe(200);
  });
});

describe('per-key caches', () => {
  it('follows a private-key array whose bytes the caller changes', () => {
    const a = generateKeyPair();
    const b = generateKeyPair();
    const key = Uint8Array.from(a.privateKey);
    const message = randomBytes(10);
    expect(verify(a.publicKey, message, sign(key, message))).toBe(true);
    expect(bytesToHex(publicKeyFromPrivate(key))).toBe(bytesToHex(a.publicKey));
    key.set(b.privateKey);
    expect(bytesToHex(publicKeyFromPrivate(key))).toBe(bytesToHex(b.publicKey));
    expect(verify(b.publicKey, message, sign(key, message))).toBe(true);
  });

  it('keeps Z_A per ID apart, and hands out copies', () => {
    const kp = generateKeyPair();
    const z1 = computeZ(kp.publicKey);
    const z2 = computeZ(kp.publicKey, 'kiosk-1');
    const z3 = computeZ(kp.publicKey, new TextEncoder().encode('kiosk-1'));
    expect(bytesToHex(z1)).not.toBe(bytesToHex(z2));
    expect(bytesToHex(z2)).toBe(bytesToHex(z3));
    z1.fill(0);
    expect(bytesToHex(computeZ(kp.publicKey))).not.toBe(bytesToHex(z1));
    for (let i = 0; i < 20; i++) computeZ(kp.publicKey, `id-${i}`);
    expect(bytesToHex(computeZ(kp.publicKey, 'kiosk-1'))).toBe(bytesToHex(z2));
  });

  it('still verifies with more keys than the cache holds, and a key seen again', () => {
    const message = randomBytes(16);
    const pairs = Array.from({ length: 80 }, generateKeyPair);
    const sigs = pairs.map((kp) => sign(kp.privateKey, message));
    for (let round = 0; round < 2; round++) {
      pairs.forEach((kp, i) => {
        expect(verify(kp.publicKey, message, sigs[i]!)).toBe(true);
        expect(verify(kp.publicKey, message, sigs[(i + 1) % pairs.length]!)).toBe(false);
      });
    }
  });

  it('verifies under a compressed public key as under the uncompressed one', () => {
    const kp = generateKeyPair();
    const message = randomBytes(16);
    const sig = sign(kp.privateKey, message);
    const compressed = Uint8Array.of(2 + (kp.publicKey[64]! & 1), ...kp.publicKey.subarray(1, 33));
    for (let i = 0; i < 3; i++) expect(verify(compressed, message, sig)).toBe(true);
    expect(bytesToHex(computeZ(compressed))).toBe(bytesToHex(computeZ(kp.publicKey)));
  });
});
