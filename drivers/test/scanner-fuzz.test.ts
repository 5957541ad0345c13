/**
 * Hostile input: thousands of random and mutated byte streams into the serial decoder, the HID report
 * assembler and the wedge helper. Only typed errors come out, memory stays bounded, nothing throws or
 * hangs. Seeded, so a failure reproduces.
 */
import { describe, expect, it } from 'vitest';
import { HidCodeAssembler, buildHidReports, type HidLayout } from '../scanner/hid-report.js';
import { SerialCodeDecoder, SUFFIX_BYTES, type Suffix } from '../scanner/serial-decoder.js';
import { ScannerError } from '../scanner/types.js';
import { WedgeDetector } from '../scanner/wedge.js';

/** xorshift32: a small deterministic PRNG. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}
const int = (r: () => number, n: number): number => Math.floor(r() * n);

function randomBytes(r: () => number, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    // weight the interesting bytes: suffixes, controls, UTF-8/GB18030 lead bytes
    const k = r();
    b[i] = k < 0.05 ? 0x0d : k < 0.1 ? 0x0a : k < 0.15 ? int(r, 0x20) : k < 0.3 ? 0x80 + int(r, 0x80) : int(r, 256);
  }
  return b;
}

function mutate(r: () => number, bytes: Uint8Array): Uint8Array {
  const a = [...bytes];
  for (let m = int(r, 6); m >= 0; m--) {
    const at = int(r, a.length + 1);
    const op = int(r, 4);
    if (op === 0 && a.length) a[at % a.length] = int(r, 256);
    else if (op === 1) a.splice(at, 0, ...randomBytes(r, 1 + int(r, 8)));
    else if (op === 2) a.splice(at, 1 + int(r, 8));
    else a.splice(at, 0, ...a.slice(0, int(r, 64))); // repeat a prefix (a duplicated packet)
  }
  return Uint8Array.from(a);
}

// eslint-disable-next-line no-control-regex -- the check is that none get through
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

describe('fuzz: serial decoder', () => {
  it('random and mutated streams in random chunks: typed errors only, bounded codes and buffer', () => {
    const r = rng(0x5ca11);
    const suffixes: Suffix[] = ['cr', 'crlf', 'lf'];
    let codes = 0;
    let errs = 0;
    for (let round = 0; round < 3000; round++) {
      const maxLength = 1 + int(r, 300);
      const d = new SerialCodeDecoder({ suffix: suffixes[round % 3]!, maxLength, aimPrefix: round % 2 === 0 });
      const valid = new TextEncoder().encode(`]Q1皖事通${'x'.repeat(int(r, 400))}\r\n`);
      const stream = round % 3 === 0 ? randomBytes(r, int(r, 2000)) : mutate(r, valid);
      for (let at = 0; at < stream.length; ) {
        const n = 1 + int(r, 64);
        const outs = [...d.push(stream.subarray(at, at + n)), ...(r() < 0.05 ? d.expire(r() < 0.5 ? 'drop' : 'flush') : [])];
        at += n;
        for (const o of outs) {
          if (o.kind === 'error') {
            expect(o.error).toBeInstanceOf(ScannerError);
            expect(['scanner.overlong', 'scanner.partial']).toContain(o.error.code);
            errs++;
          } else {
            expect(o.text.length).toBeGreaterThan(0);
            expect(new TextEncoder().encode(o.text).length).toBeLessThanOrEqual(maxLength * 3); // GB18030 bytes may widen in UTF-16/UTF-8
            expect(o.text.length).toBeLessThanOrEqual(maxLength);
            expect(CONTROL.test(o.text)).toBe(false);
            codes++;
          }
        }
        expect(d.pending).toBeLessThanOrEqual(maxLength + 1);
      }
    }
    expect(codes).toBeGreaterThan(1000);
    expect(errs).toBeGreaterThan(100);
  });

  it('clean codes survive any chunking unchanged (differential)', () => {
    const r = rng(42);
    for (let round = 0; round < 500; round++) {
      const suffix = (['cr', 'crlf', 'lf'] as const)[round % 3]!;
      const texts = Array.from({ length: 1 + int(r, 5) }, () => `码${int(r, 1e9)}-${'路'.repeat(int(r, 30))}`);
      const stream = Buffer.concat(texts.flatMap((t) => [Buffer.from(t), Buffer.from(SUFFIX_BYTES[suffix])]));
      const d = new SerialCodeDecoder({ suffix });
      const got: string[] = [];
      for (let at = 0; at < stream.length; ) {
        const n = 1 + int(r, 17);
        for (const o of d.push(stream.subarray(at, at + n))) if (o.kind === 'code') got.push(o.text);
        at += n;
      }
      expect(got).toEqual(texts);
    }
  });
});

describe('fuzz: HID report assembler', () => {
  it('random and mutated reports: typed errors only, joined codes bounded', () => {
    const r = rng(0x41d);
    const layouts: HidLayout[] = ['honeywell', 'newland'];
    let codes = 0;
    let errs = 0;
    for (let round = 0; round < 3000; round++) {
      const layout = layouts[round % 2]!;
      const reportId = round % 5 !== 0;
      const maxLength = 1 + int(r, 400);
      const a = new HidCodeAssembler({ layout, reportId, maxLength });
      const valid = buildHidReports(new TextEncoder().encode(`皖事通${'q'.repeat(int(r, 300))}`), { layout, reportId, aim: ']Q1', codeId: 's' });
      const reports =
        round % 3 === 0
          ? Array.from({ length: 1 + int(r, 8) }, () => randomBytes(r, r() < 0.8 ? 64 : int(r, 100)))
          : valid.map((rep) => (r() < 0.5 ? mutate(r, rep) : rep));
      for (const rep of reports) {
        const outs = [...a.push(rep), ...(r() < 0.1 ? a.expire() : [])];
        for (const o of outs) {
          if (o.kind === 'error') {
            expect(o.error).toBeInstanceOf(ScannerError);
            expect(['device.garbled', 'scanner.overlong', 'scanner.partial']).toContain(o.error.code);
            errs++;
          } else {
            expect(o.text.length).toBeGreaterThan(0);
            expect(o.text.length).toBeLessThanOrEqual(maxLength);
            expect(CONTROL.test(o.text)).toBe(false);
            codes++;
          }
        }
      }
      a.expire();
      expect(a.busy).toBe(false);
    }
    expect(codes).toBeGreaterThan(500);
    expect(errs).toBeGreaterThan(500);
  });
});

describe('fuzz: wedge helper', () => {
  it('random key streams: only scan/typing results, every key accounted for, scans bounded', () => {
    const r = rng(0x3ed6e);
    const named = ['Enter', 'Shift', 'Tab', 'Backspace', 'ArrowLeft', 'Unidentified', '', '😀'];
    for (let round = 0; round < 2000; round++) {
      const w = new WedgeDetector({ maxLength: 1 + int(r, 50), minLength: 1 + int(r, 8) });
      let t = r() * 1e6;
      let printable = 0;
      let seen = 0;
      for (let i = int(r, 200); i > 0; i--) {
        t += r() < 0.7 ? r() * 20 : r() * 300;
        const key = r() < 0.2 ? named[int(r, named.length)]! : String.fromCharCode(int(r, 0x3000));
        if ([...key].length === 1) printable++;
        const rs = [...w.feed({ key, timeStamp: t }), ...(r() < 0.1 ? w.flush(t + r() * 100) : [])];
        for (const x of rs) {
          if (x.type === 'scan') {
            expect([...x.text].length).toBeLessThanOrEqual(w.maxLength);
            seen += [...x.text].length;
          } else seen += x.keys.filter((k) => [...k].length === 1).length;
        }
      }
      for (const x of w.flush(Number.POSITIVE_INFINITY)) if (x.type === 'typing') seen += x.keys.filter((k) => [...k].length === 1).length;
      // every printable key comes back once (scans may have dropped control characters)
      expect(seen).toBeLessThanOrEqual(printable);
      expect(w.pending).toBe(0);
    }
  });
});
