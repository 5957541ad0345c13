/**
 * Page layout of the certificates, after GB/T 9704-2012 (党政机关公文格式): A4 portrait, a type area
 * of 156 x 225 mm with 37 mm at the top and 28 mm on the binding (left) side, the title centred in a
 * large bold serif, body text justified with a two-character first-line indent, ruled tables, and the
 * issuing office with the date (成文日期) at the bottom right, the date four characters from the right
 * edge and the office name centred over it, both under the seal (印章 "端正、居中下压发文机关署名和成文日期").
 *
 * This module only measures and places: it turns a DocumentSpec into positioned drawing operations
 * per page (paint.ts writes them into a PDF). Pages flow: paragraphs and tables continue on a new page
 * (tables repeat their header rows), and the closing line stays with the signature block so that the
 * sealed page always carries text.
 */
import type { FaceName, FontFace } from '../fonts.js';
import { breakLines } from './line-break.js';

export const MM = 72 / 25.4;
/** A4 in points. */
export const PAGE = { width: 210 * MM, height: 297 * MM } as const;
export const MARGIN = { top: 37 * MM, bottom: 35 * MM, left: 28 * MM, right: 26 * MM } as const;
export const CONTENT = {
  left: MARGIN.left,
  right: PAGE.width - MARGIN.right,
  top: PAGE.height - MARGIN.top,
  bottom: MARGIN.bottom,
  width: PAGE.width - MARGIN.left - MARGIN.right,
} as const;

/** Seal diameter: 40 mm, the common size of an office seal (公章). */
export const SEAL_MM = 40;

const SIZE = { title: 22, small: 10.5, footer: 9 } as const;
const LINE = { title: 34, small: 16, footer: 12.5 } as const;
/**
 * Body text and key-value tables: 四号 (14 pt) for proofs; 小四 (12 pt) for dense documents such as
 * receipts, which are expected on a single page.
 */
const DENSITY = {
  standard: { body: 14, bodyLine: 24, table: 12, tableLine: 18, dateDrop: 30 },
  compact: { body: 12, bodyLine: 21, table: 11, tableLine: 16.5, dateDrop: 26 },
} as const;
/** The ideographic em box of Noto CJK spans -0.12 to 0.88 em around the baseline. */
const EM_TOP = 0.88;
const EM_BOTTOM = 0.12;

export type HAlign = 'left' | 'center' | 'right';

export interface Cell {
  readonly text: string;
  /** Columns this cell covers (default 1). */
  readonly span?: number;
  readonly bold?: boolean;
  readonly align?: HAlign;
}

export type Block =
  | {
      readonly kind: 'paragraph';
      readonly text: string;
      readonly indent?: boolean;
      readonly bold?: boolean;
      readonly size?: 'body' | 'small';
      /** Keep on the page of the start of the next block (a label such as 说明：). */
      readonly keepWithNext?: boolean;
    }
  | { readonly kind: 'heading'; readonly text: string }
  | {
      readonly kind: 'table';
      /** Relative column widths; the table fills the type area. */
      readonly widths: readonly number[];
      /** Alignment of body cells per column (header cells are centred). */
      readonly align?: readonly HAlign[];
      /** Rows repeated at the top of every page the table runs onto. */
      readonly header?: readonly (readonly (Cell | string)[])[];
      readonly rows: readonly (readonly (Cell | string)[])[];
      readonly size?: 'body' | 'small';
    }
  | { readonly kind: 'space'; readonly height: number };

export interface DocumentSpec {
  readonly title: string;
  /** Printed after 编号 at the top right, and in the running header of later pages. */
  readonly documentId: string;
  /** 文号 such as 亳人社证〔2026〕123号, centred under the title. */
  readonly fileNo?: string;
  readonly blocks: readonly Block[];
  /** The last line of the text, kept on the page of the seal (e.g. 特此证明。). */
  readonly closing?: string;
  /** Issuing offices: the first is the main one, at the right with the date; at most two. */
  readonly signers: readonly string[];
  /** The date as printed (二〇二六年十一月二十一日). */
  readonly date: string;
  /** Blocks after the date (附注): notes that may run onto a further page. */
  readonly notes?: readonly Block[];
  readonly qrPayload: string;
  readonly qrCaption: string;
  /** Verification instructions printed at the foot of every page. */
  readonly footer: string;
  /** Smaller body text for documents that should fit one page (default standard). */
  readonly density?: keyof typeof DENSITY;
}

