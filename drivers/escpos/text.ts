/**
 * Receipt text as the printer sees it: GB18030 bytes, and how many columns each character takes.
 *
 * In Chinese mode (FS &) a printer prints every multi-byte GB18030 character as one double-width glyph
 * and every single byte (ASCII) as a single-width one; so a character's width is 1 when it encodes to one
 * byte and 2 otherwise. A 58 mm printer has 32 ASCII columns (16 CJK characters), an 80 mm one 48.
 * Wrapping works on whole characters, so it never splits a character's bytes across lines.
 */
import iconv from 'iconv-lite';

export type PaperWidth = 58 | 80;

/** ASCII columns per line at normal size (Font A). */
export const COLUMNS: Readonly<Record<PaperWidth, number>> = { 58: 32, 80: 48 };

/**
 * GB18030 bytes of each BMP character seen so far, four slots per character (GB18030 is stateless, so
 * encoding character by character is exact): 320 KiB once the first non-ASCII text is encoded. Astral
 * characters (4 bytes each) go through a small map.
 */
let bmpBytes: Uint8Array | undefined;
let bmpLength: Uint8Array | undefined;
const astral = new Map<number, Uint8Array>();

function encodeOne(cp: number): Uint8Array {
  return Uint8Array.from(iconv.encode(String.fromCodePoint(cp), 'gb18030'));
}

/** The most bytes `text` can take in GB18030 (4 per UTF-16 unit), for sizing a buffer. */
export function maxGb18030Length(text: string): number {
  return text.length * 4;
}

/**
 * Writes the GB18030 bytes of `text` into `out` at `offset` (which must have maxGb18030Length(text)
 * bytes of room) and returns the offset after them: the same bytes as iconv-lite's encoder, which it
 * uses for characters not seen before. A receipt is many short strings; each iconv call costs a few
 * microseconds of setup and an allocation, this a table lookup per character.
 */
export function writeGb18030(text: string, out: Uint8Array, offset: number): number {
  let o = offset;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      out[o++] = c;
      continue;
    }
    if (c < 0xd800 || c > 0xdfff) {
      bmpBytes ??= new Uint8Array(65536 * 4);
      bmpLength ??= new Uint8Array(65536);
      let n = bmpLength[c]!;
      if (n === 0) {
        const bytes = encodeOne(c);
        bmpBytes.set(bytes.subarray(0, 4), c * 4);
        n = bmpLength[c] = bytes.length;
      }
      const at = c * 4;
      out[o] = bmpBytes[at]!;
      out[o + 1] = bmpBytes[at + 1]!;
      if (n === 4) {
        out[o + 2] = bmpBytes[at + 2]!;
        out[o + 3] = bmpBytes[at + 3]!;
      }
      o += n;
      continue;
    }
    const cp = text.codePointAt(i)!;
    if (cp > 0xffff) i++;
    let bytes = astral.get(cp);
    if (!bytes) {
      bytes = encodeOne(cp); // a lone surrogate too: iconv-lite's substitute
      if (astral.size < 4096) astral.set(cp, bytes);
    }
    out.set(bytes, o);
    o += bytes.length;
  }
  return o;
}

export function encodeGb18030(text: string): Uint8Array {
  const out = new Uint8Array(maxGb18030Length(text));
  return out.subarray(0, writeGb18030(text, out, 0));
}

export function decodeGb18030(bytes: Uint8Array): string {
  return iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 'gb18030');
}

/** Columns one character (code point) takes: 1 for ASCII, 2 for everything printed as a CJK glyph. */
export function charColumns(ch: string): number {
  const c = ch.codePointAt(0) ?? 0;
  return c < 0x80 ? 1 : 2;
}

export function textColumns(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else {
      n += 2;
      if (c >= 0xd800 && c <= 0xdbff) i++; // the pair is one character
    }
  }
  return n;
}

/**
 * Splits `text` into lines of at most `columns` columns. Breaks at the last space when an ASCII word would
 * be cut (words longer than a line are cut), anywhere between CJK characters; an empty text gives one empty line.
 */
export function wrap(text: string, columns: number): string[] {
  if (columns < 2) throw new RangeError('wrap: need at least 2 columns');
  if (text.length <= columns / 2 && !text.includes('\n')) return [text.trimEnd()]; // fits whatever it holds
  const out: string[] = [];
  for (const paragraph of text.split('\n')) {
    if (textColumns(paragraph) <= columns) {
      out.push(paragraph.trimEnd());
      continue;
    }
    let line: string[] = [];
    let used = 0;
    for (const ch of paragraph) {
      const w = charColumns(ch);
      if (used + w > columns) {
        let carry: string[] = [];
        // keep an ASCII word whole by moving it to the next line, when the line has a space to break at
        if (ch !== ' ' && w === 1 && line.length > 0 && line[line.length - 1] !== ' ') {
          const lastSpace = line.lastIndexOf(' ');
          if (lastSpace > 0 && line.slice(lastSpace + 1).every((c) => charColumns(c) === 1)) {
            carry = line.slice(lastSpace + 1);
            line = line.slice(0, lastSpace);
          }
        }
        out.push(line.join('').trimEnd());
        line = carry;
        used = textColumns(carry.join(''));
        if (ch === ' ' && line.length === 0) continue; // no leading space on a wrapped line
      }
      line.push(ch);
      used += w;
    }
    out.push(line.join('').trimEnd());
  }
  return out;
}

/** Pads (or cuts, on a character boundary) `text` to exactly `columns` columns. */
export function fit(text: string, columns: number, align: 'left' | 'right' | 'center' = 'left'): string {
  let cut = '';
  let used = 0;
  for (const ch of text) {
    const w = charColumns(ch);
    if (used + w > columns) break;
    cut += ch;
    used += w;
  }
  const pad = columns - used;
  if (align === 'right') return ' '.repeat(pad) + cut;
  if (align === 'center') return ' '.repeat(Math.floor(pad / 2)) + cut + ' '.repeat(pad - Math.floor(pad / 2));
  return cut + ' '.repeat(pad);
}

/** A key on the left and its value on the right of one line; a value too long continues right-aligned below. */
export function keyValue(key: string, value: string, columns: number): string[] {
  const keyCols = textColumns(key);
  const room = columns - keyCols - 1;
  if (room >= Math.min(textColumns(value), Math.floor(columns / 3)) && room > 0) {
    const parts = wrap(value, room);
    return parts.map((p, i) => (i === 0 ? key + ' ' : ' '.repeat(keyCols + 1)) + fit(p, room, 'right'));
  }
  return [...wrap(key, columns), ...wrap(value, columns).map((p) => fit(p, columns, 'right'))];
}

export interface Column {
  readonly text: string;
  readonly width: number;
  readonly align?: 'left' | 'right' | 'center';
}

/** A row of fixed-width columns (each cell wrapped inside its column); widths must sum to at most the line. */
export function columnsRow(cells: readonly Column[], columns: number): string[] {
  const total = cells.reduce((n, c) => n + c.width, 0);
  if (total > columns) throw new RangeError(`columns take ${total} columns, the line has ${columns}`);
  const wrapped = cells.map((c) => wrap(c.text, c.width));
  const height = Math.max(...wrapped.map((w) => w.length));
  const lines: string[] = [];
  for (let i = 0; i < height; i++) lines.push(cells.map((c, j) => fit(wrapped[j]![i] ?? '', c.width, c.align)).join('').trimEnd());
  return lines;
}
