/**
 * Every migration, in order. Versions are 1, 2, 3 ... without gaps; a new one is appended here and never
 * edited once released (a kiosk in the field may already have applied it).
 */
import type { Migration } from './migration.js';
import { migration as m0001 } from './0001-core.js';
import { migration as m0002 } from './0002-audit-keys.js';
import { migration as m0003 } from './0003-sync.js';

export type { Migration } from './migration.js';

export const migrations: readonly Migration[] = [m0001, m0002, m0003];
