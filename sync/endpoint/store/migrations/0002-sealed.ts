/**
 * Personal data sealed at rest (issue 5 point 3 at the endpoint; sealing.ts): the case content, history
 * notes, result titles and the bodies of status events, which stores of version 1 held in clear, are
 * sealed where they are (TEXT columns holding `tbs1.<base64url>`, each bound to its row and column).
 * New columns: `cases.applicant_hash`, the keyed hash of the applicant's ID number (an erasure finds the
 * person's cases by it), and `cases.purged_at`, set when a case's personal data is erased (retention or
 * an erasure request). The store opens the file with secure_delete on and checkpoints the WAL after a
 * migration, so the clear values replaced here do not linger in freed pages or in the WAL.
 */
import type { Migration } from './migration.js';
import { applicantIdNumber, contentAad, eventBodyAad, noteAad, titleAad } from '../sealed-columns.js';

export const migration: Migration = {
  version: 2,
  name: 'sealed',
  up(db, context) {
    db.exec(`
      ALTER TABLE cases ADD COLUMN applicant_hash TEXT;   -- HMAC-SM3 of the ID number under DATA/keys/lookup.secret
      ALTER TABLE cases ADD COLUMN purged_at INTEGER;     -- personal data erased (content, notes, titles): when
      CREATE INDEX cases_by_applicant ON cases (applicant_hash) WHERE applicant_hash IS NOT NULL;
      CREATE INDEX cases_purgeable ON cases (status, updated_at) WHERE purged_at IS NULL;
    `);
    const hasRows = (db.prepare('SELECT (SELECT count(*) FROM cases) + (SELECT count(*) FROM events) AS n').get() as { n: number }).n > 0;
    if (hasRows) {
      const sealer = context.sealer();
      const cases = db.prepare('SELECT id, content FROM cases').all() as { id: string; content: string }[];
      const setCase = db.prepare('UPDATE cases SET content = ?, applicant_hash = ? WHERE id = ?');
      for (const c of cases) {
        let idNumber: string | undefined;
        try {
          idNumber = applicantIdNumber(JSON.parse(c.content) as unknown);
        } catch {
          idNumber = undefined; // kept sealed as it is: the clerk view reads it as damaged
        }
        setCase.run(sealer.sealText(c.content, contentAad(c.id)), idNumber === undefined ? null : sealer.idNumberHash(idNumber), c.id);
      }
      const notes = db.prepare('SELECT id, case_id, note FROM case_history WHERE note IS NOT NULL').all() as { id: number; case_id: string; note: string }[];
      const setNote = db.prepare('UPDATE case_history SET note = ? WHERE id = ?');
      for (const n of notes) setNote.run(sealer.sealText(n.note, noteAad(n.case_id)), n.id);
      const titles = db.prepare('SELECT case_id, document_id, title FROM case_results').all() as { case_id: string; document_id: string; title: string }[];
      const setTitle = db.prepare('UPDATE case_results SET title = ? WHERE case_id = ? AND document_id = ?');
      for (const t of titles) setTitle.run(sealer.sealText(t.title, titleAad(t.case_id, t.document_id)), t.case_id, t.document_id);
      const events = db.prepare("SELECT id, event_id, body FROM events WHERE kind = 'case.status'").all() as { id: number; event_id: string; body: string }[];
      const setBody = db.prepare('UPDATE events SET body = ? WHERE id = ?');
      for (const e of events) setBody.run(sealer.sealText(e.body, eventBodyAad(e.event_id)), e.id);
    }
  },
};
