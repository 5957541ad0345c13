/**
 * DATA/endpoint.db: WAL with synchronous=FULL (a commit returns once its WAL frames are fsynced, so an
 * acknowledged entry survives kill -9 and a power cut), foreign keys, busy_timeout (the CLI opens the
 * file beside a running server), numbered migrations. A file that is not SQLite, belongs to another
 * application (the agent's store included), is damaged, or was written by a newer tongban is refused
 * with one line saying so, and left untouched.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { EnvironmentError, messageOf } from '../../../base/errors.js';
import type { Logger } from '../../../base/log.js';
import { openSqliteFile } from '../../../base/sqlite-file.js';
import { migrations as allMigrations, type Migration, type MigrationContext } from './migrations/index.js';

/** `PRAGMA application_id` of an endpoint store: "TBEP" in ASCII (the agent's store is "TBAN"). */
export const ENDPOINT_APPLICATION_ID = 0x54424550;
export const ENDPOINT_DB_FILE = 'endpoint.db';

export function openEndpointDatabase(
  dataDir: string,
  log: Logger,
  list: readonly Migration[] = allMigrations,
  context: MigrationContext = { sealer: () => { throw new Error('this migration needs a sealer'); } },
): BetterSqlite3.Database {
  if (existsSync(dataDir) && !statSync(dataDir).isDirectory()) {
    throw new EnvironmentError('env.dataDir', `${dataDir} is not a directory`);
  }
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new EnvironmentError('env.dataDir', `cannot create the data directory ${dataDir}: ${messageOf(err)}`, { cause: err });
  }
  const path = join(dataDir, ENDPOINT_DB_FILE);
  return openSqliteFile({
    path,
    applicationId: ENDPOINT_APPLICATION_ID,
    label: 'endpoint store',
    migrationLabel: 'endpoint migration',
    notAFile: 'this is not an endpoint data directory',
    migrations: list,
    context,
    log,
    // Freed pages and cells are zeroed: a value replaced by its sealed form, or erased, leaves no copy in the file.
    extraPragmas: ['secure_delete = ON'],
    // The CLI opens the file beside a running server.
    reportBusy: true,
    afterMigrations: (db, { fresh, fromVersion, toVersion }) => {
      // An existing store migrated: what the migrations replaced (clear values sealed) leaves the WAL.
      if (!fresh && fromVersion < toVersion) db.pragma('wal_checkpoint(TRUNCATE)');
    },
  });
}
