/**
 * The core tables. Times are integer milliseconds since the epoch (UTC). Blobs named `*_sealed` hold
 * values sealed by the FieldCipher (personal data never sits in a column in clear). Ids made at the
 * kiosk are UUIDv7 text, so they sort by creation and stay unique across kiosks without coordination.
 */
import type { Migration } from './migration.js';

export const migration: Migration = {
  version: 1,
  name: 'core',
  up(db) {
    db.exec(`
      CREATE TABLE applicants (
        id              TEXT PRIMARY KEY,
        -- keyed hash (HMAC) of the ID number: lookup and erasure by number without storing it in clear
        id_number_hash  TEXT,
        identity_source TEXT NOT NULL CHECK (identity_source IN ('card', 'qr')),
        fields_sealed   BLOB,
        created_at      INTEGER NOT NULL,
        purged_at       INTEGER
      ) STRICT;
      CREATE INDEX applicants_by_id_number ON applicants (id_number_hash);

      CREATE TABLE cases (
        id            TEXT PRIMARY KEY,
        serial        TEXT NOT NULL UNIQUE,  -- 申办流水号
        item_code     TEXT NOT NULL,         -- 事项编码
        bundle_id     TEXT,                  -- 一件事一次办: cases of one bundle share it
        applicant_id  TEXT REFERENCES applicants (id),
        state         TEXT NOT NULL,
        form_sealed   BLOB,
        content_hash  TEXT NOT NULL,
        rating        INTEGER CHECK (rating BETWEEN 1 AND 5),  -- 好差评: 5 非常满意 .. 1 非常不满意
        created_at    INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL,
        purged_at     INTEGER
      ) STRICT;
      CREATE INDEX cases_by_state ON cases (state, updated_at);
      CREATE INDEX cases_by_bundle ON cases (bundle_id) WHERE bundle_id IS NOT NULL;
      CREATE INDEX cases_by_applicant ON cases (applicant_id) WHERE applicant_id IS NOT NULL;
      CREATE INDEX cases_by_item ON cases (item_code);

      CREATE TABLE case_history (
        seq         INTEGER PRIMARY KEY AUTOINCREMENT,
        case_id     TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
        from_state  TEXT,
        to_state    TEXT NOT NULL,
        actor       TEXT NOT NULL,
        reason      TEXT,
        at          INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX case_history_by_case ON case_history (case_id, seq);

      CREATE TABLE materials (
        id           INTEGER PRIMARY KEY,
        case_id      TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
        material_id  TEXT NOT NULL,          -- the catalog item's material id
        sm3          TEXT NOT NULL CHECK (length(sm3) = 64),  -- of the plaintext file
        size         INTEGER NOT NULL CHECK (size >= 0),
        mime         TEXT NOT NULL,
        path         TEXT NOT NULL,          -- relative to the data directory: materials/ab/<sm3hex>
        created_at   INTEGER NOT NULL,
        purged_at    INTEGER,
        UNIQUE (case_id, material_id, sm3)
      ) STRICT;
      CREATE INDEX materials_by_sm3 ON materials (sm3);

      -- The sync outbox. FIFO by seq (monotonic), never by a wall clock that may jump.
      CREATE TABLE outbox (
        seq                INTEGER PRIMARY KEY AUTOINCREMENT,
        case_id            TEXT REFERENCES cases (id),
        kind               TEXT NOT NULL,
        payload_sealed     BLOB NOT NULL,
        attempts           INTEGER NOT NULL DEFAULT 0,
        next_attempt_at    INTEGER NOT NULL DEFAULT 0,
        last_error         TEXT,
        quarantined_reason TEXT,
        created_at         INTEGER NOT NULL,
        sent_at            INTEGER
      ) STRICT;
      CREATE INDEX outbox_pending ON outbox (seq) WHERE sent_at IS NULL AND quarantined_reason IS NULL;
      CREATE INDEX outbox_by_case ON outbox (case_id);

      -- The sync inbox: each message applied once (message_id unique), cursors per endpoint.
      CREATE TABLE inbox (
        seq          INTEGER PRIMARY KEY AUTOINCREMENT,
        endpoint     TEXT NOT NULL,
        message_id   TEXT NOT NULL UNIQUE,
        cursor       TEXT,
        payload      TEXT NOT NULL,
        received_at  INTEGER NOT NULL,
        applied_at   INTEGER
      ) STRICT;
      CREATE INDEX inbox_unapplied ON inbox (seq) WHERE applied_at IS NULL;
      CREATE TABLE inbox_cursors (
        endpoint    TEXT PRIMARY KEY,
        cursor      TEXT NOT NULL,
        updated_at  INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE catalog (
        version      INTEGER PRIMARY KEY,
        items        TEXT NOT NULL CHECK (json_valid(items)),
        received_at  INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE device_events (
        seq      INTEGER PRIMARY KEY AUTOINCREMENT,
        device   TEXT NOT NULL,
        type     TEXT NOT NULL,
        details  TEXT CHECK (details IS NULL OR json_valid(details)),
        at       INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX device_events_by_device ON device_events (device, seq);

      -- Kept until printed: a receipt survives a crash or an empty paper roll.
      CREATE TABLE print_jobs (
        id               TEXT PRIMARY KEY,
        case_id          TEXT REFERENCES cases (id),
        kind             TEXT NOT NULL,
        document_sealed  BLOB NOT NULL,
        state            TEXT NOT NULL CHECK (state IN ('queued', 'printing', 'printed', 'failed')),
        attempts         INTEGER NOT NULL DEFAULT 0,
        last_error       TEXT,
        created_at       INTEGER NOT NULL,
        printed_at       INTEGER
      ) STRICT;
      CREATE INDEX print_jobs_pending ON print_jobs (created_at) WHERE state <> 'printed';

      CREATE TABLE certificates (
        document_id  TEXT PRIMARY KEY,
        case_id      TEXT REFERENCES cases (id),
        template     TEXT NOT NULL,
        path         TEXT NOT NULL,           -- relative to the data directory
        sm3          TEXT NOT NULL CHECK (length(sm3) = 64),
        issued_at    INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX certificates_by_case ON certificates (case_id);

      CREATE TABLE settings (
        key         TEXT PRIMARY KEY,
        value       TEXT NOT NULL CHECK (json_valid(value)),
        updated_at  INTEGER NOT NULL
      ) STRICT;
    `);
  },
};
