/**
 * The catalog item and the region names (public data, nothing personal). An item is kept for the session
 * (its form reads the same on every screen) and asked again in the next one: the catalog may be updated
 * by the sync while the kiosk page runs for days. The region names are the agent's own and kept.
 */
import { api } from '../api/client';
import { sessionGeneration, subscribe } from '../state/session';
import type { CatalogItem, Region } from './schema';

const items = new Map<string, CatalogItem>();
let regions: Region[] | undefined;
let generation = sessionGeneration();
subscribe(() => {
  if (sessionGeneration() !== generation) {
    generation = sessionGeneration();
    items.clear();
  }
});

export async function loadItem(code: string): Promise<CatalogItem> {
  const known = items.get(code);
  if (known) return known;
  const item = await api.get<CatalogItem>(`/api/catalog/${encodeURIComponent(code)}`);
  items.set(code, item);
  return item;
}

/** Forgets the item's schema (the agent refused a case by a newer one): the next screen asks again. */
export function forgetItem(code: string): void {
  items.delete(code);
}

export async function loadRegions(): Promise<Region[]> {
  regions ??= (await api.get<{ regions: Region[] }>('/api/regions')).regions;
  return regions;
}
