/**
 * The document font: Noto Serif SC (Regular for body text, Bold for titles, standing in for the
 * 小标宋 of official documents), taken from the @expo-google-fonts/noto-serif-sc npm package at run
 * time rather than a committed file.
 *
 * Each .ttf is about 14.8 MB. Reading and parsing one costs tens of milliseconds, and pdf-lib's
 * embedFont() calls fontkit.create() on every document, so this module reads and parses each face
 * once per process and hands pdf-lib a fontkit whose create() returns the already parsed font for
 * those exact bytes. Documents embed only a subset (the glyphs they use), so each PDF carries a few
 * tens of kilobytes of font, not megabytes.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import fontkit from '@pdf-lib/fontkit';
import type { Font as FontkitFont } from '@pdf-lib/fontkit';
import type { PDFDocument, PDFFont } from 'pdf-lib';
import { EnvironmentError } from '../../base/errors.js';

export type FaceName = 'regular' | 'bold';

const FILES: Record<FaceName, string> = {
  regular: '@expo-google-fonts/noto-serif-sc/400Regular/NotoSerifSC_400Regular.ttf',
  bold: '@expo-google-fonts/noto-serif-sc/700Bold/NotoSerifSC_700Bold.ttf',
};

/** A parsed face with the metrics layout needs. Widths are in units of the font size (1 = 1 em). */
export interface FontFace {
  readonly name: FaceName;
  readonly postscriptName: string;
  readonly bytes: Uint8Array;
  readonly font: FontkitFont;
  /** Advance of one character (a code point) in em. */
  advance(codePoint: number): number;
  /** Width of `text` at `size` points, as a PDF viewer will lay it out (sum of advances). */
  width(text: string, size: number): number;
  /** Whether the face has a glyph for the code point (else it would print as an empty box). */
  has(codePoint: number): boolean;
}

/**
 * Ligatures (fi, ffl) would make the drawn glyphs differ from the per-character widths layout
 * measures, so they are off; CJK text has none anyway.
 */
export const FONT_FEATURES = { liga: false, clig: false } as const;

class LoadedFace implements FontFace {
  readonly postscriptName: string;
  private readonly unitsPerEm: number;
  private readonly advances = new Map<number, number>();

  constructor(
    readonly name: FaceName,
    readonly bytes: Uint8Array,
    readonly font: FontkitFont,
  ) {
    this.postscriptName = font.postscriptName || `NotoSerifSC-${name}`;
    this.unitsPerEm = font.unitsPerEm;
  }

  advance(codePoint: number): number {
    let a = this.advances.get(codePoint);
    if (a === undefined) {
      a = this.font.glyphForCodePoint(codePoint).advanceWidth / this.unitsPerEm;
      this.advances.set(codePoint, a);
    }
    return a;
  }

  width(text: string, size: number): number {
    let em = 0;
    for (const ch of text) em += this.advance(ch.codePointAt(0)!);
    return em * size;
  }

  has(codePoint: number): boolean {
    return this.font.hasGlyphForCodePoint(codePoint);
  }
}

/** The parts of @pdf-lib/fontkit 1.1's TrueType subset that the repair below touches. */
interface TtfSubsetInternals {
  _addGlyph(gid: number): number;
  glyf: Uint8Array[];
  offset: number;
}

/**
 * Repairs a bug of @pdf-lib/fontkit 1.1 (fixed in upstream fontkit 1.8, foliojs/fontkit#191): its
 * TrueType subset writes the short `loca` format, which stores offsets halved, without padding glyph
 * records to an even length; after the first odd-length glyph every later glyph points one byte off
 * and prints blank. Padding each record with a zero byte (allowed: a record may end in padding) keeps
 * every offset even. CFF subsets have no `_addGlyph` and are left alone.
 */
function padGlyphRecords<S extends object>(subset: S): S {
  const s = subset as unknown as Partial<TtfSubsetInternals>;
  const add = s._addGlyph;
  if (typeof add !== 'function') return subset;
  s._addGlyph = function (this: TtfSubsetInternals, gid: number): number {
    const index = add.call(this, gid);
    const record = this.glyf[index]!;
    if (record.length % 2 === 1) {
      // Same buffer class as the record (fontkit's stream accepts only its own Buffer polyfill); zero-filled.
      const own = record.constructor as unknown as { alloc?: (size: number) => Uint8Array };
      const padded = typeof own.alloc === 'function' ? own.alloc(record.length + 1) : new Uint8Array(record.length + 1);
      padded.set(record);
      this.glyf[index] = padded;
      this.offset += 1;
    }
    return index;
  };
  return subset;
}

function repairSubsets(font: FontkitFont): FontkitFont {
  const createSubset = font.createSubset.bind(font);
  font.createSubset = () => padGlyphRecords(createSubset());
  return font;
}

const faces = new Map<FaceName, LoadedFace>();

/** The path of a face's .ttf inside node_modules, resolved the way Node resolves packages. */
export function fontFile(name: FaceName): string {
  try {
    return createRequire(import.meta.url).resolve(FILES[name]);
  } catch (err) {
    throw new EnvironmentError(
      'certs.fontMissing',
      `the document font is missing: install the npm package @expo-google-fonts/noto-serif-sc (${FILES[name]} not found)`,
      { cause: err },
    );
  }
}

/** The face, read and parsed on first use and kept for the life of the process. */
export function fontFace(name: FaceName): FontFace {
  let face = faces.get(name);
  if (!face) {
    const bytes = new Uint8Array(readFileSync(fontFile(name)));
    face = new LoadedFace(name, bytes, repairSubsets(fontkit.create(bytes)));
    faces.set(name, face);
  }
  return face;
}

/**
 * A fontkit for pdf-lib that returns the cached parse for the cached bytes. pdf-lib only calls
 * create(); every subset it makes from the shared font is its own object, so documents stay independent.
 */
const cachingFontkit = {
  create(data: Uint8Array, postscriptName?: string): FontkitFont {
    for (const face of faces.values()) if (face.bytes === data) return face.font;
    return fontkit.create(data, postscriptName);
  },
};

/**
 * Embeds `face` into `doc` as a subset. `subsetTag` (six capital letters, PDF 32000 9.6.4) makes the
 * font name; give one derived from the content so that equal documents are equal byte for byte.
 */
export async function embedFace(doc: PDFDocument, face: FontFace, subsetTag: string): Promise<PDFFont> {
  if (!/^[A-Z]{6}$/.test(subsetTag)) throw new RangeError(`subset tag must be six capital letters, not "${subsetTag}"`);
  doc.registerFontkit(cachingFontkit as unknown as Parameters<PDFDocument['registerFontkit']>[0]);
  return doc.embedFont(face.bytes, { subset: true, customName: `${subsetTag}+${face.postscriptName}`, features: FONT_FEATURES });
}
