/**
 * X.509 distinguished names: from and to the RFC 4514 string form ("CN=亳州市不动产登记中心,O=...,C=CN",
 * most specific first, `\,` escapes), and from and to DER (the RDNSequence runs the other way: C first).
 * OpenSSL's slash form ("/C=CN/O=.../CN=...", in DER order) is read too.
 */
import { InputError } from '../base/errors.js';
import { OID } from './asn1-oids.js';
import {
  decodeDer, encodeDer, ia5String, isStringNode, objectId, printableString, readOid, readSequence, readSet,
  readString, sequence, setOf, utf8String, type Asn1,
} from './asn1.js';
import { bytesToHex, equalBytes } from './bytes.js';

export interface DnAttribute {
  /** Short name ("CN", "O", "organizationIdentifier"), or the dotted OID when it has none. */
  readonly type: string;
  readonly oid: string;
  readonly value: string;
}

export interface DistinguishedName {
  /** Relative distinguished names in DER order (most general first); each usually holds one attribute. */
  readonly rdns: readonly (readonly DnAttribute[])[];
  /** The Name's DER, exactly as read or written. */
  readonly der: Uint8Array;
}

interface AttributeSpec {
  readonly short: string;
  readonly oid: string;
  readonly encoding: 'utf8' | 'printable' | 'ia5' | 'country';
}

const SPECS: readonly AttributeSpec[] = [
  { short: 'CN', oid: OID.commonName, encoding: 'utf8' },
  { short: 'C', oid: OID.countryName, encoding: 'country' },
  { short: 'ST', oid: OID.stateOrProvinceName, encoding: 'utf8' },
  { short: 'L', oid: OID.localityName, encoding: 'utf8' },
  { short: 'O', oid: OID.organizationName, encoding: 'utf8' },
  { short: 'OU', oid: OID.organizationalUnitName, encoding: 'utf8' },
  { short: 'STREET', oid: OID.streetAddress, encoding: 'utf8' },
  { short: 'serialNumber', oid: OID.serialNumber, encoding: 'printable' },
  { short: 'title', oid: OID.title, encoding: 'utf8' },
  { short: 'SN', oid: OID.surname, encoding: 'utf8' },
  { short: 'GN', oid: OID.givenName, encoding: 'utf8' },
  { short: 'organizationIdentifier', oid: OID.organizationIdentifier, encoding: 'utf8' },
  { short: 'emailAddress', oid: OID.emailAddress, encoding: 'ia5' },
  { short: 'UID', oid: OID.userId, encoding: 'utf8' },
  { short: 'DC', oid: OID.domainComponent, encoding: 'ia5' },
];

const ALIASES: Readonly<Record<string, string>> = { S: 'ST', E: 'emailAddress', EMAIL: 'emailAddress', T: 'title', G: 'GN', GIVENNAME: 'GN', SURNAME: 'SN' };
const BY_NAME = new Map(SPECS.map((s) => [s.short.toUpperCase(), s]));
const BY_OID = new Map(SPECS.map((s) => [s.oid, s]));

function specOf(type: string): AttributeSpec | undefined {
  const upper = type.toUpperCase();
  return BY_NAME.get(ALIASES[upper]?.toUpperCase() ?? upper);
}

function bad(message: string): InputError {
  return new InputError('x509.name', message);
}

// --- string form ---

/** Splits on an unescaped separator; keeps escapes for the value decoder. */
function splitUnescaped(text: string, sep: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && i + 1 < text.length) {
      cur += ch + text[i + 1]!;
      i++;
    } else if (ch === sep) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts;
}

/** Undoes RFC 4514 escapes: `\,` and friends, and `\XX` hex pairs (UTF-8 bytes). */
function unescapeValue(raw: string, where: string): string {
  const bytes: number[] = [];
  let out = '';
  const flush = () => {
    if (bytes.length) {
      out += Buffer.from(bytes).toString('utf8');
      bytes.length = 0;
    }
  };
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!;
    if (ch !== '\\') {
      flush();
      out += ch;
      continue;
    }
    const next = raw.slice(i + 1, i + 3);
    if (/^[0-9a-fA-F]{2}$/.test(next)) {
      bytes.push(parseInt(next, 16));
      i += 2;
    } else if (i + 1 < raw.length) {
      flush();
      out += raw[i + 1];
      i++;
    } else throw bad(`${where}: a value ends with a lone backslash`);
  }
  flush();
  return out;
}

function trimUnescaped(raw: string): string {
  let s = raw.replace(/^\s+/, '');
  // keep a trailing space that is escaped ("\ ")
  while (/\s$/.test(s) && !/\\\s$/.test(s)) s = s.slice(0, -1);
  return s;
}

/**
 * Parses "CN=...,O=...,C=CN" (RFC 4514: most specific first; `+` joins a multi-valued RDN) or
 * "/C=CN/O=.../CN=..." (OpenSSL's -subj form, most general first). Known types: CN, O, OU, C, ST, L,
 * STREET, serialNumber, title, SN, GN, organizationIdentifier, emailAddress, UID, DC, or a dotted OID.
 */
