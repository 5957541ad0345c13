/**
 * The sync outbox and inbox (read by sync/, issue 6). The outbox is FIFO by `seq`, a monotonic
 * AUTOINCREMENT number, never by a wall clock that may jump; `nextAttemptAt` only holds an entry back
 * after a failure. Payloads may name personal data, so they are sealed. Each entry carries the region
 * it is routed by (migration 0003). The inbox applies each message once: its id is unique, and a
 * message is recorded together with its endpoint's cursor; its payload is sealed too.
 */
import { InputError } from '../../base/errors.js';
import type { StoreCipher } from './cipher.js';
import { openJson, placeAad, sealJson } from './cipher.js';
import type { StoreCore } from './open-store.js';
import { blob, blobOrNull, int, intOrNull, text, textOrNull, type Row } from './rows.js';

export interface NewOutboxEntry {
  readonly kind: string;
  readonly payload: unknown;
  /** Set by the cases repository when the entry belongs to a case. */
  readonly caseId?: string | null;
  /** The 6-digit region the entry is routed by (the case's item's targetRegion); see migration 0003. */
  readonly region?: string | null;
}

export interface OutboxEntry {
  readonly seq: number;
  readonly caseId: string | null;
  /** Null only for an entry whose case's item no catalog named when it was made (resolved when read). */
  readonly region: string | null;
  readonly kind: string;
  readonly payload: unknown;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly lastError: string | null;
  readonly quarantinedReason: string | null;
  readonly quarantinedCode: string | null;
  readonly createdAt: number;
  readonly sentAt: number | null;
}

const O = 'outbox';
const REGION = /^\d{6}$/;
const outboxAad = (caseId: string | null, kind: string): string => placeAad(O, caseId ?? '-', kind);

export class OutboxRepo {
  private readonly addStmt;
  private readonly dueStmt;
  private readonly getStmt;
  private readonly headsStmt;
  /** Prepared once: an acknowledgement runs it for every entry (preparing it each time cost ~30 µs an entry). */
  private readonly markSentOnceStmt;
  private readonly markSentManyStmt;
  private readonly addListeners = new Set<() => void>();

  constructor(
    private readonly core: StoreCore,
    private readonly cipher: StoreCipher,
  ) {
    this.addStmt = core.db.prepare('INSERT INTO outbox (case_id, region, kind, payload_sealed, created_at) VALUES (?, ?, ?, ?, ?)');
    this.dueStmt = core.db.prepare(
      'SELECT * FROM outbox WHERE sent_at IS NULL AND quarantined_reason IS NULL AND next_attempt_at <= ? ORDER BY seq LIMIT ?',
    );
    this.getStmt = core.db.prepare('SELECT * FROM outbox WHERE seq = ?');
    this.markSentOnceStmt = core.db.prepare('UPDATE outbox SET sent_at = ? WHERE seq = ? AND sent_at IS NULL RETURNING case_id');
    this.markSentManyStmt = core.db.prepare('UPDATE outbox SET sent_at = ? WHERE seq IN (SELECT value FROM json_each(?)) AND sent_at IS NULL RETURNING seq, case_id');
    // The earliest unsent entry of each case (outbox_unsent_by_case), ready and routed; see heads().
    this.headsStmt = core.db.prepare(`
      SELECT o.* FROM outbox o
       WHERE o.sent_at IS NULL AND o.quarantined_reason IS NULL AND o.next_attempt_at <= @now
         AND (@any = 1 OR o.region IS NULL OR o.region IN (SELECT value FROM json_each(@regions)))
         AND (o.case_id IS NULL OR NOT EXISTS (SELECT 1 FROM outbox p WHERE p.case_id = o.case_id AND p.sent_at IS NULL AND p.seq < o.seq))
         AND o.seq NOT IN (SELECT value FROM json_each(@exclude))
       ORDER BY o.seq LIMIT @limit`);
  }

  /** Appends an entry (inside the caller's transaction when there is one); returns its seq. */
  add(entry: NewOutboxEntry, at: number = Date.now()): number {
    if (!entry.kind) throw new InputError('store.outboxKind', 'an outbox entry needs a kind');
    if (entry.region != null && !REGION.test(entry.region)) throw new InputError('store.outboxRegion', `an outbox region is a 6-digit region code, not ${JSON.stringify(entry.region)}`);
    const caseId = entry.caseId ?? null;
    const payload = sealJson(this.cipher, entry.payload ?? null, outboxAad(caseId, entry.kind));
    const seq = Number(this.addStmt.run(caseId, entry.region ?? null, entry.kind, payload, at).lastInsertRowid);
    for (const l of this.addListeners) l();
    return seq;
  }

