/**
 * A small, defensive PDF reader: exactly what sealing and seal verification need (objects, classic
 * cross-reference tables, the trailer chain, the page tree), nothing for rendering.
 *
 * Everything here reads untrusted bytes. Every loop consumes input or is bounded by a counter, nesting
 * is limited, numbers are limited in length, and every malformation is an InputError — never another
 * kind of exception and never a hang. Values keep their byte offsets so that a signer can fill a
 * placeholder in place and a verifier can check that a /ByteRange gap is exactly the /Contents string.
 */
import { InputError } from '../../base/errors.js';

// --- values ---

export interface PdfName {
  readonly kind: 'name';
  /** The name's bytes (after #xx unescaping) as a latin1 string. */
  readonly name: string;
}
export interface PdfString {
  readonly kind: 'string';
  readonly bytes: Uint8Array;
  readonly hex: boolean;
  /** Offsets of the first delimiter and just past the last one. */
  readonly start: number;
  readonly end: number;
}
export interface PdfArray {
  readonly kind: 'array';
  readonly items: PdfValue[];
  readonly start: number;
  readonly end: number;
}
export interface PdfDict {
  readonly kind: 'dict';
  readonly entries: Map<string, PdfValue>;
  readonly start: number;
  readonly end: number;
}
export interface PdfRef {
  readonly kind: 'ref';
  readonly num: number;
  readonly gen: number;
}
export type PdfValue = null | boolean | number | PdfName | PdfString | PdfArray | PdfDict | PdfRef;

export interface PdfIndirectObject {
  readonly num: number;
  readonly gen: number;
  readonly value: PdfValue;
  /** Offset of the object header ("N G obj"). */
  readonly offset: number;
  /** Offset just past the object (after "endobj" when present). */
  readonly end: number;
  /** For a stream object: where its raw data lies. */
  readonly stream?: { readonly start: number; readonly end: number };
}

/**
 * Work allowance shared by all parses of one file, in bytes examined. Scanning a hostile file whose
 * every "N G obj" opens an unterminated string would otherwise cost quadratic time.
 */
export interface PdfBudget {
  remaining: number;
}

/**
 * The work allowed for reading a file of `length` bytes: linear in its size. Sound files cost a few
 * times their length (look-ahead for references re-reads a token or two).
 */
export function workBudget(length: number): number {
  return 16 * length + (1 << 20);
}

/** Limits that keep hostile input cheap. */
export const PDF_LIMITS = {
  /** Nesting of arrays and dictionaries. */
  depth: 64,
  /** Characters in one numeric token (a million-digit number is refused, not parsed). */
  numberLength: 32,
  /** Largest object number accepted. */
  objectNumber: 8_388_607,
  /** Largest generation number. */
  generation: 65_535,
  /** Cross-reference sections followed through /Prev. */
  revisions: 256,
  /** Indirect references followed to reach a value. */
  refChain: 32,
  /** Page tree nodes visited. */
  pageNodes: 100_000,
} as const;

export function pdfError(code: string, message: string): InputError {
  return new InputError(`pdf.${code}`, message);
}

// --- lexer ---

const WS = new Uint8Array(256);
for (const c of [0, 9, 10, 12, 13, 32]) WS[c] = 1;
const DELIM = new Uint8Array(256);
for (const c of '()<>[]{}/%') DELIM[c.charCodeAt(0)] = 1;

export function isWhitespace(c: number | undefined): boolean {
  return c !== undefined && WS[c] === 1;
}
function isRegular(c: number | undefined): boolean {
  return c !== undefined && WS[c] !== 1 && DELIM[c] !== 1;
}
function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

type Token =
  | { t: 'num'; v: number; int: boolean; start: number }
  | { t: 'kw'; v: string; start: number }
  | { t: 'name'; v: string; start: number }
  | { t: 'str'; v: PdfString; start: number }
  | { t: 'open'; v: '[' | '<<'; start: number }
  | { t: 'close'; v: ']' | '>>'; start: number }
  | { t: 'eof'; start: number };

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)$/;

