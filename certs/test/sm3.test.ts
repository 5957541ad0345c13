import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../bytes.js';
import { createSm3, hasNativeSm3, Sm3Js, sm3Hex } from '../sm3.js';

const ABC = '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0';
const ABCD16 = 'debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732';

const js = (data: Uint8Array | string) => bytesToHex(new Sm3Js().update(data).digest());

describe('SM3', () => {
  it('reproduces the GB/T 32905 vectors (JavaScript)', () => {
    expect(js('abc')).toBe(ABC);
    expect(js('abcd'.repeat(16))).toBe(ABCD16);
  });
  it('reproduces the GB/T 32905 vectors (default: native where present)', () => {
    expect(sm3Hex('abc')).toBe(ABC);
    expect(sm3Hex('abcd'.repeat(16))).toBe(ABCD16);
  });
  it('has the native fast path on Node (OpenSSL)', () => {
    expect(hasNativeSm3).toBe(true);
  });
  it('gives the same digest streamed in any chunking as in one shot, and as the native hash', () => {
    for (const len of [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, 4097]) {
      const data = randomBytes(len);
      const native = bytesToHex(createSm3({ native: true }).update(data).digest());
      expect(js(data)).toBe(native);
      const h = new Sm3Js();
      let o = 0;
      for (const step of [1, 3, 7, 64, 13, 100]) {
        h.update(data.subarray(o, Math.min(len, o + step)));
        o = Math.min(len, o + step);
      }
      h.update(data.subarray(o));
      expect(bytesToHex(h.digest())).toBe(native);
    }
  });
  it('refuses use after digest', () => {
    const h = new Sm3Js().update('x');
    h.digest();
    expect(() => h.update('y')).toThrow(/after digest/);
    expect(() => h.digest()).toThrow(/twice/);
  });
});