  /**
   * Calls `listener` after each add (the sync client's kick). It runs inside the writer's transaction:
   * it must only schedule work for later (better-sqlite3 is synchronous, so work scheduled from here
   * runs after the commit, or finds nothing after a rollback). Returns the unsubscribe function.
   */
  onAdd(listener: () => void): () => void {
    this.addListeners.add(listener);
    return () => this.addListeners.delete(listener);
  }

  /** Pending entries in FIFO order whose retry time has come. */
  due(now: number = Date.now(), limit = 50): OutboxEntry[] {
    return (this.dueStmt.all(now, limit) as Row[]).map((r) => this.fromRow(r));
  }

  get(seq: number): OutboxEntry | undefined {
    const r = this.getStmt.get(seq) as Row | undefined;
    return r ? this.fromRow(r) : undefined;
  }

  /** Marks an unsent entry sent; returns its case id (null: none), or undefined when it was sent already or does not exist. Its payload is not opened. */
  markSentOnce(seq: number, at: number = Date.now()): string | null | undefined {
    const r = this.markSentOnceStmt.get(at, seq) as Row | undefined;
    return r ? textOrNull(r, O, 'case_id') : undefined;
  }

  /**
   * markSentOnce for many entries in one statement (an acknowledgement of a whole batch): the entries
   * that were unsent, each with its case id (null: none), in the order of `seqs`. Sent ones and unknown
   * seqs are left out. Payloads are not opened.
   */
  markSentMany(seqs: readonly number[], at: number = Date.now()): { seq: number; caseId: string | null }[] {
    if (seqs.length === 0) return [];
    for (const seq of seqs) if (!Number.isSafeInteger(seq)) throw new InputError('store.outboxSeq', `an outbox seq is an integer, not ${String(seq)}`);
    const bySeq = new Map<number, string | null>();
    for (const r of this.markSentManyStmt.all(at, JSON.stringify(seqs)) as Row[]) bySeq.set(int(r, O, 'seq'), textOrNull(r, O, 'case_id'));
    const out: { seq: number; caseId: string | null }[] = [];
    for (const seq of seqs) {
      if (!bySeq.has(seq)) continue;
      out.push({ seq, caseId: bySeq.get(seq)! });
      bySeq.delete(seq); // a seq named twice counts once
    }
    return out;
  }

  markSent(seq: number, at: number = Date.now()): void {
    this.core.db.prepare('UPDATE outbox SET sent_at = ? WHERE seq = ? AND sent_at IS NULL').run(at, seq);
  }

  /** Records a failed attempt and when to try again. */
  markFailed(seq: number, error: string, nextAttemptAt: number): void {
    this.core.db.prepare('UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE seq = ?').run(error, nextAttemptAt, seq);
  }

  /** Takes an entry the endpoint will never accept out of the queue (kept for a person to look at). */
  quarantine(seq: number, reason: string, code: string | null = null): void {
    this.core.db.prepare('UPDATE outbox SET quarantined_reason = ?, quarantined_code = ? WHERE seq = ? AND sent_at IS NULL').run(reason, code, seq);
  }

  /** Puts a quarantined entry back in the queue, due now, its attempts reset. False when it was not quarantined. */
  release(seq: number): boolean {
    return (
      this.core.db
        .prepare('UPDATE outbox SET quarantined_reason = NULL, quarantined_code = NULL, attempts = 0, last_error = NULL, next_attempt_at = 0 WHERE seq = ? AND quarantined_reason IS NOT NULL AND sent_at IS NULL')
        .run(seq).changes === 1
    );
  }

  /**
   * The head of each case's queue that is ready to go: the earliest unsent entry of its case (a case's
   * entries go out in order, one at a time, so a case whose earliest unsent entry is quarantined, held
   * back or in `exclude` gives nothing), not quarantined, due at `now`, whose region is one of `regions`
   * ('*': any; a row without a region passes and is for the caller to route). FIFO by seq.
   */
  heads(q: { regions: readonly string[] | '*'; now: number; limit: number; exclude: ReadonlySet<number> }): OutboxEntry[] {
    const any = q.regions === '*';
    // The entries in flight are left out by SQLite: reading them (sealed payloads) to skip them here cost
    // about as much as the entries wanted, with a full window in flight.
    const rows = this.headsStmt.all({ now: q.now, any: any ? 1 : 0, regions: JSON.stringify(any ? [] : q.regions), exclude: JSON.stringify([...q.exclude]), limit: q.limit }) as Row[];
    const out: OutboxEntry[] = [];
    for (const r of rows) {
      const seq = int(r, O, 'seq');
      if (q.exclude.has(seq)) continue;
      let entry: OutboxEntry;
      try {
        entry = this.fromRow(r);
      } catch (err) {
        // A row that cannot be opened (a damaged value, a key file gone) must not stop every other case: kept for staff.
        this.quarantine(seq, `the entry cannot be opened: ${err instanceof Error ? err.message : String(err)}`.slice(0, 500), 'kiosk.unreadable');
        continue;
      }
      out.push(entry);
      if (out.length >= q.limit) break;
    }
    return out;
  }

