/**
 * QR codes for certificates: the module matrix (made by the `qrcode` package), the dark runs a PDF
 * draws as vector rectangles, and a reader that turns a module matrix back into its text.
 *
 * The reader follows ISO/IEC 18004 directly (format information, function patterns, masks, block
 * interleaving, segment modes) and is independent of the encoder, so a test can prove that the
 * rectangles drawn in a PDF carry the intended text. It checks the Reed-Solomon codewords rather
 * than correcting errors: it reads clean matrices (taken from a PDF), not camera images.
 */
import QRCode from 'qrcode';

export type QrErrorLevel = 'L' | 'M' | 'Q' | 'H';

export interface QrMatrix {
  /** Modules per side (21 for version 1, +4 per version). */
  readonly size: number;
  readonly version: number;
  readonly errorLevel: QrErrorLevel;
  /** Row-major, 1 = dark. */
  readonly modules: Uint8Array;
}

/** The QR matrix for `text`; the encoder picks the smallest version and the best segment modes. */
export function qrMatrix(text: string, errorLevel: QrErrorLevel = 'M'): QrMatrix {
  const qr = QRCode.create(text, { errorCorrectionLevel: errorLevel });
  return { size: qr.modules.size, version: qr.version, errorLevel, modules: Uint8Array.from(qr.modules.data, (b) => (b ? 1 : 0)) };
}

export interface QrRun {
  readonly row: number;
  readonly col: number;
  readonly length: number;
}

/** Horizontal runs of dark modules, row by row: one rectangle each keeps the PDF small. */
export function darkRuns(matrix: Pick<QrMatrix, 'size' | 'modules'>): QrRun[] {
  const runs: QrRun[] = [];
  const n = matrix.size;
  for (let row = 0; row < n; row++) {
    let col = 0;
    while (col < n) {
      if (!matrix.modules[row * n + col]) {
        col++;
        continue;
      }
      const start = col;
      while (col < n && matrix.modules[row * n + col]) col++;
      runs.push({ row, col: start, length: col - start });
    }
  }
  return runs;
}

// ---- reading a matrix back ----------------------------------------------------------------------

/** Versions the reader knows (the references on certificates need version 5 or 6). */
export const MAX_READ_VERSION = 10;

/** Total codewords per version (ISO/IEC 18004 Table 1), index = version. */
const TOTAL_CODEWORDS = [0, 26, 44, 70, 100, 134, 172, 196, 242, 292, 346];
/** Error correction blocks and EC codewords in all, per version and level L, M, Q, H (Table 9). */
const EC_BLOCKS: readonly (readonly number[])[] = [
  [],
  [1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 2, 2], [1, 2, 2, 4], [1, 2, 4, 4],
  [2, 4, 4, 4], [2, 4, 6, 5], [2, 4, 6, 6], [2, 5, 8, 8], [4, 5, 8, 8],
];
const EC_CODEWORDS: readonly (readonly number[])[] = [
  [],
  [7, 10, 13, 17], [10, 16, 22, 28], [15, 26, 36, 44], [20, 36, 52, 64], [26, 48, 72, 88],
  [36, 64, 96, 112], [40, 72, 108, 130], [48, 88, 132, 156], [60, 110, 160, 192], [72, 130, 192, 224],
];
const LEVEL_ORDER: readonly QrErrorLevel[] = ['L', 'M', 'Q', 'H'];
/** The two format bits of each level. */
const LEVEL_BITS: Record<number, QrErrorLevel> = { 1: 'L', 0: 'M', 3: 'Q', 2: 'H' };

export class QrReadError extends Error {}

/** The block structure of a version and level: data codewords per block, EC codewords per block. */
export function qrBlocks(version: number, level: QrErrorLevel): { dataPerBlock: number[]; ecPerBlock: number } {
  const li = LEVEL_ORDER.indexOf(level);
  const total = TOTAL_CODEWORDS[version]!;
  const blocks = EC_BLOCKS[version]![li]!;
  const ecTotal = EC_CODEWORDS[version]![li]!;
  const ecPerBlock = ecTotal / blocks;
  const longBlocks = total % blocks;
  const shortData = Math.floor(total / blocks) - ecPerBlock;
  return { dataPerBlock: Array.from({ length: blocks }, (_, b) => shortData + (b >= blocks - longBlocks ? 1 : 0)), ecPerBlock };
}