/** A cursor over the file's bytes. `pos` only ever moves forward while tokenising. */
export class PdfLexer {
  pos: number;

  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    readonly limit = bytes.length,
    /** Shared work allowance (bytes examined) across many parses of one file; see PdfBudget. */
    readonly budget?: PdfBudget,
  ) {
    this.pos = start;
  }

  /** Charges `n` bytes of work to the budget, failing once it is spent. */
  charge(n: number): void {
    if (!this.budget) return;
    this.budget.remaining -= n;
    if (this.budget.remaining < 0) throw pdfError('budget', 'the file is too convoluted to read (work budget spent)');
  }

  skipWhitespaceAndComments(): void {
    const b = this.bytes;
    while (this.pos < this.limit) {
      const c = b[this.pos]!;
      if (WS[c] === 1) this.pos++;
      else if (c === 0x25 /* % */) {
        while (this.pos < this.limit && b[this.pos] !== 10 && b[this.pos] !== 13) this.pos++;
      } else break;
    }
  }

  next(): Token {
    const before = this.pos;
    try {
      return this.token();
    } finally {
      this.charge(this.pos - before + 1);
    }
  }

  private token(): Token {
    this.skipWhitespaceAndComments();
    const b = this.bytes;
    const start = this.pos;
    if (start >= this.limit) return { t: 'eof', start };
    const c = b[start]!;
    if (c === 0x5b /* [ */) {
      this.pos++;
      return { t: 'open', v: '[', start };
    }
    if (c === 0x5d /* ] */) {
      this.pos++;
      return { t: 'close', v: ']', start };
    }
    if (c === 0x3c /* < */) {
      if (b[start + 1] === 0x3c) {
        this.pos += 2;
        return { t: 'open', v: '<<', start };
      }
      return { t: 'str', v: this.hexString(), start };
    }
    if (c === 0x3e /* > */) {
      if (b[start + 1] === 0x3e) {
        this.pos += 2;
        return { t: 'close', v: '>>', start };
      }
      throw pdfError('syntax', `unexpected ">" at byte ${start}`);
    }
    if (c === 0x28 /* ( */) return { t: 'str', v: this.literalString(), start };
    if (c === 0x2f /* / */) return { t: 'name', v: this.name(), start };
    if (c === 0x29 || c === 0x7b || c === 0x7d) throw pdfError('syntax', `unexpected "${String.fromCharCode(c)}" at byte ${start}`);
    // A regular token: a number or a keyword.
    let end = start;
    while (end < this.limit && isRegular(b[end]) && end - start <= 256) end++;
    if (end - start > 256) throw pdfError('syntax', `token too long at byte ${start}`);
    this.pos = end;
    const text = latin1(b, start, end);
    const first = text.charCodeAt(0);
    if ((first >= 48 && first <= 57) || first === 43 || first === 45 || first === 46) {
      if (text.length > PDF_LIMITS.numberLength) throw pdfError('number', `number too long (${text.length} characters) at byte ${start}`);
      if (!NUMBER.test(text)) throw pdfError('syntax', `malformed number "${text}" at byte ${start}`);
      const v = Number(text);
      if (!Number.isFinite(v)) throw pdfError('number', `number out of range at byte ${start}`);
      return { t: 'num', v, int: !text.includes('.'), start };
    }
    return { t: 'kw', v: text, start };
  }

  /** Peeks the next token without consuming it. */
  peek(): Token {
    const save = this.pos;
    try {
      return this.next();
    } finally {
      this.pos = save;
    }
  }

  private name(): string {
    const b = this.bytes;
    let i = this.pos + 1;
    const out: number[] = [];
    while (i < this.limit && isRegular(b[i])) {
      if (out.length > 4096) throw pdfError('syntax', `name too long at byte ${this.pos}`);
      if (b[i] === 0x23 /* # */ && i + 2 < this.limit + 1) {
        const h = hexValue(b[i + 1] ?? 0);
        const l = hexValue(b[i + 2] ?? 0);
        if (h >= 0 && l >= 0) {
          out.push(h * 16 + l);
          i += 3;
          continue;
        }
      }
      out.push(b[i]!);
      i++;
    }
    this.pos = i;
    return String.fromCharCode(...out);
  }

  private hexString(): PdfString {
    const b = this.bytes;
    const start = this.pos;
    // Signature /Contents are tens of kilobytes of hex: find the end, then let Buffer decode.
    let close = indexOf(b, '>', start + 1);
    if (close >= this.limit) close = -1;
    if (close < 0) {
      this.pos = this.limit;
      throw pdfError('syntax', `unterminated hex string at byte ${start}`);
    }
    let text = latin1(b, start + 1, close);
    if (!/^[0-9A-Fa-f]*$/.test(text)) {
      const bad = /[^0-9A-Fa-f\0\t\n\f\r ]/.exec(text);
      if (bad) {
        this.pos = start + 1 + bad.index;
        throw pdfError('syntax', `non-hex character in hex string at byte ${start + 1 + bad.index}`);
      }
      text = text.replace(/[\0\t\n\f\r ]+/g, '');
    }
    // An odd last digit stands for its high nibble.
    if (text.length % 2 === 1) text += '0';
    this.pos = close + 1;
    return { kind: 'string', bytes: new Uint8Array(Buffer.from(text, 'hex')), hex: true, start, end: close + 1 };
  }

  private literalString(): PdfString {
    const b = this.bytes;
    const start = this.pos;
    let i = start + 1;
    let depth = 1;
    const out: number[] = [];
    for (;;) {
      if (i >= this.limit) {
        this.pos = i;
        throw pdfError('syntax', `unterminated string at byte ${start}`);
      }
      const c = b[i]!;
      i++;
      if (c === 0x5c /* \ */) {
        if (i >= this.limit) throw pdfError('syntax', `unterminated string at byte ${start}`);
        const e = b[i]!;
        i++;
        const simple: Record<number, number> = { 0x6e: 10, 0x72: 13, 0x74: 9, 0x62: 8, 0x66: 12, 0x28: 0x28, 0x29: 0x29, 0x5c: 0x5c };
        if (simple[e] !== undefined) out.push(simple[e]);
        else if (e >= 0x30 && e <= 0x37) {
          let v = e - 0x30;
          for (let k = 0; k < 2 && i < this.limit && b[i]! >= 0x30 && b[i]! <= 0x37; k++) v = v * 8 + (b[i++]! - 0x30);
          out.push(v & 0xff);
        } else if (e === 13) {
          if (b[i] === 10) i++;
        } else if (e !== 10) out.push(e);
        continue;
      }
      if (c === 0x28) depth++;
      else if (c === 0x29 && --depth === 0) break;
      out.push(c);
    }
    this.pos = i;
    return { kind: 'string', bytes: Uint8Array.from(out), hex: false, start, end: i };
  }
}