  /** Unsent, not quarantined entries routed to `regions` ('*': all). */
  pendingIn(regions: readonly string[] | '*'): number {
    if (regions === '*') return this.pendingCount();
    return (this.core.db.prepare('SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL AND quarantined_reason IS NULL AND (region IS NULL OR region IN (SELECT value FROM json_each(?)))').get(JSON.stringify(regions)) as { n: number }).n;
  }

  /** Quarantined entries (unsent) routed to `regions` ('*': all). */
  quarantinedIn(regions: readonly string[] | '*'): number {
    if (regions === '*') return (this.core.db.prepare('SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL AND quarantined_reason IS NOT NULL').get() as { n: number }).n;
    return (this.core.db.prepare('SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL AND quarantined_reason IS NOT NULL AND (region IS NULL OR region IN (SELECT value FROM json_each(?)))').get(JSON.stringify(regions)) as { n: number }).n;
  }

  /** Unsent, not quarantined entries per region (null: a row without one), for routing and status. */
  pendingByRegion(): { region: string | null; count: number }[] {
    return (this.core.db.prepare('SELECT region, count(*) AS n FROM outbox WHERE sent_at IS NULL AND quarantined_reason IS NULL GROUP BY region ORDER BY region').all() as Row[]).map((r) => ({
      region: textOrNull(r, O, 'region'),
      count: int(r, O, 'n'),
    }));
  }

  /** Unsent entries without a region (made before their item was in any catalog), for the caller to resolve. */
  withoutRegion(limit = 1000): OutboxEntry[] {
    return (this.core.db.prepare('SELECT * FROM outbox WHERE sent_at IS NULL AND region IS NULL ORDER BY seq LIMIT ?').all(limit) as Row[]).map((r) => this.fromRow(r));
  }

  /** Sets the region of an entry that had none (see withoutRegion). */
  setRegion(seq: number, region: string): void {
    if (!REGION.test(region)) throw new InputError('store.outboxRegion', `an outbox region is a 6-digit region code, not ${JSON.stringify(region)}`);
    this.core.db.prepare('UPDATE outbox SET region = ? WHERE seq = ? AND region IS NULL').run(region, seq);
  }

  /** The quarantined entries (unsent), oldest first, without their payloads. */
  quarantined(limit = 1000): { seq: number; caseId: string | null; region: string | null; kind: string; code: string | null; reason: string; createdAt: number }[] {
    return (this.core.db.prepare('SELECT seq, case_id, region, kind, quarantined_code, quarantined_reason, created_at FROM outbox WHERE sent_at IS NULL AND quarantined_reason IS NOT NULL ORDER BY seq LIMIT ?').all(limit) as Row[]).map((r) => ({
      seq: int(r, O, 'seq'),
      caseId: textOrNull(r, O, 'case_id'),
      region: textOrNull(r, O, 'region'),
      kind: text(r, O, 'kind'),
      code: textOrNull(r, O, 'quarantined_code'),
      reason: text(r, O, 'quarantined_reason'),
      createdAt: int(r, O, 'created_at'),
    }));
  }

  pendingCount(): number {
    return (this.core.db.prepare('SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL AND quarantined_reason IS NULL').get() as { n: number }).n;
  }

  forCase(caseId: string): OutboxEntry[] {
    return (this.core.db.prepare('SELECT * FROM outbox WHERE case_id = ? ORDER BY seq').all(caseId) as Row[]).map((r) => this.fromRow(r));
  }

  private fromRow(r: Row): OutboxEntry {
    const caseId = textOrNull(r, O, 'case_id');
    const kind = text(r, O, 'kind');
    return {
      seq: int(r, O, 'seq'),
      caseId,
      region: textOrNull(r, O, 'region'),
      kind,
      payload: openJson(this.cipher, blob(r, O, 'payload_sealed'), outboxAad(caseId, kind)),
      attempts: int(r, O, 'attempts'),
      nextAttemptAt: int(r, O, 'next_attempt_at'),
      lastError: textOrNull(r, O, 'last_error'),
      quarantinedReason: textOrNull(r, O, 'quarantined_reason'),
      quarantinedCode: textOrNull(r, O, 'quarantined_code'),
      createdAt: int(r, O, 'created_at'),
      sentAt: intOrNull(r, O, 'sent_at'),
    };
  }
}

export interface InboxMessage {
  readonly seq: number;
  readonly endpoint: string;
  readonly messageId: string;
  readonly cursor: string | null;
  readonly kind: string | null;
  readonly caseId: string | null;
  /** Null when erased by a purge (or copied from before migration 0003). */
  readonly payload: unknown;
  readonly receivedAt: number;
  readonly appliedAt: number | null;
  /** Why it was not applied (it was skipped); null when applied. */
  readonly error: string | null;
}