export interface TextOp {
  readonly kind: 'text';
  readonly x: number;
  /** Baseline. */
  readonly y: number;
  readonly size: number;
  readonly face: FaceName;
  readonly text: string;
  /** Extra space after each character (PDF Tc), for justified lines. */
  readonly charSpacing: number;
}

export interface RuleOp {
  readonly kind: 'rule';
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
  readonly width: number;
}

export interface QrOp {
  readonly kind: 'qr';
  /** Lower-left corner and side of the symbol (the quiet zone lies outside). */
  readonly x: number;
  readonly y: number;
  readonly size: number;
  readonly payload: string;
}

export type DrawOp = TextOp | RuleOp | QrOp;

export interface SealSpot {
  /** 0-based page index. */
  readonly page: number;
  /** Centre of the seal in PDF points from the lower-left corner of the page. */
  readonly x: number;
  readonly y: number;
  readonly sizeMm: number;
  readonly sizePt: number;
}

export interface DocumentPlan {
  readonly pages: readonly (readonly DrawOp[])[];
  /** Where each signer's seal goes, the main signer first. */
  readonly sealSpots: readonly SealSpot[];
}

export type Faces = Readonly<Record<FaceName, FontFace>>;

const THIN = 0.5;
const THICK = 1;
const CELL_PAD_X = 4;
const CELL_PAD_Y = 3;
const QR_SIZE = 24 * MM;

type TableBlock = Extract<Block, { kind: 'table' }>;

interface LaidCell {
  x1: number;
  x2: number;
  lines: { text: string; width: number }[];
  align: HAlign;
  face: FaceName;
}

interface LaidRow {
  cells: LaidCell[];
  height: number;
}

interface LaidTable {
  size: number;
  lineHeight: number;
  header: LaidRow[];
  rows: LaidRow[];
}

function cellOf(c: Cell | string): Cell {
  return typeof c === 'string' ? { text: c } : c;
}

class Composer {
  readonly pages: DrawOp[][] = [];
  private ops: DrawOp[] = [];
  /** Top of the free space on the current page. */
  y = CONTENT.top;
  private readonly d: (typeof DENSITY)[keyof typeof DENSITY];

  constructor(
    private readonly faces: Faces,
    private readonly spec: DocumentSpec,
  ) {
    this.d = DENSITY[spec.density ?? 'standard'];
    this.newPage();
  }

  get pageIndex(): number {
    return this.pages.length - 1;
  }

  room(): number {
    return this.y - CONTENT.bottom;
  }

  newPage(): void {
    this.ops = [];
    this.pages.push(this.ops);
    this.y = CONTENT.top;
    if (this.pages.length > 1) {
      // Running header: which document this page belongs to.
      const base = CONTENT.top + 10;
      this.text(CONTENT.left, base, SIZE.small, 'regular', `${this.spec.title}（续）`);
      const id = `编号：${this.spec.documentId}`;
      this.text(CONTENT.right - this.width(id, 'regular', SIZE.small), base, SIZE.small, 'regular', id);
      this.rule(CONTENT.left, CONTENT.top + 4, CONTENT.right, CONTENT.top + 4, THIN);
    }
  }

  ensure(height: number): void {
    if (this.room() < height - 1e-6) this.newPage();
  }

  width(text: string, face: FaceName, size: number): number {
    return this.faces[face].width(text, size);
  }

  text(x: number, y: number, size: number, face: FaceName, text: string, charSpacing = 0): void {
    if (text) this.ops.push({ kind: 'text', x, y, size, face, text, charSpacing });
  }

  rule(x1: number, y1: number, x2: number, y2: number, width: number): void {
    this.ops.push({ kind: 'rule', x1, y1, x2, y2, width });
  }

  qr(x: number, y: number, size: number, payload: string): void {
    this.ops.push({ kind: 'qr', x, y, size, payload });
  }

