/**
 * Erasure of personal data at the endpoint (issue 5 point 3; PIPL: kept only as long as needed):
 *
 * - `eraseApplicant(idNumber)`: every case of one person, found by the keyed hash of the ID number kept
 *   beside the sealed content (the number itself is never stored, logged or returned), whatever its status.
 * - `purgeExpired(retentionDays)`: cases `completed` (办结) more than `retentionDays` ago.
 *
 * What goes, in ONE transaction per call: the sealed content (applicant, form, materials) and applicant
 * hash, history notes, result titles; the case's status events keep their move and files but lose the
 * note and titles (an event not yet delivered still reaches the kiosk); the material and result files no
 * other unerased case lists are deleted (their rows say "not uploaded" again). What
 * stays: ids, serials, items, regions, statuses and their history, content hashes, file SM3s and sizes,
 * times — the non-personal facts, and the idempotency records (a case sent again is still a duplicate).
 * The WAL is checkpointed afterwards (secure_delete is on): no old copy of a sealed value stays behind.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { fsyncDir } from '../../../base/fsync-dir.js';
import type { Logger } from '../../../base/log.js';
import type { CaseSealing } from './sealed-columns.js';
import { eventBodyAad } from './sealed-columns.js';
import { filesOfContent, isObject } from './validate.js';

export interface ErasureReport {
  readonly reason: 'operator' | 'retention';
  /** Ids of the cases whose personal data was erased. */
  readonly cases: string[];
  /** Material and result files deleted (no unerased case lists them). */
  readonly filesDeleted: number;
}

const DAY_MS = 24 * 3600 * 1000;

export class EndpointErasure {
  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly dataDir: string,
    private readonly sealing: CaseSealing,
    private readonly log: Logger,
  ) {}

  eraseApplicant(idNumber: string, at: number): ErasureReport {
    const hash = this.sealing.sealer.idNumberHash(idNumber);
    const ids = (this.db.prepare('SELECT id FROM cases WHERE applicant_hash = ? AND purged_at IS NULL ORDER BY id').all(hash) as { id: string }[]).map((r) => r.id);
    return this.erase('operator', ids, at);
  }

  purgeExpired(retentionDays: number, at: number): ErasureReport {
    if (!Number.isSafeInteger(retentionDays) || retentionDays < 0) throw new RangeError('retentionDays is a whole number of days, 0 or more');
    const cutoff = at - retentionDays * DAY_MS;
    const ids = (
      this.db.prepare("SELECT id FROM cases WHERE status = 'completed' AND purged_at IS NULL AND updated_at <= ? ORDER BY id").all(cutoff) as { id: string }[]
    ).map((r) => r.id);
    return this.erase('retention', ids, at);
  }

  private erase(reason: ErasureReport['reason'], ids: readonly string[], at: number): ErasureReport {
    if (ids.length === 0) return { reason, cases: [], filesDeleted: 0 };
    const candidates = new Set<string>();
    // The cases and the rows of their files that no one else lists, together; the files themselves are
    // deleted last inside the transaction: a crash before the commit leaves rows naming files that are
    // gone (the erasure is run again), never an erased person's file that a reopen would take back.
    const deleted = this.db
      .transaction(() => {
        for (const id of ids) this.eraseCase(id, at, candidates);
        return this.deleteFiles(this.releaseUnusedFiles(candidates));
      })
      .immediate();
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    this.log.info('personal data erased', { reason, cases: ids.length, caseIds: ids, filesDeleted: deleted });
    return { reason, cases: [...ids], filesDeleted: deleted };
  }

  /** One case's personal values gone (in the caller's transaction); its files added to `files`. */
  private eraseCase(caseId: string, at: number, files: Set<string>): void {
    const row = this.db.prepare('SELECT content FROM cases WHERE id = ? AND purged_at IS NULL').get(caseId) as { content: string } | undefined;
    if (!row) return;
    try {
      const content = JSON.parse(this.sealing.openContent(caseId, row.content)) as unknown;
      const listed = isObject(content) ? filesOfContent(content) : [];
      if (Array.isArray(listed)) for (const f of listed) files.add(f.sm3);
    } catch (err) {
      // A content that no longer opens is erased all the same; its files are found by no one else either.
      this.log.warn('erasing a case whose content does not open', { caseId, error: (err as { code?: string }).code ?? 'unknown' });
    }
    for (const r of this.db.prepare('SELECT sm3 FROM case_results WHERE case_id = ?').all(caseId) as { sm3: string }[]) files.add(r.sm3);
    this.db.prepare("UPDATE cases SET content = '', applicant_hash = NULL, purged_at = ? WHERE id = ?").run(at, caseId);
    this.db.prepare('UPDATE case_history SET note = NULL WHERE case_id = ?').run(caseId);
    this.db.prepare("UPDATE case_results SET title = '' WHERE case_id = ?").run(caseId);
    const events = this.db.prepare("SELECT id, event_id, body FROM events WHERE case_id = ? AND kind = 'case.status'").all(caseId) as { id: number; event_id: string; body: string }[];
    for (const e of events) {
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(this.sealing.openEventBody(e.event_id, 'case.status', e.body)) as Record<string, unknown>;
      } catch {
        continue; // unreadable already: it is skipped when read
      }
      delete body.note;
      if (Array.isArray(body.results)) body.results = (body.results as Record<string, unknown>[]).map((r) => ({ ...r, title: r.documentId }));
      this.db.prepare('UPDATE events SET body = ? WHERE id = ?').run(this.sealing.sealer.sealText(JSON.stringify(body), eventBodyAad(e.event_id)), e.id);
    }
  }

  /**
   * The files among `candidates` that no unerased case lists (its content's attached materials, its
   * results): their rows go back to "not uploaded" (in the caller's transaction; result rows still name them).
   */
  private releaseUnusedFiles(candidates: Set<string>): Set<string> {
    if (candidates.size === 0) return candidates;
    const unused = new Set(candidates);
    for (const r of this.db.prepare('SELECT sm3 FROM case_results r JOIN cases c ON c.id = r.case_id WHERE c.purged_at IS NULL').iterate() as Iterable<{ sm3: string }>) unused.delete(r.sm3);
    // Materials are listed inside sealed contents: every unerased case is opened once (an erasure is rare).
    for (const c of this.db.prepare('SELECT id, content FROM cases WHERE purged_at IS NULL').all() as { id: string; content: string }[]) {
      if (unused.size === 0) break;
      try {
        const content = JSON.parse(this.sealing.openContent(c.id, c.content)) as unknown;
        const listed = isObject(content) ? filesOfContent(content) : [];
        if (Array.isArray(listed)) for (const f of listed) unused.delete(f.sm3);
      } catch {
        // unreadable: it cannot claim a file
      }
    }
    const reset = this.db.prepare('UPDATE files SET committed = 0, complete = 0, completed_at = NULL WHERE sm3 = ?');
    for (const sm3 of unused) reset.run(sm3);
    return unused;
  }

  private deleteFiles(unused: Set<string>): number {
    let deleted = 0;
    for (const sm3 of unused) {
      if (!/^[0-9a-f]{64}$/.test(sm3)) continue;
      const path = join(this.dataDir, 'files', sm3);
      if (existsSync(path)) {
        rmSync(path, { force: true });
        deleted++;
      }
    }
    if (deleted) fsyncDir(join(this.dataDir, 'files'));
    return deleted;
  }
}
