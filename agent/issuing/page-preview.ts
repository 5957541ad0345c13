/**
 * A picture of a page of a sealed PDF for the kiosk's screen (证明预览), made without any system tool:
 * the page's content streams are read as they are (certs/pdf/parse.ts), drawn into an SVG — glyphs as
 * outlines from the PDF's own embedded font subsets (fontkit), ruled lines, the QR code's rectangles,
 * and the seal's appearance stream (its widget annotation) in its ink with multiply blending — and the
 * SVG is rasterised by resvg. What the citizen sees is the sealed file itself, not a second rendering
 * of the data.
 *
 * It reads the operators tongban's certificates use (text with Identity-H CID fonts, paths, rectangles,
 * grey and RGB fills and strokes, graphics state, form XObjects, ExtGState blend mode) and ignores the
 * rest (a document from elsewhere shows what of it is drawn that way). Input is bounded: pages, operators
 * and output size; a PDF it cannot read is an InputError 'preview.unreadable'.
 */
import { inflateSync } from 'node:zlib';
import fontkit from '@pdf-lib/fontkit';
import type { Font as FontkitFont } from '@pdf-lib/fontkit';
import { Resvg } from '@resvg/resvg-js';
import { InputError, messageOf } from '../../base/errors.js';
import { PdfFile, PdfLexer, isArray, isDict, isName, isRef, parseValue, type PdfDict, type PdfValue } from '../../certs/pdf/parse.js';

/** Operators read per page (content and forms together): a certificate page has a few thousand. */
const MAX_OPERATORS = 400_000;
const MAX_STREAM_BYTES = 16 << 20;
const MAX_FORM_DEPTH = 8;

type Matrix = [number, number, number, number, number, number];
const IDENTITY: Matrix = [1, 0, 0, 1, 0, 0];

/** a x b: first a, then b (PDF's row-vector convention). */
function mul(a: Matrix, b: Matrix): Matrix {
  return [a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3], a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3], a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5]];
}

const fmt = (n: number): string => (Number.isFinite(n) ? String(Math.round(n * 1000) / 1000) : '0');
const matrixAttr = (m: Matrix): string => `matrix(${m.map(fmt).join(' ')})`;
const rgb = (c: readonly number[]): string => `rgb(${c.map((v) => Math.round(Math.min(1, Math.max(0, v)) * 255)).join(',')})`;

interface GState {
  ctm: Matrix;
  fill: string;
  stroke: string;
  lineWidth: number;
  multiply: boolean;
}

interface CidFont {
  readonly font: FontkitFont;
  readonly scale: number;
  /** Advance widths by CID in 1/1000 text space units (the /W array). */
  readonly widths: Map<number, number>;
  readonly defaultWidth: number;
  readonly glyphs: Map<number, string>;
}

export interface PreviewOptions {
  /** 0-based page (default 0). */
  readonly page?: number;
  /** Width of the picture in pixels (default 1000). */
  readonly width?: number;
}

export interface PagePreview {
  readonly png: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly pageCount: number;
}

class PageDrawer {
  private readonly out: string[] = [];
  private operators = 0;
  private readonly fonts = new Map<string, CidFont | null>();

  constructor(private readonly file: PdfFile) {}

  get svgBody(): string {
    return this.out.join('');
  }

  private dict(v: PdfValue | undefined): PdfDict | undefined {
    const r = this.file.resolve(v);
    return isDict(r) ? r : undefined;
  }

  /** The decoded bytes of a stream object (FlateDecode or none). */
  streamBytes(v: PdfValue | undefined): { dict: PdfDict; bytes: Uint8Array } | undefined {
    if (!isRef(v)) return undefined;
    const obj = this.file.getObject(v.num);
    if (!obj?.stream || !isDict(obj.value)) return undefined;
    const raw = this.file.bytes.subarray(obj.stream.start, obj.stream.end);
    const filter = this.file.resolve(obj.value.entries.get('Filter'));
    const filters = isArray(filter) ? filter.items : filter === undefined || filter === null ? [] : [filter];
    let bytes: Uint8Array = raw;
    for (const f of filters) {
      if (!isName(f, 'FlateDecode')) return undefined; // a filter tongban's PDFs do not use: left out
      bytes = inflateSync(bytes, { maxOutputLength: MAX_STREAM_BYTES });
    }
    return { dict: obj.value, bytes };
  }

