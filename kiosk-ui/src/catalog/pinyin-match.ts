/**
 * Letters typed on the items screen's keyboard against an item's name, in pinyin: each character may be
 * typed by its first letter (YDJY) or its whole syllable (YIDI), mixed (YDJIUYI), the last one begun
 * (YIDIJIU → 异地就…). Readings come from the on-screen IME's table (src/ime/pinyin-table.ts, GB2312 level 1:
 * every reading of a polyphone, 长 as chang and zhang); a character it lacks falls back to the catalog's
 * own initial for that position.
 */
import { PINYIN_TABLE } from '../ime/pinyin-table';

let readings: Map<string, string[]> | undefined;

/** The toneless syllables a character is read as (v for ü), none when the table lacks it. */
export function readingsOf(ch: string): readonly string[] {
  if (!readings) {
    readings = new Map();
    for (const [syllable, chars] of Object.entries(PINYIN_TABLE)) {
      for (const c of chars) {
        const list = readings.get(c);
        if (list) list.push(syllable);
        else readings.set(c, [syllable]);
      }
    }
  }
  return readings.get(ch) ?? [];
}

/** A name's characters as the readings each may be typed by (prepared once per name and initials). */
const prepared = new Map<string, readonly (readonly string[])[]>();

function optionsOf(name: string, initials: string): readonly (readonly string[])[] {
  const key = `${name}\u0000${initials}`;
  let options = prepared.get(key);
  if (!options) {
    const chars = Array.from(name);
    const fallback = initials.length === chars.length ? initials : undefined;
    options = chars.map((ch, i) => {
      const table = readingsOf(ch);
      return table.length > 0 ? table : fallback?.[i] ? [fallback[i]!] : [];
    });
    prepared.set(key, options);
  }
  return options;
}

/** Whether q[from..] spells the characters from `at` on (at least one character). */
function spells(options: readonly (readonly string[])[], at: number, q: string, from: number): boolean {
  if (at >= options.length) return false;
  const rest = q.length - from;
  for (const s of options[at]!) {
    // the whole query ends inside this character's syllable (its first letter, or more of it)
    if (s.length >= rest && s.startsWith(q.slice(from))) return true;
    // the first letter, then the rest from the next character
    if (q[from] === s[0] && spells(options, at + 1, q, from + 1)) return true;
    // the whole syllable, then the rest
    if (s.length > 1 && rest > s.length && q.startsWith(s, from) && spells(options, at + 1, q, from + s.length)) return true;
  }
  return false;
}

/**
 * The first character of `name` from which the letters `query` spell it (lower or upper case), or
 * undefined. `initials` (the catalog's, one letter per character) stands in for characters the table lacks.
 */
export function pinyinMatchAt(name: string, initials: string, query: string): number | undefined {
  const q = query.toLowerCase();
  if (!/^[a-z]+$/.test(q)) return undefined;
  const options = optionsOf(name, initials);
  for (let at = 0; at < options.length; at++) if (spells(options, at, q, 0)) return at;
  return undefined;
}
