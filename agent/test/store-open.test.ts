import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EnvironmentError } from '../../base/errors.js';
import { silentLogger } from '../../base/log.js';
import { openStoreCore, STORE_FILE, TONGBAN_APPLICATION_ID } from '../store/open-store.js';
import { migrations } from '../store/migrations/index.js';
import type { Migration } from '../store/migrations/migration.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tongban-store-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function openError(options: { migrations?: readonly Migration[] } = {}): EnvironmentError {
  try {
    openStoreCore({ dataDir: dir, log: silentLogger, ...options }).close();
  } catch (err) {
    expect(err).toBeInstanceOf(EnvironmentError);
    return err as EnvironmentError;
  }
  throw new Error('the store opened');
}

describe('openStoreCore', () => {
  it('creates a fresh store: WAL, FULL, foreign keys, our application id, every migration', () => {
    const store = openStoreCore({ dataDir: dir, log: silentLogger });
    try {
      const db = store.db;
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('application_id', { simple: true })).toBe(TONGBAN_APPLICATION_ID);
      expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
      expect(store.version).toBe(migrations.length);
      const tables = (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
      for (const t of ['cases', 'case_history', 'applicants', 'materials', 'outbox', 'inbox', 'inbox_cursors', 'catalog', 'device_events', 'print_jobs', 'certificates', 'settings']) {
        expect(tables).toContain(t);
      }
    } finally {
      store.close();
    }
  });

  it('reopens its own store without migrating again and keeps the data', () => {
    const a = openStoreCore({ dataDir: dir, log: silentLogger });
    a.db.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('k', '1', 0)").run();
    a.close();
    const b = openStoreCore({ dataDir: dir, log: silentLogger });
    expect(b.db.prepare("SELECT value FROM settings WHERE key = 'k'").get()).toEqual({ value: '1' });
    b.close();
  });

  it('applies a later migration once, in a transaction: a failing step leaves the previous version', () => {
    openStoreCore({ dataDir: dir, log: silentLogger }).close();
    const failing: Migration = {
      version: migrations.length + 1,
      name: 'failing',
      up(db) {
        db.exec('CREATE TABLE half_done (x INTEGER)');
        throw new Error('boom');
      },
    };
    const err = openError({ migrations: [...migrations, failing] });
    expect(err.message).toContain('boom');
    const db = new Database(join(dir, STORE_FILE), { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'half_done'").get()).toEqual({ n: 0 });
    db.close();

    const good: Migration = { version: migrations.length + 1, name: 'good', up: (d) => d.exec('CREATE TABLE later (x INTEGER)') };
    const s = openStoreCore({ dataDir: dir, log: silentLogger, migrations: [...migrations, good] });
    expect(s.version).toBe(migrations.length + 1);
    expect(s.db.pragma('user_version', { simple: true })).toBe(migrations.length + 1);
    s.close();
  });

  it('refuses a store written by a newer tongban', () => {
    const good: Migration = { version: migrations.length + 1, name: 'future', up: (d) => d.exec('CREATE TABLE future (x INTEGER)') };
    openStoreCore({ dataDir: dir, log: silentLogger, migrations: [...migrations, good] }).close();
    const err = openError();
    expect(err.code).toBe('env.storeTooNew');
    expect(err.message).toMatch(/schema version \d+, newer than this tongban knows/);
  });

  it('refuses another application\'s SQLite database and leaves it untouched', () => {
    const path = join(dir, STORE_FILE);
    const other = new Database(path);
    other.exec('CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)');
    other.pragma('application_id = 1234');
    other.close();
    const before = readFileSync(path);
    const err = openError();
    expect(err.code).toBe('env.storeForeign');
    expect(err.message).toContain('another application');
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('refuses a SQLite database with tables but no application id (not created by tongban)', () => {
    const other = new Database(join(dir, STORE_FILE));
    other.exec('CREATE TABLE notes (x TEXT)');
    other.close();
    expect(openError().code).toBe('env.storeForeign');
  });

  it('refuses a file of random bytes', () => {
    const path = join(dir, STORE_FILE);
    writeFileSync(path, randomBytes(64 * 1024));
    const err = openError();
    expect(err.code).toBe('env.storeForeign');
    expect(err.message).toContain('not a SQLite database');
    expect(statSync(path).size).toBe(64 * 1024);
  });

  it('refuses a truncated store', () => {
    const s = openStoreCore({ dataDir: dir, log: silentLogger });
    const insert = s.db.prepare('INSERT INTO device_events (device, type, details, at) VALUES (?, ?, ?, ?)');
    s.transaction(() => {
      for (let i = 0; i < 2000; i++) insert.run('printer', 'status', JSON.stringify({ i, pad: 'x'.repeat(200) }), i);
    });
    s.db.pragma('wal_checkpoint(TRUNCATE)');
    s.close();
    const path = join(dir, STORE_FILE);
    truncateSync(path, Math.floor(statSync(path).size / 2));
    const err = openError();
    expect(err.code).toBe('env.storeCorrupt');
    expect(err.message).toContain('damaged');
  });

  it('refuses a data directory whose store.db is a directory', () => {
    mkdirSync(join(dir, STORE_FILE));
    expect(openError().code).toBe('env.storeForeign');
  });
});
