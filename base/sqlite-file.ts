/**
 * Opening one of tongban's SQLite files (the agent's store, the endpoint's store): the same sequence for
 * each. A file that is not SQLite, belongs to another application, was written by a newer tongban, or
 * fails quick_check is refused with a one-line EnvironmentError and left untouched (only read-only
 * questions are asked before that verdict). Then WAL with synchronous=FULL (a commit returns once its
 * WAL frames are fsynced), foreign keys, busy_timeout, the application_id on a fresh file, and the
 * numbered migrations, each in one IMMEDIATE transaction that also sets user_version, so a crash leaves
 * the file before or after a step, never half-way.
 */
import { existsSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';
import { EnvironmentError, messageOf } from './errors.js';
import type { Logger } from './log.js';

/**
 * One numbered step of a schema. `up` runs inside a transaction that also sets `user_version` to
 * `version`. `C` is what a step may need besides the database (void when nothing).
 */
export interface SqliteMigration<C = void> {
  readonly version: number;
  readonly name: string;
  readonly up: (db: BetterSqlite3.Database, context: C) => void;
}

/** Where the file stood before the migrations ran; given to `afterMigrations`. */
export interface SqliteOpenState {
  /** The file was new (or empty): no application_id, no user_version, no schema objects. */
  readonly fresh: boolean;
  /** user_version before the migrations. */
  readonly fromVersion: number;
  /** user_version after them: the length of the list. */
  readonly toVersion: number;
}

export interface OpenSqliteFileOptions<C> {
  readonly path: string;
  /** `PRAGMA application_id` written on a fresh file and required of an existing one. */
  readonly applicationId: number;
  /** What the file is called in messages: "store", "endpoint store". */
  readonly label: string;
  /** What a migration is called in the (programming-error) message about a misnumbered list. */
  readonly migrationLabel: string;
  /** Ends the message when `path` exists but is not a file, e.g. "this is not an endpoint data directory". */
  readonly notAFile: string;
  readonly migrations: readonly SqliteMigration<C>[];
  readonly context: C;
  /** Migration progress goes here as "<label> migrated". */
  readonly log: Logger;
  /** Set after the standard ones and before application_id, e.g. "secure_delete = ON". */
  readonly extraPragmas?: readonly string[];
  /** SQLITE_BUSY while opening becomes env.storeBusy (else the generic env.store). */
  readonly reportBusy?: boolean;
  /** Runs after the migrations, still under the same error handling (the file is closed if it throws). */
  readonly afterMigrations?: (db: BetterSqlite3.Database, state: SqliteOpenState) => void;
}

/** Checks the migration list itself: versions 1..n in order. A programming error, caught at start. */
function checkMigrations<C>(list: readonly SqliteMigration<C>[], migrationLabel: string): void {
  list.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`${migrationLabel} ${m.name} has version ${m.version}, expected ${i + 1}`);
  });
}

export function openSqliteFile<C>(options: OpenSqliteFileOptions<C>): BetterSqlite3.Database {
  const { path, label, applicationId: ownId } = options;
  const list = options.migrations;
  checkMigrations(list, options.migrationLabel);
  const latest = list.length;

  const corrupt = (detail: string, cause?: unknown): EnvironmentError =>
    new EnvironmentError(
      'env.storeCorrupt',
      `the ${label} ${path} is damaged (${detail}); it was left untouched: restore it from a backup or move it away to start empty`,
      { cause },
    );

  if (existsSync(path) && !statSync(path).isFile()) {
    throw new EnvironmentError('env.storeForeign', `${path} is not a file: ${options.notAFile}`);
  }
  let db: BetterSqlite3.Database;
  try {
    db = new Database(path);
  } catch (err) {
    throw new EnvironmentError('env.store', `cannot open the ${label} ${path}: ${messageOf(err)}`, { cause: err });
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
      if ((err as { code?: string }).code === 'SQLITE_NOTADB') {
        throw new EnvironmentError('env.storeForeign', `${path} is not a SQLite database (a foreign or damaged file); it was left untouched`, { cause: err });
      }
      throw corrupt(messageOf(err), err);
    }
    const fresh = applicationId === 0 && userVersion === 0 && objects === 0;
    if (!fresh && applicationId !== ownId) {
      throw new EnvironmentError(
        'env.storeForeign',
        `${path} is a SQLite database of another application (application_id ${applicationId}), not a tongban ${label}; it was left untouched`,
      );
    }
    if (userVersion > latest) {
      throw new EnvironmentError(
        'env.storeTooNew',
        `the ${label} ${path} has schema version ${userVersion}, newer than this tongban knows (${latest}): upgrade tongban, do not downgrade`,
      );
    }
    if (!fresh) {
      let problems: string[];
      try {
        problems = (db.pragma('quick_check') as { quick_check: string }[]).map((r) => r.quick_check);
      } catch (err) {
        throw corrupt(messageOf(err), err);
      }
      if (problems.length !== 1 || problems[0] !== 'ok') throw corrupt(`quick_check: ${problems.slice(0, 3).join('; ')}`);
    }

    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    for (const pragma of options.extraPragmas ?? []) db.pragma(pragma);
    if (fresh) db.pragma(`application_id = ${ownId}`);

    for (const m of list.slice(userVersion)) {
      db.transaction(() => {
        m.up(db, options.context);
        db.pragma(`user_version = ${m.version}`);
      }).immediate();
      // not `name`: the logger masks fields of that name as personal
      options.log.info(`${label} migrated`, { version: m.version, migration: m.name });
    }
    options.afterMigrations?.(db, { fresh, fromVersion: userVersion, toVersion: latest });
  } catch (err) {
    db.close();
    if (err instanceof EnvironmentError) throw err;
    const code = (err as { code?: string }).code;
    if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') throw corrupt(messageOf(err), err);
    if (options.reportBusy === true && code === 'SQLITE_BUSY') {
      throw new EnvironmentError('env.storeBusy', `the ${label} ${path} is busy (another process holds it): ${messageOf(err)}`, { cause: err });
    }
    throw new EnvironmentError('env.store', `cannot open the ${label} ${path}: ${messageOf(err)}`, { cause: err });
  }
  return db;
}
