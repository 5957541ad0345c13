/**
 * A pure encoder/decoder of IPP/1.1 messages (RFC 8010 §3): version, operation-id or status-code,
 * request-id, attribute groups, end tag, then document data. No I/O.
 *
 * Replies from a spooler are untrusted bytes: decode() checks every length against what remains, checks
 * fixed-size values (integer 4, boolean 1, rangeOfInteger 8, dateTime 11, resolution 9), bounds the number
 * of attributes, values and collection depth, and throws DeviceError 'device.garbled' for anything else.
 */
import { DeviceError } from '../../base/errors.js';

/** Delimiter (group) tags, RFC 8010 §3.5.1 and the later registrations. */
export const GroupTag = {
  operation: 0x01,
  job: 0x02,
  end: 0x03,
  printer: 0x04,
  unsupported: 0x05,
  subscription: 0x06,
  eventNotification: 0x07,
  resource: 0x08,
  document: 0x09,
  system: 0x0a,
} as const;
export type GroupName = Exclude<keyof typeof GroupTag, 'end'>;

/** Value tags, RFC 8010 §3.5.2. */
export const ValueTag = {
  unsupported: 0x10,
  unknown: 0x12,
  noValue: 0x13,
  notSettable: 0x15,
  deleteAttribute: 0x16,
  adminDefine: 0x17,
  integer: 0x21,
  boolean: 0x22,
  enum: 0x23,
  octetString: 0x30,
  dateTime: 0x31,
  resolution: 0x32,
  rangeOfInteger: 0x33,
  begCollection: 0x34,
  textWithLanguage: 0x35,
  nameWithLanguage: 0x36,
  endCollection: 0x37,
  textWithoutLanguage: 0x41,
  nameWithoutLanguage: 0x42,
  keyword: 0x44,
  uri: 0x45,
  uriScheme: 0x46,
  charset: 0x47,
  naturalLanguage: 0x48,
  mimeMediaType: 0x49,
  memberAttrName: 0x4a,
} as const;

export type OutOfBandTag = 'unsupported' | 'unknown' | 'noValue' | 'notSettable' | 'deleteAttribute' | 'adminDefine';
export type StringTag =
  | 'textWithoutLanguage'
  | 'nameWithoutLanguage'
  | 'keyword'
  | 'uri'
  | 'uriScheme'
  | 'charset'
  | 'naturalLanguage'
  | 'mimeMediaType';

export type IppValue =
  | { tag: 'integer' | 'enum'; value: number }
  | { tag: 'boolean'; value: boolean }
  | { tag: StringTag; value: string }
  | { tag: 'octetString'; value: Uint8Array }
  | { tag: 'dateTime'; value: Date }
  | { tag: 'resolution'; value: { x: number; y: number; units: number } }
  | { tag: 'rangeOfInteger'; value: { lower: number; upper: number } }
  | { tag: 'textWithLanguage' | 'nameWithLanguage'; value: { language: string; text: string } }
  | { tag: 'collection'; value: IppAttribute[] }
  | { tag: OutOfBandTag; value: null }
  /** A value tag this codec does not know: kept as bytes, never interpreted. */
  | { tag: 'other'; code: number; value: Uint8Array };

export interface IppAttribute {
  readonly name: string;
  readonly values: IppValue[];
}

export interface IppGroup {
  readonly tag: GroupName;
  readonly attributes: IppAttribute[];
}

export interface IppMessage {
  readonly version: { major: number; minor: number };
  /** operation-id in a request, status-code in a response. */
  readonly code: number;
  readonly requestId: number;
  readonly groups: IppGroup[];
  readonly data?: Uint8Array;
}

export interface DecodeLimits {
  maxAttributes: number;
  maxValuesPerAttribute: number;
  maxCollectionDepth: number;
}

export const DEFAULT_LIMITS: DecodeLimits = { maxAttributes: 20_000, maxValuesPerAttribute: 4096, maxCollectionDepth: 8 };

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: false });