  /** Baseline of a line of `size` centred in a line box whose top is `top`. */
  static baseline(top: number, lineHeight: number, size: number): number {
    return top - (lineHeight - size) / 2 - EM_TOP * size;
  }

  lines(text: string, face: FaceName, size: number, maxWidth: number, indent = 0): ReturnType<typeof breakLines> {
    const f = this.faces[face];
    return breakLines(text, { maxWidth, firstLineIndent: indent, charWidth: (cp) => f.advance(cp) * size });
  }

  /** A run of lines across the type area; justified except the last line of each paragraph. */
  flowText(text: string, face: FaceName, size: number, lineHeight: number, options: { indent?: boolean; align?: HAlign } = {}): void {
    const indent = options.indent ? 2 * size : 0;
    const lines = this.lines(text, face, size, CONTENT.width, indent);
    lines.forEach((line, i) => {
      this.ensure(lineHeight);
      const x0 = CONTENT.left + (i === 0 ? indent : 0);
      const avail = CONTENT.right - x0;
      const chars = [...line.text].length;
      let x = x0;
      let spacing = 0;
      if (options.align === 'center') x = x0 + (avail - line.width) / 2;
      else if (options.align === 'right') x = x0 + avail - line.width;
      else if (line.wrapped && chars > 1 && line.width > avail * 0.75) spacing = (avail - line.width) / (chars - 1);
      this.text(x, Composer.baseline(this.y, lineHeight, size), size, face, line.text, spacing);
      this.y -= lineHeight;
    });
  }

  /** Measures a table: column edges, and every row's cells broken into lines, with row heights. */
  layTable(block: TableBlock): LaidTable {
    const size = block.size === 'body' ? this.d.table : SIZE.small;
    const lineHeight = block.size === 'body' ? this.d.tableLine : LINE.small;
    const total = block.widths.reduce((a, b) => a + b, 0);
    const colX = [CONTENT.left];
    for (const w of block.widths) colX.push(colX[colX.length - 1]! + (w / total) * CONTENT.width);
    colX[colX.length - 1] = CONTENT.right;
    const layRow = (row: readonly (Cell | string)[], header: boolean): LaidRow => {
      let col = 0;
      const cells: LaidCell[] = [];
      for (const raw of row) {
        const cell = cellOf(raw);
        const span = cell.span ?? 1;
        const x1 = colX[col]!;
        const x2 = colX[Math.min(col + span, block.widths.length)]!;
        const face: FaceName = header || cell.bold ? 'bold' : 'regular';
        const align = cell.align ?? (header ? 'center' : (block.align?.[col] ?? 'left'));
        cells.push({ x1, x2, face, align, lines: this.lines(cell.text, face, size, x2 - x1 - 2 * CELL_PAD_X) });
        col += span;
      }
      if (col !== block.widths.length) throw new RangeError(`table row covers ${col} of ${block.widths.length} columns`);
      const height = Math.max(...cells.map((c) => Math.max(1, c.lines.length) * lineHeight + 2 * CELL_PAD_Y));
      return { cells, height };
    };
    return {
      size,
      lineHeight,
      header: (block.header ?? []).map((r) => layRow(r, true)),
      rows: block.rows.map((r) => layRow(r, false)),
    };
  }

