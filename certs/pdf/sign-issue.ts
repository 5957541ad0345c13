/**
 * Issuing a sealed certificate (开具证明): the template rendered with the data, then sealed at the
 * template's signing spot — over the issuing organisation's name and the date.
 */
import type { Certificate } from '../x509.js';
import { sealPdf, type SealedPdf } from './sign.js';
import { renderTemplate } from './templates/index.js';

export interface IssueOptions {
  readonly template: string;
  /** The template's data (validated by the template; an InputError names the bad field). */
  readonly data: unknown;
  readonly seal: Uint8Array;
  readonly signerKey: Uint8Array;
  readonly signerCert: Certificate | Uint8Array | string;
  /** Signing time and the PDF's creation date; default now. */
  readonly time?: Date;
}

export interface IssuedDocument extends SealedPdf {
  readonly template: string;
  readonly documentId: string;
  /** SM3 of the template's canonical data (what the QR code carries), hex. */
  readonly templateDataHash: string;
  readonly verificationReference: string;
  readonly pageCount: number;
  /** Further spots for co-issuers' seals (seal add), beyond the one sealed here. */
  readonly otherSealSpots: readonly { readonly pageIndex: number; readonly centerX: number; readonly centerY: number }[];
}

export async function issueSealedDocument(options: IssueOptions): Promise<IssuedDocument> {
  const time = options.time ?? new Date();
  const doc = await renderTemplate(options.template, options.data, { creationDate: time });
  const spot = doc.sealSpot;
  const sealed = await sealPdf(doc.pdf, {
    seal: options.seal,
    signerKey: options.signerKey,
    signerCert: options.signerCert,
    placement: { pageIndex: spot.page, centerX: spot.x, centerY: spot.y },
    time,
    documentId: doc.documentId,
  });
  return {
    ...sealed,
    template: options.template,
    documentId: doc.documentId,
    templateDataHash: doc.dataHash,
    verificationReference: doc.verificationReference,
    pageCount: doc.pageCount,
    otherSealSpots: doc.sealSpots.slice(1).map((s) => ({ pageIndex: s.page, centerX: s.x, centerY: s.y })),
  };
}
