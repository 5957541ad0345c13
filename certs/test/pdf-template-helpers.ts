/**
 * Reading rendered certificates back, for the template tests: text through poppler's pdftotext, pixels
 * through pdftoppm, and the PDF's own objects (content streams, embedded fonts) through pdf-lib.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  PDFArray,
  PDFDocument,
  PDFName,
  PDFRawStream,
  PDFRef,
  PDFStream,
  decodePDFRawStream,
  type PDFDict,
  type PDFObject,
} from 'pdf-lib';

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'tongban-tpl-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

function withFile<T>(pdf: Uint8Array, fn: (file: string, dir: string) => T): T {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'doc.pdf');
    writeFileSync(file, pdf);
    return fn(file, dir);
  } finally {
    cleanup();
  }
}

/** The text of the PDF (or of one 1-based page) as pdftotext reads it, in physical layout order. */
export function pdfText(pdf: Uint8Array, page?: number): string {
  return withFile(pdf, (file) => run('pdftotext', ['-layout', '-enc', 'UTF-8', ...(page ? ['-f', String(page), '-l', String(page)] : []), file, '-']));
}

/** The text without any whitespace: justified lines and table layout put spaces anywhere. */
export function compactText(pdf: Uint8Array, page?: number): string {
  return pdfText(pdf, page).replace(/\s+/g, '');
}

export interface WordBox {
  readonly word: string;
  /** PDF points from the top-left corner of the page (pdftotext's convention). */
  readonly xMin: number;
  readonly yMin: number;
  readonly xMax: number;
  readonly yMax: number;
}

/** Words with their boxes on a 1-based page. */
export function wordBoxes(pdf: Uint8Array, page: number): WordBox[] {
  const html = withFile(pdf, (file) => run('pdftotext', ['-bbox', '-enc', 'UTF-8', '-f', String(page), '-l', String(page), file, '-']));
  return [...html.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)].map((m) => ({
    word: m[5]!.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"'),
    xMin: Number(m[1]),
    yMin: Number(m[2]),
    xMax: Number(m[3]),
    yMax: Number(m[4]),
  }));
}

export interface GrayImage {
  readonly width: number;
  readonly height: number;
  /** 0 black .. 255 white, row-major. */
  readonly pixels: Uint8Array;
  readonly dpi: number;
}

/** A page rendered by pdftoppm in grey (PGM), for checking that glyphs actually print. */
export function renderGray(pdf: Uint8Array, page: number, dpi: number): GrayImage {
  return withFile(pdf, (file, dir) => {
    run('pdftoppm', ['-gray', '-r', String(dpi), '-f', String(page), '-l', String(page), '-singlefile', file, join(dir, 'page')]);
    const data = readFileSync(join(dir, 'page.pgm'));
    const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(data.subarray(0, 64).toString('latin1'));
    if (!header) throw new Error('pdftoppm did not write a binary PGM');
    return { width: Number(header[1]), height: Number(header[2]), pixels: new Uint8Array(data.subarray(header[0].length)), dpi };
  });
}

/** Dark pixels (< 128) inside a box given in points from the top-left of the page. */
export function inkIn(img: GrayImage, box: { x1: number; y1: number; x2: number; y2: number }): number {
  const s = img.dpi / 72;
  let n = 0;
  for (let y = Math.floor(box.y1 * s); y < Math.ceil(box.y2 * s); y++) {
    for (let x = Math.floor(box.x1 * s); x < Math.ceil(box.x2 * s); x++) if (img.pixels[y * img.width + x]! < 128) n++;
  }
  return n;
}

function resolve(doc: PDFDocument, obj: PDFObject | undefined): PDFObject | undefined {
  return obj instanceof PDFRef ? doc.context.lookup(obj) : obj;
}

function streamBytes(stream: PDFObject | undefined): Uint8Array {
  if (stream instanceof PDFRawStream) return decodePDFRawStream(stream).decode();
  if (stream instanceof PDFStream) return stream.getContents();
  throw new Error('not a stream');
}

/** The decoded content stream(s) of a 0-based page, as text. */
export async function pageContent(pdf: Uint8Array, pageIndex: number): Promise<string> {
  const doc = await PDFDocument.load(pdf);
  const contents = resolve(doc, doc.getPage(pageIndex).node.get(PDFName.of('Contents')));
  const streams = contents instanceof PDFArray ? contents.asArray().map((o) => resolve(doc, o)) : [contents];
  return streams.map((s) => Buffer.from(streamBytes(s)).toString('latin1')).join('\n');
}

/**
 * The QR symbol drawn on a page, rebuilt from the rectangles inside the TongbanQR marked content:
 * module size from the rectangle height, rows and columns from the positions.
 */
export async function qrModulesOnPage(pdf: Uint8Array, pageIndex: number): Promise<{ size: number; modules: Uint8Array; sidePt: number } | undefined> {
  const content = await pageContent(pdf, pageIndex);
  const m = /\/TongbanQR BMC([\s\S]*?)EMC/.exec(content);
  if (!m) return undefined;
  const rects = [...m[1]!.matchAll(/(-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) re/g)].map((r) => r.slice(1, 5).map(Number) as [number, number, number, number]);
  const unit = rects[0]![3];
  const x0 = Math.min(...rects.map((r) => r[0]));
  const top = Math.max(...rects.map((r) => r[1] + r[3]));
  const size = Math.round((Math.max(...rects.map((r) => r[0] + r[2])) - x0) / unit);
  const modules = new Uint8Array(size * size);
  for (const [x, y, w, h] of rects) {
    const row = Math.round((top - (y + h)) / unit);
    const col = Math.round((x - x0) / unit);
    for (let c = col; c < col + Math.round(w / unit); c++) modules[row * size + c] = 1;
  }
  return { size, modules, sidePt: size * unit };
}

export interface EmbeddedFont {
  readonly baseFont: string;
  /** The font program (FontFile2). */
  readonly program: Uint8Array;
  /** CID (= subset glyph id) -> Unicode text, from the ToUnicode CMap. */
  readonly toUnicode: Map<number, string>;
}

/** The Type0 fonts of a 0-based page's resources. */
export async function embeddedFonts(pdf: Uint8Array, pageIndex = 0): Promise<EmbeddedFont[]> {
  const doc = await PDFDocument.load(pdf);
  const resources = doc.getPage(pageIndex).node.Resources()!;
  const fonts = resolve(doc, resources.get(PDFName.of('Font'))) as PDFDict;
  const out: EmbeddedFont[] = [];
  for (const [, ref] of fonts.entries()) {
    const font = resolve(doc, ref) as PDFDict;
    const descendant = resolve(doc, (resolve(doc, font.get(PDFName.of('DescendantFonts'))) as PDFArray).get(0)) as PDFDict;
    const descriptor = resolve(doc, descendant.get(PDFName.of('FontDescriptor'))) as PDFDict;
    const program = streamBytes(resolve(doc, descriptor.get(PDFName.of('FontFile2'))));
    const cmap = Buffer.from(streamBytes(resolve(doc, font.get(PDFName.of('ToUnicode'))))).toString('latin1');
    const toUnicode = new Map<number, string>();
    for (const e of cmap.matchAll(/<([0-9a-fA-F]{4})> <([0-9a-fA-F]+)>/g)) {
      const units = e[2]!.match(/.{4}/g)!.map((h) => parseInt(h, 16));
      toUnicode.set(parseInt(e[1]!, 16), String.fromCharCode(...units));
    }
    out.push({ baseFont: (font.get(PDFName.of('BaseFont')) as PDFName).decodeText(), program, toUnicode });
  }
  return out;
}
