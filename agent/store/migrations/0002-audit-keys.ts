/**
 * The audit log (agent/audit/) and the metadata of the field keys (agent/pii/).
 *
 * audit_log rows are hash-chained (see agent/audit/audit-log.ts); triggers refuse UPDATE and DELETE, so
 * nothing in tongban can change an entry by mistake (someone editing the file can drop the triggers:
 * that is what the chain and `tongban audit verify` are for). Purges never touch audit rows.
 * audit_head holds the last seq and hash, written in the same transaction as each append, so entries
 * removed from the end are noticed.
 *
 * field_keys records when each key was made current and when a re-encryption pass left no value under
 * it, so an operator knows when its file may be removed. The keys themselves never enter the store.
 */
import type { Migration } from './migration.js';

export const migration: Migration = {
  version: 2,
  name: 'audit-keys',
  up(db) {
    db.exec(`
      CREATE TABLE audit_log (
        seq        INTEGER PRIMARY KEY,
        at         INTEGER NOT NULL,
        type       TEXT NOT NULL,
        actor      TEXT NOT NULL,
        subject    TEXT,
        details    TEXT NOT NULL CHECK (json_valid(details)),
        prev_hash  TEXT NOT NULL CHECK (length(prev_hash) = 64),
        hash       TEXT NOT NULL CHECK (length(hash) = 64)
      ) STRICT;
      CREATE INDEX audit_log_by_subject ON audit_log (subject) WHERE subject IS NOT NULL;
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

      CREATE TABLE audit_head (
        id    INTEGER PRIMARY KEY CHECK (id = 1),
        seq   INTEGER NOT NULL,
        hash  TEXT NOT NULL CHECK (length(hash) = 64)
      ) STRICT;

      CREATE TABLE field_keys (
        key_id          TEXT PRIMARY KEY,
        algorithm       TEXT NOT NULL,
        current_since   INTEGER NOT NULL,
        drained_at      INTEGER             -- a re-encryption pass left no value under this key
      ) STRICT;
    `);
  },
};
