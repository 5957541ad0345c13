/**
 * The visible seal of a signature widget (/AP /N): a form XObject at the seal's real size.
 *
 * An SVG seal picture (what the project's seals carry: filled paths in millimetres, see
 * certs/seal/picture.ts) is drawn as PDF vectors — the same outlines, sharp at any zoom and printer
 * resolution, and no font to embed since the characters are already outlines. A PNG or JPEG picture is
 * embedded as an image. The ink multiplies with the page (blend mode Multiply), as a real stamp does:
 * the text under the seal stays legible.
 */
import { JpegEmbedder, PngEmbedder, type PDFContext, type PDFRef } from 'pdf-lib';
import { InputError } from '../../base/errors.js';

/** Points per millimetre. */
export const PT_PER_MM = 72 / 25.4;

/** The visible seal: knows its size and how to put itself into a PDF context as a form XObject. */
export interface Appearance {
  readonly widthPt: number;
  readonly heightPt: number;
  /** Registers the form XObject (and what it uses) in `ctx`; returns its reference. */
  embed(ctx: PDFContext): Promise<PDFRef>;
}

export interface PictureInput {
  /** "SVG", "PNG", "JPG"/"JPEG" (GB/T 38540 picture types). */
  readonly type: string;
  readonly data: Uint8Array;
  readonly widthMm: number;
  readonly heightMm: number;
}

const MAX_SVG_BYTES = 4 << 20;
const MAX_PATH_COMMANDS = 500_000;

/** The appearance of a seal picture at its real size. */
export function sealAppearance(picture: PictureInput): Appearance {
  const { widthMm, heightMm } = picture;
  if (!(widthMm > 0 && widthMm <= 200 && heightMm > 0 && heightMm <= 200)) {
    throw new InputError('pdf.sealPicture', `the seal picture's size ${widthMm} x ${heightMm} mm is not a plausible seal size`);
  }
  const widthPt = round(widthMm * PT_PER_MM);
  const heightPt = round(heightMm * PT_PER_MM);
  const type = picture.type.trim().toUpperCase();
  if (type === 'SVG') {
    const content = svgToPdfContent(Buffer.from(picture.data).toString('utf8'), widthPt, heightPt);
    return { widthPt, heightPt, embed: (ctx) => Promise.resolve(formXObject(ctx, content, widthPt, heightPt)) };
  }
  if (type === 'PNG' || type === 'JPG' || type === 'JPEG') {
    return {
      widthPt,
      heightPt,
      embed: async (ctx) => {
        let imageRef: PDFRef;
        try {
          const embedder = type === 'PNG' ? await PngEmbedder.for(picture.data) : await JpegEmbedder.for(picture.data);
          imageRef = await embedder.embedIntoContext(ctx);
        } catch (err) {
          throw new InputError('pdf.sealPicture', `the seal's ${type} picture cannot be read: ${err instanceof Error ? err.message : String(err)}`);
        }
        const content = `q /GS0 gs ${widthPt} 0 0 ${heightPt} 0 0 cm /Im0 Do Q`;
        return formXObject(ctx, content, widthPt, heightPt, { XObject: { Im0: imageRef } });
      },
    };
  }
  throw new InputError('pdf.sealPicture', `a seal picture of type "${picture.type}" cannot be shown (SVG, PNG and JPEG can)`);
}

function formXObject(ctx: PDFContext, content: string, w: number, h: number, extra: Record<string, unknown> = {}): PDFRef {
  const resources = ctx.obj({
    ExtGState: { GS0: { Type: 'ExtGState', BM: 'Multiply' } },
    ...(extra as Record<string, never>),
  });
  const stream = ctx.flateStream(content, { Type: 'XObject', Subtype: 'Form', BBox: [0, 0, w, h], Resources: resources });
  return ctx.register(stream);
}

const round = (n: number): number => Math.round(n * 1000) / 1000;

// --- SVG (the filled-path subset seal pictures use) to a PDF content stream ---

interface SvgPath {
  readonly d: string;
  readonly fill: [number, number, number] | null;
  readonly evenOdd: boolean;
}

/**
 * Converts an SVG made of filled <path> elements (inside <g> groups carrying fill and fill-rule) into
 * PDF drawing operators scaled from the viewBox to `w` x `h` points. Elements this subset does not
 * know (text, images, transforms) are refused rather than drawn wrongly.
 */