const GROUP_BY_CODE = new Map<number, GroupName>(
  Object.entries(GroupTag)
    .filter(([n]) => n !== 'end')
    .map(([n, c]) => [c, n as GroupName]),
);
const NAME_BY_VALUE_TAG = new Map<number, keyof typeof ValueTag>(
  Object.entries(ValueTag).map(([n, c]) => [c, n as keyof typeof ValueTag]),
);
const OUT_OF_BAND = new Set<string>(['unsupported', 'unknown', 'noValue', 'notSettable', 'deleteAttribute', 'adminDefine']);
const STRINGS = new Set<string>([
  'textWithoutLanguage',
  'nameWithoutLanguage',
  'keyword',
  'uri',
  'uriScheme',
  'charset',
  'naturalLanguage',
  'mimeMediaType',
]);

function garbled(message: string): DeviceError {
  return new DeviceError('device.garbled', `malformed IPP message: ${message}`);
}

// ---------------------------------------------------------------- encoding

class Writer {
  private chunks: Uint8Array[] = [];
  length = 0;
  push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }
  u8(n: number): void {
    this.push(Uint8Array.of(n & 0xff));
  }
  u16(n: number): void {
    this.push(Uint8Array.of((n >>> 8) & 0xff, n & 0xff));
  }
  i32(n: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setInt32(0, n);
    this.push(b);
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

function checkInt32(n: number, what: string): void {
  if (!Number.isInteger(n) || n < -0x80000000 || n > 0x7fffffff) throw new RangeError(`${what} must be a 32-bit integer, not ${n}`);
}

function withLength(w: Writer, bytes: Uint8Array, what: string): void {
  if (bytes.length > 0xffff) throw new RangeError(`${what} is longer than 65535 bytes`);
  w.u16(bytes.length);
  w.push(bytes);
}

function encodeDate(d: Date): Uint8Array {
  if (Number.isNaN(d.getTime())) throw new RangeError('dateTime value is not a valid date');
  const b = new Uint8Array(11);
  const v = new DataView(b.buffer);
  v.setUint16(0, d.getUTCFullYear());
  b[2] = d.getUTCMonth() + 1;
  b[3] = d.getUTCDate();
  b[4] = d.getUTCHours();
  b[5] = d.getUTCMinutes();
  b[6] = d.getUTCSeconds();
  b[7] = Math.floor(d.getUTCMilliseconds() / 100);
  b[8] = 0x2b; // '+'
  b[9] = 0;
  b[10] = 0;
  return b;
}

function valueBytes(v: IppValue): { tag: number; bytes: Uint8Array } {
  switch (v.tag) {
    case 'integer':
    case 'enum': {
      checkInt32(v.value, v.tag);
      const b = new Uint8Array(4);
      new DataView(b.buffer).setInt32(0, v.value);
      return { tag: ValueTag[v.tag], bytes: b };
    }
    case 'boolean':
      return { tag: ValueTag.boolean, bytes: Uint8Array.of(v.value ? 1 : 0) };
    case 'octetString':
      return { tag: ValueTag.octetString, bytes: v.value };
    case 'dateTime':
      return { tag: ValueTag.dateTime, bytes: encodeDate(v.value) };
    case 'resolution': {
      checkInt32(v.value.x, 'resolution x');
      checkInt32(v.value.y, 'resolution y');
      const b = new Uint8Array(9);
      const dv = new DataView(b.buffer);
      dv.setInt32(0, v.value.x);
      dv.setInt32(4, v.value.y);
      b[8] = v.value.units;
      return { tag: ValueTag.resolution, bytes: b };
    }
    case 'rangeOfInteger': {
      checkInt32(v.value.lower, 'range lower');
      checkInt32(v.value.upper, 'range upper');
      const b = new Uint8Array(8);
      const dv = new DataView(b.buffer);
      dv.setInt32(0, v.value.lower);
      dv.setInt32(4, v.value.upper);
      return { tag: ValueTag.rangeOfInteger, bytes: b };
    }
    case 'textWithLanguage':
    case 'nameWithLanguage': {
      const w = new Writer();
      withLength(w, utf8.encode(v.value.language), 'language');
      withLength(w, utf8.encode(v.value.text), 'text');
      return { tag: ValueTag[v.tag], bytes: w.bytes() };
    }
    case 'other':
      // Never a delimiter, a structure tag or the extension marker: those would change the framing.
      if (!Number.isInteger(v.code) || v.code < 0x10 || v.code > 0x7e || v.code === ValueTag.begCollection || v.code === ValueTag.endCollection || v.code === ValueTag.memberAttrName) {
        throw new RangeError(`value tag 0x${v.code.toString(16)} cannot be written as an opaque value`);
      }
      return { tag: v.code, bytes: v.value };
    case 'collection':
      throw new Error('collections are written by writeAttribute');
    default:
      if (OUT_OF_BAND.has(v.tag)) return { tag: ValueTag[v.tag as OutOfBandTag], bytes: new Uint8Array(0) };
      return { tag: ValueTag[v.tag as StringTag], bytes: utf8.encode((v as { value: string }).value) };
  }
}

function writeValue(w: Writer, name: string, v: IppValue): void {
  const nameBytes = utf8.encode(name);
  if (v.tag === 'collection') {
    w.u8(ValueTag.begCollection);
    withLength(w, nameBytes, 'attribute name');
    w.u16(0);
    for (const member of v.value) {
      w.u8(ValueTag.memberAttrName);
      w.u16(0);
      withLength(w, utf8.encode(member.name), 'member name');
      member.values.forEach((mv) => writeValue(w, '', mv));
    }
    w.u8(ValueTag.endCollection);
    w.u16(0);
    w.u16(0);
    return;
  }
  const { tag, bytes } = valueBytes(v);
  w.u8(tag);
  withLength(w, nameBytes, 'attribute name');
  withLength(w, bytes, `value of ${name || 'an attribute'}`);
}

/** The bytes of a message: header, groups (in the order given), end tag, data. */
export function encode(msg: IppMessage): Uint8Array {
  const w = new Writer();
  w.u8(msg.version.major);
  w.u8(msg.version.minor);
  w.u16(msg.code);
  w.i32(msg.requestId);
  for (const g of msg.groups) {
    w.u8(GroupTag[g.tag]);
    for (const a of g.attributes) {
      if (!a.name) throw new RangeError('an attribute needs a name');
      if (a.values.length === 0) throw new RangeError(`attribute ${a.name} has no value`);
      a.values.forEach((v, i) => writeValue(w, i === 0 ? a.name : '', v));
    }
  }
  w.u8(GroupTag.end);
  if (msg.data?.length) w.push(msg.data);
  return w.bytes();
}

// ---------------------------------------------------------------- decoding

class Reader {
  at = 0;
  constructor(private readonly buf: Uint8Array) {}
  get remaining(): number {
    return this.buf.length - this.at;
  }
  need(n: number, what: string): void {
    if (n > this.remaining) throw garbled(`${what} needs ${n} bytes, ${this.remaining} left at offset ${this.at}`);
  }
  u8(what: string): number {
    this.need(1, what);
    return this.buf[this.at++]!;
  }
  peek(): number | undefined {
    return this.buf[this.at];
  }
  u16(what: string): number {
    this.need(2, what);
    const n = (this.buf[this.at]! << 8) | this.buf[this.at + 1]!;
    this.at += 2;
    return n;
  }
  take(n: number, what: string): Uint8Array {
    this.need(n, what);
    const b = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return b;
  }
  rest(): Uint8Array {
    return this.buf.subarray(this.at);
  }
}

function i32(b: Uint8Array, at = 0): number {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getInt32(at);
}

function fixed(bytes: Uint8Array, n: number, what: string): void {
  if (bytes.length !== n) throw garbled(`${what} value has ${bytes.length} bytes, not ${n}`);
}

function decodeDate(b: Uint8Array): Date {
  fixed(b, 11, 'dateTime');
  const year = (b[0]! << 8) | b[1]!;
  const [month, day, hour, minute, second, deci, dir, offH, offM] = [b[2]!, b[3]!, b[4]!, b[5]!, b[6]!, b[7]!, b[8]!, b[9]!, b[10]!];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60 || deci > 9) {
    throw garbled('dateTime value out of range');
  }
  if ((dir !== 0x2b && dir !== 0x2d) || offH > 14 || offM > 59) throw garbled('dateTime has a bad UTC offset');
  const offset = (dir === 0x2b ? 1 : -1) * (offH * 60 + offM);
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second, deci * 100) - offset * 60_000);
}