export function latin1(bytes: Uint8Array, start = 0, end = bytes.length): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, Math.max(0, end - start)).toString('latin1');
}

// --- objects ---

/** Parses one direct value (with references) at the lexer's position. */
export function parseValue(lex: PdfLexer, depth = 0): PdfValue {
  if (depth > PDF_LIMITS.depth) throw pdfError('depth', `objects nested more than ${PDF_LIMITS.depth} deep at byte ${lex.pos}`);
  const tok = lex.next();
  switch (tok.t) {
    case 'num': {
      // "N G R" is a reference; look ahead without consuming when it is not.
      if (tok.int && tok.v >= 0) {
        const save = lex.pos;
        const gen = safeNext(lex);
        if (gen?.t === 'num' && gen.int && gen.v >= 0) {
          const r = safeNext(lex);
          if (r?.t === 'kw' && r.v === 'R') return makeRef(tok.v, gen.v, tok.start);
        }
        lex.pos = save;
      }
      return tok.v;
    }
    case 'name':
      return { kind: 'name', name: tok.v };
    case 'str':
      return tok.v;
    case 'open':
      return tok.v === '[' ? parseArrayBody(lex, tok.start, depth) : parseDictBody(lex, tok.start, depth);
    case 'kw':
      if (tok.v === 'true') return true;
      if (tok.v === 'false') return false;
      if (tok.v === 'null') return null;
      throw pdfError('syntax', `unexpected keyword "${tok.v.slice(0, 20)}" at byte ${tok.start}`);
    case 'close':
      throw pdfError('syntax', `unexpected "${tok.v}" at byte ${tok.start}`);
    case 'eof':
      throw pdfError('truncated', `file ends inside an object (byte ${tok.start})`);
  }
}

