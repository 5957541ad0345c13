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

export function encodeGb18030(text: string): Uint8Array {
  const b = iconv.encode(text, 'gb18030');
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
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
  for (const ch of text) n += charColumns(ch);
  return n;
}

/**
 * Splits `text` into lines of at most `columns` columns. Breaks at the last space when an ASCII word would
 * be cut (words longer than a line are cut), anywhere between CJK characters; an empty text gives one empty line.
 */
export function wrap(text: string, columns: number): string[] {
  if (columns < 2) throw new RangeError('wrap: need at least 2 columns');
  const out: string[] = [];
  for (const paragraph of text.split('\n')) {
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