function decodeValue(tag: number, bytes: Uint8Array): IppValue {
  const name = NAME_BY_VALUE_TAG.get(tag);
  if (name === undefined) {
    if (tag === 0x7f) throw garbled('extended value tags (0x7f) are not supported');
    if (tag > 0x7f) throw garbled(`value tag 0x${tag.toString(16)} is outside the defined range`);
    return { tag: 'other', code: tag, value: bytes.slice() };
  }
  if (OUT_OF_BAND.has(name)) return { tag: name as OutOfBandTag, value: null };
  if (STRINGS.has(name)) return { tag: name as StringTag, value: utf8Decoder.decode(bytes) };
  switch (name) {
    case 'integer':
    case 'enum':
      fixed(bytes, 4, name);
      return { tag: name, value: i32(bytes) };
    case 'boolean':
      fixed(bytes, 1, name);
      if (bytes[0]! > 1) throw garbled(`boolean value ${bytes[0]}`);
      return { tag: 'boolean', value: bytes[0] === 1 };
    case 'octetString':
      return { tag: 'octetString', value: bytes.slice() };
    case 'dateTime':
      return { tag: 'dateTime', value: decodeDate(bytes) };
    case 'resolution':
      fixed(bytes, 9, name);
      return { tag: 'resolution', value: { x: i32(bytes, 0), y: i32(bytes, 4), units: bytes[8]! } };
    case 'rangeOfInteger':
      fixed(bytes, 8, name);
      return { tag: 'rangeOfInteger', value: { lower: i32(bytes, 0), upper: i32(bytes, 4) } };
    case 'textWithLanguage':
    case 'nameWithLanguage': {
      const r = new Reader(bytes);
      const language = utf8Decoder.decode(r.take(r.u16('language length'), 'language'));
      const text = utf8Decoder.decode(r.take(r.u16('text length'), 'text'));
      if (r.remaining !== 0) throw garbled(`${name} value has ${r.remaining} trailing bytes`);
      return { tag: name, value: { language, text } };
    }
    default:
      // begCollection, endCollection, memberAttrName are structure, handled by the caller.
      throw garbled(`value tag ${name} out of place`);
  }
}

