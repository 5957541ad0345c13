/**
 * Verifying a sealed PDF: every signature dictionary is found (verify-scan.ts), its ByteRange checked,
 * its /Contents read as an SES_Signature whose dataHash must equal SM3 over the covered bytes, and the
 * SES_Signature verified (signature over TBS_Sign, signer in the seal, seal and certificates in force,
 * chains to the trust anchors). Then coverage: an earlier signature covers an earlier revision, which is
 * expected; the last must cover the whole file, or bytes were appended that nobody signed.
 *
 * Hostile input gives a verdict or an InputError, never another exception: the scanner bounds its work,
 * and everything it reports is checked here before use.
 */
import { InputError, isTongbanError, messageOf } from '../../base/errors.js';
import { parseSesSignature, verifySesSignature } from '../seal/index.js';
import type { Certificate } from '../x509.js';
import { byteRangeDigest } from './sign-placeholder.js';
import { SIG_SUBFILTER } from './sign-field.js';
import { derFromContents, scanPdf, type FoundSignature, type RevisionEnd } from './verify-scan.js';

/** Files larger than this are refused before reading (a sealed certificate is a few hundred KB). */
export const MAX_PDF_BYTES = 256 << 20;

export interface VerifyPdfOptions {
  /** Trust anchors (root CAs). With none, no signature can be trusted and the verdict is negative. */
  readonly trusted: readonly Certificate[];
  readonly intermediates?: readonly Certificate[];
  /** The time to judge validity at; default each signature's own signing time. */
  readonly at?: Date;
}

export interface Coverage {
  /** 1-based revision whose end the signature's ByteRange reaches; 0 when it reaches no revision end. */
  readonly revision: number;
  readonly revisions: number;
  readonly wholeFile: boolean;
  /** Offset just past the last covered byte. */
  readonly end: number;
  /** "whole file", "revision 1 of 2", ... */
  readonly description: string;
}

export interface PdfSignatureReport {
  /** 1-based, in signing order (by how far each signature reaches). */
  readonly index: number;
  readonly objectNumber: number;
  readonly fieldName: string | null;
  readonly sealName: string | null;
  readonly esID: string | null;
  /** The signer certificate's subject. */
  readonly signer: string | null;
  readonly signerIssuer: string | null;
  /** The signing time the SES_Signature states (ISO 8601). */
  readonly signingTime: string | null;
  /** The signer's certificate was in force at the time judged. */
  readonly certificateValid: boolean;
  readonly certificateNotBefore: string | null;
  readonly certificateNotAfter: string | null;
  /** The seal itself (maker signature, validity period) checks out. */
  readonly sealValid: boolean;
  readonly sealValidStart: string | null;
  readonly sealValidEnd: string | null;
  /** Where the time judged falls in the seal's validity period, apart from any other check. */
  readonly sealPeriod: 'valid' | 'not yet valid' | 'expired' | null;
  /** Chain trust of the signer's and the seal maker's certificates to the anchors. */
  readonly trusted: boolean;
  /** ByteRange sound, dataHash = SM3 of the covered bytes, signature over TBS_Sign valid. */
  readonly integrity: boolean;
  readonly byteRange: readonly number[] | null;
  readonly coverage: Coverage | null;
  /** The filter and format the dictionary names. */
  readonly filter: string | null;
  readonly subFilter: string | null;
  /** Every check passed. */
  readonly valid: boolean;
  /** Why not, one line each. */
  readonly reasons: readonly string[];
}

export interface PdfVerification {
  /** Every signature valid and trusted, and the last one covers the whole file. */
  readonly valid: boolean;
  readonly fileBytes: number;
  readonly revisions: number;
  /** Some signature covers the whole file (nothing was appended after the last one). */
  readonly wholeFileSigned: boolean;
  readonly signatures: readonly PdfSignatureReport[];
  /** Problems of the file as a whole (appended bytes, no trust anchors). */
  readonly reasons: readonly string[];
}

const iso = (d: Date | null | undefined): string | null => (d && !Number.isNaN(d.getTime()) ? d.toISOString() : null);