function alignmentCentres(version: number): number[] {
  if (version === 1) return [];
  const count = Math.floor(version / 7) + 2;
  const size = 17 + 4 * version;
  const step = Math.ceil((size - 13) / (2 * count - 2)) * 2;
  const pos = [size - 7];
  for (let i = 1; i < count - 1; i++) pos.push(pos[i - 1]! - step);
  pos.push(6);
  return pos.reverse();
}

function functionModules(version: number): Uint8Array {
  const n = 17 + 4 * version;
  const f = new Uint8Array(n * n);
  const mark = (r: number, c: number): void => {
    if (r >= 0 && c >= 0 && r < n && c < n) f[r * n + c] = 1;
  };
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      // Finder patterns with separators and the format information next to them.
      if ((r < 9 && c < 9) || (r < 9 && c >= n - 8) || (r >= n - 8 && c < 9)) mark(r, c);
      if (r === 6 || c === 6) mark(r, c); // timing patterns
    }
  }
  const centres = alignmentCentres(version);
  for (const r of centres) {
    for (const c of centres) {
      if ((r === 6 && c === 6) || (r === 6 && c === n - 7) || (r === n - 7 && c === 6)) continue;
      for (let dr = -2; dr <= 2; dr++) for (let dc = -2; dc <= 2; dc++) mark(r + dr, c + dc);
    }
  }
  if (version >= 7) {
    for (let i = 0; i < 6; i++) {
      for (let j = n - 11; j < n - 8; j++) {
        mark(i, j);
        mark(j, i);
      }
    }
  }
  return f;
}

const MASKS: readonly ((r: number, c: number) => boolean)[] = [
  (r, c) => (r + c) % 2 === 0,
  (r) => r % 2 === 0,
  (_r, c) => c % 3 === 0,
  (r, c) => (r + c) % 3 === 0,
  (r, c) => (Math.floor(r / 2) + Math.floor(c / 3)) % 2 === 0,
  (r, c) => ((r * c) % 2) + ((r * c) % 3) === 0,
  (r, c) => (((r * c) % 2) + ((r * c) % 3)) % 2 === 0,
  (r, c) => (((r + c) % 2) + ((r * c) % 3)) % 2 === 0,
];

function bchFormat(data5: number): number {
  let v = data5 << 10;
  for (let bit = 14; bit >= 10; bit--) if (v & (1 << bit)) v ^= 0x537 << (bit - 10);
  return (data5 << 10) | v;
}

function readFormat(m: QrMatrix['modules'], n: number): { level: QrErrorLevel; mask: number } {
  const at = (r: number, c: number): number => m[r * n + c]!;
  let a = 0;
  let b = 0;
  for (let i = 0; i < 15; i++) {
    const r = i < 6 ? i : i < 8 ? i + 1 : n - 15 + i;
    a |= at(r, 8) << i;
    const c = i < 8 ? n - i - 1 : i < 9 ? 15 - i : 14 - i;
    b |= at(8, c) << i;
  }
  for (const raw of [a, b]) {
    const v = raw ^ 0x5412;
    if (bchFormat(v >> 10) === v) return { level: LEVEL_BITS[v >> 13]!, mask: (v >> 10) & 7 };
  }
  throw new QrReadError('QR format information is damaged');
}

// GF(256) with the QR polynomial x^8 + x^4 + x^3 + x^2 + 1, for checking the EC codewords.
const EXP = new Uint8Array(512);
const LOG = new Uint8Array(256);
{
  let x = 1;
  for (let i = 0; i < 255; i++) {
    EXP[i] = x;
    LOG[x] = i;
    x <<= 1;
    if (x & 0x100) x ^= 0x11d;
  }
  for (let i = 255; i < 512; i++) EXP[i] = EXP[i - 255]!;
}

function gfMul(a: number, b: number): number {
  return a === 0 || b === 0 ? 0 : EXP[LOG[a]! + LOG[b]!]!;
}

function reedSolomon(data: readonly number[], ecLength: number): number[] {
  let gen = [1];
  for (let i = 0; i < ecLength; i++) {
    const next = new Array<number>(gen.length + 1).fill(0);
    for (let j = 0; j < gen.length; j++) {
      next[j]! ^= gen[j]!;
      next[j + 1]! ^= gfMul(gen[j]!, EXP[i]!);
    }
    gen = next;
  }
  const rem = new Array<number>(ecLength).fill(0);
  for (const d of data) {
    const factor = d ^ rem.shift()!;
    rem.push(0);
    for (let j = 0; j < ecLength; j++) rem[j]! ^= gfMul(gen[j + 1]!, factor);
  }
  return rem;
}