interface Counter {
  attributes: number;
}

function readRaw(r: Reader): { tag: number; name: string; bytes: Uint8Array } {
  const tag = r.u8('value tag');
  const name = utf8Decoder.decode(r.take(r.u16('name length'), 'name'));
  const bytes = r.take(r.u16('value length'), 'value');
  return { tag, name, bytes };
}

/** Reads a collection's members after its begCollection item, up to and including endCollection. */
function readCollection(r: Reader, depth: number, limits: DecodeLimits, count: Counter): IppAttribute[] {
  if (depth > limits.maxCollectionDepth) throw garbled(`collections nested deeper than ${limits.maxCollectionDepth}`);
  const members: IppAttribute[] = [];
  let current: IppAttribute | undefined;
  for (;;) {
    const { tag, name, bytes } = readRaw(r);
    if (tag === ValueTag.endCollection) {
      if (name || bytes.length) throw garbled('endCollection with a name or value');
      if (current && current.values.length === 0) throw garbled(`collection member ${current.name} has no value`);
      return members;
    }
    if (tag === ValueTag.memberAttrName) {
      if (name) throw garbled('memberAttrName with a name');
      if (current && current.values.length === 0) throw garbled(`collection member ${current.name} has no value`);
      if (++count.attributes > limits.maxAttributes) throw garbled(`more than ${limits.maxAttributes} attributes`);
      current = { name: utf8Decoder.decode(bytes), values: [] };
      members.push(current);
      continue;
    }
    if (!current || name) throw garbled('collection value without a member name');
    if (current.values.length >= limits.maxValuesPerAttribute) throw garbled(`more than ${limits.maxValuesPerAttribute} values`);
    if (tag === ValueTag.begCollection) {
      current.values.push({ tag: 'collection', value: readCollection(r, depth + 1, limits, count) });
    } else {
      current.values.push(decodeValue(tag, bytes));
    }
  }
}