  private font(resources: PdfDict | undefined, key: string): CidFont | undefined {
    const fontDict = this.dict(this.dict(resources?.entries.get('Font'))?.entries.get(key));
    if (!fontDict) return undefined;
    const id = `${key}:${fontDict.start}`;
    if (this.fonts.has(id)) return this.fonts.get(id) ?? undefined;
    let made: CidFont | null = null;
    try {
      const descendants = this.file.resolve(fontDict.entries.get('DescendantFonts'));
      const cid = isArray(descendants) ? this.dict(descendants.items[0]) : undefined;
      const descriptor = this.dict(cid?.entries.get('FontDescriptor'));
      const program = this.streamBytes(descriptor?.entries.get('FontFile2'));
      if (cid && program) {
        const font = fontkit.create(Buffer.from(program.bytes));
        const widths = new Map<number, number>();
        const w = this.file.resolve(cid.entries.get('W'));
        if (isArray(w)) {
          for (let i = 0; i < w.items.length; ) {
            const first = this.file.resolve(w.items[i]);
            const next = this.file.resolve(w.items[i + 1]);
            if (typeof first !== 'number') break;
            if (isArray(next)) {
              next.items.forEach((x, k) => typeof x === 'number' && widths.set(first + k, x));
              i += 2;
            } else {
              const last = next;
              const width = this.file.resolve(w.items[i + 2]);
              if (typeof last !== 'number' || typeof width !== 'number' || last - first > 65_535) break;
              for (let c = first; c <= last; c++) widths.set(c, width);
              i += 3;
            }
          }
        }
        const dw = this.file.resolve(cid.entries.get('DW'));
        made = { font, scale: 1 / font.unitsPerEm, widths, defaultWidth: typeof dw === 'number' ? dw : 1000, glyphs: new Map() };
      }
    } catch {
      made = null; // an unreadable font: its text is left out, the rest is drawn
    }
    this.fonts.set(id, made);
    return made ?? undefined;
  }

  private glyphPath(f: CidFont, cid: number): string {
    let d = f.glyphs.get(cid);
    if (d === undefined) {
      try {
        d = f.font.getGlyph(cid).path.toSVG();
      } catch {
        d = '';
      }
      f.glyphs.set(cid, d);
    }
    return d;
  }

