import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../base/errors.js';
import { drawSealSvg, renderSealPng, sealGeometry, sealGeometryToSvg, SEAL_RED } from '../seal/index.js';
import { decodePng, tempDir } from './seal-fixtures.js';

const tmp = tempDir('tongban-seal-picture-');
afterAll(() => {
  // TONGBAN_KEEP_PICTURES=DIR keeps the rendered seals for a human to look at.
  const keep = process.env.TONGBAN_KEEP_PICTURES;
  if (keep) {
    mkdirSync(keep, { recursive: true });
    for (const f of ['seal.png', 'seal-long.png', 'seal-38.png', 'seal.svg']) if (existsSync(tmp.path(f))) copyFileSync(tmp.path(f), join(keep, f));
  }
  tmp.remove();
});

const OFFICE = { organisation: '亳州市人力资源和社会保障局', purpose: '电子印章专用', code: '3416000012345' };

/** Pixel helpers over a decoded PNG, in millimetres from the seal's top-left corner. */
function sampler(png: Uint8Array, diameterMm: number) {
  const img = decodePng(png);
  const k = img.width / diameterMm;
  const at = (xMm: number, yMm: number) => {
    const i = (Math.round(yMm * k) * img.width + Math.round(xMm * k)) * 4;
    return { r: img.rgba[i]!, g: img.rgba[i + 1]!, b: img.rgba[i + 2]!, a: img.rgba[i + 3]! };
  };
  const isRed = (p: { r: number; g: number; b: number; a: number }) => p.a > 200 && p.r > 200 && p.g < 60 && p.b < 60;
  /** Share of inked pixels in the ring between radii r1 and r2 (mm), angles a1..a2 (degrees clockwise from the top). */
  const ink = (r1: number, r2: number, a1: number, a2: number): number => {
    let inked = 0;
    let total = 0;
    const c = diameterMm / 2;
    for (let r = r1; r <= r2; r += 0.25) {
      for (let a = a1; a <= a2; a += 0.5) {
        const t = (a * Math.PI) / 180;
        total++;
        if (at(c + r * Math.sin(t), c - r * Math.cos(t)).a > 128) inked++;
      }
    }
    return inked / total;
  };
  return { img, at, isRed, ink };
}

describe('the seal picture', () => {
  it('is an SVG at its real size in millimetres, made of outlines (no fonts needed to show it)', () => {
    const svg = drawSealSvg(OFFICE);
    writeFileSync(tmp.path('seal.svg'), svg);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="42mm" height="42mm" viewBox="0 0 42 42">/);
    expect(svg).not.toContain('<text');
    expect(svg).toContain(`fill="${SEAL_RED}"`);
    expect(svg).toContain('<title>亳州市人力资源和社会保障局 电子印章专用</title>');
    const g = sealGeometry(OFFICE);
    // ring + star + one path per character
    expect(g.paths).toHaveLength(2 + [...OFFICE.organisation].length + [...OFFICE.purpose].length + OFFICE.code.length);
    expect(sealGeometryToSvg(g)).toBe(svg.replace(/<title>.*<\/title>/, ''));
  });

  it('draws different characters as different outlines (real glyphs, not boxes)', () => {
    const a = sealGeometry({ organisation: '人民' });
    const b = sealGeometry({ organisation: '民人' });
    expect(a.paths[2]).not.toBe(b.paths[3]); // same character at different places
    const one = sealGeometry({ organisation: '国' }).paths[2]!;
    const other = sealGeometry({ organisation: '口' }).paths[2]!;
    expect(one.length).toBeGreaterThan(other.length); // 国 has more strokes than 口
  });

  it('renders to PNG at the dpi asked: red ring, star, name along the upper arc, purpose, code, clear elsewhere', () => {
    const png = renderSealPng(drawSealSvg(OFFICE), { dpi: 300 });
    writeFileSync(tmp.path('seal.png'), png);
    const s = sampler(png, 42);
    expect([s.img.width, s.img.height]).toEqual([496, 496]); // 42 mm at 300 dpi
    expect(s.isRed(s.at(21, 21))).toBe(true); // the star's centre
    expect(s.isRed(s.at(21, 21 - 6))).toBe(true); // the star's upper arm
    expect(s.isRed(s.at(21, 0.85))).toBe(true); // the ring at the top
    expect(s.isRed(s.at(0.85, 21))).toBe(true); // the ring at the left
    expect(s.at(1, 1).a).toBe(0); // outside the ring: transparent
    expect(s.at(21 - 10, 21).a).toBe(0); // between star and name
    expect(s.ink(19.9, 20.6, 0, 359)).toBeGreaterThan(0.95); // the ring all round
    expect(s.ink(12.6, 18.4, -110, 110)).toBeGreaterThan(0.15); // the name's band
    expect(s.ink(12.6, 18.4, -110, 110)).toBeLessThan(0.7);
    expect(s.ink(8, 12, 150, 210)).toBeGreaterThan(0.1); // purpose below the star
    expect(s.ink(17.3, 19.3, 165, 195)).toBeGreaterThan(0.08); // code on the lower arc
  });

  it('scales with the diameter and leaves the lower arc empty without a code', () => {
    const png = renderSealPng({ organisation: '通办中心', purpose: '受理专用章', diameterMm: 38 }, { dpi: 200 });
    writeFileSync(tmp.path('seal-38.png'), png);
    const s = sampler(png, 38);
    expect(s.img.width).toBe(Math.round((38 / 25.4) * 200));
    expect(s.isRed(s.at(19, 19))).toBe(true);
    expect(s.ink(14.8, 17, 160, 200)).toBe(0); // where a code would be (the ring starts at 17.8 mm)
    const long = renderSealPng({ organisation: '广东省广州市天河区人力资源和社会保障局', purpose: '业务专用章' }, { dpi: 200 });
    writeFileSync(tmp.path('seal-long.png'), long);
    expect(sampler(long, 42).ink(12.6, 18.4, -125, 125)).toBeGreaterThan(0.2);
  });

  it('refuses what it cannot draw', () => {
    expect(() => sealGeometry({ organisation: '' })).toThrow(/needs an organisation name/);
    expect(() => sealGeometry({ organisation: '某'.repeat(41) })).toThrow(/at most 40 fit/);
    expect(() => sealGeometry({ organisation: '某局', diameterMm: 5 })).toThrow(/outside 20-100 mm/);
    expect(() => sealGeometry({ organisation: '某局\u{1F600}' })).toThrow(InputError);
    expect(() => sealGeometry({ organisation: '某局', color: 'red' })).toThrow(/#RRGGBB/);
    expect(() => renderSealPng('<svg/>')).toThrow(/no width in millimetres/);
    expect(() => renderSealPng({ organisation: '某局' }, { dpi: 10_000 })).toThrow(/dpi/);
  });
});
