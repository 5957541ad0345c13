import type { SqliteMigration } from '../../../../base/sqlite-file.js';
import type { EndpointSealer } from '../sealing.js';

/** What a migration may need besides the database: the sealer (made, with the keys, on first use). */
export interface MigrationContext {
  readonly sealer: () => EndpointSealer;
}

/**
 * One numbered step of the endpoint's schema (see base/sqlite-file.ts). `up` runs inside a transaction
 * that also sets `user_version` to `version`: a crash leaves the file before or after the step, never half-way.
 */
export type Migration = SqliteMigration<MigrationContext>;
