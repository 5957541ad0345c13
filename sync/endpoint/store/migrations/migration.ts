import type BetterSqlite3 from 'better-sqlite3';
import type { EndpointSealer } from '../sealing.js';

/** What a migration may need besides the database: the sealer (made, with the keys, on first use). */
export interface MigrationContext {
  readonly sealer: () => EndpointSealer;
}

/**
 * One numbered step of the endpoint's schema. `up` runs inside a transaction that also sets
 * `user_version` to `version`: a crash leaves the file before or after the step, never half-way.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly up: (db: BetterSqlite3.Database, context: MigrationContext) => void;
}
