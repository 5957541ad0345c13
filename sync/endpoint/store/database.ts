/**
 * DATA/endpoint.db: WAL with synchronous=FULL (a commit returns once its WAL frames are fsynced, so an
 * acknowledged entry survives kill -9 and a power cut), foreign keys, busy_timeout (the CLI opens the
 * file beside a running server), numbered migrations. A file that is not SQLite, belongs to another
 * application (the agent's store included), is damaged, or was written by a newer tongban is refused
 * with one line saying so, and left untouched.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';
import { EnvironmentError, messageOf } from '../../../base/errors.js';
import type { Logger } from '../../../base/log.js';
import { migrations as allMigrations, type Migration, type MigrationContext } from './migrations/index.js';

/** `PRAGMA application_id` of an endpoint store: "TBEP" in ASCII (the agent's store is "TBAN"). */
export const ENDPOINT_APPLICATION_ID = 0x54424550;
export const ENDPOINT_DB_FILE = 'endpoint.db';

function corrupt(path: string, detail: string, cause?: unknown): EnvironmentError {
  return new EnvironmentError(
    'env.storeCorrupt',
    `the endpoint store ${path} is damaged (${detail}); it was left untouched: restore it from a backup or move it away to start empty`,
    { cause },
  );
}

export function openEndpointDatabase(
  dataDir: string,
  log: Logger,
  list: readonly Migration[] = allMigrations,
  context: MigrationContext = { sealer: () => { throw new Error('this migration needs a sealer'); } },
): BetterSqlite3.Database {
  list.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`endpoint migration ${m.name} has version ${m.version}, expected ${i + 1}`);
  });
  const latest = list.length;
  if (existsSync(dataDir) && !statSync(dataDir).isDirectory()) {
    throw new EnvironmentError('env.dataDir', `${dataDir} is not a directory`);
  }
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new EnvironmentError('env.dataDir', `cannot create the data directory ${dataDir}: ${messageOf(err)}`, { cause: err });
  }
  const path = join(dataDir, ENDPOINT_DB_FILE);
  if (existsSync(path) && !statSync(path).isFile()) {
    throw new EnvironmentError('env.storeForeign', `${path} is not a file: this is not an endpoint data directory`);
  }
  let db: BetterSqlite3.Database;
  try {
    db = new Database(path);
  } catch (err) {
    throw new EnvironmentError('env.store', `cannot open the endpoint store ${path}: ${messageOf(err)}`, { cause: err });
  }
  try {
    // Read-only questions first: nothing is written to a file that turns out not to be ours.
    let applicationId: number;
    let userVersion: number;
    let objects: number;
    try {
      applicationId = db.pragma('application_id', { simple: true }) as number;
      userVersion = db.pragma('user_version', { simple: true }) as number;
      objects = (db.prepare('SELECT count(*) AS n FROM sqlite_schema').get() as { n: number }).n;
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_NOTADB') {
        throw new EnvironmentError('env.storeForeign', `${path} is not a SQLite database (a foreign or damaged file); it was left untouched`, { cause: err });
      }
      throw corrupt(path, messageOf(err), err);
    }
    const fresh = applicationId === 0 && userVersion === 0 && objects === 0;
    if (!fresh && applicationId !== ENDPOINT_APPLICATION_ID) {
      throw new EnvironmentError(
        'env.storeForeign',
        `${path} is a SQLite database of another application (application_id ${applicationId}), not a tongban endpoint store; it was left untouched`,
      );
    }
    if (userVersion > latest) {
      throw new EnvironmentError(
        'env.storeTooNew',
        `the endpoint store ${path} has schema version ${userVersion}, newer than this tongban knows (${latest}): upgrade tongban, do not downgrade`,
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
    // Freed pages and cells are zeroed: a value replaced by its sealed form, or erased, leaves no copy in the file.
    db.pragma('secure_delete = ON');
    if (fresh) db.pragma(`application_id = ${ENDPOINT_APPLICATION_ID}`);
    for (const m of list.slice(userVersion)) {
      db.transaction(() => {
        m.up(db, context);
        db.pragma(`user_version = ${m.version}`);
      }).immediate();
      log.info('endpoint store migrated', { version: m.version, migration: m.name });
    }
    // An existing store migrated: what the migrations replaced (clear values sealed) leaves the WAL.
    if (!fresh && userVersion < latest) db.pragma('wal_checkpoint(TRUNCATE)');
  } catch (err) {
    db.close();
    if (err instanceof EnvironmentError) throw err;
    const code = (err as { code?: string }).code;
    if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') throw corrupt(path, messageOf(err), err);
    if (code === 'SQLITE_BUSY') throw new EnvironmentError('env.storeBusy', `the endpoint store ${path} is busy (another process holds it): ${messageOf(err)}`, { cause: err });
    throw new EnvironmentError('env.store', `cannot open the endpoint store ${path}: ${messageOf(err)}`, { cause: err });
  }
  return db;
}
