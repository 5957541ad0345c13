/**
 * The verification reference printed as the QR code of every certificate, and the data hash in it.
 *
 *     TBV1:<documentId>:<dataHash>
 *
 * - `TBV1`: format and version (tongban verification reference, version 1).
 * - documentId: the document's number as printed after 编号, 6 to 40 characters of A-Z, 0-9 and "-",
 *   starting and ending with a letter or digit (e.g. SB-341600-20261121-000123).
 * - dataHash: SM3 of the canonical JSON of {"data": <the validated template data>, "template": <name>}
 *   in 64 hexadecimal digits, written in capitals.
 *
 * Every character is in the QR alphanumeric set (0-9 A-Z space $%*+-./:), so the code stays small
 * (version 5 at level M for a 25-character id). The holder of the data (the issuing office, or anyone
 * given the JSON) recomputes the hash to check the printed content; the electronic seal over the PDF
 * is checked separately (`tongban certs verify`).
 *
 * Canonical JSON: objects with keys sorted by UTF-16 code units, no whitespace, strings and numbers
 * as JSON.stringify writes them (the RFC 8785 rules for the values templates carry).
 */
import { InputError } from '../../../base/errors.js';
import { sm3Hex } from '../../sm3.js';

export const REFERENCE_PREFIX = 'TBV1';

/** What a document id may look like (the QR alphanumeric set, without the separator ":"). */
export const DOCUMENT_ID_PATTERN = /^[A-Z0-9][A-Z0-9-]{4,38}[A-Z0-9]$/;

export interface VerificationReference {
  readonly documentId: string;
  /** SM3 of the canonical data JSON, 64 lower-case hexadecimal digits. */
  readonly dataHash: string;
}

/** JSON with sorted keys and no whitespace, so equal data always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError('canonical JSON has no form for NaN or Infinity');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new RangeError(`canonical JSON has no form for a ${typeof value}`);
}

/** SM3 over the canonical JSON of the template name and its validated data, lower-case hex. */
export function dataHashOf(template: string, data: unknown): string {
  return sm3Hex(canonicalJson({ data, template }));
}

/** The string carried by the QR code: `TBV1:<documentId>:<DATAHASH>`. */
export function formatVerificationReference(ref: VerificationReference): string {
  if (!DOCUMENT_ID_PATTERN.test(ref.documentId)) throw new RangeError('document id must be 6-40 characters of A-Z, 0-9 and -');
  if (!/^[0-9a-fA-F]{64}$/.test(ref.dataHash)) throw new RangeError('data hash must be 64 hexadecimal digits');
  return `${REFERENCE_PREFIX}:${ref.documentId}:${ref.dataHash.toUpperCase()}`;
}

/** Reads a scanned reference back; throws InputError saying what is wrong with it. */
export function parseVerificationReference(text: string): VerificationReference {
  const parts = text.trim().split(':');
  if (parts[0] !== REFERENCE_PREFIX) throw new InputError('certs.badReference', `not a tongban verification reference (it must start with ${REFERENCE_PREFIX}:)`);
  if (parts.length !== 3) throw new InputError('certs.badReference', `a ${REFERENCE_PREFIX} reference has 3 parts separated by ":", this one has ${parts.length}`);
  const [, documentId, hash] = parts as [string, string, string];
  if (!DOCUMENT_ID_PATTERN.test(documentId)) throw new InputError('certs.badReference', 'the document id of the reference is malformed');
  if (!/^[0-9A-Fa-f]{64}$/.test(hash)) throw new InputError('certs.badReference', 'the data hash of the reference must be 64 hexadecimal digits');
  return { documentId, dataHash: hash.toLowerCase() };
}
