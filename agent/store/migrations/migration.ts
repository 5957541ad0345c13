import type BetterSqlite3 from 'better-sqlite3';

/**
 * One numbered step of the schema. `up` runs inside a transaction that also sets `user_version` to
 * `version`, so a crash leaves the database either before or after the step, never half-way.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly up: (db: BetterSqlite3.Database) => void;
}
