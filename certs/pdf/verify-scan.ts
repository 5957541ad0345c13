/**
 * Finding what a verifier must check in an untrusted PDF, without trusting its cross-reference data:
 * every signature dictionary (any top-level object with /ByteRange and /Contents, found by scanning
 * the bytes for "N G obj" and parsing defensively), the ends of its revisions (each %%EOF), and for
 * each signature whether its ByteRange is sane and its gap is exactly its /Contents string.
 *
 * Scanning rather than walking the xref chain means a damaged or lying cross-reference table cannot
 * hide a signature or point the verifier at a decoy; the checks on each ByteRange decide what is signed.
 */
import {
  decodeTextString,
  isArray,
  isDict,
  isName,
  isRef,
  isString,
  latin1,
  parseIndirectObject,
  parsePdfDate,
  pdfError,
  workBudget,
  type PdfBudget,
  type PdfDict,
} from './parse.js';
import type { ByteRange } from './sign-placeholder.js';
import { InputError } from '../../base/errors.js';

export interface FoundSignature {
  readonly objectNumber: number;
  readonly generation: number;
  /** Offset of the object header. */
  readonly offset: number;
  readonly filter?: string;
  readonly subFilter?: string;
  /** /Name, /Reason, /Location, /M of the dictionary (what the signer wrote; not cryptographic). */
  readonly name?: string;
  readonly reason?: string;
  readonly location?: string;
  readonly claimedTime?: Date;
  /** The ByteRange when it is four whole numbers; else undefined (with a problem). */
  readonly range?: ByteRange;
  /** The /Contents bytes (decoded hex) when /Contents is a hex string. */
  readonly contents?: Uint8Array;
  /** What makes the ByteRange or /Contents unusable; empty when both are sound. */
  readonly problems: readonly string[];
}

export interface RevisionEnd {
  /** Just past "%%EOF". */
  readonly marker: number;
  /** Past the end-of-line that follows it, if any (a signer may cover it or not). */
  readonly end: number;
}

export interface ScanResult {
  readonly signatures: FoundSignature[];
  /** The ends of the file's revisions: just past each %%EOF marker, and past its end-of-line. */
  readonly revisionEnds: RevisionEnd[];
  /** Objects that could not be parsed (reported, not fatal). */
  readonly unreadableObjects: number;
  /** Field names (/T) of the widgets or fields whose /V is a given signature object number. */
  readonly fieldNames: ReadonlyMap<number, string>;
}

/** At most this many signature dictionaries are examined (each costs a hash of the file). */
export const MAX_SIGNATURES = 64;
const MAX_REVISIONS = 100_000;
const OBJECT_HEADER_SOURCE = /(\d{1,7})[\0\t\n\f\r ]+(\d{1,5})[\0\t\n\f\r ]+obj(?![^\0\t\n\f\r ()<>[\]{}/%])/.source;

export function scanPdf(bytes: Uint8Array): ScanResult {
  if (bytes.length < 8 || latin1(bytes, 0, Math.min(bytes.length, 1024)).indexOf('%PDF-') < 0) {
    throw new InputError('pdf.header', 'not a PDF (no %PDF- header)');
  }
  const text = latin1(bytes);
  const budget: PdfBudget = { remaining: workBudget(bytes.length) };
  const signatures: FoundSignature[] = [];
  const fieldNames = new Map<number, string>();
  let unreadableObjects = 0;
  const objectHeader = new RegExp(OBJECT_HEADER_SOURCE, 'g');
  for (let m = objectHeader.exec(text); m; m = objectHeader.exec(text)) {
    const at = m.index;
    // The header must start a token: "12 0 obj" inside "112 0 obj" is not another object.
    if (at > 0 && !/[\0\t\n\f\r ()<>[\]{}/%]/.test(text[at - 1]!)) continue;
    let obj;
    try {
      obj = parseIndirectObject(bytes, at, budget);
    } catch (err) {
      if (err instanceof InputError && err.code === 'pdf.budget') throw err;
      unreadableObjects++;
      // A damaged signature dictionary is reported as a signature that fails, not silently skipped.
      const damaged = damagedSignature(bytes, text, at, Number(m[1]), Number(m[2]), err, budget);
      if (damaged) {
        if (signatures.length >= MAX_SIGNATURES) throw new InputError('pdf.tooManySignatures', `more than ${MAX_SIGNATURES} signature dictionaries`);
        signatures.push(damaged);
      }
      continue;
    }
    // Skip over the object (and a stream's data) so that bytes inside it are not read as objects.
    if (obj.end > objectHeader.lastIndex) objectHeader.lastIndex = obj.end;
    if (!isDict(obj.value) || obj.stream) continue;
    const d = obj.value;
    const v = d.entries.get('V');
    const t = d.entries.get('T');
    if (isRef(v) && isName(d.entries.get('FT'), 'Sig') && isString(t)) fieldNames.set(v.num, decodeTextString(t).slice(0, 200));
    if (!d.entries.has('ByteRange') || !d.entries.has('Contents')) continue;
    // A signature field's dictionary may hold /ByteRange only as a signature value; accept /Type /Sig,
    // /DocTimeStamp or no /Type (the type is optional).
    const type = d.entries.get('Type');
    if (type !== undefined && !isName(type, 'Sig') && !isName(type, 'DocTimeStamp')) continue;
    if (signatures.length >= MAX_SIGNATURES) throw new InputError('pdf.tooManySignatures', `more than ${MAX_SIGNATURES} signature dictionaries`);
    signatures.push(examine(obj.num, obj.gen, at, d, bytes.length));
  }
  return { signatures, revisionEnds: findRevisionEnds(bytes, text), unreadableObjects, fieldNames };
}

