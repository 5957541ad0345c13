/**
 * Hostile input: random and mutated byte streams into the frame extractor, the reply decoder and the
 * base-info parser. Only typed errors may come out (never a crash, a RangeError or a hang), and the
 * extractor's buffer stays bounded.
 */
import { describe, expect, it } from 'vitest';
import { DeviceError } from '../../base/errors.js';
import { encodeBaseInfo, encodeText, parseBaseInfo } from '../idcard/base-info.js';
import { FrameExtractor, MAX_LEN, decodeReply, encodeReply } from '../idcard/frame.js';
import { loadCardFixture } from '../sim/idcard-sim.js';

/** A small deterministic PRNG (xorshift32) so failures can be replayed. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

const fixtures = ['resident-longterm.json', 'resident-dated.json', 'gat-j.json', 'foreigner-i.json', 'foreigner-y.json'].map(loadCardFixture);
const payloads = fixtures.map((c) => encodeBaseInfo(encodeText(c.content), c.photo));
const goodFrames = [...payloads.map((p) => encodeReply(0x90, p)), encodeReply(0x9f, new Uint8Array(4)), encodeReply(0x90, new Uint8Array(8)), encodeReply(0x80)];

function mutate(bytes: Uint8Array, r: () => number): Uint8Array {
  const out = Array.from(bytes);
  const n = 1 + Math.floor(r() * 6);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(r() * (out.length + 1));
    const op = r();
    if (op < 0.4 && out.length) out[at % out.length] = Math.floor(r() * 256);
    else if (op < 0.6) out.splice(at, Math.floor(r() * 20));
    else if (op < 0.8) out.splice(at, 0, ...Array.from({ length: Math.floor(r() * 20) }, () => Math.floor(r() * 256)));
    else out.splice(at, 0, 0xaa, 0xaa, 0xaa, 0x96, 0x69, Math.floor(r() * 256), Math.floor(r() * 256));
  }
  return Uint8Array.from(out);
}

function typedOnly(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof DeviceError)) throw err;
  }
}

describe('fuzz', () => {
  it('the frame extractor and reply decoder survive 3000 random and mutated streams', () => {
    const r = rng(0x1d_ca_4d);
    let frames = 0;
    for (let round = 0; round < 3000; round++) {
      const x = new FrameExtractor();
      const parts: Uint8Array[] = [];
      for (let k = 0; k < 4; k++) {
        const pick = r();
        if (pick < 0.3) parts.push(Uint8Array.from({ length: Math.floor(r() * 300) }, () => Math.floor(r() * 256)));
        else if (pick < 0.6) parts.push(goodFrames[Math.floor(r() * goodFrames.length)]!);
        else parts.push(mutate(goodFrames[Math.floor(r() * goodFrames.length)]!, r));
      }
      const stream = Uint8Array.from(parts.flatMap((p) => Array.from(p)));
      // Feed in random chunk sizes.
      for (let o = 0; o < stream.length; ) {
        const n = 1 + Math.floor(r() * 400);
        for (const item of x.push(stream.subarray(o, o + n))) {
          if (item.kind === 'error') expect(item.error.code).toBe('device.garbled');
          else {
            frames++;
            typedOnly(() => {
              const reply = decodeReply(item.body);
              if (reply.sw3 === 0x90 && reply.data.length > 8) parseBaseInfo(reply.data);
            });
          }
        }
        expect(x.pending).toBeLessThanOrEqual(7 + MAX_LEN);
        o += n;
      }
    }
    expect(frames).toBeGreaterThan(1000);
  });

  it('the base-info parser survives 3000 mutated payloads and random text blocks', () => {
    const r = rng(0xbeef);
    let parsed = 0;
    for (let round = 0; round < 3000; round++) {
      const base = payloads[round % payloads.length]!;
      let data: Uint8Array;
      if (round % 3 === 0) {
        // A consistent length header with random text: exercises the field checks, not the lengths.
        data = Uint8Array.from(base);
        for (let i = 4; i < 4 + 256; i++) if (r() < 0.05) data[i] = Math.floor(r() * 256);
      } else data = mutate(base, r);
      typedOnly(() => {
        parseBaseInfo(data);
        parsed++;
      });
    }
    expect(parsed).toBeGreaterThan(0);
  });
});
