/**
 * The catalog for the items and guide screens: GET /api/catalog, fetched when a screen opens (a sync may
 * have replaced it since) and shared by the screens of one visit.
 */
import { api } from '../api/client';
import type { CatalogList } from './types';

let last: Promise<CatalogList> | undefined;

/** The catalog, asked once per `fresh` call; a failure is not kept (the next call asks again). */
export function loadCatalog(fresh = false): Promise<CatalogList> {
  if (!last || fresh) {
    const p = api.get<CatalogList>('/api/catalog');
    last = p;
    p.catch(() => {
      if (last === p) last = undefined;
    });
  }
  return last;
}
