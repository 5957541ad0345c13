/**
 * What the sync (issue 6, sync/client over agent/sync/kiosk-sync-store.ts) needs of the store.
 *
 * - `outbox.region`: the 6-digit region the entry is routed by (the case's item's targetRegion, the
 *   deciding department's region: 跨省通办 may send it to another province), written with the entry.
 *   Rows made before this step get it here from the catalog in force (SQLite's JSON functions); a row
 *   still without one (an item the catalog no longer has) is resolved when read.
 * - `outbox_unsent_by_case`: the client asks for the earliest unsent entry of each case (a case's
 *   entries go out in order, one at a time); this index answers "is there an earlier unsent one".
 * - `outbox.quarantined_code`: the endpoint's code for a permanent rejection, next to its reason.
 * - The inbox is made again: its payload (an endpoint's note and result list, personal to the
 *   applicant) is sealed like every other personal value (aad `inbox/<message_id>/payload`), the kind
 *   and case of each event are kept in clear for staff and the fleet view, and `error` records why an
 *   event could not be applied (it is skipped, never blocking the ones after it). No release before
 *   this one wrote to the inbox (there was no sync), so its rows are copied without a payload.
 */
import type { Migration } from './migration.js';

export const migration: Migration = {
  version: 3,
  name: 'sync',
  up(db) {
    db.exec(`
      ALTER TABLE outbox ADD COLUMN region TEXT;
      ALTER TABLE outbox ADD COLUMN quarantined_code TEXT;
      CREATE INDEX outbox_unsent_by_case ON outbox (case_id, seq) WHERE sent_at IS NULL;

      UPDATE outbox SET region = (
        SELECT json_extract(item.value, '$.targetRegion')
          FROM cases c, json_each((SELECT items FROM catalog ORDER BY version DESC LIMIT 1), '$.items') item
         WHERE c.id = outbox.case_id AND json_extract(item.value, '$.code') = c.item_code)
      WHERE region IS NULL AND case_id IS NOT NULL;

      CREATE TABLE inbox_v3 (
        seq             INTEGER PRIMARY KEY AUTOINCREMENT,
        endpoint        TEXT NOT NULL,
        message_id      TEXT NOT NULL UNIQUE,
        cursor          TEXT,
        kind            TEXT,
        case_id         TEXT,            -- not a foreign key: an event for an unknown case is recorded too
        payload_sealed  BLOB,            -- NULL: copied from before this step, or erased by a purge
        received_at     INTEGER NOT NULL,
        applied_at      INTEGER,
        error           TEXT             -- why it was not applied (then applied_at stays NULL)
      ) STRICT;
      INSERT INTO inbox_v3 (seq, endpoint, message_id, cursor, received_at, applied_at)
        SELECT seq, endpoint, message_id, cursor, received_at, applied_at FROM inbox;
      DROP TABLE inbox;
      ALTER TABLE inbox_v3 RENAME TO inbox;
      CREATE INDEX inbox_unapplied ON inbox (seq) WHERE applied_at IS NULL;
      CREATE INDEX inbox_by_case ON inbox (case_id) WHERE case_id IS NOT NULL;
    `);
  },
};