export interface NewInboxMessage {
  readonly endpoint: string;
  readonly messageId: string;
  readonly cursor?: string | null;
  readonly kind?: string | null;
  readonly caseId?: string | null;
  readonly payload: unknown;
  /** Null: recorded, not applied, and why (`error`). */
  readonly appliedAt: number | null;
  readonly error?: string | null;
}

const I = 'inbox';
const inboxAad = (messageId: string): string => placeAad(I, messageId, 'payload');

export class InboxRepo {
  constructor(
    private readonly core: StoreCore,
    private readonly cipher: StoreCipher,
  ) {}

  /** Whether a message id was received already (a redelivery is skipped). */
  has(messageId: string): boolean {
    return this.core.db.prepare('SELECT 1 FROM inbox WHERE message_id = ?').get(messageId) !== undefined;
  }

  /**
   * Records a message (applied, or skipped with its reason) inside the caller's transaction, which also
   * applies it and advances the cursor. Returns false for a message id already recorded (nothing written).
   */
  record(m: NewInboxMessage, at: number = Date.now()): boolean {
    const payload = sealJson(this.cipher, m.payload ?? null, inboxAad(m.messageId));
    return (
      this.core.db
        .prepare('INSERT INTO inbox (endpoint, message_id, cursor, kind, case_id, payload_sealed, received_at, applied_at, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING')
        .run(m.endpoint, m.messageId, m.cursor ?? null, m.kind ?? null, m.caseId ?? null, payload, at, m.appliedAt, m.error ?? null).changes === 1
    );
  }

  /**
   * Records a received message and advances the endpoint's cursor in one transaction, to be applied
   * later (markApplied). Returns false for a message id already received: nothing is written but the cursor.
   */
  receive(m: { endpoint: string; messageId: string; cursor?: string | null; payload: unknown }, at: number = Date.now()): boolean {
    return this.core.transaction(() => {
      const inserted = this.record({ ...m, appliedAt: null }, at);
      if (m.cursor != null) this.setCursor(m.endpoint, m.cursor, at);
      return inserted;
    });
  }

  setCursor(endpoint: string, cursor: string, at: number = Date.now()): void {
    this.core.db
      .prepare('INSERT INTO inbox_cursors (endpoint, cursor, updated_at) VALUES (?, ?, ?) ON CONFLICT (endpoint) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at')
      .run(endpoint, cursor, at);
  }

  removeCursor(endpoint: string): void {
    this.core.db.prepare('DELETE FROM inbox_cursors WHERE endpoint = ?').run(endpoint);
  }

  cursor(endpoint: string): string | null {
    const r = this.core.db.prepare('SELECT cursor FROM inbox_cursors WHERE endpoint = ?').get(endpoint) as Row | undefined;
    return r ? text(r, 'inbox_cursors', 'cursor') : null;
  }

  /** Received and not applied (waiting, or skipped with an error), in arrival order. */
  unapplied(limit = 50): InboxMessage[] {
    return (this.core.db.prepare('SELECT * FROM inbox WHERE applied_at IS NULL ORDER BY seq LIMIT ?').all(limit) as Row[]).map((r) => this.fromRow(r));
  }

  unappliedCount(): number {
    return (this.core.db.prepare('SELECT count(*) AS n FROM inbox WHERE applied_at IS NULL').get() as { n: number }).n;
  }

  forCase(caseId: string): InboxMessage[] {
    return (this.core.db.prepare('SELECT * FROM inbox WHERE case_id = ? ORDER BY seq').all(caseId) as Row[]).map((r) => this.fromRow(r));
  }

  /** Call inside the transaction that applies the message, so it is applied exactly once. */
  markApplied(seq: number, at: number = Date.now()): void {
    this.core.db.prepare('UPDATE inbox SET applied_at = ?, error = NULL WHERE seq = ?').run(at, seq);
  }

  private fromRow(r: Row): InboxMessage {
    const messageId = text(r, I, 'message_id');
    const sealed = blobOrNull(r, I, 'payload_sealed');
    return {
      seq: int(r, I, 'seq'),
      endpoint: text(r, I, 'endpoint'),
      messageId,
      cursor: textOrNull(r, I, 'cursor'),
      kind: textOrNull(r, I, 'kind'),
      caseId: textOrNull(r, I, 'case_id'),
      payload: sealed && sealed.length > 0 ? openJson(this.cipher, sealed, inboxAad(messageId)) : null,
      receivedAt: int(r, I, 'received_at'),
      appliedAt: intOrNull(r, I, 'applied_at'),
      error: textOrNull(r, I, 'error'),
    };
  }
}
