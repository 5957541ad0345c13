/**
 * The endpoint's tables. Times are integer milliseconds since the epoch (UTC); JSON columns hold what
 * the store validated before writing, and are validated again when read back. Secrets and enrolment
 * tokens are kept only as their SM3 hashes.
 */
import type { Migration } from './migration.js';

export const migration: Migration = {
  version: 1,
  name: 'endpoint',
  up(db) {
    db.exec(`
      CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;

      CREATE TABLE kiosks (
        id             TEXT PRIMARY KEY,
        secret_hash    TEXT NOT NULL CHECK (length(secret_hash) = 64),
        enrolled_at    INTEGER NOT NULL,
        revoked_at     INTEGER,
        last_seen_at   INTEGER,
        address        TEXT,
        agent_version  TEXT,
        -- the highest kiosk seq processed (committed or rejected): informational, never a skip threshold
        highest_seq    INTEGER NOT NULL DEFAULT 0,
        -- the last event id the kiosk acknowledged (its cursor)
        acked_event    INTEGER NOT NULL DEFAULT 0,
        devices        TEXT,
        queue          TEXT,
        audit_head     TEXT,
        heartbeat_at   INTEGER
      ) STRICT;

      CREATE TABLE enroll_tokens (
        token_hash  TEXT PRIMARY KEY CHECK (length(token_hash) = 64),
        kiosk_id    TEXT NOT NULL,
        created_at  INTEGER NOT NULL,
        expires_at  INTEGER NOT NULL,
        used_at     INTEGER
      ) STRICT;

      CREATE TABLE cases (
        id            TEXT PRIMARY KEY,
        kiosk_id      TEXT NOT NULL REFERENCES kiosks (id),
        serial        TEXT NOT NULL,
        item_code     TEXT NOT NULL,
        region        TEXT NOT NULL,
        status        TEXT NOT NULL CHECK (status IN ('uploaded', 'accepted', 'correctionRequested', 'refused', 'completed')),
        content_hash  TEXT NOT NULL CHECK (length(content_hash) = 64),
        content       TEXT NOT NULL,   -- canonical JSON; hashes to content_hash
        received_at   INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX cases_by_status ON cases (status, received_at);
      CREATE INDEX cases_by_kiosk ON cases (kiosk_id, received_at);

      CREATE TABLE case_history (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        case_id       TEXT NOT NULL REFERENCES cases (id),
        from_status   TEXT,
        to_status     TEXT NOT NULL,
        actor         TEXT NOT NULL,   -- kiosk, endpoint (a clerk), or the name the clerk gave
        note          TEXT,
        content_hash  TEXT NOT NULL,
        kiosk_at      TEXT,            -- the kiosk's own time of a kiosk move (informational)
        at            INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX case_history_by_case ON case_history (case_id, id);

      CREATE TABLE case_results (
        case_id      TEXT NOT NULL REFERENCES cases (id),
        document_id  TEXT NOT NULL,
        title        TEXT NOT NULL,
        sm3          TEXT NOT NULL REFERENCES files (sm3),
        size         INTEGER NOT NULL,
        media_type   TEXT NOT NULL,
        source       TEXT NOT NULL CHECK (source IN ('kiosk', 'endpoint')),
        at           INTEGER NOT NULL,
        PRIMARY KEY (case_id, document_id)
      ) STRICT;

      -- Idempotency: every entry processed, by (kiosk, seq), with what came of it.
      CREATE TABLE received (
        kiosk_id  TEXT NOT NULL REFERENCES kiosks (id),
        seq       INTEGER NOT NULL,
        case_id   TEXT NOT NULL,
        kind      TEXT NOT NULL,
        outcome   TEXT NOT NULL CHECK (outcome IN ('committed', 'duplicate', 'rejected')),
        code      TEXT,
        reason    TEXT,
        at        INTEGER NOT NULL,
        PRIMARY KEY (kiosk_id, seq)
      ) STRICT, WITHOUT ROWID;

      -- Content-addressed files: complete under DATA/files/<sm3>, partial under DATA/files/partial/<sm3>
      -- with committed = the bytes fsynced there.
      CREATE TABLE files (
        sm3           TEXT PRIMARY KEY CHECK (length(sm3) = 64),
        size          INTEGER NOT NULL CHECK (size >= 0),
        media_type    TEXT NOT NULL,
        committed     INTEGER NOT NULL DEFAULT 0 CHECK (committed >= 0 AND committed <= size),
        complete      INTEGER NOT NULL DEFAULT 0 CHECK (complete IN (0, 1)),
        created_at    INTEGER NOT NULL,
        completed_at  INTEGER
      ) STRICT;

      CREATE TABLE catalogs (
        version  INTEGER PRIMARY KEY CHECK (version > 0),
        catalog  TEXT NOT NULL,
        set_at   INTEGER NOT NULL
      ) STRICT;

      -- Events for one kiosk each; the autoincrement id is the cursor (never reused).
      CREATE TABLE events (
        id               INTEGER PRIMARY KEY AUTOINCREMENT,
        kiosk_id         TEXT NOT NULL REFERENCES kiosks (id),
        event_id         TEXT NOT NULL UNIQUE,
        kind             TEXT NOT NULL CHECK (kind IN ('case.status', 'catalog')),
        case_id          TEXT REFERENCES cases (id),
        catalog_version  INTEGER REFERENCES catalogs (version),
        body             TEXT NOT NULL,   -- the event's other fields, JSON
        at               INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX events_by_kiosk ON events (kiosk_id, id);
    `);
  },
};