/**
 * Decodes a whole message. Anything after the end tag is the document data (empty in replies to the
 * operations used here). Throws DeviceError 'device.garbled' for malformed input; never anything else.
 */
export function decode(bytes: Uint8Array, limits: DecodeLimits = DEFAULT_LIMITS): IppMessage {
  const r = new Reader(bytes);
  const major = r.u8('version');
  const minor = r.u8('version');
  if (major < 1 || major > 2) throw garbled(`version ${major}.${minor}`);
  const code = r.u16('operation or status code');
  r.need(4, 'request-id');
  const requestId = i32(r.take(4, 'request-id'));
  const groups: IppGroup[] = [];
  const count: Counter = { attributes: 0 };
  let group: IppGroup | undefined;
  let attr: IppAttribute | undefined;
  for (;;) {
    const tag = r.peek();
    if (tag === undefined) throw garbled('no end-of-attributes tag');
    if (tag <= 0x0f) {
      r.at++;
      if (tag === GroupTag.end) break;
      const name = GROUP_BY_CODE.get(tag);
      if (!name) throw garbled(`unknown group tag 0x${tag.toString(16)}`);
      group = { tag: name, attributes: [] };
      groups.push(group);
      attr = undefined;
      continue;
    }
    if (!group) throw garbled('attribute before any group tag');
    const raw = readRaw(r);
    if (raw.tag === ValueTag.endCollection || raw.tag === ValueTag.memberAttrName) throw garbled('collection member outside a collection');
    if (raw.name) {
      if (++count.attributes > limits.maxAttributes) throw garbled(`more than ${limits.maxAttributes} attributes`);
      attr = { name: raw.name, values: [] };
      group.attributes.push(attr);
    } else if (!attr) {
      throw garbled('additional value without an attribute');
    }
    if (attr.values.length >= limits.maxValuesPerAttribute) throw garbled(`more than ${limits.maxValuesPerAttribute} values`);
    if (raw.tag === ValueTag.begCollection) {
      attr.values.push({ tag: 'collection', value: readCollection(r, 1, limits, count) });
    } else {
      attr.values.push(decodeValue(raw.tag, raw.bytes));
    }
  }
  const data = r.rest();
  return { version: { major, minor }, code, requestId, groups, ...(data.length ? { data: data.slice() } : {}) };
}

// ---------------------------------------------------------------- reading helpers

/** The first attribute of that name in the first group of that tag (or any group when tag is omitted). */
export function findAttribute(msg: IppMessage, name: string, tag?: GroupName): IppAttribute | undefined {
  for (const g of msg.groups) {
    if (tag && g.tag !== tag) continue;
    const a = g.attributes.find((x) => x.name === name);
    if (a) return a;
  }
  return undefined;
}

export function integerOf(a: IppAttribute | undefined): number | undefined {
  const v = a?.values[0];
  return v && (v.tag === 'integer' || v.tag === 'enum') ? v.value : undefined;
}

export function booleanOf(a: IppAttribute | undefined): boolean | undefined {
  const v = a?.values[0];
  return v?.tag === 'boolean' ? v.value : undefined;
}

/** The text of every string-like value (keyword, name, text, uri, ...). */
export function stringsOf(a: IppAttribute | undefined): string[] {
  const out: string[] = [];
  for (const v of a?.values ?? []) {
    if (typeof v.value === 'string') out.push(v.value);
    else if (v.tag === 'textWithLanguage' || v.tag === 'nameWithLanguage') out.push(v.value.text);
  }
  return out;
}

// ---------------------------------------------------------------- building helpers

export const keyword = (value: string): IppValue => ({ tag: 'keyword', value });
export const integer = (value: number): IppValue => ({ tag: 'integer', value });
export const enumValue = (value: number): IppValue => ({ tag: 'enum', value });
export const uri = (value: string): IppValue => ({ tag: 'uri', value });
export const name = (value: string): IppValue => ({ tag: 'nameWithoutLanguage', value });
export const text = (value: string): IppValue => ({ tag: 'textWithoutLanguage', value });
export const attr = (n: string, ...values: IppValue[]): IppAttribute => ({ name: n, values });
