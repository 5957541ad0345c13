/**
 * The catalog a command outside the agent sees: the one stored in the data directory when an agent
 * has run there (so that `tongban cases example` prints what that agent accepts), else the demo one.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '../../base/log.js';
import { openStoreCore } from '../store/open-store.js';
import { CatalogRepo } from '../store/records-repo.js';
import { STORE_FILE } from '../store/store.js';
import { demoCatalog } from './catalog.js';
import { storedCatalog } from './catalog-store.js';
import type { Catalog } from './types.js';

export interface CatalogFound {
  readonly catalog: Catalog;
  /** Where it came from: the store of the data directory, or the embedded demo. */
  readonly source: 'store' | 'demo';
}

export function catalogOfDataDir(dataDir: string): CatalogFound {
  if (!existsSync(join(dataDir, STORE_FILE))) return { catalog: demoCatalog(), source: 'demo' };
  const core = openStoreCore({ dataDir, log: silentLogger });
  try {
    const held = storedCatalog({ catalog: new CatalogRepo(core) });
    return held ? { catalog: held, source: 'store' } : { catalog: demoCatalog(), source: 'demo' };
  } finally {
    core.close();
  }
}
