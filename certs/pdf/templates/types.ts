/** What every certificate template provides, and the fields all of them share. */
import type { Block } from './layout.js';
import { DOCUMENT_ID_PATTERN } from './reference.js';
import { isoDate, optional, text, type Check } from './fields.js';

export interface TemplateInfo {
  /** The name used on the command line and in the API, e.g. `social-insurance-proof`. */
  readonly name: string;
  /** The document's title as printed, e.g. 社会保险参保缴费证明. */
  readonly title: string;
  readonly description: string;
}

/** Fields every template's data has. */
export interface DocumentFields {
  /** Printed after 编号 and carried by the QR code: 6-40 of A-Z, 0-9 and "-". */
  documentId: string;
  /** A 文号 printed under the title, e.g. 亳人社证〔2026〕123号. */
  fileNo?: string;
  /** The issuing office, as it signs and seals the document. */
  issuer: string;
  /** Date of issue (成文日期), YYYY-MM-DD. */
  issueDate: string;
}

/** What a template turns its data into; the renderer adds the title, QR code and footer. */
export interface ComposedDocument {
  readonly blocks: readonly Block[];
  readonly closing: string;
  /** The main issuing office first; at most two. */
  readonly signers: readonly string[];
  /** The word for the document in the footer: 证明, 回执. */
  readonly noun: string;
  /** Notes printed after the date (附注, GB/T 9704 7.3.6), so they never push the seal to another page. */
  readonly notes?: readonly Block[];
  /** `compact` sets body text in 12 pt instead of 14 pt, for documents meant to fit one page. */
  readonly density?: 'standard' | 'compact';
}

export interface TemplateDefinition<T extends DocumentFields> extends TemplateInfo {
  /** Checks unknown input field by field (throws FieldError) and returns it typed and trimmed. */
  validate(data: unknown): T;
  /** Realistic, clearly fictional data that renders on one page. */
  example(): T;
  compose(data: T): ComposedDocument;
}

export const documentFields = {
  documentId: text({ max: 40, min: 6, pattern: DOCUMENT_ID_PATTERN, patternHint: '6-40 characters of A-Z, 0-9 and -, like SB-341600-20261121-000123' }),
  fileNo: optional(text({ max: 30 })) as Check<string | undefined>,
  issuer: text({ max: 30 }),
  issueDate: isoDate(),
} as const;

/** Numbered notes under a label (说明：), each its own paragraph in the small size. */
export function noteBlocks(label: string, notes: readonly string[]): Block[] {
  return [
    { kind: 'paragraph', size: 'small', text: label, keepWithNext: true },
    ...notes.map((n, i): Block => ({ kind: 'paragraph', size: 'small', text: `${i + 1}. ${n}` })),
  ];
}
