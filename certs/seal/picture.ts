/**
 * The seal picture, drawn by the project: the red round official seal (公章) — an outer ring, a
 * five-pointed star in the centre, the organisation's name along the upper arc with each character
 * turned to follow it, the seal's purpose (e.g. 电子印章专用) in a line below the star, and optionally a
 * numeric code along the lower arc. Proportions follow the 42 mm organisation seal (ring 1.2 mm, star
 * 14 mm across) and scale with the diameter.
 *
 * Everything is geometry in millimetres (origin top-left, y down): characters are the outlines of
 * Noto Serif SC, placed and turned here, so the SVG shows the same seal anywhere without fonts, and the
 * PDF code can draw the very same paths as vectors (sealGeometry) instead of a picture.
 */
import type { Font } from '@pdf-lib/fontkit';
import { InputError } from '../../base/errors.js';
import { loadSealFont } from './font.js';

/** Seal red (印泥红), close to the #E60012 of official seals. */
export const SEAL_RED = '#E60012';
export const DEFAULT_SEAL_DIAMETER_MM = 42;

export interface SealDrawing {
  /** The organisation's name, along the upper arc (e.g. 某某市人民政府办公室). */
  readonly organisation: string;
  /** The seal's purpose, in a straight line below the star (e.g. 电子印章专用, 业务专用章). Optional. */
  readonly purpose?: string;
  /** A code (e.g. the 13-digit seal code) along the lower arc. Optional. */
  readonly code?: string;
  /** Outer diameter in millimetres; default 42 (an organisation seal). */
  readonly diameterMm?: number;
  /** Fill colour; default SEAL_RED. */
  readonly color?: string;
}

export interface SealGeometry {
  readonly diameterMm: number;
  readonly color: string;
  /**
   * SVG path data in millimetres, origin at the top-left of the seal's square, y down. Fill each with
   * `color` using the nonzero rule (the ring is two opposite circles, so nonzero leaves its hole open).
   */
  readonly paths: readonly string[];
}

type Point = readonly [number, number];
type Mapper = (x: number, y: number) => Point;

const fmt = (n: number): string => {
  const s = n.toFixed(3);
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
};

/** An arc-free circle as two half-arcs; `clockwise` picks the winding (in y-down coordinates). */
function circlePath(cx: number, cy: number, r: number, clockwise: boolean): string {
  const sweep = clockwise ? 1 : 0;
  return `M${fmt(cx - r)} ${fmt(cy)}A${fmt(r)} ${fmt(r)} 0 1 ${sweep} ${fmt(cx + r)} ${fmt(cy)}A${fmt(r)} ${fmt(r)} 0 1 ${sweep} ${fmt(cx - r)} ${fmt(cy)}Z`;
}

function starPath(cx: number, cy: number, outer: number): string {
  // Inner radius of a regular pentagram: outer * sin(18°) / sin(54°).
  const inner = (outer * Math.sin(Math.PI / 10)) / Math.sin((3 * Math.PI) / 10);
  const pts: string[] = [];
  for (let i = 0; i < 10; i++) {
    const r = i % 2 === 0 ? outer : inner;
    const a = -Math.PI / 2 + (i * Math.PI) / 5;
    pts.push(`${fmt(cx + r * Math.cos(a))} ${fmt(cy + r * Math.sin(a))}`);
  }
  return `M${pts.join('L')}Z`;
}

/** A glyph's outline mapped through `map` (font units in, millimetres out) as SVG path data. */
function glyphPath(font: Font, char: string, map: Mapper): string {
  const glyph = font.glyphForCodePoint(char.codePointAt(0)!);
  let d = '';
  // fontkit's typings omit Path.commands, which its runtime has.
  const commands = (glyph.path as unknown as { commands: { command: string; args: number[] }[] }).commands;
  for (const c of commands) {
    const a = c.args;
    const p = (i: number): string => {
      const [x, y] = map(a[i]!, a[i + 1]!);
      return `${fmt(x)} ${fmt(y)}`;
    };
    switch (c.command) {
      case 'moveTo':
        d += `M${p(0)}`;
        break;
      case 'lineTo':
        d += `L${p(0)}`;
        break;
      case 'quadraticCurveTo':
        d += `Q${p(0)} ${p(2)}`;
        break;
      case 'bezierCurveTo':
        d += `C${p(0)} ${p(2)} ${p(4)}`;
        break;
      case 'closePath':
        d += 'Z';
        break;
    }
  }
  return d;
}

interface Placement {
  /** Centre of the character's em box, mm. */
  readonly x: number;
  readonly y: number;
  /** Clockwise rotation, radians (0 = upright). */
  readonly rotation: number;
  /** Em size (height), mm. */
  readonly size: number;
  /** Horizontal squeeze of the character (1 = as designed). */
  readonly squeeze: number;
}

/** Maps font units of `char` so its em box is centred at the placement, turned and squeezed. */
function placeGlyph(font: Font, char: string, at: Placement): string {
  const upem = font.unitsPerEm;
  const glyph = font.glyphForCodePoint(char.codePointAt(0)!);
  const k = at.size / upem;
  // CJK em box: 880 above the baseline, 120 below (per 1000): its centre is 0.38 em above the baseline.
  const midY = 0.38 * upem;
  const midX = glyph.advanceWidth / 2;
  const cos = Math.cos(at.rotation);
  const sin = Math.sin(at.rotation);
  return glyphPath(font, char, (gx, gy) => {
    const lx = (gx - midX) * k * at.squeeze;
    const ly = -(gy - midY) * k;
    return [at.x + lx * cos - ly * sin, at.y + lx * sin + ly * cos];
  });
}

