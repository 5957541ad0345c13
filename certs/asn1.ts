/**
 * DER helpers on node-forge's ASN.1 codec, shared by the key, certificate and seal codecs.
 *
 * forge works on "binary strings"; these helpers take and give Uint8Array, build nodes with the DER
 * rules forge leaves to the caller (minimal INTEGERs, sorted SET OF, X.509 time choice), and read nodes
 * with checks that turn every malformed input into an InputError naming the field ("certificate
 * validity: notAfter is not a time"), never a forge stack trace. `derChildren` cuts raw element bytes
 * out of a DER buffer, for signatures that cover the exact bytes received (TBSCertificate, eSealInfo).
 */
import forge from 'node-forge';
import { InputError } from '../base/errors.js';
import { bigintToBytes, bytesToBigint, bytesToHex } from './bytes.js';

export type Asn1 = forge.asn1.Asn1;

const asn1 = forge.asn1;
export const TagClass = forge.asn1.Class;
export const Tag = forge.asn1.Type;
/** Universal tag numbers forge's enum lacks. */
export const ExtraTag = { T61STRING: 20, VISIBLESTRING: 26, UNIVERSALSTRING: 28, NUMERICSTRING: 18 } as const;

// --- bytes <-> forge binary strings ---

export function bytesToBinary(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}

export function binaryToBytes(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'latin1'));
}

function malformed(what: string, why: string): InputError {
  return new InputError('der.malformed', `${what}: ${why}`);
}

// --- whole-buffer decode / encode ---

/**
 * Decodes one DER element that must fill `der` exactly. BIT STRINGs are left as bytes (forge would
 * otherwise guess at nested ASN.1 inside signatures and keys).
 */
export function decodeDer(der: Uint8Array, what: string): Asn1 {
  if (der.length < 2) throw malformed(what, der.length === 0 ? 'empty input' : 'truncated DER (1 byte)');
  try {
    // The typings know only fromDer(bytes, strict); forge 1.x takes an options object.
    const fromDerWithOptions = asn1.fromDer as unknown as (bytes: forge.util.ByteBuffer, options: object) => Asn1;
    return fromDerWithOptions(forge.util.createBuffer(bytesToBinary(der)), { strict: true, parseAllBytes: true, decodeBitStrings: false });
  } catch (err) {
    const why = err instanceof Error ? err.message.replace(/^ASN\.1 parsing error: /, '').replace(/\.$/, '') : String(err);
    throw malformed(what, `malformed DER (${why.charAt(0).toLowerCase()}${why.slice(1)})`);
  }
}

export function encodeDer(node: Asn1): Uint8Array {
  return binaryToBytes(asn1.toDer(node).getBytes());
}

// --- raw element boundaries (for signatures over the exact bytes received) ---

