/**
 * Sealing a PDF (加盖电子印章): the seal's picture drawn at its real size at the signing spot, and an
 * SES_Signature (GB/T 38540) in the signature dictionary's /Contents whose dataHash is SM3 over the
 * bytes the /ByteRange covers. The first seal rewrites the file through pdf-lib; every further seal
 * (another department: 多地联办) is an incremental update that leaves the earlier ones valid.
 */
import { PDFDocument } from 'pdf-lib';
import { InputError, messageOf } from '../../base/errors.js';
import { buildSesSignature, parseSeal, type Seal } from '../seal/index.js';
import { parseCertificate, type Certificate } from '../x509.js';
import { sealAppearance, PT_PER_MM, type Appearance } from './sign-appearance.js';
import { addSignatureField, hasSignature, pageSizes, signatureWidgets, type Placement } from './sign-field.js';
import type { ByteRange } from './sign-placeholder.js';

export type { Placement } from './sign-field.js';

export interface SealPdfOptions {
  /** The SESeal, DER. Its picture is what the page shows. */
  readonly seal: Uint8Array;
  /** The signer's private key (32 bytes); its certificate must be one the seal lists. */
  readonly signerKey: Uint8Array;
  readonly signerCert: Certificate | Uint8Array | string;
  /** Where the seal's centre goes; default beside the last seal, else low on the right of the last page. */
  readonly placement?: Placement;
  /** The signing time; default now. */
  readonly time?: Date;
  /** /Reason of the signature dictionary. */
  readonly reason?: string;
  readonly location?: string;
  /** Written into TBS_Sign.propertyInfo before the ByteRange (ASCII), e.g. the document id. */
  readonly documentId?: string;
}

export interface SealedPdf {
  readonly pdf: Uint8Array;
  /** 'rewrite' for the first seal of the file, 'incremental' for later ones. */
  readonly mode: 'rewrite' | 'incremental';
  readonly fieldName: string;
  readonly byteRange: ByteRange;
  readonly dataHash: Uint8Array;
  readonly sealName: string;
  readonly esID: string;
  readonly placement: Placement;
}

/** Room in /Contents beyond the seal and the certificate: TBS_Sign fields, the signature, DER headers. */
const CONTENTS_OVERHEAD = 512;

// Drawing the seal's picture costs milliseconds (its SVG parsed into PDF operators); a kiosk stamps with
// the same few seals all day, so the last few appearances are kept, keyed by the seal's bytes.
const appearanceCache = new Map<string, Appearance>();
const APPEARANCE_CACHE_SIZE = 8;

function appearanceOf(seal: Seal): Appearance {
  const key = Buffer.from(seal.der).toString('base64');
  const hit = appearanceCache.get(key);
  if (hit) return hit;
  const made = sealAppearance(seal.picture);
  if (appearanceCache.size >= APPEARANCE_CACHE_SIZE) appearanceCache.delete(appearanceCache.keys().next().value!);
  appearanceCache.set(key, made);
  return made;
}

export async function sealPdf(pdf: Uint8Array, options: SealPdfOptions): Promise<SealedPdf> {
  const seal = parseSeal(options.seal);
  const appearance = appearanceOf(seal);
  let cert: Certificate;
  try {
    cert = typeof options.signerCert === 'object' && !(options.signerCert instanceof Uint8Array) ? options.signerCert : parseCertificate(options.signerCert);
  } catch (err) {
    throw new InputError('pdf.signerCert', `signer certificate: ${messageOf(err)}`);
  }
  if (options.documentId !== undefined && !/^[\x20-\x7e]{0,200}$/.test(options.documentId)) {
    throw new InputError('pdf.documentId', 'the document id must be printable ASCII (at most 200 characters)');
  }
  const placement = options.placement ?? (await defaultPlacement(pdf, appearance));
  checkPlacement(placement);
  const time = options.time ?? new Date();
  const signed = await addSignatureField(pdf, {
    placement,
    appearance,
    contentsSize: seal.der.length + cert.der.length + (options.documentId?.length ?? 0) + CONTENTS_OVERHEAD,
    name: seal.property.name,
    reason: options.reason ?? '加盖电子印章',
    ...(options.location ? { location: options.location } : {}),
    time,
    sign: (dataHash, range) =>
      buildSesSignature({
        seal: seal.der,
        signerKey: options.signerKey,
        signerCert: cert,
        dataHash,
        propertyInfo: `${options.documentId ? `${options.documentId} ` : ''}/ByteRange [${range.join(' ')}]`,
        time,
      }),
  });
  return {
    pdf: signed.bytes,
    mode: signed.mode,
    fieldName: signed.fieldName,
    byteRange: signed.range,
    dataHash: signed.dataHash,
    sealName: seal.property.name,
    esID: seal.esID,
    placement,
  };
}

