/**
 * Enrolment answered again when its answer was lost: the secret given for a token is kept, sealed, beside
 * the spent token until the kiosk first authenticates with it. A kiosk whose `enrolled` never arrived
 * retries the same token and gets the same credentials (within the token's lifetime) instead of being
 * locked out until an operator makes a new token; once it has said hello the token is spent for good.
 */
import type { Migration } from './migration.js';

export const migration: Migration = {
  version: 3,
  name: 'enrol-answer',
  up(db) {
    db.exec(`ALTER TABLE enroll_tokens ADD COLUMN answer_sealed TEXT;  -- the secret given, sealed; NULL once the kiosk authenticated`);
  },
};