/** When the unreadable object at `at` looks like a signature dictionary, a FoundSignature saying so. */
function damagedSignature(bytes: Uint8Array, text: string, at: number, num: number, gen: number, err: unknown, budget: PdfBudget): FoundSignature | undefined {
  const endobj = text.indexOf('endobj', at);
  const stop = endobj < 0 ? bytes.length : endobj;
  const budgetCharge = stop - at;
  budget.remaining -= budgetCharge;
  if (budget.remaining < 0) throw pdfError('budget', 'the file is too convoluted to read (work budget spent)');
  const body = text.slice(at, stop);
  if (!body.includes('/ByteRange') || !body.includes('/Contents')) return undefined;
  const why = err instanceof Error ? err.message : String(err);
  return { objectNumber: num, generation: gen, offset: at, problems: [`the signature dictionary (object ${num}) cannot be read: ${why}`] };
}

function examine(num: number, gen: number, offset: number, d: PdfDict, fileLength: number): FoundSignature {
  const problems: string[] = [];
  const str = (key: string): string | undefined => {
    const v = d.entries.get(key);
    return isString(v) ? decodeTextString(v).slice(0, 1000) : undefined;
  };
  const nameOf = (key: string): string | undefined => {
    const v = d.entries.get(key);
    return isName(v) ? v.name.slice(0, 200) : undefined;
  };
  const m = str('M');
  const claimedTime = m ? parsePdfDate(m) : undefined;

  let range: ByteRange | undefined;
  const br = d.entries.get('ByteRange');
  if (!isArray(br) || br.items.length !== 4 || !br.items.every((x) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0)) {
    problems.push('/ByteRange is not four whole numbers (a signature with several gaps is not accepted)');
  } else {
    range = br.items as unknown as ByteRange;
    const [o1, l1, o2, l2] = range;
    if (o1 !== 0) problems.push('/ByteRange does not start at byte 0');
    else if (l1 <= 0 || o2 <= l1) problems.push('/ByteRange ranges overlap or are empty');
    else if (o2 + l2 > fileLength) problems.push(`/ByteRange reaches byte ${o2 + l2}, past the end of the file (${fileLength} bytes)`);
  }

  let contents: Uint8Array | undefined;
  const c = d.entries.get('Contents');
  if (!isString(c) || !c.hex) problems.push('/Contents is not a hex string');
  else {
    contents = c.bytes;
    // The gap must be exactly the /Contents string, delimiters included: nothing else may go unsigned.
    if (range && problems.length === 0 && (c.start !== range[1] || c.end !== range[2])) {
      problems.push(`the unsigned gap [${range[1]}, ${range[2]}) is not exactly the /Contents string [${c.start}, ${c.end})`);
    }
  }
  const filter = nameOf('Filter');
  const subFilter = nameOf('SubFilter');
  const name = str('Name');
  const reason = str('Reason');
  const location = str('Location');
  return {
    objectNumber: num,
    generation: gen,
    offset,
    ...(filter !== undefined ? { filter } : {}),
    ...(subFilter !== undefined ? { subFilter } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(reason !== undefined ? { reason } : {}),
    ...(location !== undefined ? { location } : {}),
    ...(claimedTime ? { claimedTime } : {}),
    ...(range ? { range } : {}),
    ...(contents ? { contents } : {}),
    problems,
  };
}

function findRevisionEnds(bytes: Uint8Array, text: string): RevisionEnd[] {
  const ends: RevisionEnd[] = [];
  for (let at = text.indexOf('%%EOF'); at >= 0; at = text.indexOf('%%EOF', at + 5)) {
    if (ends.length >= MAX_REVISIONS) throw pdfError('revisions', `more than ${MAX_REVISIONS} %%EOF markers`);
    let end = at + 5;
    if (bytes[end] === 13) end++;
    if (bytes[end] === 10) end++;
    ends.push({ marker: at + 5, end });
  }
  return ends;
}

/**
 * The DER element at the start of `contents` (the rest must be the zero padding of the placeholder).
 * Returns undefined with a reason when it is not one well-formed element.
 */
export function derFromContents(contents: Uint8Array): { der: Uint8Array } | { problem: string } {
  if (contents.length < 2 || contents[0] !== 0x30) return { problem: '/Contents does not start with a DER SEQUENCE' };
  let len = contents[1]!;
  let header = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || contents.length < 2 + n) return { problem: '/Contents has a malformed DER length' };
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + contents[2 + i]!;
    header = 2 + n;
  }
  const total = header + len;
  if (total > contents.length) return { problem: '/Contents holds a truncated DER element' };
  for (let i = total; i < contents.length; i++) {
    if (contents[i] !== 0) return { problem: '/Contents has data after the SES_Signature' };
  }
  return { der: contents.subarray(0, total) };
}
