/**
 * Checks the audit chain from the first entry to the recorded head and says where it first breaks:
 *   removed   - a gap in the seqs, or an entry follows one that is no longer in the log
 *   inserted  - an entry's predecessor in the chain is an earlier entry than the one before it
 *   reordered - an entry's predecessor in the chain comes after it
 *   edited    - an entry's content (or hash) does not match its hash
 *   truncated - the head records more entries than the log holds, or another last hash
 *   malformed - a row whose columns do not have the types written
 * Edits made by someone who recomputes every later hash and the head are not detectable from inside the
 * file; that needs the head kept elsewhere too (the sync endpoint, issue 6).
 */
import type BetterSqlite3 from 'better-sqlite3';
import { GENESIS_HASH, entryHash, type AuditEntry } from './audit-log.js';
import type { JsonValue } from './canonical.js';

export type AuditBreak = 'removed' | 'inserted' | 'reordered' | 'edited' | 'truncated' | 'malformed';

export type AuditVerdict =
  | { readonly ok: true; readonly entries: number; readonly headSeq: number; readonly headHash: string }
  | { readonly ok: false; /** entries read up to the break */ readonly entries: number; readonly firstBadSeq: number; readonly reason: AuditBreak; readonly message: string };

const HEX64 = /^[0-9a-f]{64}$/;

type RawRow = Record<string, unknown>;

/** A row as written, or a string saying what is wrong with it. */
function parseRow(r: RawRow): AuditEntry | string {
  const { seq, at, type, actor, subject, details, prev_hash: prevHash, hash } = r;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq)) return 'seq is not an integer';
  if (typeof at !== 'number' || !Number.isSafeInteger(at)) return 'time is not an integer';
  if (typeof type !== 'string' || typeof actor !== 'string') return 'type or actor is not text';
  if (subject !== null && typeof subject !== 'string') return 'subject is not text';
  if (typeof prevHash !== 'string' || !HEX64.test(prevHash) || typeof hash !== 'string' || !HEX64.test(hash)) return 'a hash is not 64 hex digits';
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(details));
  } catch {
    return 'details are not JSON';
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return 'details are not a JSON object';
  return { seq, at, type, actor, subject, details: parsed as { [key: string]: JsonValue }, prevHash, hash };
}

export function verifyAudit(db: BetterSqlite3.Database): AuditVerdict {
  // One read transaction: a concurrent append must not make a consistent log look broken.
  return db.transaction(() => verifyInSnapshot(db))();
}

function verifyInSnapshot(db: BetterSqlite3.Database): AuditVerdict {
  // Streamed row by row: memory stays flat however long the log is.
  const rows = db.prepare('SELECT seq, at, type, actor, subject, details, prev_hash, hash FROM audit_log ORDER BY seq').iterate() as IterableIterator<RawRow>;
  const headRow = db.prepare('SELECT seq, hash FROM audit_head WHERE id = 1').get() as RawRow | undefined;
  // Only on a broken link: where the entry it points back to sits now (a full scan, once).
  const seqOfHash = (hash: string): number | undefined => (db.prepare('SELECT seq FROM audit_log WHERE hash = ? LIMIT 1').get(hash) as { seq: number } | undefined)?.seq;
  let count = 0;
  // Returning from inside the for-of below closes the row iterator (and frees its statement).
  const bad = (firstBadSeq: number, reason: AuditBreak, message: string): AuditVerdict => ({ ok: false, entries: count, firstBadSeq, reason, message });

  let prevSeq = 0;
  let prevHash = GENESIS_HASH;
  for (const r of rows) {
    count++;
    const e = parseRow(r);
    if (typeof e === 'string') return bad(typeof r.seq === 'number' ? r.seq : prevSeq + 1, 'malformed', `entry ${String(r.seq)} is malformed: ${e}`);
    if (e.seq !== prevSeq + 1) {
      const last = e.seq - 1;
      return bad(prevSeq + 1, 'removed', last === prevSeq + 1 ? `entry ${prevSeq + 1} was removed` : `entries ${prevSeq + 1} to ${last} were removed`);
    }
    if (e.prevHash !== prevHash) {
      const follows = e.prevHash === GENESIS_HASH ? 0 : seqOfHash(e.prevHash);
      if (follows === undefined) {
        return bad(e.seq, 'removed', `entry ${e.seq} follows an entry that is no longer in the log (removed, or altered with its hash)`);
      }
      if (follows < prevSeq) {
        const from = follows + 1;
        return bad(from, 'inserted', `entry ${e.seq} follows entry ${follows} in the chain: ${from === prevSeq ? `entry ${from} was` : `entries ${from} to ${prevSeq} were`} inserted`);
      }
      return bad(e.seq, 'reordered', `entry ${e.seq} follows entry ${follows} in the chain: entries were reordered`);
    }
    if (entryHash(e.prevHash, e) !== e.hash) return bad(e.seq, 'edited', `entry ${e.seq} was edited (its content does not match its hash)`);
    prevSeq = e.seq;
    prevHash = e.hash;
  }

  if (headRow === undefined) {
    if (count === 0) return { ok: true, entries: 0, headSeq: 0, headHash: GENESIS_HASH };
    return bad(prevSeq, 'truncated', 'the audit head is missing');
  }
  const headSeq = headRow.seq;
  const headHash = headRow.hash;
  if (typeof headSeq !== 'number' || !Number.isSafeInteger(headSeq) || typeof headHash !== 'string') return bad(prevSeq + 1, 'malformed', 'the audit head is malformed');
  if (headSeq > prevSeq) {
    return bad(prevSeq + 1, 'truncated', headSeq === prevSeq + 1 ? `entry ${headSeq}, the last, was removed` : `entries ${prevSeq + 1} to ${headSeq}, the last, were removed`);
  }
  if (headSeq < prevSeq) return bad(headSeq + 1, 'inserted', `entries after ${headSeq}, the recorded head, were added outside tongban`);
  if (headHash !== prevHash) return bad(prevSeq, 'edited', `entry ${prevSeq}, the last, does not match the recorded head`);
  return { ok: true, entries: count, headSeq, headHash };
}