export function verifyPdf(bytes: Uint8Array, options: VerifyPdfOptions): PdfVerification {
  if (!(bytes instanceof Uint8Array)) throw new InputError('pdf.input', 'the PDF must be given as bytes');
  if (bytes.length > MAX_PDF_BYTES) throw new InputError('pdf.tooLarge', `the file is ${bytes.length} bytes; at most ${MAX_PDF_BYTES} are read`);
  const scan = scanPdf(bytes);
  if (scan.signatures.length === 0) {
    throw new InputError('pdf.noSignature', 'the PDF has no signature (no signature dictionary with /ByteRange and /Contents)');
  }
  const ends = scan.revisionEnds;
  const lastEnd = ends.length ? ends[ends.length - 1]!.end : 0;
  // Bytes after the last %%EOF (other than whitespace) form an unfinished revision of their own.
  const trailing = bytes.subarray(lastEnd).some((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09 && b !== 0x00 && b !== 0x0c);
  const revisions = Math.max(1, ends.length + (trailing ? 1 : 0));

  const checked = scan.signatures.map((s) => checkSignature(bytes, s, ends, revisions, options, scan.fieldNames.get(s.objectNumber) ?? null));
  // Signing order: by how far each reaches (an unusable ByteRange sorts first).
  checked.sort((a, b) => (a.coverage?.end ?? -1) - (b.coverage?.end ?? -1) || a.objectNumber - b.objectNumber);
  const signatures = checked.map((r, i) => ({ ...r, index: i + 1 }));

  const reasons: string[] = [];
  const wholeFileSigned = signatures.some((s) => s.coverage?.wholeFile === true && s.integrity);
  if (!wholeFileSigned) {
    const reach = Math.max(...signatures.map((s) => (s.integrity ? (s.coverage?.end ?? 0) : 0)));
    reasons.push(
      reach > 0
        ? `${bytes.length - reach} bytes were appended after the last valid signature (which covers ${reach} of ${bytes.length} bytes): they are not signed`
        : 'no signature covers the file',
    );
  }
  if (options.trusted.length === 0) reasons.push('no trust anchors were given (--trust CA.pem): no signature can be trusted');
  const invalid = signatures.filter((s) => !s.valid).length;
  if (invalid) reasons.push(`${invalid} of ${signatures.length} signature(s) not valid`);
  return {
    valid: reasons.length === 0,
    fileBytes: bytes.length,
    revisions,
    wholeFileSigned,
    signatures,
    reasons,
  };
}

function coverageOf(end: number, fileLength: number, ends: readonly RevisionEnd[], revisions: number): Coverage {
  const wholeFile = end === fileLength;
  const at = ends.findIndex((e) => end >= e.marker && end <= e.end);
  const revision = wholeFile ? revisions : at >= 0 ? at + 1 : 0;
  const description = wholeFile
    ? revisions > 1
      ? `whole file (revision ${revision} of ${revisions})`
      : 'whole file'
    : revision > 0
      ? `revision ${revision} of ${revisions}`
      : `bytes 0-${end} of ${fileLength}, not a revision boundary`;
  return { revision, revisions, wholeFile, end, description };
}

function checkSignature(
  bytes: Uint8Array,
  found: FoundSignature,
  ends: readonly RevisionEnd[],
  revisions: number,
  options: VerifyPdfOptions,
  fieldName: string | null,
): Omit<PdfSignatureReport, 'index'> {
  const reasons = [...found.problems];
  const base = {
    objectNumber: found.objectNumber,
    fieldName,
    filter: found.filter ?? null,
    subFilter: found.subFilter ?? null,
    byteRange: found.range ? [...found.range] : null,
  };
  const failed = (more: string[], coverage: Coverage | null = null): Omit<PdfSignatureReport, 'index'> => ({
    ...base,
    sealName: null,
    esID: null,
    signer: null,
    signerIssuer: null,
    signingTime: null,
    certificateValid: false,
    certificateNotBefore: null,
    certificateNotAfter: null,
    sealValid: false,
    sealValidStart: null,
    sealValidEnd: null,
    sealPeriod: null,
    trusted: false,
    integrity: false,
    coverage,
    valid: false,
    reasons: [...reasons, ...more],
  });
  if (!found.range || !found.contents || found.problems.length) return failed([]);

  const [, , o2, l2] = found.range;
  const coverage = coverageOf(o2 + l2, bytes.length, ends, revisions);
  if (coverage.revision === 0) reasons.push(`the signature covers ${coverage.description}: a signer covers a whole revision`);

  const der = derFromContents(found.contents);
  if ('problem' in der) return failed([der.problem], coverage);
  let sig;
  try {
    sig = parseSesSignature(der.der);
  } catch (err) {
    if (!isTongbanError(err)) throw err;
    const format = found.subFilter && found.subFilter !== SIG_SUBFILTER ? ` (the dictionary says /SubFilter /${found.subFilter})` : '';
    return failed([`/Contents is not an SES_Signature${format}: ${messageOf(err)}`], coverage);
  }
  const dataHash = byteRangeDigest(bytes, found.range);
  const v = verifySesSignature(sig, {
    dataHash,
    trusted: options.trusted,
    ...(options.intermediates ? { intermediates: options.intermediates } : {}),
    ...(options.at ? { at: options.at } : {}),
  });
  reasons.push(...v.reasons);
  const trusted = options.trusted.length > 0 && v.signerTrusted === true && v.seal.makerTrusted !== false;
  if (options.trusted.length === 0) reasons.push('not trusted: no trust anchors were given');
  const integrity = v.dataHashMatches && v.signatureValid;
  return {
    ...base,
    sealName: v.sealName,
    esID: v.esID,
    signer: v.signer?.subject ?? null,
    signerIssuer: v.signer?.issuer ?? null,
    signingTime: iso(v.signingTime),
    certificateValid: v.signerCertValid,
    certificateNotBefore: iso(v.signer?.notBefore),
    certificateNotAfter: iso(v.signer?.notAfter),
    sealValid: v.seal.valid,
    sealValidStart: iso(v.seal.validStart),
    sealValidEnd: iso(v.seal.validEnd),
    sealPeriod: v.seal.period,
    trusted,
    integrity,
    coverage,
    valid: reasons.length === 0 && v.valid && trusted && integrity,
    reasons,
  };
}