/** The next token, or undefined where the lexer would throw (used only for look-ahead). */
function safeNext(lex: PdfLexer): Token | undefined {
  try {
    return lex.next();
  } catch {
    return undefined;
  }
}

function makeRef(num: number, gen: number, at: number): PdfRef {
  if (num > PDF_LIMITS.objectNumber || gen > PDF_LIMITS.generation) throw pdfError('number', `reference ${num} ${gen} out of range at byte ${at}`);
  return { kind: 'ref', num, gen };
}

function parseArrayBody(lex: PdfLexer, start: number, depth: number): PdfArray {
  const items: PdfValue[] = [];
  for (;;) {
    const tok = lex.peek();
    if (tok.t === 'close' && tok.v === ']') {
      lex.next();
      return { kind: 'array', items, start, end: lex.pos };
    }
    if (tok.t === 'eof') throw pdfError('truncated', `file ends inside an array (from byte ${start})`);
    items.push(parseValue(lex, depth + 1));
  }
}

function parseDictBody(lex: PdfLexer, start: number, depth: number): PdfDict {
  const entries = new Map<string, PdfValue>();
  for (;;) {
    const tok = lex.next();
    if (tok.t === 'close' && tok.v === '>>') return { kind: 'dict', entries, start, end: lex.pos };
    if (tok.t === 'eof') throw pdfError('truncated', `file ends inside a dictionary (from byte ${start})`);
    if (tok.t !== 'name') throw pdfError('syntax', `dictionary key is not a name at byte ${tok.start}`);
    const value = parseValue(lex, depth + 1);
    // The first definition wins, as in most readers; a duplicate key cannot replace a checked value.
    if (!entries.has(tok.v)) entries.set(tok.v, value);
  }
}

/**
 * Parses "N G obj ... endobj" at `offset`. A stream's data is located from a direct /Length when that
 * is consistent, else by searching for "endstream".
 */
