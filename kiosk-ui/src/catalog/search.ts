/**
 * The items screen's search, pure: letters (what the on-screen A-Z keyboard types) as pinyin, by initials
 * or whole syllables (pinyin-match.ts), or a piece of the name (or department / category, typed on a
 * hardware keyboard or pasted by staff). Results keep the catalog's order within each rank: a match at
 * the start of the name comes first.
 */
import { pinyinMatchAt, readingsOf } from './pinyin-match';
import type { ItemSummary } from './types';

/** Letters only (any case, spaces ignored): a pinyin-initials query. */
export function isInitialsQuery(query: string): boolean {
  return /^[a-z]+$/i.test(query.replace(/\s+/g, ''));
}

/** 0: the best (starts with), 1: contains, undefined: no match. */
function rank(item: ItemSummary, query: string): 0 | 1 | undefined {
  if (isInitialsQuery(query)) {
    const q = query.replace(/\s+/g, '').toLowerCase();
    if (item.initials.startsWith(q)) return 0;
    const at = pinyinMatchAt(item.name, item.initials, q);
    if (at === 0) return 0;
    if (at !== undefined || item.initials.includes(q)) return 1;
    return undefined;
  }
  const q = query.trim();
  if (item.name.startsWith(q)) return 0;
  if (item.name.includes(q) || item.department.includes(q) || item.category.includes(q) || item.code === q.toUpperCase()) return 1;
  return undefined;
}

/** The items matching `query` (all of them for a blank query), best first, catalog order within a rank. */
export function searchItems(items: readonly ItemSummary[], query: string): ItemSummary[] {
  if (query.trim() === '') return [...items];
  const ranked = items.map((item, i) => ({ item, i, r: rank(item, query) })).filter((x) => x.r !== undefined);
  ranked.sort((a, b) => a.r! - b.r! || a.i - b.i);
  return ranked.map((x) => x.item);
}

/**
 * The letters that can follow `typed` in some item's pinyin (the keyboard dims the others, so a citizen
 * never types into an empty result). Upper case A-Z.
 */
export function nextLetters(items: readonly ItemSummary[], typed: string): Set<string> {
  const q = typed.replace(/\s+/g, '').toLowerCase();
  const out = new Set<string>();
  const matches = (it: ItemSummary, letters: string): boolean => it.initials.includes(letters) || pinyinMatchAt(it.name, it.initials, letters) !== undefined;
  if (q === '') {
    // Nothing typed: any character's first letter (or the catalog's initial) starts a query.
    for (const it of items) {
      for (const ch of it.initials) out.add(ch.toUpperCase());
      for (const ch of it.name) for (const r of readingsOf(ch)) out.add(r[0]!.toUpperCase());
    }
    return new Set([...out].filter((l) => /^[A-Z]$/.test(l)));
  }
  // Only items the letters so far match can match one more letter (a longer query spells less).
  const candidates = items.filter((it) => matches(it, q));
  for (const letter of 'abcdefghijklmnopqrstuvwxyz') if (candidates.some((it) => matches(it, q + letter))) out.add(letter.toUpperCase());
  return out;
}
