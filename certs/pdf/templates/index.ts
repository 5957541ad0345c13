/**
 * Certificate templates: typed data in, an unsigned PDF out, with the spot where the seal goes.
 *
 *     const { pdf, sealSpot, documentId, dataHash } = await renderTemplate('social-insurance-proof', data);
 *
 * The PDF is A4, laid out after GB/T 9704 (layout.ts), with Noto Serif SC embedded as a subset, a QR
 * code carrying the verification reference TBV1:<documentId>:<dataHash> (reference.ts), and no object
 * streams, ready for the seal helper (certs/pdf/sign*.ts) to seal at `sealSpot`. Equal data and an
 * equal `creationDate` give equal bytes. Nothing here logs: the data is personal.
 */
import { InputError } from '../../../base/errors.js';
import { fontFace } from '../fonts.js';
import { chineseDate } from './chinese.js';
import { FieldError } from './fields.js';
import { layoutDocument, type SealSpot } from './layout.js';
import { paintDocument } from './paint.js';
import { caseReceipt } from './case-receipt.js';
import { realEstateQuery } from './real-estate-query.js';
import { socialInsuranceProof } from './social-insurance-proof.js';
import { dataHashOf, formatVerificationReference } from './reference.js';
import type { DocumentFields, TemplateDefinition, TemplateInfo } from './types.js';

export type { SealSpot } from './layout.js';
export type { TemplateInfo } from './types.js';
export type { SocialInsuranceProofData } from './social-insurance-proof.js';
export type { RealEstateQueryData } from './real-estate-query.js';
export type { CaseReceiptData } from './case-receipt.js';
export { formatVerificationReference, parseVerificationReference, canonicalJson, dataHashOf, type VerificationReference } from './reference.js';

const TEMPLATES: readonly TemplateDefinition<DocumentFields>[] = [
  socialInsuranceProof as unknown as TemplateDefinition<DocumentFields>,
  realEstateQuery as unknown as TemplateDefinition<DocumentFields>,
  caseReceipt as unknown as TemplateDefinition<DocumentFields>,
];

/** The caption under the QR code. */
export const QR_CAPTION = '扫码核验';

export interface RenderOptions {
  /** The PDF's creation date (document information); default now. Fix it for reproducible output. */
  readonly creationDate?: Date;
}

export interface RenderedDocument {
  readonly pdf: Uint8Array;
  /** Where the (main) seal goes. */
  readonly sealSpot: SealSpot;
  /** One spot per issuing office, the main one first (a receipt with a co-issuer has two). */
  readonly sealSpots: readonly SealSpot[];
  readonly documentId: string;
  /** SM3 of the canonical data JSON, lower-case hex. */
  readonly dataHash: string;
  /** The QR code's text. */
  readonly verificationReference: string;
  readonly pageCount: number;
}

export function listTemplates(): TemplateInfo[] {
  return TEMPLATES.map(({ name, title, description }) => ({ name, title, description }));
}

export function templateNames(): string[] {
  return TEMPLATES.map((t) => t.name);
}

function template(name: string): TemplateDefinition<DocumentFields> {
  const t = TEMPLATES.find((t) => t.name === name);
  if (!t) throw new InputError('certs.unknownTemplate', `unknown template "${name}" (known: ${templateNames().join(', ')})`);
  return t;
}

/** Example data for a template: realistic, clearly fictional, valid, one page. */
export function exampleData(name: string): object {
  return template(name).example();
}

/**
 * Checks data for a template and returns it typed and trimmed; throws InputError naming the
 * template and the field ("social-insurance-proof: person.idNumber is missing").
 */
export function validateData(name: string, data: unknown): DocumentFields {
  const t = template(name);
  try {
    return t.validate(data);
  } catch (err) {
    if (err instanceof FieldError) throw new InputError('certs.templateData', `${name}: ${err.message}`);
    throw err;
  }
}

const FOOTER = (noun: string): string =>
  `核验说明：本${noun}加盖符合GB/T 38540的电子印章，内容改动后签章即失效。扫描左下角二维码可读取验证编号和数据摘要，` +
  `向出具单位核对；电子文件可用“tongban certs verify 文件名”核验签章。`;

/** Renders a template's data into an unsigned PDF. */
export async function renderTemplate(name: string, data: unknown, options: RenderOptions = {}): Promise<RenderedDocument> {
  const t = template(name);
  const valid = validateData(name, data);
  const dataHash = dataHashOf(name, valid);
  const documentId = valid.documentId;
  const verificationReference = formatVerificationReference({ documentId, dataHash });
  const composed = t.compose(valid);
  const faces = { regular: fontFace('regular'), bold: fontFace('bold') };
  const plan = layoutDocument(
    {
      title: t.title,
      documentId,
      ...(valid.fileNo ? { fileNo: valid.fileNo } : {}),
      blocks: composed.blocks,
      closing: composed.closing,
      signers: composed.signers,
      date: chineseDate(valid.issueDate),
      ...(composed.notes ? { notes: composed.notes } : {}),
      ...(composed.density ? { density: composed.density } : {}),
      qrPayload: verificationReference,
      qrCaption: QR_CAPTION,
      footer: FOOTER(composed.noun),
    },
    faces,
  );
  const pdf = await paintDocument(
    plan,
    faces,
    {
      title: t.title,
      author: valid.issuer,
      subject: `${t.title} ${documentId}`,
      keywords: [documentId, verificationReference],
      creationDate: options.creationDate ?? new Date(),
    },
    dataHash,
  );
  return { pdf, sealSpot: plan.sealSpots[0]!, sealSpots: plan.sealSpots, documentId, dataHash, verificationReference, pageCount: plan.pages.length };
}