export function parseIndirectObject(bytes: Uint8Array, offset: number, budget?: PdfBudget): PdfIndirectObject {
  if (!Number.isSafeInteger(offset) || offset < 0 || offset >= bytes.length) throw pdfError('offset', `object offset ${offset} is outside the file`);
  const lex = new PdfLexer(bytes, offset, bytes.length, budget);
  const n = lex.next();
  const g = lex.next();
  const o = lex.next();
  if (n.t !== 'num' || !n.int || g.t !== 'num' || !g.int || o.t !== 'kw' || o.v !== 'obj') {
    throw pdfError('object', `no object header at byte ${offset}`);
  }
  if (n.v < 0 || n.v > PDF_LIMITS.objectNumber || g.v < 0 || g.v > PDF_LIMITS.generation) throw pdfError('number', `object number out of range at byte ${offset}`);
  const value = parseValue(lex);
  let stream: { start: number; end: number } | undefined;
  lex.skipWhitespaceAndComments();
  if (matchKeyword(bytes, lex.pos, 'stream')) {
    if (!isDict(value)) throw pdfError('object', `stream without a dictionary at byte ${offset}`);
    let start = lex.pos + 6;
    if (bytes[start] === 13) start++;
    if (bytes[start] === 10) start++;
    const length = value.entries.get('Length');
    let end = -1;
    if (typeof length === 'number' && Number.isSafeInteger(length) && length >= 0 && start + length <= bytes.length) {
      const after = new PdfLexer(bytes, start + length);
      after.skipWhitespaceAndComments();
      if (matchKeyword(bytes, after.pos, 'endstream')) end = start + length;
    }
    if (end < 0) {
      const found = indexOf(bytes, 'endstream', start);
      lex.charge((found < 0 ? bytes.length : found) - start);
      if (found < 0) throw pdfError('truncated', `stream at byte ${offset} has no end`);
      end = found;
      // Drop the end-of-line that precedes "endstream".
      if (end > start && bytes[end - 1] === 10) end--;
      if (end > start && bytes[end - 1] === 13) end--;
    }
    stream = { start, end };
    lex.pos = indexOf(bytes, 'endstream', end) + 9;
    lex.skipWhitespaceAndComments();
  }
  let end = lex.pos;
  if (matchKeyword(bytes, lex.pos, 'endobj')) end = lex.pos + 6;
  return { num: n.v, gen: g.v, value, offset, end, ...(stream ? { stream } : {}) };
}

function matchKeyword(bytes: Uint8Array, at: number, word: string): boolean {
  if (at + word.length > bytes.length) return false;
  for (let i = 0; i < word.length; i++) if (bytes[at + i] !== word.charCodeAt(i)) return false;
  return !isRegular(bytes[at + word.length]);
}

/** Index of an ASCII string in the bytes from `from`, or -1. */
export function indexOf(bytes: Uint8Array, needle: string, from = 0): number {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(needle, from, 'latin1');
}

/** Last index of an ASCII string at or before `before`, or -1. */
export function lastIndexOf(bytes: Uint8Array, needle: string, before = bytes.length): number {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).lastIndexOf(needle, before, 'latin1');
}

// --- value helpers ---

export function isDict(v: PdfValue | undefined): v is PdfDict {
  return typeof v === 'object' && v !== null && v.kind === 'dict';
}
export function isArray(v: PdfValue | undefined): v is PdfArray {
  return typeof v === 'object' && v !== null && v.kind === 'array';
}
export function isRef(v: PdfValue | undefined): v is PdfRef {
  return typeof v === 'object' && v !== null && v.kind === 'ref';
}
export function isName(v: PdfValue | undefined, name?: string): v is PdfName {
  return typeof v === 'object' && v !== null && v.kind === 'name' && (name === undefined || v.name === name);
}
export function isString(v: PdfValue | undefined): v is PdfString {
  return typeof v === 'object' && v !== null && v.kind === 'string';
}

/** A PDF text string (UTF-16BE with a BOM, UTF-8 with a BOM, else PDFDocEncoding read as latin1). */
export function decodeTextString(s: PdfString): string {
  const b = s.bytes;
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) {
    const swapped = Buffer.alloc(b.length - 2 - ((b.length - 2) % 2));
    for (let i = 0; i + 1 < swapped.length; i += 2) {
      swapped[i] = b[i + 3]!;
      swapped[i + 1] = b[i + 2]!;
    }
    return swapped.toString('utf16le');
  }
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return Buffer.from(b.subarray(3)).toString('utf8');
  return latin1(b);
}

