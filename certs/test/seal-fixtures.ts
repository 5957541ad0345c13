/** Shared fixtures of the seal tests: a demo PKI, temp dirs, the real `openssl` as the outside verifier. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { inflateSync } from 'node:zlib';
import { join } from 'node:path';
import { createDemoPki, type DemoPki } from '../demo-pki.js';

let cached: DemoPki | undefined;

/** The seeded demo PKI (root, seal maker, three department signers), valid 2025-2035. */
export function demoPki(): DemoPki {
  cached ??= createDemoPki();
  return cached;
}

export function tempDir(prefix = 'tongban-seal-'): { dir: string; path: (name: string) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, path: (name) => join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function openssl(args: readonly string[], cwd?: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A deterministic pseudo-random generator (mulberry32), so fuzz failures reproduce. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` mutations of `der`: flipped bytes, truncations, inserted/deleted bytes, huge lengths. */
export function mutations(der: Uint8Array, count: number, seed = 1): Uint8Array[] {
  const rand = prng(seed);
  const pick = (n: number): number => Math.floor(rand() * n);
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const b = Uint8Array.from(der);
    switch (i % 6) {
      case 0: // flip a few bytes, biased to the header area where tags and lengths live
        for (let k = 0; k < 1 + pick(4); k++) b[pick(Math.min(b.length, rand() < 0.5 ? 200 : b.length))] = pick(256);
        out.push(b);
        break;
      case 1:
        out.push(b.subarray(0, pick(b.length)));
        break;
      case 2: {
        const at = pick(b.length);
        out.push(Uint8Array.from([...b.subarray(0, at), pick(256), ...b.subarray(at)]));
        break;
      }
      case 3: {
        const at = pick(b.length);
        out.push(Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + 1 + pick(8))]));
        break;
      }
      case 4: {
        // a long-form length claiming gigabytes
        const at = pick(Math.min(b.length - 6, 400));
        b.set([0x84, 0x7f, 0xff, 0xff, 0xff], at + 1);
        out.push(b);
        break;
      }
      default: {
        const junk = new Uint8Array(1 + pick(300));
        for (let k = 0; k < junk.length; k++) junk[k] = pick(256);
        if (rand() < 0.5) junk[0] = 0x30;
        out.push(junk);
      }
    }
  }
  return out;
}

/** Decodes an 8-bit RGBA, non-interlaced PNG (what resvg writes) into its pixels, for pixel checks. */
export function decodePng(png: Uint8Array): { width: number; height: number; rgba: Uint8Array } {
  const buf = Buffer.from(png);
  if (!buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) throw new Error('not a PNG');
  let o = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  while (o < buf.length) {
    const len = buf.readUInt32BE(o);
    const type = buf.toString('latin1', o + 4, o + 8);
    const data = buf.subarray(o + 8, o + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      if (data[8] !== 8 || data[9] !== 6 || data[12] !== 0) throw new Error('only 8-bit RGBA non-interlaced PNGs');
    } else if (type === 'IDAT') idat.push(data);
    o += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 4;
  const rgba = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= 4 ? rgba[y * stride + x - 4]! : 0;
      const b = y > 0 ? rgba[(y - 1) * stride + x]! : 0;
      const c = x >= 4 && y > 0 ? rgba[(y - 1) * stride + x - 4]! : 0;
      const p = a + b - c;
      const pa = Math.abs(p - a);
      const pb = Math.abs(p - b);
      const pc = Math.abs(p - c);
      const paeth = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      const predictor = [0, a, b, (a + b) >> 1, paeth][filter];
      if (predictor === undefined) throw new Error(`PNG filter ${filter}`);
      rgba[y * stride + x] = (line[x]! + predictor) & 0xff;
    }
  }
  return { width, height, rgba };
}