  /** Draws a content stream with its resources under the graphics state `g`. */
  draw(content: Uint8Array, resources: PdfDict | undefined, start: GState, depth = 0): void {
    const lex = new PdfLexer(content);
    const stack: GState[] = [];
    let g: GState = { ...start };
    let operands: PdfValue[] = [];
    let path = '';
    // Text state
    let tm: Matrix = IDENTITY;
    let tlm: Matrix = IDENTITY;
    let font: CidFont | undefined;
    let size = 0;
    let charSpacing = 0;
    let textFill = g.fill;
    const num = (i: number): number => {
      const v = operands[i];
      return typeof v === 'number' ? v : 0;
    };
    const pt = (x: number, y: number): string => `${fmt(x)} ${fmt(y)}`;
    const emitPath = (mode: 'fill' | 'stroke' | 'both', evenOdd: boolean): void => {
      if (!path) return;
      const blend = g.multiply ? ' style="mix-blend-mode:multiply"' : '';
      const fill = mode === 'stroke' ? 'none' : g.fill;
      const stroke = mode === 'fill' ? '' : ` stroke="${g.stroke}" stroke-width="${fmt(g.lineWidth || 0.5)}"`;
      this.out.push(`<path transform="${matrixAttr(g.ctm)}" d="${path}" fill="${fill}"${evenOdd ? ' fill-rule="evenodd"' : ''}${stroke}${blend}/>`);
      path = '';
    };
    const showText = (bytes: Uint8Array): void => {
      if (!font || size === 0) return;
      const f = font;
      const parts: string[] = [];
      for (let i = 0; i + 1 < bytes.length; i += 2) {
        const cid = (bytes[i]! << 8) | bytes[i + 1]!;
        const d = this.glyphPath(f, cid);
        // Glyph space -> text space -> user space: scale by size/unitsPerEm at the current text matrix.
        const at = mul([size * f.scale, 0, 0, size * f.scale, 0, 0], mul(tm, g.ctm));
        if (d) parts.push(`<path transform="${matrixAttr(at)}" d="${d}"/>`);
        const advance = ((f.widths.get(cid) ?? f.defaultWidth) / 1000) * size + charSpacing;
        tm = mul([1, 0, 0, 1, advance, 0], tm);
      }
      if (parts.length) this.out.push(`<g fill="${textFill}">${parts.join('')}</g>`);
    };
    for (;;) {
      const tok = lex.peek();
      if (tok.t === 'eof') break;
      if (tok.t !== 'kw' || tok.v === 'true' || tok.v === 'false' || tok.v === 'null') {
        operands.push(parseValue(lex));
        if (operands.length > 64) operands = operands.slice(-64);
        continue;
      }
      lex.next();
      if (++this.operators > MAX_OPERATORS) throw new InputError('preview.tooComplex', 'the page has too many drawing operators to preview');
      const op = tok.v;
      switch (op) {
        case 'q':
          if (stack.length < 64) stack.push({ ...g });
          break;
        case 'Q':
          g = stack.pop() ?? g;
          break;
        case 'cm':
          g.ctm = mul([num(0), num(1), num(2), num(3), num(4), num(5)], g.ctm);
          break;
        case 'w':
          g.lineWidth = num(0);
          break;
        case 'g':
          g.fill = rgb([num(0), num(0), num(0)]);
          break;
        case 'G':
          g.stroke = rgb([num(0), num(0), num(0)]);
          break;
        case 'rg':
          g.fill = rgb([num(0), num(1), num(2)]);
          break;
        case 'RG':
          g.stroke = rgb([num(0), num(1), num(2)]);
          break;
        case 'gs': {
          const name = operands[0];
          const gsDict = isName(name) ? this.dict(this.dict(resources?.entries.get('ExtGState'))?.entries.get(name.name)) : undefined;
          const bm = this.file.resolve(gsDict?.entries.get('BM'));
          if (bm !== undefined) g.multiply = isName(bm, 'Multiply') || (isArray(bm) && isName(bm.items[0], 'Multiply'));
          break;
        }
        case 'm':
          path += `M${pt(num(0), num(1))}`;
          break;
        case 'l':
          path += `L${pt(num(0), num(1))}`;
          break;
        case 'c':
          path += `C${pt(num(0), num(1))} ${pt(num(2), num(3))} ${pt(num(4), num(5))}`;
          break;
        case 'h':
          path += 'Z';
          break;
        case 're':
          path += `M${pt(num(0), num(1))}h${fmt(num(2))}v${fmt(num(3))}h${fmt(-num(2))}Z`;
          break;
        case 'f':
        case 'F':
          emitPath('fill', false);
          break;
        case 'f*':
          emitPath('fill', true);
          break;
        case 'S':
          emitPath('stroke', false);
          break;
        case 's':
          path += 'Z';
          emitPath('stroke', false);
          break;
        case 'B':
        case 'b':
          if (op === 'b') path += 'Z';
          emitPath('both', false);
          break;
        case 'n':
          path = '';
          break;
        case 'BT':
          tm = IDENTITY;
          tlm = IDENTITY;
          textFill = g.fill;
          break;
        case 'Tf': {
          const name = operands[0];
          font = isName(name) ? this.font(resources, name.name) : undefined;
          size = num(1);
          break;
        }
        case 'Tc':
          charSpacing = num(0);
          break;
        case 'Tm':
          tm = tlm = [num(0), num(1), num(2), num(3), num(4), num(5)];
          break;
        case 'Td':
          tm = tlm = mul([1, 0, 0, 1, num(0), num(1)], tlm);
          break;
        case 'Tj': {
          textFill = g.fill;
          const s = operands[0];
          if (s && typeof s === 'object' && s.kind === 'string') showText(s.bytes);
          break;
        }
        case 'TJ': {
          textFill = g.fill;
          const a = operands[0];
          if (isArray(a)) {
            for (const x of a.items) {
              if (typeof x === 'number') tm = mul([1, 0, 0, 1, (-x / 1000) * size, 0], tm);
              else if (x && typeof x === 'object' && x.kind === 'string') showText(x.bytes);
            }
          }
          break;
        }
        case 'Do': {
          const name = operands[0];
          if (!isName(name) || depth >= MAX_FORM_DEPTH) break;
          const ref = this.dict(resources?.entries.get('XObject'))?.entries.get(name.name);
          this.form(ref, g, depth + 1);
          break;
        }
        default:
          break; // marked content, clipping and the rest change nothing drawn here
      }
      operands = [];
    }
  }

  /** A form XObject drawn under `g` (its /Matrix applied); images are not drawn. */
  form(ref: PdfValue | undefined, g: GState, depth: number, extra: Matrix = IDENTITY): void {
    const s = this.streamBytes(ref);
    if (!s || !isName(s.dict.entries.get('Subtype'), 'Form')) return;
    const m = this.file.resolve(s.dict.entries.get('Matrix'));
    const own: Matrix = isArray(m) && m.items.length === 6 && m.items.every((x) => typeof x === 'number') ? (m.items as unknown as Matrix) : IDENTITY;
    this.draw(s.bytes, this.dict(s.dict.entries.get('Resources')), { ...g, ctm: mul(mul(own, extra), g.ctm) }, depth);
  }
}

