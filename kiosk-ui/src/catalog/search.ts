/**
 * The items screen's search, pure: by pinyin initials (what the on-screen A-Z keyboard types) or by a
 * piece of the name (or department / category, typed on a hardware keyboard or pasted by staff). Results
 * keep the catalog's order within each rank: initials or a name that starts with the query come first.
 */
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
    if (item.initials.includes(q)) return 1;
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
 * The letters that can follow `typed` in some item's initials (the keyboard dims the others, so a
 * citizen never types into an empty result). Upper case A-Z.
 */
export function nextLetters(items: readonly ItemSummary[], typed: string): Set<string> {
  const q = typed.toLowerCase();
  const out = new Set<string>();
  for (const it of items) {
    if (q === '') {
      // Nothing typed yet: any initial may start a query (initials are matched inside names too).
      for (const ch of it.initials) if (/[a-z]/.test(ch)) out.add(ch.toUpperCase());
      continue;
    }
    for (let at = it.initials.indexOf(q); at !== -1; at = it.initials.indexOf(q, at + 1)) {
      const next = it.initials[at + q.length];
      if (next && /[a-z]/.test(next)) out.add(next.toUpperCase());
    }
  }
  return out;
}