function checkText(font: Font, text: string, what: string, max: number): string[] {
  const chars = [...text.trim()];
  if (chars.length > max) throw new InputError('seal.picture', `the seal's ${what} is ${chars.length} characters; at most ${max} fit`);
  for (const ch of chars) {
    if (/\s/.test(ch)) continue;
    if (!font.hasGlyphForCodePoint(ch.codePointAt(0)!)) {
      throw new InputError('seal.picture', `the seal font has no character "${ch}" (in the ${what})`);
    }
  }
  return chars;
}

/** The seal as filled paths in millimetres. Throws InputError for text that cannot be drawn. */
export function sealGeometry(drawing: SealDrawing): SealGeometry {
  const D = drawing.diameterMm ?? DEFAULT_SEAL_DIAMETER_MM;
  if (!Number.isFinite(D) || D < 20 || D > 100) throw new InputError('seal.picture', `a seal diameter of ${D} mm is outside 20-100 mm`);
  const color = drawing.color ?? SEAL_RED;
  if (!/^#[0-9a-fA-F]{6}$/.test(color)) throw new InputError('seal.picture', `seal colour "${color}" is not #RRGGBB`);
  const bold = loadSealFont('bold');
  const name = checkText(bold, drawing.organisation, 'organisation name', 40);
  if (name.filter((c) => !/\s/.test(c)).length === 0) throw new InputError('seal.picture', 'the seal needs an organisation name');
  const purpose = checkText(bold, drawing.purpose ?? '', 'purpose', 16);
  const regular = drawing.code ? loadSealFont('regular') : bold;
  const code = checkText(regular, drawing.code ?? '', 'code', 40);

  const s = D / 42; // everything below is in "42 mm seal" millimetres times s
  const c = D / 2;
  const ringOuter = c - 0.15 * s;
  const ring = 1.2 * s;
  const ringInner = ringOuter - ring;
  const paths: string[] = [circlePath(c, c, ringOuter, true) + circlePath(c, c, ringInner, false)];

  // Star, 14 mm across, in the centre.
  paths.push(starPath(c, c, 7 * s));

  // Name along the upper arc: upright tops point outward; spread evenly over 200-250 degrees.
  const n = name.length;
  const nameSize = 6.2 * s;
  const nameRadius = ringInner - 1.1 * s - nameSize / 2;
  const span = (Math.min(250, Math.max(200, 160 + n * 8)) * Math.PI) / 180;
  const step = span / n;
  const room = step * nameRadius; // arc length per character at its centre
  // Seal characters are narrower than square; long names squeeze them to 0.55 at most, then shrink them.
  const size = Math.min(nameSize, (room * 0.86) / 0.55);
  const squeeze = Math.min(0.85, (room * 0.86) / size);
  name.forEach((ch, i) => {
    if (/\s/.test(ch)) return;
    const theta = -span / 2 + (i + 0.5) * step; // from the top, clockwise
    const r = ringInner - 1.1 * s - size / 2;
    paths.push(placeGlyph(bold, ch, { x: c + r * Math.sin(theta), y: c - r * Math.cos(theta), rotation: theta, size, squeeze }));
  });

  // Purpose in a straight line below the star.
  if (purpose.length) {
    const pSize = 4.4 * s;
    const centreY = c + 10.3 * s;
    const halfChord = Math.sqrt(Math.max(0, (ringInner - 1.5 * s) ** 2 - (centreY - c + pSize / 2) ** 2));
    const width = Math.min(purpose.length * pSize * 1.05, 2 * halfChord - 2 * s);
    const advance = width / purpose.length;
    const pSqueeze = Math.min(1, advance / (pSize * 1.05));
    purpose.forEach((ch, i) => {
      if (/\s/.test(ch)) return;
      paths.push(placeGlyph(bold, ch, { x: c - width / 2 + (i + 0.5) * advance, y: centreY, rotation: 0, size: pSize, squeeze: pSqueeze }));
    });
  }

  // Code along the lower arc, read left to right, tops toward the centre.
  if (code.length) {
    const cSize = 2.8 * s;
    const cRadius = ringInner - 0.7 * s - cSize / 2;
    const cAdvance = cSize * 0.62;
    const cStep = Math.min(cAdvance / cRadius, (110 * Math.PI) / 180 / code.length);
    const cSqueeze = Math.min(0.7, (cStep * cRadius) / cSize / 0.95);
    code.forEach((ch, i) => {
      if (/\s/.test(ch)) return;
      const beta = Math.PI + ((code.length - 1) / 2 - i) * cStep; // from the top, clockwise; left first
      paths.push(
        placeGlyph(regular, ch, {
          x: c + cRadius * Math.sin(beta),
          y: c - cRadius * Math.cos(beta),
          rotation: beta - Math.PI,
          size: cSize,
          squeeze: cSqueeze,
        }),
      );
    });
  }
  return { diameterMm: D, color, paths };
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"]/g, (ch) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[ch]!);
}

/** An SVG document of the geometry at its real size (width/height in mm, viewBox in mm). */
export function sealGeometryToSvg(g: SealGeometry, title?: string): string {
  const D = fmt(g.diameterMm);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${D}mm" height="${D}mm" viewBox="0 0 ${D} ${D}">` +
    (title ? `<title>${escapeXml(title)}</title>` : '') +
    `<g fill="${g.color}" fill-rule="nonzero" stroke="none">` +
    g.paths.map((d) => `<path d="${d}"/>`).join('') +
    '</g></svg>\n'
  );
}

/** The seal as an SVG document at its real size in millimetres. */
export function drawSealSvg(drawing: SealDrawing): string {
  const title = [drawing.organisation.trim(), drawing.purpose?.trim()].filter(Boolean).join(' ');
  return sealGeometryToSvg(sealGeometry(drawing), title);
}
