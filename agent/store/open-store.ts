/**
 * The agent's durable store: one SQLite file (DATA/store.db) behind this module. WAL mode with
 * synchronous=FULL, so a commit returns only once its WAL frames are fsynced: an acknowledged write
 * survives kill -9 and a power cut. Opening refuses, with an EnvironmentError saying why, a file that is
 * corrupt, a SQLite database of another application, or one written by a newer tongban; it never resets
 * a store silently.
 */
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import type { Logger } from '../../base/log.js';
import { openSqliteFile } from '../../base/sqlite-file.js';
import { migrations as allMigrations } from './migrations/index.js';
import type { Migration } from './migrations/migration.js';

/** `PRAGMA application_id` of a tongban store: "TBAN" in ASCII. */
export const TONGBAN_APPLICATION_ID = 0x5442414e;
export const STORE_FILE = 'store.db';

export interface OpenStoreOptions {
  readonly dataDir: string;
  readonly log: Logger;
  /** The schema steps; tests pass their own list, the agent the released ones. */
  readonly migrations?: readonly Migration[];
}

export interface StoreCore {
  /** For repositories inside agent/store/ only. */
  readonly db: BetterSqlite3.Database;
  readonly dataDir: string;
  readonly path: string;
  /** The schema version after migrations. */
  readonly version: number;
  /** Runs `fn` in one IMMEDIATE transaction; committed (and durable) when this returns. */
  transaction<T>(fn: () => T): T;
  close(): void;
}

export function openStoreCore(options: OpenStoreOptions): StoreCore {
  const list = options.migrations ?? allMigrations;
  const latest = list.length;
  const path = join(options.dataDir, STORE_FILE);
  const db = openSqliteFile({
    path,
    applicationId: TONGBAN_APPLICATION_ID,
    label: 'store',
    migrationLabel: 'migration',
    notAFile: 'this data directory is not a tongban data directory',
    migrations: list,
    context: undefined,
    log: options.log.child({ component: 'store' }),
  });

  return {
    db,
    dataDir: options.dataDir,
    path,
    version: latest,
    transaction<T>(fn: () => T): T {
      return db.transaction(fn).immediate();
    },
    close() {
      if (db.open) db.close();
    },
  };
}
