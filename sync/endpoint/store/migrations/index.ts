/**
 * Every migration of DATA/endpoint.db, in order: versions 1, 2, 3 ... without gaps. A new one is
 * appended and never edited once released (an endpoint in service may already have applied it).
 */
import type { Migration } from './migration.js';
import { migration as m0001 } from './0001-endpoint.js';
import { migration as m0002 } from './0002-sealed.js';
import { migration as m0003 } from './0003-enrol-answer.js';

export type { Migration, MigrationContext } from './migration.js';

export const migrations: readonly Migration[] = [m0001, m0002, m0003];