  /** Draws a ruled table; rows that do not fit continue on a new page under repeated header rows. */
  table(block: TableBlock): void {
    const { size, lineHeight, header, rows } = this.layTable(block);
    const headerHeight = header.reduce((a, r) => a + r.height, 0);
    let segmentTop = 0;
    const drawRow = (row: LaidRow): void => {
      const top = this.y;
      const bottom = top - row.height;
      if (top !== segmentTop) this.rule(CONTENT.left, top, CONTENT.right, top, THIN);
      for (const c of row.cells) {
        if (c.x1 > CONTENT.left) this.rule(c.x1, top, c.x1, bottom, THIN);
        const textTop = top - (row.height - c.lines.length * lineHeight) / 2;
        c.lines.forEach((line, i) => {
          const inner = c.x2 - c.x1 - 2 * CELL_PAD_X;
          const dx = c.align === 'center' ? (inner - line.width) / 2 : c.align === 'right' ? inner - line.width : 0;
          this.text(c.x1 + CELL_PAD_X + dx, Composer.baseline(textTop - i * lineHeight, lineHeight, size), size, c.face, line.text);
        });
      }
      this.y = bottom;
    };
    const startSegment = (): void => {
      segmentTop = this.y;
      this.rule(CONTENT.left, this.y, CONTENT.right, this.y, THICK);
      for (const h of header) drawRow(h);
    };
    const endSegment = (): void => {
      this.rule(CONTENT.left, this.y, CONTENT.right, this.y, THICK);
      this.rule(CONTENT.left, segmentTop, CONTENT.left, this.y, THICK);
      this.rule(CONTENT.right, segmentTop, CONTENT.right, this.y, THICK);
    };

    this.ensure(headerHeight + (rows[0]?.height ?? 0));
    startSegment();
    for (const row of rows) {
      if (this.room() < row.height) {
        endSegment();
        this.newPage();
        startSegment();
      }
      drawRow(row);
    }
    endSegment();
  }

  paragraphHeight(b: Extract<Block, { kind: 'paragraph' }>): number {
    const small = b.size === 'small';
    const size = small ? SIZE.small : this.d.body;
    const indent = (b.indent ?? true) ? 2 * size : 0;
    return this.lines(b.text, b.bold ? 'bold' : 'regular', size, CONTENT.width, indent).length * (small ? LINE.small : this.d.bodyLine);
  }

  /** The least height that must follow a heading: two lines of text, or a table's header and first row. */
  minHeight(b: Block): number {
    switch (b.kind) {
      case 'paragraph':
        return Math.min(this.paragraphHeight(b), 2 * (b.size === 'small' ? LINE.small : this.d.bodyLine));
      case 'heading':
        return this.d.bodyLine;
      case 'table': {
        const { header, rows } = this.layTable(b);
        return 4 + header.reduce((a, r) => a + r.height, 0) + (rows[0]?.height ?? 0);
      }
      case 'space':
        return 0;
    }
  }

  block(b: Block, next?: Block): void {
    switch (b.kind) {
      case 'paragraph': {
        const small = b.size === 'small';
        if (b.keepWithNext && next) this.ensure(this.paragraphHeight(b) + this.minHeight(next));
        this.flowText(b.text, b.bold ? 'bold' : 'regular', small ? SIZE.small : this.d.body, small ? LINE.small : this.d.bodyLine, { indent: b.indent ?? true });
        break;
      }
      case 'heading':
        // Keep a heading with the start of what follows it.
        this.ensure(this.d.bodyLine + (next ? this.minHeight(next) : 0));
        this.flowText(b.text, 'bold', this.d.body, this.d.bodyLine, { indent: true });
        break;
      case 'table':
        this.y -= 4;
        this.table(b);
        this.y -= 6;
        break;
      case 'space':
        if (this.y !== CONTENT.top) this.y -= Math.min(b.height, this.room());
        break;
    }
  }

  head(): void {
    this.y -= 4;
    this.flowText(this.spec.title, 'bold', SIZE.title, LINE.title, { align: 'center' });
    if (this.spec.fileNo) this.flowText(this.spec.fileNo, 'regular', this.d.body, this.d.bodyLine, { align: 'center' });
    this.y -= 4;
    this.flowText(`编号：${this.spec.documentId}`, 'regular', SIZE.small, LINE.small, { align: 'right' });
    this.y -= 6;
  }

