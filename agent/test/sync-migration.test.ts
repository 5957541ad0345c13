/** Store migration 0003 (sync) over a store made by the release before it: outbox regions filled from the catalog, the inbox remade. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../base/log.js';
import { CaseService } from '../cases/case-service.js';
import { exampleCase } from '../cases/index.js';
import { ensureCatalog, requireItem } from '../catalog/index.js';
import { openFieldCipher } from '../pii/field-cipher.js';
import { migrations } from '../store/migrations/index.js';
import { openStoreCore } from '../store/open-store.js';
import { openStore } from '../store/store.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tongban-sync-migration-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('store migration 0003 (sync)', () => {
  it('gives the outbox rows of an older store the region of their case item, and keeps the inbox rows', () => {
    // A store as the release before 0003 left it: a case of an item decided in 310110, its outbox row, an inbox row.
    const cipher = openFieldCipher({ dataDir: dir });
    const current = openStore({ dataDir: dir, log: silentLogger, cipher });
    const catalog = ensureCatalog(current);
    const id = new CaseService({ store: current, catalog: () => catalog }).submit(exampleCase(requireItem(catalog, '341600-GJJ-0002'))).case.id;
    current.close();
    // Rebuild that state at version 2: drop what 0003 added (the simplest way to get an old file with real rows).
    const old = openStoreCore({ dataDir: dir, log: silentLogger });
    old.db.exec(`
      UPDATE outbox SET region = NULL;
      DROP INDEX outbox_unsent_by_case;
      ALTER TABLE outbox DROP COLUMN region;
      ALTER TABLE outbox DROP COLUMN quarantined_code;
      DROP TABLE inbox;
      CREATE TABLE inbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, endpoint TEXT NOT NULL, message_id TEXT NOT NULL UNIQUE, cursor TEXT, payload TEXT NOT NULL, received_at INTEGER NOT NULL, applied_at INTEGER) STRICT;
      INSERT INTO inbox (endpoint, message_id, cursor, payload, received_at, applied_at) VALUES ('ws://x/sync', 'm-1', '7', '{}', 1, 2);
      PRAGMA user_version = 2;
    `);
    old.close();

    const store = openStore({ dataDir: dir, log: silentLogger, cipher });
    try {
      expect(store.version).toBe(migrations.length);
      expect(store.outbox.forCase(id).map((e) => e.region)).toEqual(['310110']);
      expect(store.inbox.has('m-1')).toBe(true);
      expect(store.db.prepare('SELECT endpoint, cursor, applied_at AS appliedAt, payload_sealed AS p FROM inbox').all()).toEqual([{ endpoint: 'ws://x/sync', cursor: '7', appliedAt: 2, p: null }]);
      expect(store.outbox.heads({ regions: ['310110'], now: Date.now(), limit: 10, exclude: new Set() }).map((e) => e.caseId)).toEqual([id]);
      expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      store.close();
    }
  });
});