/** A PDF date "D:YYYYMMDDHHmmSSOHH'mm'" as a Date, or undefined when it is not one. */
export function parsePdfDate(text: string): Date | undefined {
  const m = /^(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(Z|[+-]\d{2}'?\d{2}'?|[+-]\d{2})?/.exec(text);
  if (!m) return undefined;
  const [, y, mo = '01', d = '01', h = '00', mi = '00', s = '00', tz] = m;
  let offsetMin = 0;
  if (tz && tz !== 'Z') {
    const digits = tz.replace(/'/g, '');
    offsetMin = (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5) || '0')) * (digits[0] === '-' ? -1 : 1);
  }
  const t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) - offsetMin * 60_000;
  return Number.isFinite(t) ? new Date(t) : undefined;
}

// --- cross-reference tables and the document ---

export interface XrefEntry {
  readonly offset: number;
  readonly gen: number;
  readonly inUse: boolean;
}

export interface XrefSection {
  /** Offset of the "xref" keyword. */
  readonly offset: number;
  readonly entries: Map<number, XrefEntry>;
  readonly trailer: PdfDict;
}

/** The offset after the last "startxref" in the file's tail. */
export function findStartXref(bytes: Uint8Array): number {
  const at = lastIndexOf(bytes, 'startxref');
  if (at < 0 || at < bytes.length - 4096) throw pdfError('startxref', 'no startxref near the end of the file (truncated?)');
  const tok = new PdfLexer(bytes, at + 9).next();
  if (tok.t !== 'num' || !tok.int || tok.v < 0 || tok.v >= bytes.length) throw pdfError('startxref', 'startxref does not give an offset inside the file');
  return tok.v;
}

/** Parses a classic cross-reference table at `offset`; refuses a cross-reference stream clearly. */
export function parseXrefTable(bytes: Uint8Array, offset: number, budget?: PdfBudget): XrefSection {
  const lex = new PdfLexer(bytes, offset, bytes.length, budget);
  const first = lex.next();
  if (first.t === 'num') {
    let obj: PdfIndirectObject | undefined;
    try {
      obj = parseIndirectObject(bytes, offset, budget);
    } catch {
      obj = undefined;
    }
    if (obj && isDict(obj.value) && isName(obj.value.entries.get('Type'), 'XRef')) {
      throw pdfError(
        'xrefStream',
        'the PDF uses a cross-reference stream (PDF 1.5 compression); only files with classic xref tables can take an incremental seal (a PDF sealed by tongban has one)',
      );
    }
  }
  if (first.t !== 'kw' || first.v !== 'xref') throw pdfError('xref', `no cross-reference table at byte ${offset}`);
  const entries = new Map<number, XrefEntry>();
  for (;;) {
    const head = lex.next();
    if (head.t === 'kw' && head.v === 'trailer') break;
    const count = lex.next();
    if (head.t !== 'num' || !head.int || count.t !== 'num' || !count.int || head.v < 0 || count.v < 0) {
      throw pdfError('xref', `malformed cross-reference subsection at byte ${head.start}`);
    }
    // Each entry takes 20 bytes: a count larger than the rest of the file is a lie.
    if (head.v + count.v > PDF_LIMITS.objectNumber + 1 || count.v * 18 > bytes.length - lex.pos) {
      throw pdfError('xref', `cross-reference subsection too large at byte ${head.start}`);
    }
    for (let i = 0; i < count.v; i++) {
      const off = lex.next();
      const gen = lex.next();
      const type = lex.next();
      if (off.t !== 'num' || !off.int || gen.t !== 'num' || !gen.int || type.t !== 'kw' || (type.v !== 'n' && type.v !== 'f')) {
        throw pdfError('xref', `malformed cross-reference entry at byte ${off.start}`);
      }
      const num = head.v + i;
      // Within one section the first entry for a number counts.
      if (!entries.has(num)) entries.set(num, { offset: off.v, gen: gen.v, inUse: type.v === 'n' });
    }
  }
  const trailer = parseValue(lex);
  if (!isDict(trailer)) throw pdfError('trailer', `trailer is not a dictionary at byte ${offset}`);
  return { offset, entries, trailer };
}

