import type { SqliteMigration } from '../../../base/sqlite-file.js';

/**
 * One numbered step of the store's schema (see base/sqlite-file.ts): `up` runs inside a transaction that
 * also sets `user_version` to `version`, so a crash leaves the database either before or after the step,
 * never half-way. The agent's steps need nothing besides the database.
 */
export type Migration = SqliteMigration;