export function svgToPdfContent(svg: string, w: number, h: number): string {
  if (svg.length > MAX_SVG_BYTES) throw new InputError('pdf.sealPicture', 'the seal SVG is too large');
  const root = /<svg\b([^>]*)>/i.exec(svg);
  if (!root) throw new InputError('pdf.sealPicture', 'the seal picture is not an SVG document');
  const vb = attr(root[1]!, 'viewBox')?.trim().split(/[\s,]+/).map(Number);
  if (!vb || vb.length !== 4 || !vb.every(Number.isFinite) || vb[2]! <= 0 || vb[3]! <= 0) {
    throw new InputError('pdf.sealPicture', 'the seal SVG has no usable viewBox');
  }
  const [minX, minY, vbW, vbH] = vb as [number, number, number, number];
  const paths = collectPaths(svg.slice(root.index + root[0].length));
  const sx = w / vbW;
  const sy = h / vbH;
  const ops: string[] = ['q', '/GS0 gs', `${num(sx)} 0 0 ${num(-sy)} ${num(-minX * sx)} ${num(h + minY * sy)} cm`];
  let colour = '';
  let commands = 0;
  for (const p of paths) {
    if (!p.fill) continue;
    const rg = `${p.fill.map((c) => num(c / 255)).join(' ')} rg`;
    if (rg !== colour) {
      ops.push(rg);
      colour = rg;
    }
    const drawn = pathToPdf(p.d, () => {
      if (++commands > MAX_PATH_COMMANDS) throw new InputError('pdf.sealPicture', 'the seal SVG has too many path commands');
    });
    if (drawn) ops.push(drawn, p.evenOdd ? 'f*' : 'f');
  }
  ops.push('Q');
  return ops.join('\n');
}

function attr(attrs: string, name: string): string | undefined {
  const m = new RegExp(`(?:^|\\s)${name}\\s*=\\s*("([^"]*)"|'([^']*)')`).exec(attrs);
  return m ? (m[2] ?? m[3]) : undefined;
}

function parseColour(v: string | undefined): [number, number, number] | null | undefined {
  if (v === undefined) return undefined;
  const s = v.trim().toLowerCase();
  if (s === 'none') return null;
  let m = /^#([0-9a-f]{6})$/.exec(s);
  if (m) return [0, 2, 4].map((i) => parseInt(m![1]!.slice(i, i + 2), 16)) as [number, number, number];
  m = /^#([0-9a-f]{3})$/.exec(s);
  if (m) return [0, 1, 2].map((i) => parseInt(m![1]![i]!.repeat(2), 16)) as [number, number, number];
  const named: Record<string, [number, number, number]> = { red: [255, 0, 0], black: [0, 0, 0], white: [255, 255, 255] };
  if (named[s]) return named[s];
  throw new InputError('pdf.sealPicture', `the seal SVG uses a colour "${v.slice(0, 40)}" this drawer does not read`);
}

function collectPaths(body: string): SvgPath[] {
  const out: SvgPath[] = [];
  // A stack of inherited (fill, fill-rule) per open <g>.
  const stack: { fill: [number, number, number] | null; evenOdd: boolean }[] = [{ fill: [0, 0, 0], evenOdd: false }];
  const tag = /<(\/?)([a-zA-Z][\w:-]*)\b([^>]*?)(\/?)>|<!--[\s\S]*?-->/g;
  for (let m = tag.exec(body); m; m = tag.exec(body)) {
    if (!m[2]) continue; // a comment
    const closing = m[1] === '/';
    const name = m[2].toLowerCase();
    const attrs = m[3] ?? '';
    const selfClosing = m[4] === '/';
    const top = stack[stack.length - 1]!;
    if (name === 'svg' && closing) break;
    if (attrs && attr(attrs, 'transform') !== undefined) throw new InputError('pdf.sealPicture', 'the seal SVG uses transforms, which this drawer does not read');
    const fill = parseColour(attr(attrs, 'fill'));
    const rule = attr(attrs, 'fill-rule');
    const own = { fill: fill === undefined ? top.fill : fill, evenOdd: rule === undefined ? top.evenOdd : rule.trim() === 'evenodd' };
    if (name === 'g') {
      if (closing) {
        if (stack.length > 1) stack.pop();
      } else if (!selfClosing) {
        if (stack.length > 64) throw new InputError('pdf.sealPicture', 'the seal SVG nests groups too deeply');
        stack.push(own);
      }
    } else if (name === 'path' && !closing) {
      const d = attr(attrs, 'd');
      if (d) out.push({ d, ...own });
    } else if (['title', 'desc', 'metadata', 'defs'].includes(name)) {
      continue;
    } else if (!closing && ['text', 'image', 'use', 'circle', 'ellipse', 'rect', 'polygon', 'line', 'polyline'].includes(name)) {
      throw new InputError('pdf.sealPicture', `the seal SVG has a <${name}> element; only filled <path>s are drawn`);
    }
  }
  return out;
}

