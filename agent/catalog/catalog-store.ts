/**
 * The catalog in the store: the current version read back and validated (a damaged row is an
 * environment failure, never silently replaced), the demo catalog installed on first start, and an
 * update from the endpoint applied atomically — validated and compared with the version held, then
 * stored with its audit entry in one transaction, so the kiosk sees the old catalog or the new one.
 */
import { EnvironmentError, isTongbanError, messageOf } from '../../base/errors.js';
import { appendAudit } from '../audit/audit-log.js';
import type { Store } from '../store/store.js';
import { ISSUABLE_TEMPLATES, demoCatalog } from './catalog.js';
import type { Catalog } from './types.js';
import { decideCatalogUpdate, validateCatalog, type CatalogUpdateDecision } from './validate.js';

type CatalogStore = Pick<Store, 'catalog'>;

/** The catalog held in the store, validated; undefined when none was stored yet. */
export function storedCatalog(store: CatalogStore): Catalog | undefined {
  const row = store.catalog.current();
  if (!row) return undefined;
  try {
    const catalog = validateCatalog(row.items, { templates: ISSUABLE_TEMPLATES });
    if (catalog.version !== row.version) throw new Error(`the document says version ${catalog.version}`);
    return catalog;
  } catch (err) {
    throw new EnvironmentError('env.storeCatalog', `the stored catalog version ${row.version} is damaged (${messageOf(err)}); the store needs a repair or a fresh catalog from the endpoint`, { cause: err });
  }
}

/** The stored catalog, or the demo catalog stored now (the first start). */
export function ensureCatalog(store: Pick<Store, 'catalog' | 'transaction' | 'db'>): Catalog {
  const held = storedCatalog(store);
  if (held) return held;
  return applyCatalogUpdate(store, demoCatalog(), 'agent').catalog;
}

/**
 * Applies an update (JSON from the endpoint): refused with a CatalogError when malformed or not newer
 * (see decideCatalogUpdate), `unchanged` for a repeated delivery, else stored and audited at once.
 */
export function applyCatalogUpdate(store: Pick<Store, 'catalog' | 'transaction' | 'db'>, raw: unknown, actor = 'sync'): CatalogUpdateDecision {
  return store.transaction(() => {
    const decision = decideCatalogUpdate(storedCatalog(store), raw, { templates: ISSUABLE_TEMPLATES });
    if (decision.action === 'replace') {
      try {
        store.catalog.put(decision.catalog.version, decision.catalog);
      } catch (err) {
        if (isTongbanError(err)) throw err;
        throw new EnvironmentError('env.storeCatalog', `cannot store catalog version ${decision.catalog.version}: ${messageOf(err)}`, { cause: err });
      }
      appendAudit(store.db, { type: 'admin', actor, subject: `catalog:${decision.catalog.version}`, details: { action: 'catalogReplaced', items: decision.catalog.items.length } });
    }
    return decision;
  });
}