/** Length of the DER element starting at `offset` (header + content), checked against the buffer. */
export function derElementLength(der: Uint8Array, offset: number, what: string): number {
  if (offset + 2 > der.length) throw malformed(what, 'truncated DER');
  let o = offset + 1;
  if ((der[offset]! & 0x1f) === 0x1f) {
    // high tag number form: base-128 digits, last one without bit 8
    while (o < der.length && der[o]! & 0x80) o++;
    o++;
  }
  if (o >= der.length) throw malformed(what, 'truncated DER');
  const first = der[o++]!;
  let len: number;
  if (first < 0x80) len = first;
  else if (first === 0x80) throw malformed(what, 'indefinite length is not DER');
  else {
    const n = first & 0x7f;
    if (n > 4 || o + n > der.length) throw malformed(what, 'bad DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[o++]!;
  }
  if (o + len > der.length) throw malformed(what, 'truncated DER');
  return o + len - offset;
}

/** The raw DER bytes of each child of the constructed element that fills `der`. */
export function derChildren(der: Uint8Array, what: string): Uint8Array[] {
  const total = derElementLength(der, 0, what);
  if (total !== der.length) throw malformed(what, 'trailing bytes after DER');
  if (!(der[0]! & 0x20)) throw malformed(what, 'not a constructed element');
  const headerLength = total - contentLength(der);
  const out: Uint8Array[] = [];
  for (let o = headerLength; o < total; ) {
    const n = derElementLength(der, o, what);
    if (o + n > total) throw malformed(what, 'element overruns its parent');
    out.push(der.subarray(o, o + n));
    o += n;
  }
  return out;
}

function contentLength(der: Uint8Array): number {
  let o = 1;
  if ((der[0]! & 0x1f) === 0x1f) {
    while (der[o]! & 0x80) o++;
    o++;
  }
  const first = der[o++]!;
  if (first < 0x80) return first;
  let len = 0;
  for (let i = 0; i < (first & 0x7f); i++) len = len * 256 + der[o++]!;
  return len;
}

// --- builders ---

export function sequence(...children: (Asn1 | undefined)[]): Asn1 {
  return asn1.create(TagClass.UNIVERSAL, Tag.SEQUENCE, true, children.filter((c): c is Asn1 => c !== undefined));
}

/** SET OF: DER wants the elements sorted by their encodings. */
export function setOf(...children: Asn1[]): Asn1 {
  const sorted = children
    .map((c) => ({ c, der: bytesToBinary(encodeDer(c)) }))
    .sort((a, b) => (a.der < b.der ? -1 : a.der > b.der ? 1 : 0))
    .map((x) => x.c);
  return asn1.create(TagClass.UNIVERSAL, Tag.SET, true, sorted);
}

export function objectId(oid: string): Asn1 {
  return asn1.create(TagClass.UNIVERSAL, Tag.OID, false, asn1.oidToDer(oid).getBytes());
}

/** A non-negative INTEGER, minimally encoded (a leading 00 only when the top bit is set). */
export function integer(value: bigint | number | Uint8Array): Asn1 {
  let bytes: Uint8Array;
  if (value instanceof Uint8Array) {
    let i = 0;
    while (i < value.length - 1 && value[i] === 0) i++;
    bytes = value.length === 0 ? Uint8Array.of(0) : value.subarray(i);
  } else {
    const n = BigInt(value);
    if (n < 0n) throw new RangeError('integer(): negative values are not used here');
    bytes = bigintToBytes(n, Math.max(1, Math.ceil(n.toString(16).length / 2)));
  }
  const body = bytes[0]! & 0x80 ? '\x00' + bytesToBinary(bytes) : bytesToBinary(bytes);
  return asn1.create(TagClass.UNIVERSAL, Tag.INTEGER, false, body);
}

export function boolean(value: boolean): Asn1 {
  return asn1.create(TagClass.UNIVERSAL, Tag.BOOLEAN, false, value ? '\xff' : '\x00');
}

export function nullValue(): Asn1 {
  return asn1.create(TagClass.UNIVERSAL, Tag.NULL, false, '');
}

export function octetString(bytes: Uint8Array): Asn1 {
  return asn1.create(TagClass.UNIVERSAL, Tag.OCTETSTRING, false, bytesToBinary(bytes));
}

export function bitString(bytes: Uint8Array, unusedBits = 0): Asn1 {
  return asn1.create(TagClass.UNIVERSAL, Tag.BITSTRING, false, String.fromCharCode(unusedBits) + bytesToBinary(bytes));
}

export function utf8String(text: string): Asn1 {
  return asn1.create(TagClass.UNIVERSAL, Tag.UTF8, false, forge.util.encodeUtf8(text));
}

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

export function printableString(text: string): Asn1 {
  if (!PRINTABLE.test(text)) throw new InputError('der.value', `"${text}" has characters a PrintableString cannot hold`);
  return asn1.create(TagClass.UNIVERSAL, Tag.PRINTABLESTRING, false, text);
}

export function ia5String(text: string): Asn1 {
  // eslint-disable-next-line no-control-regex
  if (!/^[\x00-\x7f]*$/.test(text)) throw new InputError('der.value', `"${text}" is not ASCII (IA5String)`);
  return asn1.create(TagClass.UNIVERSAL, Tag.IA5STRING, false, text);
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

function timeDigits(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new RangeError('invalid Date');
  return `${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}Z`;
}

/** GeneralizedTime "YYYYMMDDHHMMSSZ" (whole seconds, as DER wants). */
export function generalizedTime(date: Date): Asn1 {
  return asn1.create(TagClass.UNIVERSAL, Tag.GENERALIZEDTIME, false, `${pad(date.getUTCFullYear(), 4)}${timeDigits(date)}`);
}

/** UTCTime "YYMMDDHHMMSSZ"; only years 1950-2049. */
export function utcTime(date: Date): Asn1 {
  const y = date.getUTCFullYear();
  if (y < 1950 || y > 2049) throw new RangeError(`UTCTime cannot hold the year ${y}`);
  return asn1.create(TagClass.UNIVERSAL, Tag.UTCTIME, false, `${pad(y % 100)}${timeDigits(date)}`);
}

/** RFC 5280 Time: UTCTime through 2049, GeneralizedTime from 2050. */
export function x509Time(date: Date): Asn1 {
  const y = date.getUTCFullYear();
  return y >= 1950 && y <= 2049 ? utcTime(date) : generalizedTime(date);
}

/** [tagNo] EXPLICIT wrapping of one node. */
export function explicit(tagNo: number, node: Asn1): Asn1 {
  return asn1.create(TagClass.CONTEXT_SPECIFIC, tagNo, true, [node]);
}

/** [tagNo] IMPLICIT primitive with the given content bytes (e.g. keyIdentifier [0] OCTET STRING). */
export function implicitPrimitive(tagNo: number, content: Uint8Array): Asn1 {
  return asn1.create(TagClass.CONTEXT_SPECIFIC, tagNo, false, bytesToBinary(content));
}

/** [tagNo] IMPLICIT constructed (e.g. an IMPLICIT SEQUENCE). */
export function implicitConstructed(tagNo: number, children: Asn1[]): Asn1 {
  return asn1.create(TagClass.CONTEXT_SPECIFIC, tagNo, true, children);
}

/** Embeds already-encoded DER (a certificate inside a seal, an SPKI inside a certificate). */
export function fromDer(der: Uint8Array, what = 'embedded DER'): Asn1 {
  return decodeDer(der, what);
}

// --- readers ---

const UNIVERSAL_NAMES: Record<number, string> = {
  1: 'BOOLEAN', 2: 'INTEGER', 3: 'BIT STRING', 4: 'OCTET STRING', 5: 'NULL', 6: 'OBJECT IDENTIFIER', 10: 'ENUMERATED',
  12: 'UTF8String', 16: 'SEQUENCE', 17: 'SET', 18: 'NumericString', 19: 'PrintableString', 20: 'T61String',
  22: 'IA5String', 23: 'UTCTime', 24: 'GeneralizedTime', 26: 'VisibleString', 28: 'UniversalString', 30: 'BMPString',
};

/** How a node looks, for messages: "SEQUENCE", "[0]", "INTEGER". */
export function describeNode(node: Asn1): string {
  if (node.tagClass === TagClass.UNIVERSAL) return UNIVERSAL_NAMES[node.type] ?? `universal tag ${node.type}`;
  if (node.tagClass === TagClass.CONTEXT_SPECIFIC) return `[${node.type}]`;
  return `tag ${node.tagClass | node.type}`;
}

export function isUniversal(node: Asn1 | undefined, type: number): boolean {
  return node !== undefined && node.tagClass === TagClass.UNIVERSAL && node.type === type;
}

export function isContext(node: Asn1 | undefined, tagNo: number): boolean {
  return node !== undefined && node.tagClass === TagClass.CONTEXT_SPECIFIC && node.type === tagNo;
}

function expectUniversal(node: Asn1 | undefined, type: number, what: string): Asn1 {
  if (node === undefined) throw malformed(what, 'missing');
  if (!isUniversal(node, type)) throw malformed(what, `expected ${UNIVERSAL_NAMES[type]}, found ${describeNode(node)}`);
  const constructedTypes: number[] = [Tag.SEQUENCE, Tag.SET];
  if (node.constructed !== constructedTypes.includes(type)) throw malformed(what, `${UNIVERSAL_NAMES[type]} has the wrong form`);
  return node;
}

function primitiveValue(node: Asn1): string {
  return node.value as string;
}

/** The children of a SEQUENCE, with a count check. */
export function readSequence(node: Asn1 | undefined, what: string, min = 0, max = Infinity): Asn1[] {
  const children = expectUniversal(node, Tag.SEQUENCE, what).value as Asn1[];
  if (children.length < min || children.length > max) {
    const expected = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    throw malformed(what, `expected ${expected} element${max === 1 ? '' : 's'}, found ${children.length}`);
  }
  return children;
}

export function readSet(node: Asn1 | undefined, what: string): Asn1[] {
  return expectUniversal(node, Tag.SET, what).value as Asn1[];
}

/** The single child of an [tagNo] EXPLICIT node. */
export function readExplicit(node: Asn1 | undefined, tagNo: number, what: string): Asn1 {
  if (node === undefined) throw malformed(what, 'missing');
  if (!isContext(node, tagNo) || !node.constructed) throw malformed(what, `expected [${tagNo}], found ${describeNode(node)}`);
  const children = node.value as Asn1[];
  if (children.length !== 1) throw malformed(what, `[${tagNo}] holds ${children.length} elements, not 1`);
  return children[0]!;
}

/** The content bytes of an [tagNo] IMPLICIT primitive. */
export function readImplicitBytes(node: Asn1 | undefined, tagNo: number, what: string): Uint8Array {
  if (node === undefined) throw malformed(what, 'missing');
  if (!isContext(node, tagNo) || node.constructed) throw malformed(what, `expected primitive [${tagNo}], found ${describeNode(node)}`);
  return binaryToBytes(primitiveValue(node));
}

export function readOid(node: Asn1 | undefined, what: string): string {
  const v = primitiveValue(expectUniversal(node, Tag.OID, what));
  if (v.length === 0 || v.charCodeAt(v.length - 1) & 0x80) throw malformed(what, 'bad OBJECT IDENTIFIER encoding');
  return asn1.derToOid(forge.util.createBuffer(v));
}

/** INTEGER content bytes, two's complement as stored. */
function integerContent(node: Asn1 | undefined, what: string): Uint8Array {
  const b = binaryToBytes(primitiveValue(expectUniversal(node, Tag.INTEGER, what)));
  if (b.length === 0) throw malformed(what, 'empty INTEGER');
  return b;
}

/** A non-negative INTEGER as a bigint. */
export function readInteger(node: Asn1 | undefined, what: string): bigint {
  const b = integerContent(node, what);
  if (b[0]! & 0x80) throw malformed(what, 'negative INTEGER');
  return bytesToBigint(b);
}

/** A small non-negative INTEGER (versions, counts, sizes) as a number. */
export function readSmallInteger(node: Asn1 | undefined, what: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = readInteger(node, what);
  if (n > BigInt(max)) throw malformed(what, `${n} is larger than ${max}`);
  return Number(n);
}

/** The magnitude bytes of an INTEGER without the sign byte (serial numbers); rejects negatives unless allowed. */
export function readIntegerBytes(node: Asn1 | undefined, what: string, allowNegative = false): Uint8Array {
  const b = integerContent(node, what);
  if (b[0]! & 0x80 && !allowNegative) throw malformed(what, 'negative INTEGER');
  return b.length > 1 && b[0] === 0 ? b.subarray(1) : b;
}

export function readBoolean(node: Asn1 | undefined, what: string): boolean {
  const v = primitiveValue(expectUniversal(node, Tag.BOOLEAN, what));
  if (v.length !== 1) throw malformed(what, 'BOOLEAN is not one byte');
  return v.charCodeAt(0) !== 0;
}

export function readNull(node: Asn1 | undefined, what: string): void {
  if (primitiveValue(expectUniversal(node, Tag.NULL, what)).length !== 0) throw malformed(what, 'NULL with content');
}

export function readOctetString(node: Asn1 | undefined, what: string): Uint8Array {
  return binaryToBytes(primitiveValue(expectUniversal(node, Tag.OCTETSTRING, what)));
}

/** BIT STRING as bytes plus the count of unused bits in the last byte. */
export function readBitString(node: Asn1 | undefined, what: string): { bytes: Uint8Array; unusedBits: number } {
  const v = binaryToBytes(primitiveValue(expectUniversal(node, Tag.BITSTRING, what)));
  if (v.length === 0) throw malformed(what, 'empty BIT STRING');
  const unusedBits = v[0]!;
  if (unusedBits > 7 || (unusedBits > 0 && v.length === 1)) throw malformed(what, 'bad BIT STRING padding');
  return { bytes: v.subarray(1), unusedBits };
}

/** A BIT STRING that carries whole bytes (keys, signatures). */
export function readBitStringBytes(node: Asn1 | undefined, what: string): Uint8Array {
  const { bytes, unusedBits } = readBitString(node, what);
  if (unusedBits !== 0) throw malformed(what, 'BIT STRING does not hold whole bytes');
  return bytes;
}

const STRING_TYPES = new Set<number>([
  Tag.UTF8, Tag.PRINTABLESTRING, Tag.IA5STRING, Tag.BMPSTRING, ExtraTag.T61STRING, ExtraTag.VISIBLESTRING,
  ExtraTag.UNIVERSALSTRING, ExtraTag.NUMERICSTRING,
]);

export function isStringNode(node: Asn1 | undefined): boolean {
  return node !== undefined && node.tagClass === TagClass.UNIVERSAL && !node.constructed && STRING_TYPES.has(node.type);
}

/** Any ASN.1 character string as text (UTF8String, PrintableString, IA5String, BMPString, ...). */
export function readString(node: Asn1 | undefined, what: string): string {
  if (node === undefined) throw malformed(what, 'missing');
  if (!isStringNode(node)) throw malformed(what, `expected a character string, found ${describeNode(node)}`);
  const raw = primitiveValue(node);
  switch (node.type as number) {
    case Tag.UTF8: {
      const bytes = binaryToBytes(raw);
      try {
        return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch {
        throw malformed(what, 'UTF8String is not valid UTF-8');
      }
    }
    case Tag.BMPSTRING:
      return raw; // forge already decoded UCS-2
    case ExtraTag.UNIVERSALSTRING: {
      const b = binaryToBytes(raw);
      if (b.length % 4) throw malformed(what, 'UniversalString length is not a multiple of 4');
      let s = '';
      for (let i = 0; i < b.length; i += 4) s += String.fromCodePoint(((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0);
      return s;
    }
    default:
      return raw; // PrintableString, IA5String, VisibleString, NumericString: ASCII; T61String read as Latin-1
  }
}

/** The text of a specific string type (e.g. the IA5String a seal header must hold). */
export function readStringOf(node: Asn1 | undefined, type: number, what: string): string {
  expectUniversal(node, type, what);
  return readString(node, what);
}

const UTC_RE = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(Z|[+-]\d{4})$/;
const GEN_RE = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})?(\d{2})?(?:[.,](\d+))?(Z|[+-]\d{4})?$/;

/**
 * UTCTime or GeneralizedTime as a Date. DER wants seconds and "Z"; BER forms (no seconds, an offset,
 * fractions, GeneralizedTime without a zone, read as UTC) are accepted because real seals carry them.
 */
export function readTime(node: Asn1 | undefined, what: string): Date {
  if (node === undefined) throw malformed(what, 'missing');
  let y: number, mo: number, d: number, h: number, mi: number, s: number, ms = 0, zone: string | undefined;
  if (isUniversal(node, Tag.UTCTIME)) {
    const m = UTC_RE.exec(primitiveValue(node));
    if (!m) throw malformed(what, `bad UTCTime "${printable(primitiveValue(node))}"`);
    const yy = Number(m[1]);
    y = yy >= 50 ? 1900 + yy : 2000 + yy;
    [mo, d, h, mi, s] = [m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [number, number, number, number, number];
    zone = m[7];
  } else if (isUniversal(node, Tag.GENERALIZEDTIME)) {
    const m = GEN_RE.exec(primitiveValue(node));
    if (!m) throw malformed(what, `bad GeneralizedTime "${printable(primitiveValue(node))}"`);
    [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5] ?? '0', m[6] ?? '0'].map(Number) as [number, number, number, number, number, number];
    if (m[7]) ms = Math.floor(Number(`0.${m[7]}`) * 1000);
    zone = m[8];
  } else {
    throw malformed(what, `expected a time, found ${describeNode(node)}`);
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) throw malformed(what, 'time out of range');
  let t = Date.UTC(y, mo - 1, d, h, mi, Math.min(s, 59), ms);
  if (new Date(t).getUTCDate() !== d) throw malformed(what, 'no such day');
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '+' ? 1 : -1;
    t -= sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5))) * 60_000;
  }
  return new Date(t);
}

function printable(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?').slice(0, 40);
}

/** The DER of a node, hex: for identity checks and messages. */
export function nodeHex(node: Asn1): string {
  return bytesToHex(encodeDer(node));
}