/**
 * A PDF whose classic cross-reference sections are read through the /Prev chain: objects by number
 * (newest revision wins), the newest trailer, and the page tree.
 */
export class PdfFile {
  readonly sections: XrefSection[] = [];
  readonly xref = new Map<number, XrefEntry>();
  private readonly cache = new Map<number, PdfIndirectObject>();
  readonly budget: PdfBudget;

  constructor(readonly bytes: Uint8Array) {
    this.budget = { remaining: workBudget(bytes.length) };
    if (indexOf(bytes.subarray(0, 1024), '%PDF-') < 0) throw pdfError('header', 'not a PDF (no %PDF- header)');
    const seen = new Set<number>();
    let offset: number | undefined = findStartXref(bytes);
    while (offset !== undefined) {
      if (seen.has(offset)) throw pdfError('xref', 'cross-reference sections form a cycle through /Prev');
      if (this.sections.length >= PDF_LIMITS.revisions) throw pdfError('xref', `more than ${PDF_LIMITS.revisions} cross-reference sections`);
      seen.add(offset);
      const section = parseXrefTable(bytes, offset, this.budget);
      this.sections.push(section);
      for (const [num, e] of section.entries) if (!this.xref.has(num)) this.xref.set(num, e);
      const prev = section.trailer.entries.get('Prev');
      if (prev === undefined) offset = undefined;
      else if (typeof prev === 'number' && Number.isSafeInteger(prev) && prev >= 0 && prev < bytes.length) offset = prev;
      else throw pdfError('xref', '/Prev is not an offset inside the file');
    }
  }

  /** The newest trailer. */
  get trailer(): PdfDict {
    return this.sections[0]!.trailer;
  }

  /** Offset of the newest cross-reference section (the /Prev of an update). */
  get startXref(): number {
    return this.sections[0]!.offset;
  }

  /** One more than the largest object number in use, per the trailer's /Size and the table. */
  get size(): number {
    let size = 0;
    const s = this.trailer.entries.get('Size');
    if (typeof s === 'number' && Number.isSafeInteger(s) && s > 0) size = s;
    for (const num of this.xref.keys()) size = Math.max(size, num + 1);
    if (size > PDF_LIMITS.objectNumber) throw pdfError('number', '/Size out of range');
    return size;
  }

  getObject(num: number): PdfIndirectObject | undefined {
    const cached = this.cache.get(num);
    if (cached) return cached;
    const e = this.xref.get(num);
    if (!e || !e.inUse) return undefined;
    const obj = parseIndirectObject(this.bytes, e.offset, this.budget);
    if (obj.num !== num) throw pdfError('xref', `the cross-reference entry for object ${num} points at object ${obj.num}`);
    this.cache.set(num, obj);
    return obj;
  }

  /** Follows references to a direct value (null for a missing object, as PDF says). */
  resolve(value: PdfValue | undefined): PdfValue | undefined {
    let v = value;
    for (let i = 0; i < PDF_LIMITS.refChain; i++) {
      if (!isRef(v)) return v;
      const obj = this.getObject(v.num);
      v = obj ? obj.value : null;
    }
    throw pdfError('ref', 'a chain of references is too long (cyclic?)');
  }

  get root(): { ref: PdfRef; dict: PdfDict } {
    const ref = this.trailer.entries.get('Root');
    if (!isRef(ref)) throw pdfError('trailer', 'the trailer has no /Root reference');
    const dict = this.resolve(ref);
    if (!isDict(dict)) throw pdfError('catalog', 'the document catalog is missing or not a dictionary');
    return { ref, dict };
  }

