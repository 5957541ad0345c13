/**
 * The seal picture as PNG: the SVG of picture.ts rasterised by resvg at a chosen resolution. The SVG
 * holds outlines only, so no font is loaded here.
 */
import { Resvg } from '@resvg/resvg-js';
import { InputError } from '../../base/errors.js';
import { drawSealSvg, type SealDrawing } from './picture.js';

export interface PngOptions {
  /** Dots per inch; default 300. The PNG is diameter / 25.4 * dpi pixels square. */
  readonly dpi?: number;
}

/** Renders a seal (an SVG from drawSealSvg, or the drawing itself) to PNG bytes, transparent outside the ink. */
export function renderSealPng(seal: string | SealDrawing, options: PngOptions = {}): Uint8Array {
  const dpi = options.dpi ?? 300;
  if (!Number.isFinite(dpi) || dpi < 36 || dpi > 2400) throw new InputError('seal.picture', `a dpi of ${dpi} is outside 36-2400`);
  const svg = typeof seal === 'string' ? seal : drawSealSvg(seal);
  const m = /<svg[^>]*\swidth="([\d.]+)mm"/.exec(svg);
  if (!m) throw new InputError('seal.picture', 'the seal SVG has no width in millimetres');
  const px = Math.max(1, Math.round((Number(m[1]) / 25.4) * dpi));
  const png = new Resvg(svg, { fitTo: { mode: 'width', value: px }, font: { loadSystemFonts: false }, shapeRendering: 2 }).render().asPng();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}
