// The JavaScript SM3 (what Electron runs) against Node's native one: lengths around block edges, input
// that is a view into a larger buffer (the compression reads through a DataView at the view's offset),
// many chunkings, and a long input.
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../bytes.js';
import { Sm3Js } from '../sm3.js';

const native = (data: Uint8Array): string => createHash('sm3').update(data).digest('hex');
const js = (...chunks: Uint8Array[]): string => {
  const h = new Sm3Js();
  for (const c of chunks) h.update(c);
  return bytesToHex(h.digest());
};

describe('JavaScript SM3 against the native one', () => {
  it('agrees on every length from 0 to 300 bytes and on random lengths up to 20 KiB', () => {
    for (let len = 0; len <= 300; len++) {
      const data = randomBytes(len);
      expect(js(data)).toBe(native(data));
    }
    for (let i = 0; i < 30; i++) {
      const data = randomBytes(Math.floor(Math.random() * 20480));
      expect(js(data)).toBe(native(data));
    }
  });

  it('reads views at any offset into a larger buffer', () => {
    const backing = randomBytes(4096 + 64);
    for (const offset of [1, 2, 3, 5, 63, 64, 100]) {
      const view = new Uint8Array(backing.buffer, backing.byteOffset + offset, 1000 + offset);
      expect(js(view)).toBe(native(view));
      expect(js(view.subarray(7), view.subarray(0, 0))).toBe(native(view.subarray(7)));
    }
  });

  it('gives the same digest for random chunkings', () => {
    const data = randomBytes(5000);
    const want = native(data);
    for (let trial = 0; trial < 20; trial++) {
      const chunks: Uint8Array[] = [];
      for (let o = 0; o < data.length; ) {
        const n = Math.min(data.length - o, Math.floor(Math.random() * (trial % 2 ? 70 : 700)));
        chunks.push(data.subarray(o, o + n));
        o += n;
      }
      expect(js(...chunks)).toBe(want);
    }
  });

  it('hashes a 1 MiB + 13 input and the million-"a" style long run', () => {
    const data = randomBytes((1 << 20) + 13);
    expect(js(data)).toBe(native(data));
    const a = new Uint8Array(1_000_000).fill(0x61);
    expect(js(a)).toBe(native(a));
  });
});