  /** Page references in document order (the page tree walked with a visited set and a node budget). */
  pages(): PdfRef[] {
    const out: PdfRef[] = [];
    const seen = new Set<number>();
    const top = this.root.dict.entries.get('Pages');
    if (!isRef(top)) throw pdfError('pages', 'the catalog has no /Pages reference');
    const stack: PdfRef[] = [top];
    let visits = 0;
    while (stack.length) {
      const ref = stack.pop()!;
      if (seen.has(ref.num)) throw pdfError('pages', 'the page tree has a cycle');
      seen.add(ref.num);
      if (++visits > PDF_LIMITS.pageNodes) throw pdfError('pages', 'the page tree is too large');
      const node = this.resolve(ref);
      if (!isDict(node)) throw pdfError('pages', `page tree node ${ref.num} is not a dictionary`);
      const kids = node.entries.get('Kids');
      if (isName(node.entries.get('Type'), 'Page') || (kids === undefined && !isName(node.entries.get('Type'), 'Pages'))) {
        out.push(ref);
        continue;
      }
      const list = this.resolve(kids);
      if (!isArray(list)) throw pdfError('pages', `page tree node ${ref.num} has no /Kids array`);
      for (let i = list.items.length - 1; i >= 0; i--) {
        const kid = list.items[i];
        if (!isRef(kid)) throw pdfError('pages', `page tree node ${ref.num} has a kid that is not a reference`);
        stack.push(kid);
      }
    }
    return out;
  }
}

// --- serialising (for objects an incremental update rewrites) ---

function nameToken(name: string): string {
  let out = '/';
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    out += c > 0x20 && c < 0x7f && c !== 0x23 && DELIM[c] !== 1 ? name[i] : `#${c.toString(16).padStart(2, '0')}`;
  }
  return out;
}

function numberToken(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return n.toFixed(6).replace(/\.?0+$/, '');
}

/** PDF syntax for a value (strings always as hex, which survives any bytes). */
export function serializeValue(v: PdfValue, depth = 0): string {
  if (depth > PDF_LIMITS.depth) throw pdfError('depth', 'value nested too deeply to write');
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return numberToken(v);
  switch (v.kind) {
    case 'name':
      return nameToken(v.name);
    case 'string':
      return `<${Buffer.from(v.bytes).toString('hex')}>`;
    case 'ref':
      return `${v.num} ${v.gen} R`;
    case 'array':
      return `[${v.items.map((x) => serializeValue(x, depth + 1)).join(' ')}]`;
    case 'dict': {
      const parts: string[] = [];
      for (const [k, x] of v.entries) parts.push(`${nameToken(k)} ${serializeValue(x, depth + 1)}`);
      return `<<${parts.join(' ')}>>`;
    }
  }
}

// Constructors for values written by the signer.
export const pdf = {
  name: (name: string): PdfName => ({ kind: 'name', name }),
  ref: (num: number, gen = 0): PdfRef => ({ kind: 'ref', num, gen }),
  array: (items: PdfValue[]): PdfArray => ({ kind: 'array', items, start: -1, end: -1 }),
  dict: (entries: Record<string, PdfValue> | Map<string, PdfValue>): PdfDict => ({
    kind: 'dict',
    entries: entries instanceof Map ? new Map(entries) : new Map(Object.entries(entries)),
    start: -1,
    end: -1,
  }),
  bytes: (bytes: Uint8Array): PdfString => ({ kind: 'string', bytes, hex: true, start: -1, end: -1 }),
  /** A text string: PDFDocEncoding-safe ASCII as is, anything else as UTF-16BE with a BOM. */
  text: (text: string): PdfString => {
    if (/^[\x20-\x7e]*$/.test(text)) return pdf.bytes(new Uint8Array(Buffer.from(text, 'latin1')));
    const le = Buffer.from(text, 'utf16le');
    const be = Buffer.alloc(le.length + 2);
    be[0] = 0xfe;
    be[1] = 0xff;
    for (let i = 0; i + 1 < le.length; i += 2) {
      be[i + 2] = le[i + 1]!;
      be[i + 3] = le[i]!;
    }
    return pdf.bytes(new Uint8Array(be));
  },
};
