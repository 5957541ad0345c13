/**
 * Writes a laid-out document (layout.ts) into a PDF with pdf-lib: the two font faces embedded as
 * subsets, one content stream per page written operator by operator (one text object per page, ruled
 * lines, the QR code as filled rectangles), document information set, and saved without object streams
 * so that the seal helper can append incremental updates to the file as it is.
 */
import {
  PDFDocument,
  PDFName,
  beginMarkedContent,
  beginText,
  endMarkedContent,
  endText,
  fill,
  lineTo,
  moveTo,
  popGraphicsState,
  pushGraphicsState,
  rectangle,
  setCharacterSpacing,
  setFillingGrayscaleColor,
  setFontAndSize,
  setLineWidth,
  setStrokingGrayscaleColor,
  setTextMatrix,
  showText,
  stroke,
  type PDFFont,
  type PDFOperator,
} from 'pdf-lib';
import { embedFace } from '../fonts.js';
import { darkRuns, qrMatrix } from '../qr.js';
import { PAGE, type DocumentPlan, type DrawOp, type Faces } from './layout.js';
import type { FaceName } from '../fonts.js';

export interface DocumentInfo {
  readonly title: string;
  /** The issuing office (document author). */
  readonly author: string;
  readonly subject: string;
  readonly keywords: readonly string[];
  readonly creationDate: Date;
}

/** The marked-content tag around the QR rectangles, so that readers can find the symbol. */
export const QR_TAG = 'TongbanQR';

const FONT_KEYS: Record<FaceName, string> = { regular: 'F1', bold: 'F2' };

/** Six capital letters from a hex hash (the subset tag of PDF 32000 9.6.4). */
export function subsetTag(hex: string, offset: number): string {
  let tag = '';
  for (let i = 0; i < 6; i++) tag += String.fromCharCode(65 + (parseInt(hex[(offset + i) % hex.length]!, 16) || 0));
  return tag;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

function pageOperators(ops: readonly DrawOp[], fonts: Record<FaceName, PDFFont>): PDFOperator[] {
  const out: PDFOperator[] = [pushGraphicsState(), setFillingGrayscaleColor(0), setStrokingGrayscaleColor(0)];
  // Rules first, grouped by width.
  let width = -1;
  for (const op of ops) {
    if (op.kind !== 'rule') continue;
    if (op.width !== width) {
      out.push(setLineWidth(op.width));
      width = op.width;
    }
    out.push(moveTo(round(op.x1), round(op.y1)), lineTo(round(op.x2), round(op.y2)), stroke());
  }
  // All text in one text object.
  const texts = ops.filter((op) => op.kind === 'text');
  if (texts.length) {
    out.push(beginText());
    let face: FaceName | undefined;
    let size = -1;
    let spacing = 0;
    for (const op of texts) {
      if (op.face !== face || op.size !== size) {
        out.push(setFontAndSize(FONT_KEYS[op.face], op.size));
        face = op.face;
        size = op.size;
      }
      const cs = round(op.charSpacing);
      if (cs !== spacing) {
        out.push(setCharacterSpacing(cs));
        spacing = cs;
      }
      out.push(setTextMatrix(1, 0, 0, 1, round(op.x), round(op.y)), showText(fonts[op.face].encodeText(op.text)));
    }
    out.push(endText());
  }
  for (const op of ops) {
    if (op.kind !== 'qr') continue;
    const matrix = qrMatrix(op.payload);
    const unit = op.size / matrix.size;
    out.push(beginMarkedContent(QR_TAG));
    for (const run of darkRuns(matrix)) {
      out.push(rectangle(round(op.x + run.col * unit), round(op.y + op.size - (run.row + 1) * unit), round(run.length * unit), round(unit)));
    }
    out.push(fill(), endMarkedContent());
  }
  out.push(popGraphicsState());
  return out;
}

/** The PDF of a plan. `tagSeed` (hex) names the font subsets so that equal input gives equal bytes. */
export async function paintDocument(plan: DocumentPlan, faces: Faces, info: DocumentInfo, tagSeed: string): Promise<Uint8Array> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  const fonts: Record<FaceName, PDFFont> = {
    regular: await embedFace(doc, faces.regular, subsetTag(tagSeed, 0)),
    bold: await embedFace(doc, faces.bold, subsetTag(tagSeed, 6)),
  };
  for (const ops of plan.pages) {
    const page = doc.addPage([PAGE.width, PAGE.height]);
    page.node.setFontDictionary(PDFName.of(FONT_KEYS.regular), fonts.regular.ref);
    page.node.setFontDictionary(PDFName.of(FONT_KEYS.bold), fonts.bold.ref);
    page.pushOperators(...pageOperators(ops, fonts));
  }
  doc.setTitle(info.title, { showInWindowTitleBar: true });
  doc.setAuthor(info.author);
  doc.setSubject(info.subject);
  doc.setKeywords([...info.keywords]);
  doc.setCreator('tongban certs templates');
  doc.setProducer('tongban');
  doc.setCreationDate(info.creationDate);
  doc.setModificationDate(info.creationDate);
  doc.setLanguage('zh-CN');
  // No yielding to the event loop between objects: a certificate has a few dozen and renders in milliseconds.
  return doc.save({ useObjectStreams: false, addDefaultPage: false, objectsPerTick: Number.POSITIVE_INFINITY });
}