export function parseDn(text: string, what = 'distinguished name'): DistinguishedName {
  const trimmed = trimUnescaped(text);
  if (!trimmed) throw bad(`${what} is empty`);
  const slashForm = trimmed.startsWith('/');
  let rdnTexts = slashForm ? splitUnescaped(trimmed.slice(1), '/') : splitUnescaped(trimmed, ',');
  if (!slashForm) rdnTexts = rdnTexts.reverse();
  const rdns: DnAttribute[][] = [];
  for (const rdnText of rdnTexts) {
    if (!rdnText.trim()) throw bad(`${what} "${text}" has an empty part (a stray comma? escape commas in values as \\,)`);
    const rdn: DnAttribute[] = [];
    for (const avaText of splitUnescaped(rdnText, '+')) {
      const eq = avaText.indexOf('=');
      if (eq <= 0) throw bad(`${what}: "${avaText.trim()}" is not TYPE=VALUE`);
      const typeText = avaText.slice(0, eq).trim();
      const value = unescapeValue(trimUnescaped(avaText.slice(eq + 1)), what);
      if (!value) throw bad(`${what}: ${typeText} has an empty value`);
      rdn.push(attribute(typeText, value, what));
    }
    rdns.push(rdn);
  }
  const der = encodeDer(nameNode(rdns));
  return { rdns, der };
}

function attribute(typeText: string, value: string, what: string): DnAttribute {
  const spec = specOf(typeText);
  if (spec) {
    if (spec.encoding === 'country' && !/^[A-Z]{2}$/.test(value)) throw bad(`${what}: C must be a two-letter country code such as CN, not "${value}"`);
    return { type: spec.short, oid: spec.oid, value };
  }
  const oid = typeText.replace(/^OID\./i, '');
  if (/^[0-2](\.\d+)+$/.test(oid)) return { type: BY_OID.get(oid)?.short ?? oid, oid, value };
  throw bad(`${what}: unknown attribute type "${typeText}" (known: ${SPECS.map((s) => s.short).join(', ')}, or a dotted OID)`);
}

function escapeValue(value: string): string {
  let s = value.replace(/[\\,+"<>;=]/g, (c) => `\\${c}`);
  if (/^[ #]/.test(s)) s = `\\${s}`;
  if (/ $/.test(s)) s = `${s.slice(0, -1)}\\ `;
  return s;
}

/** RFC 4514 string, most specific first: "CN=...,O=...,C=CN". */
export function formatDn(dn: DistinguishedName): string {
  return [...dn.rdns]
    .reverse()
    .map((rdn) => rdn.map((a) => `${a.type}=${escapeValue(a.value)}`).join('+'))
    .join(',');
}

/** The value of the first attribute of a type ("CN", "O", ...), or undefined. */
export function dnValue(dn: DistinguishedName, type: string): string | undefined {
  const oid = specOf(type)?.oid ?? type;
  // the most specific one (last in DER order), as a reader of the string form expects
  for (let i = dn.rdns.length - 1; i >= 0; i--) {
    const a = dn.rdns[i]!.find((x) => x.oid === oid);
    if (a) return a.value;
  }
  return undefined;
}

// --- DER form ---

function valueNode(a: DnAttribute): Asn1 {
  const enc = BY_OID.get(a.oid)?.encoding ?? 'utf8';
  if (enc === 'country') return printableString(a.value);
  if (enc === 'ia5') return ia5String(a.value);
  if (enc === 'printable' && /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(a.value)) return printableString(a.value);
  return utf8String(a.value);
}

function nameNode(rdns: readonly (readonly DnAttribute[])[]): Asn1 {
  return sequence(...rdns.map((rdn) => setOf(...rdn.map((a) => sequence(objectId(a.oid), valueNode(a))))));
}

/** Builds a Name from attributes (DER order), e.g. to copy one. */
export function dnFromRdns(rdns: readonly (readonly DnAttribute[])[]): DistinguishedName {
  return { rdns, der: encodeDer(nameNode(rdns)) };
}

/** Reads a Name node; `der` is its DER as given. Values that are not strings show as "#hex" (RFC 4514). */
export function decodeName(node: Asn1, what: string): DistinguishedName {
  const rdns: DnAttribute[][] = [];
  for (const set of readSequence(node, what)) {
    const avas = readSet(set, `${what} RDN`);
    if (avas.length === 0) throw bad(`${what}: empty RDN`);
    rdns.push(
      avas.map((ava) => {
        const [typeNode, valueNode] = readSequence(ava, `${what} attribute`, 2, 2);
        const oid = readOid(typeNode, `${what} attribute type`);
        const value = isStringNode(valueNode) ? readString(valueNode, `${what} ${BY_OID.get(oid)?.short ?? oid}`) : `#${bytesToHex(encodeDer(valueNode!))}`;
        return { type: BY_OID.get(oid)?.short ?? oid, oid, value };
      }),
    );
  }
  return { rdns, der: encodeDer(node) };
}

/** Reads a Name from DER bytes. */
export function decodeNameDer(der: Uint8Array, what = 'name'): DistinguishedName {
  const dn = decodeName(decodeDer(der, what), what);
  return { rdns: dn.rdns, der };
}

export function dnNode(dn: DistinguishedName): Asn1 {
  return decodeDer(dn.der, 'name');
}

const normalise = (v: string): string => v.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();

/**
 * RFC 5280 §7.1 name matching, simplified: the same DER, or the same attributes in the same order with
 * values equal after case folding and whitespace collapsing (so PrintableString vs UTF8String match).
 */
export function sameDn(a: DistinguishedName, b: DistinguishedName): boolean {
  if (equalBytes(a.der, b.der)) return true;
  if (a.rdns.length !== b.rdns.length) return false;
  return a.rdns.every((rdn, i) => {
    const other = b.rdns[i]!;
    if (rdn.length !== other.length) return false;
    const key = (x: DnAttribute) => `${x.oid}=${normalise(x.value)}`;
    const left = rdn.map(key).sort();
    const right = other.map(key).sort();
    return left.every((k, j) => k === right[j]);
  });
}
