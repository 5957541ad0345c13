/**
 * Hostile PDFs: a few hundred seeded random mutations of a twice-sealed PDF. Each must give a verdict
 * or an InputError — never another exception, never a hang — and a verdict of "valid" only when the
 * mutation changed nothing that matters (hex digits of /Contents in another letter case).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../base/errors.js';
import { latin1 } from '../pdf/parse.js';
import { verifyPdf } from '../pdf/verify.js';
import { pdfFixture, type PdfFixture } from './pdf-sign-fixtures.js';

/** mulberry32: deterministic, so a failing mutation reproduces from its index. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GARBAGE = [
  '['.repeat(5000),
  '<<'.repeat(3000),
  '(((((((((',
  '<4142 ZZ>',
  '/ByteRange [0 1 2 3] /Contents <3000>',
  '\n7 0 obj\n<</Type /Sig /ByteRange [0 10 20 30] /Contents <30030201>>>\nendobj\n',
  '\n12 0 obj\n<</ByteRange [0 99999999999999999999 1 1] /Contents <00>>>\nendobj\n',
  '%%EOF\n',
  'endstream endobj',
  `\n5 0 obj\n<</Length 999999999>>\nstream\n`,
  '1 0 R 2 0 R 3 0 R',
  '9'.repeat(100_000),
];

function mutate(bytes: Uint8Array, i: number, rand: () => number): Uint8Array {
  const pick = (n: number): number => Math.floor(rand() * n);
  const b = Uint8Array.from(bytes);
  const text = latin1(bytes);
  const near = (needle: string): number => {
    const all: number[] = [];
    for (let at = text.indexOf(needle); at >= 0 && all.length < 64; at = text.indexOf(needle, at + 1)) all.push(at);
    return all.length ? all[pick(all.length)]! + pick(needle.length + 40) : pick(b.length);
  };
  switch (i % 8) {
    case 0: // a few random bytes
      for (let k = 0; k < 1 + pick(4); k++) b[pick(b.length)] = pick(256);
      return b;
    case 1: // truncated
      return b.subarray(0, pick(b.length));
    case 2: {
      // inserted random bytes
      const at = pick(b.length);
      const ins = Uint8Array.from({ length: 1 + pick(16) }, () => pick(256));
      return Uint8Array.from([...b.subarray(0, at), ...ins, ...b.subarray(at)]);
    }
    case 3: {
      // a deleted range
      const at = pick(b.length);
      return Uint8Array.from([...b.subarray(0, at), ...b.subarray(Math.min(b.length, at + 1 + pick(1000)))]);
    }
    case 4: {
      // the bytes around /ByteRange or /Contents changed
      const at = near(rand() < 0.5 ? '/ByteRange' : '/Contents <');
      for (let k = 0; k < 1 + pick(3); k++) b[Math.min(b.length - 1, at + pick(8))] = '0123456789 []<>-/aF'.charCodeAt(pick(19));
      return b;
    }
    case 5: {
      // structural garbage inserted
      const at = rand() < 0.5 ? near('obj') : pick(b.length);
      const g = Buffer.from(GARBAGE[pick(GARBAGE.length)]!, 'latin1');
      return Uint8Array.from([...b.subarray(0, at), ...g, ...b.subarray(at)]);
    }
    case 6: {
      // a chunk copied elsewhere (a second copy of a signature dictionary, say)
      const from = rand() < 0.5 ? near('/Type /Sig') - 40 : pick(b.length);
      const start = Math.max(0, from);
      const chunk = b.slice(start, Math.min(b.length, start + 1 + pick(4000)));
      const at = pick(b.length);
      return Uint8Array.from([...b.subarray(0, at), ...chunk, ...b.subarray(at)]);
    }
    default: {
      // a number made huge or negative
      const at = near(rand() < 0.5 ? '/ByteRange [0 ' : ' 0 obj');
      const digits = rand() < 0.5 ? '-' + '9'.repeat(1 + pick(12)) : '9'.repeat(20 + pick(3000));
      return Uint8Array.from([...b.subarray(0, at), ...Buffer.from(digits), ...b.subarray(at)]);
    }
  }
}

/** True when `m` differs from `orig` only by the letter case of hex digits inside the /Contents gaps. */
function onlyCaseInContents(orig: Uint8Array, m: Uint8Array, gaps: [number, number][]): boolean {
  if (orig.length !== m.length) return false;
  for (let i = 0; i < m.length; i++) {
    if (orig[i] === m[i]) continue;
    const inGap = gaps.some(([s, e]) => i > s && i < e - 1);
    if (!inGap || String.fromCharCode(orig[i]!).toLowerCase() !== String.fromCharCode(m[i]!).toLowerCase()) return false;
  }
  return true;
}

describe('verifyPdf against random mutations of a sealed PDF', () => {
  let fx: PdfFixture;
  beforeAll(async () => {
    fx = await pdfFixture();
  });

  it('gives a verdict or an InputError, never another exception, and never a false "valid"', () => {
    const original = fx.sealed2;
    const base = verifyPdf(original, { trusted: [fx.pki.root.cert] });
    expect(base.valid).toBe(true);
    const gaps = base.signatures.map((s) => [s.byteRange![1]!, s.byteRange![2]!] as [number, number]);
    const rand = prng(20260304);
    const tally = { valid: 0, invalid: 0, inputError: 0 };
    for (let i = 0; i < 320; i++) {
      const m = mutate(original, i, rand);
      let verdict;
      try {
        verdict = verifyPdf(m, { trusted: [fx.pki.root.cert] });
      } catch (err) {
        if (!(err instanceof InputError)) throw new Error(`mutation ${i}: ${String(err)}`, { cause: err });
        expect(err.message.length, `mutation ${i}`).toBeGreaterThan(0);
        expect(err.message, `mutation ${i}`).not.toMatch(/\n/);
        tally.inputError++;
        continue;
      }
      if (verdict.valid) {
        expect(onlyCaseInContents(original, m, gaps), `mutation ${i} was judged valid`).toBe(true);
        tally.valid++;
      } else {
        expect(verdict.reasons.length + verdict.signatures.filter((s) => s.reasons.length).length, `mutation ${i}`).toBeGreaterThan(0);
        tally.invalid++;
      }
    }
    // Most mutations are caught as negative verdicts; some make the file unreadable.
    expect(tally.invalid).toBeGreaterThan(150);
    expect(tally.inputError).toBeGreaterThan(0);
  });
});
