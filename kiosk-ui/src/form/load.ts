/** The catalog item and the region names, loaded once and kept (public data, nothing personal). */
import { api } from '../api/client';
import type { CatalogItem, Region } from './schema';

const items = new Map<string, CatalogItem>();
let regions: Region[] | undefined;

export async function loadItem(code: string): Promise<CatalogItem> {
  const known = items.get(code);
  if (known) return known;
  const item = await api.get<CatalogItem>(`/api/catalog/${encodeURIComponent(code)}`);
  items.set(code, item);
  return item;
}

export async function loadRegions(): Promise<Region[]> {
  regions ??= (await api.get<{ regions: Region[] }>('/api/regions')).regions;
  return regions;
}