function checkPlacement(p: Placement): void {
  if (!Number.isSafeInteger(p.pageIndex) || p.pageIndex < 0 || ![p.centerX, p.centerY].every((n) => Number.isFinite(n) && Math.abs(n) < 1e6)) {
    throw new InputError('pdf.placement', 'the seal position is not a page and a point on it');
  }
}

/** Page sizes in points, through pdf-lib for an unsealed file and our own reader for a sealed one. */
export async function pdfPageSizes(pdf: Uint8Array): Promise<{ width: number; height: number }[]> {
  if (hasSignature(pdf)) return pageSizes(pdf);
  try {
    const doc = await PDFDocument.load(pdf, { updateMetadata: false, throwOnInvalidObject: true });
    return doc.getPages().map((p) => p.getSize());
  } catch (err) {
    throw new InputError('pdf.unreadable', `cannot read the PDF: ${messageOf(err)}`);
  }
}

/** Gap between seals side by side: the templates' pitch (seal + 24 pt). */
const SEAL_GAP_PT = 24;

/**
 * A spot for a seal when none is given: beside the last seal (to its left, as the templates place a
 * co-issuer, else to its right, else above it) on its page or on `pageIndex`; on a page without seals,
 * low on the right (where the issuing organisation and date usually stand).
 */
export async function defaultPlacement(pdf: Uint8Array, appearance: Pick<Appearance, 'widthPt' | 'heightPt'>, pageIndex?: number): Promise<Placement> {
  const sizes = await pdfPageSizes(pdf);
  if (sizes.length === 0) throw new InputError('pdf.pages', 'the PDF has no pages');
  if (pageIndex !== undefined && !sizes[pageIndex]) throw new InputError('pdf.page', `the PDF has ${sizes.length} page(s); there is no page ${pageIndex + 1}`);
  const widgets = (hasSignature(pdf) ? signatureWidgets(pdf) : []).filter((w) => pageIndex === undefined || w.pageIndex === pageIndex);
  const w = appearance.widthPt;
  const h = appearance.heightPt;
  const margin = 15 * PT_PER_MM;
  const last = widgets[widgets.length - 1];
  if (last) {
    const page = sizes[last.pageIndex]!;
    const [x0, y0, x1, y1] = last.rect;
    const cy = (y0 + y1) / 2;
    const left = Math.min(x0, x1) - SEAL_GAP_PT - w / 2;
    if (left - w / 2 >= margin) return { pageIndex: last.pageIndex, centerX: left, centerY: cy };
    const right = Math.max(x0, x1) + SEAL_GAP_PT + w / 2;
    if (right + w / 2 <= page.width - margin) return { pageIndex: last.pageIndex, centerX: right, centerY: cy };
    return { pageIndex: last.pageIndex, centerX: (x0 + x1) / 2, centerY: Math.min(page.height - margin - h / 2, Math.max(y0, y1) + SEAL_GAP_PT + h / 2) };
  }
  const index = pageIndex ?? sizes.length - 1;
  const page = sizes[index]!;
  return { pageIndex: index, centerX: page.width - 40 * PT_PER_MM, centerY: 60 * PT_PER_MM };
}
