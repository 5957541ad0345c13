/**
 * The sync outbox and inbox (read by sync/, issue 6). The outbox is FIFO by `seq`, a monotonic
 * AUTOINCREMENT number, never by a wall clock that may jump; `nextAttemptAt` only holds an entry back
 * after a failure. Payloads may name personal data, so they are sealed. The inbox applies each message
 * once: its id is unique, and a message is recorded together with its endpoint's cursor.
 */
import { InputError } from '../../base/errors.js';
import type { StoreCipher } from './cipher.js';
import { openJson, placeAad, sealJson } from './cipher.js';
import type { StoreCore } from './open-store.js';
import { blob, int, intOrNull, json, text, textOrNull, type Row } from './rows.js';

export interface NewOutboxEntry {
  readonly kind: string;
  readonly payload: unknown;
  /** Set by the cases repository when the entry belongs to a case. */
  readonly caseId?: string | null;
}

export interface OutboxEntry {
  readonly seq: number;
  readonly caseId: string | null;
  readonly kind: string;
  readonly payload: unknown;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly lastError: string | null;
  readonly quarantinedReason: string | null;
  readonly createdAt: number;
  readonly sentAt: number | null;
}

const O = 'outbox';
const outboxAad = (caseId: string | null, kind: string): string => placeAad(O, caseId ?? '-', kind);

export class OutboxRepo {
  private readonly addStmt;
  private readonly dueStmt;
  private readonly getStmt;

  constructor(
    private readonly core: StoreCore,
    private readonly cipher: StoreCipher,
  ) {
    this.addStmt = core.db.prepare('INSERT INTO outbox (case_id, kind, payload_sealed, created_at) VALUES (?, ?, ?, ?)');
    this.dueStmt = core.db.prepare(
      'SELECT * FROM outbox WHERE sent_at IS NULL AND quarantined_reason IS NULL AND next_attempt_at <= ? ORDER BY seq LIMIT ?',
    );
    this.getStmt = core.db.prepare('SELECT * FROM outbox WHERE seq = ?');
  }

  /** Appends an entry (inside the caller's transaction when there is one); returns its seq. */
  add(entry: NewOutboxEntry, at: number = Date.now()): number {
    if (!entry.kind) throw new InputError('store.outboxKind', 'an outbox entry needs a kind');
    const caseId = entry.caseId ?? null;
    const payload = sealJson(this.cipher, entry.payload ?? null, outboxAad(caseId, entry.kind));
    return Number(this.addStmt.run(caseId, entry.kind, payload, at).lastInsertRowid);
  }

  /** Pending entries in FIFO order whose retry time has come. */
  due(now: number = Date.now(), limit = 50): OutboxEntry[] {
    return (this.dueStmt.all(now, limit) as Row[]).map((r) => this.fromRow(r));
  }

  get(seq: number): OutboxEntry | undefined {
    const r = this.getStmt.get(seq) as Row | undefined;
    return r ? this.fromRow(r) : undefined;
  }

  markSent(seq: number, at: number = Date.now()): void {
    this.core.db.prepare('UPDATE outbox SET sent_at = ? WHERE seq = ? AND sent_at IS NULL').run(at, seq);
  }

  /** Records a failed attempt and when to try again. */
  markFailed(seq: number, error: string, nextAttemptAt: number): void {
    this.core.db.prepare('UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE seq = ?').run(error, nextAttemptAt, seq);
  }

  /** Takes an entry the endpoint will never accept out of the queue (kept for a person to look at). */
  quarantine(seq: number, reason: string): void {
    this.core.db.prepare('UPDATE outbox SET quarantined_reason = ? WHERE seq = ?').run(reason, seq);
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
      kind,
      payload: openJson(this.cipher, blob(r, O, 'payload_sealed'), outboxAad(caseId, kind)),
      attempts: int(r, O, 'attempts'),
      nextAttemptAt: int(r, O, 'next_attempt_at'),
      lastError: textOrNull(r, O, 'last_error'),
      quarantinedReason: textOrNull(r, O, 'quarantined_reason'),
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
  readonly payload: unknown;
  readonly receivedAt: number;
  readonly appliedAt: number | null;
}

const I = 'inbox';

export class InboxRepo {
  constructor(private readonly core: StoreCore) {}

  /**
   * Records a received message and advances the endpoint's cursor in one transaction. Returns false for
   * a message id already received (a redelivery): nothing is written but the cursor.
   */
  receive(m: { endpoint: string; messageId: string; cursor?: string | null; payload: unknown }, at: number = Date.now()): boolean {
    return this.core.transaction(() => {
      const inserted =
        this.core.db
          .prepare('INSERT INTO inbox (endpoint, message_id, cursor, payload, received_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING')
          .run(m.endpoint, m.messageId, m.cursor ?? null, JSON.stringify(m.payload ?? null), at).changes === 1;
      if (m.cursor != null) this.setCursor(m.endpoint, m.cursor, at);
      return inserted;
    });
  }

  setCursor(endpoint: string, cursor: string, at: number = Date.now()): void {
    this.core.db
      .prepare('INSERT INTO inbox_cursors (endpoint, cursor, updated_at) VALUES (?, ?, ?) ON CONFLICT (endpoint) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at')
      .run(endpoint, cursor, at);
  }

  cursor(endpoint: string): string | null {
    const r = this.core.db.prepare('SELECT cursor FROM inbox_cursors WHERE endpoint = ?').get(endpoint) as Row | undefined;
    return r ? text(r, 'inbox_cursors', 'cursor') : null;
  }

  /** Received and not yet applied, in arrival order. */
  unapplied(limit = 50): InboxMessage[] {
    return (this.core.db.prepare('SELECT * FROM inbox WHERE applied_at IS NULL ORDER BY seq LIMIT ?').all(limit) as Row[]).map((r) => ({
      seq: int(r, I, 'seq'),
      endpoint: text(r, I, 'endpoint'),
      messageId: text(r, I, 'message_id'),
      cursor: textOrNull(r, I, 'cursor'),
      payload: json(r, I, 'payload'),
      receivedAt: int(r, I, 'received_at'),
      appliedAt: intOrNull(r, I, 'applied_at'),
    }));
  }

  /** Call inside the transaction that applies the message, so it is applied exactly once. */
  markApplied(seq: number, at: number = Date.now()): void {
    this.core.db.prepare('UPDATE inbox SET applied_at = ? WHERE seq = ?').run(at, seq);
  }
}
