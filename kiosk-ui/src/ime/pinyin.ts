/**
 * The pinyin keyboard's lookup: what the letters typed so far can become. One syllable at a time (the
 * citizen types a syllable, picks its character, types the next): simple to see on a touch screen, and
 * the table (pinyin-table.ts, generated) stays small. ü is typed as v (lv -> 绿, nv -> 女).
 */
import { PINYIN_TABLE } from './pinyin-table';

/** Every syllable of the table, sorted. */
export const SYLLABLES: readonly string[] = Object.keys(PINYIN_TABLE).sort();

/** The longest syllable (zhuang, shuang): no buffer grows past it. */
export const MAX_SYLLABLE = Math.max(...SYLLABLES.map((s) => s.length));

/** True when some syllable starts with `prefix` (so typing it leads somewhere). */
export function isPinyinPrefix(prefix: string): boolean {
  if (prefix === '') return true;
  return SYLLABLES.some((s) => s.startsWith(prefix));
}

/** The letters that may follow `prefix` (the keyboard dims the others). */
export function nextLetters(prefix: string): Set<string> {
  const out = new Set<string>();
  for (const s of SYLLABLES) if (s.length > prefix.length && s.startsWith(prefix)) out.add(s[prefix.length]!);
  return out;
}

/**
 * The characters `input` can stand for, most wanted first: those read exactly so, then those of the
 * syllables it begins (shorter syllables first: "h" -> ha, hai, han...). Empty input: none.
 */
export function candidates(input: string): string[] {
  const key = input.toLowerCase().replace(/ü/g, 'v');
  if (key === '') return [];
  const seen = new Set<string>();
  const out: string[] = [];
  const add = (chars: string | undefined): void => {
    for (const c of chars ?? '') {
      if (!seen.has(c)) {
        seen.add(c);
        out.push(c);
      }
    }
  };
  add(PINYIN_TABLE[key]);
  const longer = SYLLABLES.filter((s) => s !== key && s.startsWith(key)).sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
  for (const s of longer) add(PINYIN_TABLE[s]);
  return out;
}