const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

/** Reads the text of a clean QR matrix (versions 1-10); throws QrReadError when it does not decode. */
export function readQrMatrix(matrix: Pick<QrMatrix, 'size' | 'modules'>): { text: string; version: number; errorLevel: QrErrorLevel } {
  const n = matrix.size;
  const version = (n - 17) / 4;
  if (!Number.isInteger(version) || version < 1) throw new QrReadError(`a QR code cannot be ${n} modules wide`);
  if (version > MAX_READ_VERSION) throw new QrReadError(`QR version ${version} is beyond this reader (1-${MAX_READ_VERSION})`);
  if (matrix.modules.length !== n * n) throw new QrReadError('QR matrix has the wrong number of modules');
  const { level, mask } = readFormat(matrix.modules, n);
  const reserved = functionModules(version);
  const maskFn = MASKS[mask]!;

  // Codewords in placement order: two-module columns from the right, upwards then downwards.
  const codewords: number[] = [];
  let byte = 0;
  let bits = 0;
  let up = true;
  for (let right = n - 1; right > 0; right -= 2) {
    if (right === 6) right--; // the vertical timing pattern
    for (let k = 0; k < n; k++) {
      const r = up ? n - 1 - k : k;
      for (const c of [right, right - 1]) {
        if (reserved[r * n + c]) continue;
        byte = (byte << 1) | (matrix.modules[r * n + c]! ^ (maskFn(r, c) ? 1 : 0));
        if (++bits === 8) {
          codewords.push(byte);
          byte = 0;
          bits = 0;
        }
      }
    }
    up = !up;
  }

  // De-interleave: data codewords column by column across blocks, then the EC codewords.
  const { dataPerBlock, ecPerBlock } = qrBlocks(version, level);
  const blocks = dataPerBlock.map(() => [] as number[]);
  const ecBlocks = dataPerBlock.map(() => [] as number[]);
  let i = 0;
  for (let col = 0; col < Math.max(...dataPerBlock); col++) {
    for (let b = 0; b < blocks.length; b++) if (col < dataPerBlock[b]!) blocks[b]!.push(codewords[i++]!);
  }
  for (let col = 0; col < ecPerBlock; col++) for (const ec of ecBlocks) ec.push(codewords[i++]!);
  blocks.forEach((data, b) => {
    const expected = reedSolomon(data, ecPerBlock);
    if (expected.some((v, j) => v !== ecBlocks[b]![j])) throw new QrReadError('QR error correction codewords do not match the data');
  });

  // Segments.
  const data = blocks.flat();
  let pos = 0;
  const take = (count: number): number => {
    let v = 0;
    for (let k = 0; k < count; k++, pos++) {
      if (pos >= data.length * 8) throw new QrReadError('QR data ends inside a segment');
      v = (v << 1) | ((data[pos >> 3]! >> (7 - (pos & 7))) & 1);
    }
    return v;
  };
  const small = version < 10;
  let text = '';
  const bytes: number[] = [];
  const flushBytes = (): void => {
    if (bytes.length) text += new TextDecoder('utf-8', { fatal: false }).decode(Uint8Array.from(bytes.splice(0)));
  };
  while (data.length * 8 - pos >= 4) {
    const mode = take(4);
    if (mode === 0) break;
    if (mode === 1) {
      flushBytes();
      let count = take(small ? 10 : 12);
      for (; count >= 3; count -= 3) text += String(take(10)).padStart(3, '0');
      if (count === 2) text += String(take(7)).padStart(2, '0');
      else if (count === 1) text += String(take(4));
    } else if (mode === 2) {
      flushBytes();
      let count = take(small ? 9 : 11);
      for (; count >= 2; count -= 2) {
        const v = take(11);
        text += ALPHANUMERIC[Math.floor(v / 45)]! + ALPHANUMERIC[v % 45]!;
      }
      if (count === 1) text += ALPHANUMERIC[take(6)]!;
    } else if (mode === 4) {
      let count = take(small ? 8 : 16);
      for (; count > 0; count--) bytes.push(take(8));
    } else {
      throw new QrReadError(`QR segment mode ${mode} is not supported by this reader`);
    }
  }
  flushBytes();
  return { text, version, errorLevel: level };
}