const num = (n: number): string => {
  if (!Number.isFinite(n)) throw new InputError('pdf.sealPicture', 'the seal SVG has a number out of range');
  const s = n.toFixed(4);
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') || '0' : s;
};

/** SVG path data to PDF path operators (m l c h), arcs and quadratics turned into cubics. */
export function pathToPdf(d: string, tick: () => void = () => undefined): string {
  const tokens = d.match(/[a-zA-Z]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/g) ?? [];
  const out: string[] = [];
  let i = 0;
  let cmd = '';
  let x = 0;
  let y = 0;
  let startX = 0;
  let startY = 0;
  let lastCtrl: [number, number] | null = null;
  let lastQuad: [number, number] | null = null;
  const isCmd = (t: string | undefined): boolean => t !== undefined && /^[a-zA-Z]$/.test(t);
  const n = (): number => {
    const t = tokens[i++];
    if (t === undefined || isCmd(t)) throw new InputError('pdf.sealPicture', 'the seal SVG has malformed path data');
    return Number(t);
  };
  const flag = (): boolean => {
    // Arc flags may be written without separators ("a1 1 0 011 1"): take one digit.
    const t = tokens[i];
    if (t === undefined || isCmd(t)) throw new InputError('pdf.sealPicture', 'the seal SVG has malformed arc flags');
    if (t.length > 1 && (t[0] === '0' || t[0] === '1')) {
      tokens[i] = t.slice(1);
      return t[0] === '1';
    }
    i++;
    return Number(t) !== 0;
  };
  const cubic = (x1: number, y1: number, x2: number, y2: number, x3: number, y3: number): void => {
    out.push(`${num(x1)} ${num(y1)} ${num(x2)} ${num(y2)} ${num(x3)} ${num(y3)} c`);
    lastCtrl = [x2, y2];
    x = x3;
    y = y3;
  };
  while (i < tokens.length) {
    tick();
    if (isCmd(tokens[i])) cmd = tokens[i++]!;
    else if (!cmd) throw new InputError('pdf.sealPicture', 'the seal SVG path data does not start with a command');
    const rel = cmd === cmd.toLowerCase();
    const ox = rel ? x : 0;
    const oy = rel ? y : 0;
    const C = cmd.toUpperCase();
    let ctrl: [number, number] | null = null;
    let quad: [number, number] | null = null;
    switch (C) {
      case 'M':
        x = n() + ox;
        y = n() + oy;
        startX = x;
        startY = y;
        out.push(`${num(x)} ${num(y)} m`);
        cmd = rel ? 'l' : 'L'; // further pairs are line-tos
        break;
      case 'L':
        x = n() + ox;
        y = n() + oy;
        out.push(`${num(x)} ${num(y)} l`);
        break;
      case 'H':
        x = n() + ox;
        out.push(`${num(x)} ${num(y)} l`);
        break;
      case 'V':
        y = n() + oy;
        out.push(`${num(x)} ${num(y)} l`);
        break;
      case 'C': {
        const a = [n() + ox, n() + oy, n() + ox, n() + oy, n() + ox, n() + oy] as const;
        cubic(...a);
        ctrl = [a[2], a[3]];
        break;
      }
      case 'S': {
        const p: [number, number] = lastCtrl ? [2 * x - lastCtrl[0], 2 * y - lastCtrl[1]] : [x, y];
        const a = [n() + ox, n() + oy, n() + ox, n() + oy] as const;
        cubic(p[0], p[1], ...a);
        ctrl = [a[0], a[1]];
        break;
      }
      case 'Q':
      case 'T': {
        const q: [number, number] =
          C === 'Q' ? [n() + ox, n() + oy] : lastQuad ? [2 * x - lastQuad[0], 2 * y - lastQuad[1]] : [x, y];
        const ex = n() + ox;
        const ey = n() + oy;
        cubic(x + (2 / 3) * (q[0] - x), y + (2 / 3) * (q[1] - y), ex + (2 / 3) * (q[0] - ex), ey + (2 / 3) * (q[1] - ey), ex, ey);
        quad = q;
        break;
      }
      case 'A': {
        const rx = Math.abs(n());
        const ry = Math.abs(n());
        const rot = n();
        const large = flag();
        const sweep = flag();
        const ex = n() + ox;
        const ey = n() + oy;
        for (const seg of arcToCubics(x, y, rx, ry, rot, large, sweep, ex, ey)) cubic(...seg);
        break;
      }
      case 'Z':
        out.push('h');
        x = startX;
        y = startY;
        break;
      default:
        throw new InputError('pdf.sealPicture', `the seal SVG path has an unknown command "${cmd}"`);
    }
    lastCtrl = ctrl;
    lastQuad = quad;
  }
  return out.join('\n');
}