  /**
   * The closing line, the QR code at the left, and the signers with the date at the right, with
   * their seal spots. Moved as one piece to a new page when it does not fit.
   */
  signatureBlock(): SealSpot[] {
    const size = this.d.body;
    const sealPt = SEAL_MM * MM;
    const radius = sealPt / 2;
    const dateWidth = this.width(this.spec.date, 'regular', size);
    const dateRight = CONTENT.right - 4 * size; // 成文日期右空四字
    const mainX = dateRight - dateWidth / 2;
    const qrRight = CONTENT.left + QR_SIZE;
    const pitch = sealPt + 24;
    const signers = this.spec.signers.map((name, i) => {
      const cx = mainX - i * pitch;
      const half = i === 0 ? Math.min(cx - qrRight - 12, CONTENT.right - cx) : Math.min(pitch / 2 - 6, cx - qrRight - 12);
      return { cx, lines: this.lines(name, 'regular', size, 2 * half) };
    });
    const nameLines = Math.max(...signers.map((s) => s.lines.length));
    const closingLines = this.spec.closing ? this.lines(this.spec.closing, 'regular', size, CONTENT.width, 2 * size).length : 0;
    // Offsets below the top of the band. The seal's top sits just under the last text line (GB/T 9704:
    // within one line); the names and the date sit below the seal's centre; longer names push it down.
    const sealTopOff = 0;
    const centreOff = sealTopOff + radius + Math.max(0, (nameLines - 1) * this.d.bodyLine - 10);
    const dateOff = centreOff + this.d.dateDrop;
    const qrTopOff = sealTopOff + 8; // leaves the QR quiet zone clear of the text above
    const captionOff = qrTopOff + QR_SIZE + 17;
    const bandHeight = Math.max(centreOff + radius, dateOff + EM_BOTTOM * size, captionOff + EM_BOTTOM * SIZE.small);
    this.ensure(closingLines * this.d.bodyLine + bandHeight);
    if (this.spec.closing) this.flowText(this.spec.closing, 'regular', size, this.d.bodyLine, { indent: true });

    const top = this.y;
    const cy = top - centreOff;
    const dateBaseline = top - dateOff;
    const nameBaseline = dateBaseline + this.d.bodyLine;
    for (const s of signers) {
      s.lines.forEach((line, i) => {
        const y = nameBaseline + (s.lines.length - 1 - i) * this.d.bodyLine;
        this.text(s.cx - line.width / 2, y, size, 'regular', line.text);
      });
    }
    this.text(dateRight - dateWidth, dateBaseline, size, 'regular', this.spec.date);

    this.qr(CONTENT.left, top - qrTopOff - QR_SIZE, QR_SIZE, this.spec.qrPayload);
    const captionWidth = this.width(this.spec.qrCaption, 'regular', SIZE.small);
    this.text(CONTENT.left + (QR_SIZE - captionWidth) / 2, top - captionOff, SIZE.small, 'regular', this.spec.qrCaption);

    this.y -= bandHeight;
    return signers.map((s) => ({ page: this.pageIndex, x: s.cx, y: cy, sizeMm: SEAL_MM, sizePt: sealPt }));
  }

  /** Verification instructions and the page number at the foot of every page. */
  footers(): void {
    const count = this.pages.length;
    this.pages.forEach((ops, i) => {
      this.ops = ops;
      const ruleY = CONTENT.bottom - 10;
      this.rule(CONTENT.left, ruleY, CONTENT.right, ruleY, THIN);
      const lines = this.lines(this.spec.footer, 'regular', SIZE.footer, CONTENT.width);
      lines.forEach((line, j) => {
        const chars = [...line.text].length;
        const spacing = line.wrapped && chars > 1 ? (CONTENT.width - line.width) / (chars - 1) : 0;
        this.text(CONTENT.left, ruleY - 4 - (j + 1) * LINE.footer + 3, SIZE.footer, 'regular', line.text, spacing);
      });
      const number = `第 ${i + 1} 页  共 ${count} 页`;
      this.text(CONTENT.left + (CONTENT.width - this.width(number, 'regular', SIZE.small)) / 2, 12 * MM, SIZE.small, 'regular', number);
    });
  }
}

/** Lays out a document: pages of drawing operations and the seal spots. */
export function layoutDocument(spec: DocumentSpec, faces: Faces): DocumentPlan {
  if (spec.signers.length < 1 || spec.signers.length > 2) throw new RangeError('a document has one or two signers');
  const c = new Composer(faces, spec);
  c.head();
  spec.blocks.forEach((b, i) => c.block(b, spec.blocks[i + 1]));
  const sealSpots = c.signatureBlock();
  const notes = spec.notes ?? [];
  notes.forEach((b, i) => c.block(b, notes[i + 1]));
  c.footers();
  return { pages: c.pages, sealSpots };
}