function numbers(v: PdfValue | undefined, n: number): number[] | undefined {
  if (!isArray(v) || v.items.length !== n || !v.items.every((x) => typeof x === 'number')) return undefined;
  return v.items as number[];
}

/** Renders one page of a PDF to PNG. */
export function renderPagePreview(pdf: Uint8Array, options: PreviewOptions = {}): PagePreview {
  try {
    const file = new PdfFile(pdf);
    const pages = file.pages();
    const index = options.page ?? 0;
    const pageRef = pages[index];
    if (!pageRef) throw new InputError('preview.noPage', `the document has no page ${index + 1} (it has ${pages.length})`);
    const page = file.resolve(pageRef);
    if (!isDict(page)) throw new InputError('preview.unreadable', 'the page is not a dictionary');
    const box = numbers(file.resolve(page.entries.get('MediaBox')), 4) ?? [0, 0, 595.28, 841.89];
    const [x0, y0, x1, y1] = box as [number, number, number, number];
    const w = x1 - x0;
    const h = y1 - y0;
    const drawer = new PageDrawer(file);
    // PDF user space (y up) -> SVG (y down).
    const base: GState = { ctm: [1, 0, 0, -1, -x0, y1], fill: 'rgb(0,0,0)', stroke: 'rgb(0,0,0)', lineWidth: 1, multiply: false };
    const resources = file.resolve(page.entries.get('Resources'));
    const listed = file.resolve(page.entries.get('Contents'));
    const contents: PdfValue[] = isArray(listed) ? listed.items : [page.entries.get('Contents') ?? null];
    // A page's content streams are one stream cut in pieces (PDF 32000 7.8.2).
    const parts = contents.map((c) => drawer.streamBytes(c)?.bytes).filter((b): b is Uint8Array => b !== undefined);
    const whole = new Uint8Array(parts.reduce((n, b) => n + b.length + 1, 0));
    let at = 0;
    for (const b of parts) {
      whole.set(b, at);
      whole[at + b.length] = 10;
      at += b.length + 1;
    }
    drawer.draw(whole, isDict(resources) ? resources : undefined, base);
    // Annotations with a normal appearance (the seal): the form's box mapped onto the annotation's rectangle.
    const annots = file.resolve(page.entries.get('Annots'));
    for (const a of isArray(annots) ? annots.items : []) {
      const annot = file.resolve(a);
      if (!isDict(annot)) continue;
      const flags = file.resolve(annot.entries.get('F'));
      if (typeof flags === 'number' && (flags & 2) !== 0) continue; // hidden
      const rect = numbers(file.resolve(annot.entries.get('Rect')), 4);
      const ap = file.resolve(annot.entries.get('AP'));
      const normal = isDict(ap) ? ap.entries.get('N') : undefined;
      if (!rect || !isRef(normal)) continue;
      const obj = file.getObject(normal.num);
      const bbox = isDict(obj?.value) ? numbers(file.resolve(obj.value.entries.get('BBox')), 4) : undefined;
      if (!bbox) continue;
      const [bx0, by0, bx1, by1] = bbox as [number, number, number, number];
      const [rx0, ry0, rx1, ry1] = [Math.min(rect[0]!, rect[2]!), Math.min(rect[1]!, rect[3]!), Math.max(rect[0]!, rect[2]!), Math.max(rect[1]!, rect[3]!)];
      const sx = bx1 - bx0 === 0 ? 1 : (rx1 - rx0) / (bx1 - bx0);
      const sy = by1 - by0 === 0 ? 1 : (ry1 - ry0) / (by1 - by0);
      drawer.form(normal, base, 1, [sx, 0, 0, sy, rx0 - bx0 * sx, ry0 - by0 * sy]);
    }
    const width = Math.max(100, Math.min(3000, Math.round(options.width ?? 1000)));
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${fmt(w)}" height="${fmt(h)}" viewBox="0 0 ${fmt(w)} ${fmt(h)}"><rect width="100%" height="100%" fill="#fff"/>${drawer.svgBody}</svg>`;
    const rendered = new Resvg(svg, { fitTo: { mode: 'width', value: width }, font: { loadSystemFonts: false }, background: '#ffffff' }).render();
    const png = rendered.asPng();
    return { png: new Uint8Array(png.buffer, png.byteOffset, png.byteLength), width: rendered.width, height: rendered.height, pageCount: pages.length };
  } catch (err) {
    if (err instanceof InputError && err.code.startsWith('preview.')) throw err;
    throw new InputError('preview.unreadable', `the document cannot be previewed: ${messageOf(err)}`);
  }
}