type Cubic = [number, number, number, number, number, number];

/** An SVG elliptical arc (endpoint form, SVG 1.1 F.6) as cubic Béziers of at most 90 degrees each. */
export function arcToCubics(x1: number, y1: number, rxIn: number, ryIn: number, angleDeg: number, large: boolean, sweep: boolean, x2: number, y2: number): Cubic[] {
  if ((x1 === x2 && y1 === y2) || rxIn === 0 || ryIn === 0) return [[x1, y1, x2, y2, x2, y2]];
  const phi = (angleDeg * Math.PI) / 180;
  const cos = Math.cos(phi);
  const sin = Math.sin(phi);
  const dx = (x1 - x2) / 2;
  const dy = (y1 - y2) / 2;
  const xp = cos * dx + sin * dy;
  const yp = -sin * dx + cos * dy;
  let rx = rxIn;
  let ry = ryIn;
  const lambda = (xp * xp) / (rx * rx) + (yp * yp) / (ry * ry);
  if (lambda > 1) {
    rx *= Math.sqrt(lambda);
    ry *= Math.sqrt(lambda);
  }
  const num2 = rx * rx * ry * ry - rx * rx * yp * yp - ry * ry * xp * xp;
  const den = rx * rx * yp * yp + ry * ry * xp * xp;
  let k = Math.sqrt(Math.max(0, num2 / den));
  if (large === sweep) k = -k;
  const cxp = (k * rx * yp) / ry;
  const cyp = (-k * ry * xp) / rx;
  const cx = cos * cxp - sin * cyp + (x1 + x2) / 2;
  const cy = sin * cxp + cos * cyp + (y1 + y2) / 2;
  const angle = (ux: number, uy: number, vx: number, vy: number): number => {
    const a = Math.atan2(ux * vy - uy * vx, ux * vx + uy * vy);
    return a;
  };
  const t1 = angle(1, 0, (xp - cxp) / rx, (yp - cyp) / ry);
  let dt = angle((xp - cxp) / rx, (yp - cyp) / ry, (-xp - cxp) / rx, (-yp - cyp) / ry);
  if (!sweep && dt > 0) dt -= 2 * Math.PI;
  if (sweep && dt < 0) dt += 2 * Math.PI;
  const segments = Math.max(1, Math.ceil(Math.abs(dt) / (Math.PI / 2) - 1e-9));
  const delta = dt / segments;
  const alpha = (4 / 3) * Math.tan(delta / 4);
  const point = (t: number): [number, number] => [cx + rx * Math.cos(t) * cos - ry * Math.sin(t) * sin, cy + rx * Math.cos(t) * sin + ry * Math.sin(t) * cos];
  const deriv = (t: number): [number, number] => [-rx * Math.sin(t) * cos - ry * Math.cos(t) * sin, -rx * Math.sin(t) * sin + ry * Math.cos(t) * cos];
  const out: Cubic[] = [];
  let t = t1;
  for (let s = 0; s < segments; s++) {
    const [px, py] = point(t);
    const [dx1, dy1] = deriv(t);
    const t2 = t + delta;
    const [qx, qy] = s === segments - 1 ? [x2, y2] : point(t2);
    const [dx2, dy2] = deriv(t2);
    out.push([px + alpha * dx1, py + alpha * dy1, qx - alpha * dx2, qy - alpha * dy2, qx, qy]);
    t = t2;
  }
  return out;
}
