/**
 * Reading a catalog: the demo one (validated at load, as any update), an item or bundle by code, and
 * the search behind the kiosk's keyboard (name, code, category or pinyin initials).
 */
import { InputError } from '../../base/errors.js';
import { demoCatalogData } from './demo-catalog.js';
import type { Catalog, CatalogBundle, CatalogItem } from './types.js';
import { validateCatalog } from './validate.js';

/**
 * The certs templates an item may name as `issuable` (certs/pdf/templates: kept here as names so that
 * reading the catalog does not load the PDF code; a test checks they match certs' list).
 */
export const ISSUABLE_TEMPLATES = ['social-insurance-proof', 'real-estate-query'] as const;

let demo: Catalog | undefined;

/** The demo catalog, validated (once per process). */
export function demoCatalog(): Catalog {
  demo ??= validateCatalog(demoCatalogData, { templates: ISSUABLE_TEMPLATES });
  return demo;
}

export function findItem(catalog: Catalog, code: string): CatalogItem | undefined {
  return catalog.items.find((it) => it.code === code);
}

/** The item with `code`, or an InputError (case.unknownItem) naming the code. */
export function requireItem(catalog: Catalog, code: string): CatalogItem {
  const item = findItem(catalog, code);
  if (!item) throw new InputError('case.unknownItem', `no item "${code}" in the catalog (version ${catalog.version})`);
  return item;
}

export function findBundle(catalog: Catalog, code: string): CatalogBundle | undefined {
  return catalog.bundles.find((b) => b.code === code);
}

/**
 * Items matching a query: every whitespace-separated term must occur in the name, code, category or
 * department, or (lower-cased) at the start of or inside the pinyin initials. Catalog order is kept.
 */
export function searchCatalog(catalog: Catalog, query: string): CatalogItem[] {
  const terms = query.trim().split(/\s+/).filter(Boolean);
  return catalog.items.filter((it) =>
    terms.every((t) => [it.name, it.code, it.category, it.department].some((s) => s.includes(t)) || it.initials.includes(t.toLowerCase())),
  );
}
