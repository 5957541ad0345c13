/**
 * The seal's typeface: Noto Serif SC from the @expo-google-fonts/noto-serif-sc package (one .ttf per
 * weight), found at run time through the module resolver, parsed once with fontkit and kept. The seal's
 * characters are drawn as the font's own outlines, so its SVG needs no font wherever it is shown.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import fontkit from '@pdf-lib/fontkit';
import type { Font } from '@pdf-lib/fontkit';
import { EnvironmentError, messageOf } from '../../base/errors.js';

export type SealFontWeight = 'bold' | 'regular';

const FILES: Readonly<Record<SealFontWeight, string>> = {
  bold: '@expo-google-fonts/noto-serif-sc/700Bold/NotoSerifSC_700Bold.ttf',
  regular: '@expo-google-fonts/noto-serif-sc/400Regular/NotoSerifSC_400Regular.ttf',
};

const require = createRequire(import.meta.url);
const cache = new Map<SealFontWeight, Font>();

/** The path of the font file of `weight`. Throws EnvironmentError when the package is missing. */
export function sealFontPath(weight: SealFontWeight): string {
  try {
    return require.resolve(FILES[weight]);
  } catch (err) {
    throw new EnvironmentError('seal.font', `the seal font ${FILES[weight]} is not installed (${messageOf(err)})`);
  }
}

export function loadSealFont(weight: SealFontWeight): Font {
  let font = cache.get(weight);
  if (!font) {
    const path = sealFontPath(weight);
    try {
      font = fontkit.create(readFileSync(path));
    } catch (err) {
      throw new EnvironmentError('seal.font', `cannot read the seal font ${path}: ${messageOf(err)}`);
    }
    cache.set(weight, font);
  }
  return font;
}
