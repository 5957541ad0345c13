/**
 * The agent's durable store: one SQLite file (DATA/store.db) behind this module. WAL mode with
 * synchronous=FULL, so a commit returns only once its WAL frames are fsynced: an acknowledged write
 * survives kill -9 and a power cut. Opening refuses, with an EnvironmentError saying why, a file that is
 * corrupt, a SQLite database of another application, or one written by a newer tongban; it never resets
 * a store silently.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';
import { EnvironmentError, messageOf } from '../../base/errors.js';
import type { Logger } from '../../base/log.js';
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

function corrupt(path: string, detail: string, cause?: unknown): EnvironmentError {
  return new EnvironmentError(
    'env.storeCorrupt',
    `the store ${path} is damaged (${detail}); it was left untouched: restore it from a backup or move it away to start empty`,
    { cause },
  );
}

/** Checks the migration list itself: versions 1..n in order. A programming error, caught at start. */
function checkMigrations(list: readonly Migration[]): void {
  list.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration ${m.name} has version ${m.version}, expected ${i + 1}`);
  });
}

export function openStoreCore(options: OpenStoreOptions): StoreCore {
  const list = options.migrations ?? allMigrations;
  checkMigrations(list);
  const latest = list.length;
  const path = join(options.dataDir, STORE_FILE);
  const log = options.log.child({ component: 'store' });

  if (existsSync(path) && !statSync(path).isFile()) {
    throw new EnvironmentError('env.storeForeign', `${path} is not a file: this data directory is not a tongban data directory`);
  }
  let db: BetterSqlite3.Database;
  try {
    db = new Database(path);
  } catch (err) {
    throw new EnvironmentError('env.store', `cannot open the store ${path}: ${messageOf(err)}`, { cause: err });
  }
  try {
    // Read-only questions first, so that nothing is written to a file that turns out not to be ours.
    let applicationId: number;
    let userVersion: number;
    let objects: number;
    try {
      applicationId = db.pragma('application_id', { simple: true }) as number;
      userVersion = db.pragma('user_version', { simple: true }) as number;
      objects = (db.prepare('SELECT count(*) AS n FROM sqlite_schema').get() as { n: number }).n;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'SQLITE_NOTADB') {
        throw new EnvironmentError('env.storeForeign', `${path} is not a SQLite database (a foreign or damaged file); it was left untouched`, { cause: err });
      }
      throw corrupt(path, messageOf(err), err);
    }
    const fresh = applicationId === 0 && userVersion === 0 && objects === 0;
    if (!fresh && applicationId !== TONGBAN_APPLICATION_ID) {
      throw new EnvironmentError(
        'env.storeForeign',
        `${path} is a SQLite database of another application (application_id ${applicationId}), not a tongban store; it was left untouched`,
      );
    }
    if (userVersion > latest) {
      throw new EnvironmentError(
        'env.storeTooNew',
        `the store ${path} has schema version ${userVersion}, newer than this tongban knows (${latest}): upgrade tongban, do not downgrade`,
      );
    }
    if (!fresh) {
      let problems: string[];
      try {
        problems = (db.pragma('quick_check') as { quick_check: string }[]).map((r) => r.quick_check);
      } catch (err) {
        throw corrupt(path, messageOf(err), err);
      }
      if (problems.length !== 1 || problems[0] !== 'ok') throw corrupt(path, `quick_check: ${problems.slice(0, 3).join('; ')}`);
    }

    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    if (fresh) db.pragma(`application_id = ${TONGBAN_APPLICATION_ID}`);

    for (const m of list.slice(userVersion)) {
      db.transaction(() => {
        m.up(db);
        db.pragma(`user_version = ${m.version}`);
      }).immediate();
      log.info('store migrated', { version: m.version, migration: m.name }); // not `name`: the logger masks fields of that name as personal
    }
  } catch (err) {
    db.close();
    if (err instanceof EnvironmentError) throw err;
    const code = (err as { code?: string }).code;
    if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') throw corrupt(path, messageOf(err), err);
    throw new EnvironmentError('env.store', `cannot open the store ${path}: ${messageOf(err)}`, { cause: err });
  }

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
