/**
 * A small but genuine KioskSyncStore over a SQLite file, for the sync tests (the agent's production one
 * is agent/sync/kiosk-sync-store.ts). Cases with a canonical content hash, an outbox FIFO by seq,
 * content-addressed files, an inbox that applies each endpoint event once, cursors and credentials per
 * endpoint — each write in one transaction, synchronous=FULL. It can be reopened on the same file, as a
 * restarted kiosk would.
 */
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { sm3Hex } from '../../../certs/sm3.js';
import { canonicalJson } from '../../../certs/pdf/templates/reference.js';
import type { CaseEntry, CaseStatus, DeviceHealth, EndpointEvent, FileRef, QueueSizes } from '../../protocol/index.js';
import type { KioskSyncStore, Regions, SyncEntry } from '../../client/types.js';

type Db = InstanceType<typeof Database>;
type Statement = Database.Statement<unknown[]>;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS cases (id TEXT PRIMARY KEY, region TEXT NOT NULL, status TEXT NOT NULL, content_hash TEXT NOT NULL, content TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS case_history (id INTEGER PRIMARY KEY, case_id TEXT NOT NULL REFERENCES cases(id), from_status TEXT NOT NULL, to_status TEXT NOT NULL, actor TEXT NOT NULL, note TEXT, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, case_id TEXT NOT NULL REFERENCES cases(id), region TEXT NOT NULL, kind TEXT NOT NULL,
  payload TEXT NOT NULL, files TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL DEFAULT 0,
  last_error TEXT, sent_at INTEGER, quarantine_code TEXT, quarantine_reason TEXT);
CREATE INDEX IF NOT EXISTS outbox_unsent ON outbox(case_id, seq) WHERE sent_at IS NULL;
CREATE INDEX IF NOT EXISTS outbox_ready ON outbox(seq) WHERE sent_at IS NULL AND quarantine_code IS NULL;
CREATE TABLE IF NOT EXISTS files (sm3 TEXT PRIMARY KEY, media_type TEXT NOT NULL, bytes BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS inbox (event_id TEXT PRIMARY KEY, endpoint_url TEXT NOT NULL, cursor TEXT NOT NULL, kind TEXT NOT NULL, body TEXT NOT NULL, outcome TEXT NOT NULL, applied_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS cursors (endpoint_url TEXT PRIMARY KEY, cursor TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS credentials (endpoint_url TEXT PRIMARY KEY, kiosk_id TEXT NOT NULL, secret TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

interface OutboxRow {
  seq: number;
  case_id: string;
  region: string;
  kind: string;
  payload: string;
  files: string;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  sent_at: number | null;
  quarantine_code: string | null;
  quarantine_reason: string | null;
}

export interface TestCaseOptions {
  region?: string;
  /** Attached materials: their bytes are stored as files and listed in the content. */
  attachments?: { bytes: Uint8Array; mediaType?: FileRef['mediaType'] }[];
  /** Replaces the content hash in the payload (to provoke a permanent rejection). */
  badHash?: boolean;
  /** Makes the content a little larger (bench-like cases of ~2 KB). */
  padding?: number;
}

export interface InboxRecord {
  eventId: string;
  endpointUrl: string;
  cursor: string;
  kind: string;
  outcome: string;
}

export class TestKioskStore implements KioskSyncStore {
  readonly db: Db;
  private serial = 0;
  /** Counts applyEvents calls that applied at least one event (tests check "once"). */
  applyCalls = 0;
  /** Seqs in the order they were marked sent (each once), since this object was opened. */
  readonly acknowledgedLog: number[] = [];

  constructor(readonly path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    this.serial = (this.db.prepare('SELECT count(*) AS n FROM cases').get() as { n: number }).n;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  // ---- test-side writers (what the agent's CaseService does) ----

  /** A case at `submitted` with its `case.submitted` outbox entry, in one transaction. Returns the case id and seq. */
  submitCase(options: TestCaseOptions = {}): { caseId: string; seq: number; contentHash: string; files: FileRef[] } {
    const caseId = randomUUID();
    const region = options.region ?? '310000';
    const files: FileRef[] = (options.attachments ?? []).map((a) => ({
      sm3: sm3Hex(a.bytes),
      size: a.bytes.length,
      mediaType: a.mediaType ?? 'application/pdf',
    }));
    const content = {
      format: 1,
      id: caseId,
      itemCode: `${region}-GJJ-0002`,
      catalogVersion: 1,
      applicant: { source: 'idCard', idType: 'resident', idNumber: '341602199001011234', name: '王演示' },
      form: { purpose: '购房', amount: 80000, ...(options.padding ? { remark: 'x'.repeat(options.padding) } : {}) },
      materials: files.map((f, i) => ({ id: `m${String(i).padStart(2, '0')}`, provision: 'attached', form: '原件', ...f })),
    };
    const contentHash = sm3Hex(canonicalJson(content));
    const serial = `TB${String(++this.serial).padStart(8, '0')}`;
    const payload = { serial, contentHash: options.badHash ? sm3Hex('not the content') : contentHash, content };
    const seq = this.db.transaction(() => {
      this.db.prepare('INSERT INTO cases (id, region, status, content_hash, content) VALUES (?, ?, ?, ?, ?)').run(
        caseId,
        region,
        'submitted',
        contentHash,
        JSON.stringify(content),
      );
      options.attachments?.forEach((a, i) => this.putFile(a.bytes, files[i]!.mediaType));
      return this.addOutbox(caseId, region, 'case.submitted', payload, files);
    })();
    return { caseId, seq, contentHash, files };
  }

  /** Many cases in one transaction (a backlog made quickly). */
  submitCases(n: number, options: TestCaseOptions = {}): { caseId: string; seq: number; contentHash: string; files: FileRef[] }[] {
    return this.db.transaction(() => Array.from({ length: n }, () => this.submitCase(options)))();
  }

  /** A `case.contentChanged` entry for an existing case (a second entry of the same case). */
  changeContent(caseId: string): number {
    const row = this.db.prepare('SELECT region, content FROM cases WHERE id = ?').get(caseId) as { region: string; content: string };
    const content = JSON.parse(row.content) as Record<string, unknown>;
    content.form = { ...(content.form as object), remark: `changed ${Date.now()}` };
    const contentHash = sm3Hex(canonicalJson(content));
    return this.db.transaction(() => {
      this.db.prepare('UPDATE cases SET content = ?, content_hash = ? WHERE id = ?').run(JSON.stringify(content), contentHash, caseId);
      return this.addOutbox(caseId, row.region, 'case.contentChanged', { contentHash, content }, []);
    })();
  }

  putFile(bytes: Uint8Array, mediaType: string = 'application/pdf'): string {
    const sm3 = sm3Hex(bytes);
    this.db.prepare('INSERT OR IGNORE INTO files (sm3, media_type, bytes) VALUES (?, ?, ?)').run(sm3, mediaType, Buffer.from(bytes));
    return sm3;
  }

  private addOutbox(caseId: string, region: string, kind: CaseEntry['kind'], payload: unknown, files: FileRef[]): number {
    const r = this.db
      .prepare('INSERT INTO outbox (case_id, region, kind, payload, files) VALUES (?, ?, ?, ?, ?)')
      .run(caseId, region, kind, JSON.stringify(payload), JSON.stringify(files));
    return Number(r.lastInsertRowid);
  }

  // ---- test-side readers ----

  outbox(): { seq: number; caseId: string; region: string; sent: boolean; attempts: number; nextAttemptAt: number; lastError: string | null; quarantine: string | null }[] {
    return (this.db.prepare('SELECT * FROM outbox ORDER BY seq').all() as OutboxRow[]).map((r) => ({
      seq: r.seq,
      caseId: r.case_id,
      region: r.region,
      sent: r.sent_at !== null,
      attempts: r.attempts,
      nextAttemptAt: r.next_attempt_at,
      lastError: r.last_error,
      quarantine: r.quarantine_code,
    }));
  }

  caseStatus(caseId: string): string | undefined {
    return (this.db.prepare('SELECT status FROM cases WHERE id = ?').get(caseId) as { status: string } | undefined)?.status;
  }

  history(caseId: string): { from: string; to: string; actor: string; note: string | null }[] {
    return (
      this.db.prepare('SELECT from_status, to_status, actor, note FROM case_history WHERE case_id = ? ORDER BY id').all(caseId) as {
        from_status: string;
        to_status: string;
        actor: string;
        note: string | null;
      }[]
    ).map((r) => ({ from: r.from_status, to: r.to_status, actor: r.actor, note: r.note }));
  }

  inbox(): InboxRecord[] {
    return (
      this.db.prepare('SELECT event_id, endpoint_url, cursor, kind, outcome FROM inbox ORDER BY rowid').all() as {
        event_id: string;
        endpoint_url: string;
        cursor: string;
        kind: string;
        outcome: string;
      }[]
    ).map((r) => ({ eventId: r.event_id, endpointUrl: r.endpoint_url, cursor: r.cursor, kind: r.kind, outcome: r.outcome }));
  }

  catalogVersion(): number | null {
    const r = this.db.prepare("SELECT value FROM meta WHERE key = 'catalogVersion'").get() as { value: string } | undefined;
    return r ? Number(r.value) : null;
  }

  // ---- KioskSyncStore ----

  pending(q: { regions: Regions; now: number; limit: number; exclude: ReadonlySet<number> }): SyncEntry[] {
    if (q.limit <= 0 || (q.regions !== '*' && q.regions.length === 0)) return [];
    const regionClause = q.regions === '*' ? '' : `AND o.region IN (${q.regions.map(() => '?').join(',')})`;
    // The earliest unsent entry of each case (quarantined ones included, so they block their case).
    const sql = `SELECT o.* FROM outbox o INDEXED BY outbox_ready
      WHERE o.sent_at IS NULL AND o.quarantine_code IS NULL AND o.next_attempt_at <= ? ${regionClause}
        AND o.seq NOT IN (SELECT value FROM json_each(?))
        AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.case_id = o.case_id AND p.sent_at IS NULL AND p.seq < o.seq)
      ORDER BY o.seq LIMIT ?`;
    const params: unknown[] = [q.now, ...(q.regions === '*' ? [] : q.regions), JSON.stringify([...q.exclude]), q.limit];
    return (this.statement(sql).all(...params) as OutboxRow[]).map((r) => ({
      seq: r.seq,
      caseId: r.case_id,
      region: r.region,
      kind: r.kind as CaseEntry['kind'],
      payload: JSON.parse(r.payload) as CaseEntry['payload'],
      files: JSON.parse(r.files) as FileRef[],
      attempts: r.attempts,
    }));
  }

  private readonly statements = new Map<string, Statement>();
  /** Prepared once per SQL text. */
  private statement(sql: string): Statement {
    let st = this.statements.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      this.statements.set(sql, st);
    }
    return st;
  }

  hasFile(sm3: string): boolean {
    return this.db.prepare('SELECT 1 FROM files WHERE sm3 = ?').get(sm3) !== undefined;
  }

  readFile(sm3: string): Uint8Array {
    const r = this.db.prepare('SELECT bytes FROM files WHERE sm3 = ?').get(sm3) as { bytes: Buffer } | undefined;
    if (!r) throw new Error(`no file ${sm3}`);
    return new Uint8Array(r.bytes);
  }

  acknowledged(seqs: readonly number[], at: number): void {
    this.db.transaction(() => {
      const marked = this.statement('UPDATE outbox SET sent_at = ? WHERE seq IN (SELECT value FROM json_each(?)) AND sent_at IS NULL RETURNING seq, case_id')
        .all(at, JSON.stringify(seqs)) as { seq: number; case_id: string }[];
      marked.sort((a, b) => a.seq - b.seq);
      const when = new Date(at).toISOString();
      for (const r of marked) {
        this.acknowledgedLog.push(r.seq);
        const c = this.statement('SELECT status FROM cases WHERE id = ?').get(r.case_id) as { status: string } | undefined;
        if (c?.status === 'submitted') this.transition(r.case_id, 'submitted', 'uploaded', 'sync', null, when);
      }
    })();
  }

  failed(seq: number, error: string, nextAttemptAt: number): void {
    this.db.prepare('UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE seq = ?').run(error, nextAttemptAt, seq);
  }

  quarantine(seq: number, code: string, reason: string): void {
    this.db.prepare('UPDATE outbox SET quarantine_code = ?, quarantine_reason = ? WHERE seq = ?').run(code, reason, seq);
  }

  /** What staff do from the quarantine list: put it back in the queue. */
  releaseQuarantine(seq: number): void {
    this.db.prepare('UPDATE outbox SET quarantine_code = NULL, quarantine_reason = NULL, next_attempt_at = 0 WHERE seq = ?').run(seq);
  }

  credentials(endpointUrl: string): { kioskId: string; secret: string } | undefined {
    const r = this.db.prepare('SELECT kiosk_id, secret FROM credentials WHERE endpoint_url = ?').get(endpointUrl) as
      | { kiosk_id: string; secret: string }
      | undefined;
    return r ? { kioskId: r.kiosk_id, secret: r.secret } : undefined;
  }

  saveCredentials(endpointUrl: string, c: { kioskId: string; secret: string }): void {
    this.db
      .prepare('INSERT INTO credentials (endpoint_url, kiosk_id, secret) VALUES (?, ?, ?) ON CONFLICT(endpoint_url) DO UPDATE SET kiosk_id = excluded.kiosk_id, secret = excluded.secret')
      .run(endpointUrl, c.kioskId, c.secret);
  }

  cursor(endpointUrl: string): string | null {
    return (this.db.prepare('SELECT cursor FROM cursors WHERE endpoint_url = ?').get(endpointUrl) as { cursor: string } | undefined)?.cursor ?? null;
  }

  applyEvents(endpointUrl: string, events: readonly EndpointEvent[], files: ReadonlyMap<string, Uint8Array>): void {
    if (events.length === 0) return;
    const seen = this.db.prepare('SELECT 1 FROM inbox WHERE event_id = ?');
    const record = this.db.prepare('INSERT INTO inbox (event_id, endpoint_url, cursor, kind, body, outcome, applied_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    let applied = 0;
    this.db.transaction(() => {
      for (const e of events) {
        if (seen.get(e.id)) continue;
        const outcome = this.applyOne(e, files);
        record.run(e.id, endpointUrl, e.cursor, e.kind, JSON.stringify(e), outcome, Date.now());
        applied++;
      }
      const last = events[events.length - 1]!.cursor;
      const prev = this.cursor(endpointUrl);
      // The cursor only moves forward (a replayed, older message never takes it back).
      if (prev === null || BigInt(last) > BigInt(prev)) {
        this.db
          .prepare('INSERT INTO cursors (endpoint_url, cursor) VALUES (?, ?) ON CONFLICT(endpoint_url) DO UPDATE SET cursor = excluded.cursor')
          .run(endpointUrl, last);
      }
    })();
    if (applied > 0) this.applyCalls++;
  }

  /** Applies one event; an event that cannot be applied is recorded with its reason and skipped. */
  private applyOne(e: EndpointEvent, files: ReadonlyMap<string, Uint8Array>): string {
    if (e.kind === 'catalog') {
      const prev = this.catalogVersion();
      if (prev !== null && prev >= e.version) return 'skipped: older catalog';
      this.db.prepare("INSERT INTO meta (key, value) VALUES ('catalogVersion', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(String(e.version));
      return 'applied';
    }
    const c = this.db.prepare('SELECT status FROM cases WHERE id = ?').get(e.caseId) as { status: string } | undefined;
    if (!c) return 'skipped: unknown case';
    for (const r of e.results) {
      const bytes = files.get(r.sm3) ?? (this.hasFile(r.sm3) ? this.readFile(r.sm3) : undefined);
      if (!bytes || sm3Hex(bytes) !== r.sm3) throw new Error(`result file ${r.sm3} missing or corrupt`);
      this.putFile(bytes, r.mediaType);
    }
    let from = c.status;
    if (from === 'submitted') {
      this.transition(e.caseId, 'submitted', 'uploaded', 'endpoint', null, e.at);
      from = 'uploaded';
    }
    this.transition(e.caseId, from as CaseStatus, e.to, 'endpoint', e.note ?? null, e.at);
    return 'applied';
  }

  private transition(caseId: string, from: string, to: string, actor: string, note: string | null, at: string): void {
    this.statement('UPDATE cases SET status = ? WHERE id = ?').run(to, caseId);
    this.statement('INSERT INTO case_history (case_id, from_status, to_status, actor, note, at) VALUES (?, ?, ?, ?, ?, ?)').run(caseId, from, to, actor, note, at);
  }

  heartbeat(): { devices: DeviceHealth[]; queue: QueueSizes; auditHead: { seq: number; hash: string } | null } {
    const c = this.counts('*');
    return {
      devices: [{ device: 'printer', state: 'online' }],
      queue: { pending: c.pending, quarantined: c.quarantined, unrouted: 0, inboxUnapplied: 0 },
      auditHead: null,
    };
  }

  counts(regions: Regions): { pending: number; quarantined: number } {
    if (regions !== '*' && regions.length === 0) return { pending: 0, quarantined: 0 };
    const clause = regions === '*' ? '' : `AND region IN (${regions.map(() => '?').join(',')})`;
    const args = regions === '*' ? [] : [...regions];
    const r = this.db
      .prepare(
        `SELECT sum(quarantine_code IS NULL) AS pending, sum(quarantine_code IS NOT NULL) AS quarantined FROM outbox WHERE sent_at IS NULL ${clause}`,
      )
      .get(...args) as { pending: number | null; quarantined: number | null };
    return { pending: r.pending ?? 0, quarantined: r.quarantined ?? 0 };
  }
}
