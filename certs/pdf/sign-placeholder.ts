/**
 * The byte-level half of signing a PDF: a signature dictionary is written with a fixed-width /ByteRange
 * placeholder and a zero-filled /Contents hex string; afterwards the real ByteRange is written over the
 * placeholder (padded with spaces, so no byte moves), the covered bytes are hashed, and the signature's
 * DER goes into /Contents (padded with zeros). Pure functions over a byte buffer.
 */
import { createSm3 } from '../sm3.js';
import { isArray, isDict, isString, parseIndirectObject, pdfError } from './parse.js';

/** Ten digits each: room for files up to 9.99 GB. */
export const BYTE_RANGE_PLACEHOLDER: readonly number[] = [0, 9_999_999_999, 9_999_999_999, 9_999_999_999];

export type ByteRange = readonly [number, number, number, number];

export interface SignatureSlots {
  /** [start, end) of the /ByteRange array including its brackets. */
  readonly byteRange: { readonly start: number; readonly end: number };
  /** [start, end) of the /Contents hex string including < and >. */
  readonly contents: { readonly start: number; readonly end: number };
}

/** Finds the placeholders of the signature dictionary whose object starts at `offset`. */
export function locateSignatureSlots(bytes: Uint8Array, offset: number): SignatureSlots {
  const obj = parseIndirectObject(bytes, offset);
  if (!isDict(obj.value)) throw pdfError('signature', `object at byte ${offset} is not a signature dictionary`);
  const br = obj.value.entries.get('ByteRange');
  const contents = obj.value.entries.get('Contents');
  if (!isArray(br) || br.start < 0) throw pdfError('signature', 'signature dictionary has no /ByteRange array');
  if (!isString(contents) || !contents.hex) throw pdfError('signature', 'signature dictionary has no /Contents hex string');
  return { byteRange: { start: br.start, end: br.end }, contents: { start: contents.start, end: contents.end } };
}

/** Writes the real ByteRange over the placeholder, in place; returns it. */
export function fillByteRange(bytes: Uint8Array, slots: SignatureSlots): ByteRange {
  const range: ByteRange = [0, slots.contents.start, slots.contents.end, bytes.length - slots.contents.end];
  const width = slots.byteRange.end - slots.byteRange.start;
  const body = `[${range.join(' ')}`;
  if (body.length + 1 > width) throw pdfError('signature', 'the /ByteRange placeholder is too small for this file');
  const text = body + ' '.repeat(width - body.length - 1) + ']';
  bytes.set(Buffer.from(text, 'latin1'), slots.byteRange.start);
  return range;
}

/** SM3 over the bytes a ByteRange covers (bounds checked). */
export function byteRangeDigest(bytes: Uint8Array, range: ByteRange): Uint8Array {
  const [o1, l1, o2, l2] = range;
  if (o1 < 0 || l1 < 0 || o2 < o1 + l1 || l2 < 0 || o2 + l2 > bytes.length) throw pdfError('byteRange', 'ByteRange outside the file');
  return createSm3()
    .update(bytes.subarray(o1, o1 + l1))
    .update(bytes.subarray(o2, o2 + l2))
    .digest();
}

/** Writes `der` as hex into the /Contents placeholder, zero-padded, in place. */
export function writeContents(bytes: Uint8Array, slots: SignatureSlots, der: Uint8Array): void {
  const capacity = slots.contents.end - slots.contents.start - 2;
  const hex = Buffer.from(der).toString('hex').toUpperCase();
  if (hex.length > capacity) throw pdfError('signature', `the signature (${der.length} bytes) does not fit the /Contents placeholder (${capacity / 2} bytes)`);
  bytes.set(Buffer.from(hex.padEnd(capacity, '0'), 'latin1'), slots.contents.start + 1);
}

/**
 * Completes a prepared signature in place: fills the ByteRange, hashes, asks `sign` for the DER that
 * goes into /Contents.
 */
export function completeSignature(
  bytes: Uint8Array,
  sigOffset: number,
  sign: (dataHash: Uint8Array, range: ByteRange) => Uint8Array,
): { range: ByteRange; dataHash: Uint8Array } {
  const slots = locateSignatureSlots(bytes, sigOffset);
  const range = fillByteRange(bytes, slots);
  const dataHash = byteRangeDigest(bytes, range);
  writeContents(bytes, slots, sign(dataHash, range));
  return { range, dataHash };
}
