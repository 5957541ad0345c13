/**
 * The reference endpoint's store (contracts §3): one SQLite file (database.ts) and the content-addressed
 * files beside it (files.ts). Every write is one IMMEDIATE transaction that is durable when the method
 * returns, so the server acknowledges only what survives a crash:
 *
 * - commitBatch: every entry of a `cases` message checked (content id and SM3 content hash recomputed,
 *   region served, files complete, legal status move) and committed in ONE transaction, with the entry's
 *   (kiosk, seq) and outcome recorded — a repeated seq is a `duplicate` and never a second effect; the
 *   same case under a new seq with the same content is a `duplicate`, with other content a `case.conflict`.
 *   A rejected seq is recorded too, but checked again when it comes back (staff may have retried it
 *   after the cause was fixed, e.g. a region now served). A transient problem (`files.missing`) records
 *   nothing, and holds back the later entries of the same case in that batch (order within a case).
 *   A seq that comes back naming another case or kind is refused (`entry.seqReused`): a kiosk that lost
 *   its store and counts again from 1 is told so instead of having new cases taken for duplicates.
 * - setStatus: a clerk's 受理 / 补正 / 不予受理 / 办结, its history row, its result files and ONE event row
 *   for the case's kiosk, together. Events are numbered by SQLite (autoincrement): the id is the cursor.
 *
 * Case content holds personal data (the applicant): it is stored sealed for the clerk (sealed-columns.ts) and never logged.
 */
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type BetterSqlite3 from 'better-sqlite3';
import { EnvironmentError, InputError, messageOf } from '../../../base/errors.js';
import type { Logger } from '../../../base/log.js';
import { sm3Hex } from '../../../certs/sm3.js';
import { openEndpointDatabase } from './database.js';
import { AuthError, EnrollError, StatusError } from './errors.js';
import { EndpointFiles, type ChunkResult, type FileState } from './files.js';
import { lockEndpointDir, type EndpointLock } from './lock.js';
import { EndpointErasure, type ErasureReport } from './erasure.js';
import { CaseSealing } from './sealed-columns.js';
import { prepareFileSealing } from './file-sealing.js';
import { keysDirOf, openEndpointSealer, type EndpointSealer, type FileCipher } from './sealing.js';
import {
  CASE_STATUSES,
  LIMITS,
  MAX_JSON_DEPTH,
  MAX_NOTE_CHARS,
  MAX_REASON_CHARS,
  MAX_TITLE_CHARS,
  type AckResult,
  type AuditHead,
  type CaseEntry,
  type CaseStatus,
  type DeviceHealth,
  type EndpointEvent,
  type EndpointStatus,
  type JsonObject,
  type MediaType,
  type QueueSizes,
  type ResultDoc,
} from './protocol-types.js';
import { CLERK_MOVES, findRule, isEndpointStatus, isStoredStatus, KIOSK_MOVES, stored, type StoredStatus } from './status-rules.js';
import type { CaseHistoryEntry, EndpointCase, EndpointCaseSummary, EndpointResult, KioskRecord, SetStatusOptions } from './types.js';
import {
  checkContent,
  deeperThan,
  checkResults,
  DOCUMENT_ID_RE,
  filesOfContent,
  isMediaType,
  isObject,
  KIOSK_ID_RE,
  REGION_RE,
  rejected,
  sniffMediaType,
  SM3_RE,
  UUID_RE,
  type Problem,
} from './validate.js';

export interface OpenEndpointStoreOptions {
  readonly dataDir: string;
  readonly log: Logger;
  /** The regions this endpoint serves: 6-digit codes, or ['*'] (default) for any. */
  readonly regions?: readonly string[];
  /** The clock of enrolment tokens (tests); other writes take their time as an argument. */
  readonly now?: () => number;
  /**
   * The process that serves kiosks (default true). Only the owner repairs uploads at open (partials cut
   * back to their committed offset, strays removed): a CLI opening the store beside a running server
   * must not cut a chunk the server has written and is about to record.
   */
  readonly owner?: boolean;
  /**
   * Store the material and result files sealed (file-sealing.ts); the kiosk's embedded endpoint does.
   * Kept in the store once on: later openers need not say it again.
   */
  readonly sealFiles?: boolean;
}

export interface EndpointStore {
  readonly endpointId: string;
  readonly dataDir: string;
  readonly regions: readonly string[];
  close(): void;
  createEnrollToken(kioskId: string, ttlMs?: number): string;
  enroll(token: string, agentVersion: string): { kioskId: string; secret: string };
  authenticate(kioskId: string, secret: string): KioskRecord;
  revoke(kioskId: string): void;
  touch(kioskId: string, at: number, info: { address?: string; agentVersion?: string }): void;
  recordHeartbeat(kioskId: string, body: { devices: readonly DeviceHealth[]; queue: QueueSizes; auditHead: AuditHead | null }, at: number): void;
  kiosks(): KioskRecord[];
  kiosk(kioskId: string): KioskRecord | undefined;
  commitBatch(kioskId: string, entries: readonly CaseEntry[], at: number): AckResult[];
  cases(filter?: { status?: string; kioskId?: string }): EndpointCaseSummary[];
  getCase(id: string): EndpointCase | undefined;
  setStatus(caseId: string, to: EndpointStatus, opts: SetStatusOptions, at: number): EndpointCase;
  setCatalog(catalog: object, version: number, at?: number): void;
  catalog(): { version: number; catalog: JsonObject } | undefined;
  eventsAfter(kioskId: string, cursor: string | null, limit: number): EndpointEvent[];
  ackEvents(kioskId: string, cursor: string): void;
  maxEventId(): number;
  fileStatus(sm3: string): FileState;
  beginFile(sm3: string, size: number, mediaType: string, at?: number): { committed: number; complete: boolean };
  appendChunk(sm3: string, offset: number, data: Uint8Array, last: boolean, at?: number): ChunkResult;
  readFile(sm3: string, offset: number, length: number): Uint8Array;
  hasFile(sm3: string): boolean;
  /** Erases the personal data of every case of the person with this ID number (found by its keyed hash; erasure.ts). */
  eraseApplicant(idNumber: string, at?: number): ErasureReport;
  /** Erases the personal data of the cases completed more than `retentionDays` ago (erasure.ts). */
  purgeExpired(retentionDays: number, at?: number): ErasureReport;
}

const DEFAULT_TOKEN_TTL_MS = 24 * 3600 * 1000;
const MAX_TOKEN_TTL_MS = 366 * 24 * 3600 * 1000;
const FILES_RETRY_MS = 1000;
/** The protocol's limits: an event the kiosk's decoder would refuse must never be written. */
const MAX_NOTE = MAX_NOTE_CHARS;
const MAX_TITLE = MAX_TITLE_CHARS;
/** Room left in a text frame around a catalog event. */
const MAX_CATALOG_BYTES = LIMITS.maxTextBytes - 64 * 1024;

interface KioskRow {
  id: string;
  secret_hash: string;
  enrolled_at: number;
  revoked_at: number | null;
  last_seen_at: number | null;
  address: string | null;
  agent_version: string | null;
  highest_seq: number;
  acked_event: number;
  devices: string | null;
  queue: string | null;
  audit_head: string | null;
  heartbeat_at: number | null;
  unacked: number;
}

interface CaseRow {
  id: string;
  kiosk_id: string;
  serial: string;
  item_code: string;
  region: string;
  status: string;
  content_hash: string;
  content: string;
  received_at: number;
  updated_at: number;
  applicant_hash: string | null;
  purged_at: number | null;
}

interface ReceivedRow {
  case_id: string;
  kind: string;
  outcome: 'committed' | 'duplicate' | 'rejected';
}

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

/** JSON read back from a column, parsed defensively: a damaged value reads as null, never a crash. */
function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function parseCursor(cursor: string): number {
  if (typeof cursor !== 'string' || !/^[1-9]\d{0,15}$/.test(cursor) || !Number.isSafeInteger(Number(cursor))) {
    throw new InputError('events.badCursor', 'a cursor is the decimal string of a positive integer');
  }
  return Number(cursor);
}

/** SQLite refused a row (a CHECK, a foreign key, a unique key). */
function isConstraintError(err: unknown): boolean {
  return err instanceof Error && String((err as { code?: string }).code ?? '').startsWith('SQLITE_CONSTRAINT');
}

function checkKioskId(kioskId: string): void {
  if (typeof kioskId !== 'string' || !KIOSK_ID_RE.test(kioskId)) {
    throw new InputError('kiosk.badId', 'a kiosk id is 1 to 64 characters of A-Z, a-z, 0-9, ".", "_" and "-"');
  }
}

function checkCaseId(caseId: string): void {
  if (typeof caseId !== 'string' || !UUID_RE.test(caseId)) throw new InputError('case.badId', 'a case id is a lower-case UUID');
}

function checkDevices(devices: unknown): readonly DeviceHealth[] {
  const ok = (s: unknown, max: number) => typeof s === 'string' && s.length <= max;
  if (!Array.isArray(devices) || devices.length > 64) throw new InputError('heartbeat.invalid', 'devices is a list of at most 64 entries');
  for (const d of devices as unknown[]) {
    if (!isObject(d) || !ok(d.device, 100) || !ok(d.state, 100) || (d.detail !== undefined && !ok(d.detail, 500))) {
      throw new InputError('heartbeat.invalid', 'a device entry is { device, state, detail? } of short strings');
    }
  }
  return devices as DeviceHealth[];
}

function checkQueue(queue: unknown): QueueSizes {
  const n = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
  if (!isObject(queue) || !n(queue.pending) || !n(queue.quarantined) || !n(queue.unrouted) || !n(queue.inboxUnapplied)) {
    throw new InputError('heartbeat.invalid', 'queue is { pending, quarantined, unrouted, inboxUnapplied } of whole numbers');
  }
  return { pending: queue.pending as number, quarantined: queue.quarantined as number, unrouted: queue.unrouted as number, inboxUnapplied: queue.inboxUnapplied as number };
}

function checkAuditHead(head: unknown): AuditHead | null {
  if (head === null) return null;
  if (!isObject(head) || !Number.isSafeInteger(head.seq) || typeof head.hash !== 'string' || !SM3_RE.test(head.hash)) {
    throw new InputError('heartbeat.invalid', 'auditHead is null or { seq, hash }');
  }
  return { seq: head.seq as number, hash: head.hash };
}

function optionalNote(note: unknown): string | undefined {
  if (note === undefined || note === null) return undefined;
  if (typeof note !== 'string') throw new StatusError('case.badNote', 'a note is text');
  const t = note.trim();
  if (t.length > MAX_NOTE) throw new StatusError('case.badNote', `a note has at most ${MAX_NOTE} characters`);
  return t.length ? t : undefined;
}

export function openEndpointStore(options: OpenEndpointStoreOptions): EndpointStore {
  const regions = options.regions?.length ? [...options.regions] : ['*'];
  for (const r of regions) {
    if (r !== '*' && !REGION_RE.test(r)) throw new InputError('endpoint.badRegion', `a region is a 6-digit code (or *), not "${r}"`);
  }
  const log = options.log.child({ component: 'endpoint.store' });
  const owner = options.owner ?? true;
  let db: BetterSqlite3.Database | undefined;
  let lock: EndpointLock | undefined;
  try {
    // The database opening makes the directory; the lock is taken before anything is repaired in it.
    let sealer: EndpointSealer | undefined;
    db = openEndpointDatabase(options.dataDir, log, undefined, { sealer: () => (sealer ??= openEndpointSealer({ dataDir: options.dataDir })) });
    sealer ??= openSealerFor(db, options.dataDir);
    if (owner) lock = lockEndpointDir(options.dataDir);
    const fileCipher = prepareFileSealing(db, options.dataDir, sealer, { sealFiles: options.sealFiles ?? false, owner, log });
    return new SqliteEndpointStore(db, options.dataDir, regions, log, options.now ?? Date.now, owner, lock, new CaseSealing(sealer), fileCipher);
  } catch (err) {
    db?.close();
    lock?.release();
    throw err;
  }
}

/**
 * The keys of a store: made at the first open of an empty store; a store that holds sealed values and
 * has lost DATA/keys is refused (new keys would hide that its cases can no longer be read).
 */
function openSealerFor(db: BetterSqlite3.Database, dataDir: string): EndpointSealer {
  const sealedRows = db.prepare("SELECT EXISTS (SELECT 1 FROM cases) OR EXISTS (SELECT 1 FROM events WHERE kind = 'case.status') AS n").get() as { n: number };
  if (sealedRows.n && !existsSync(keysDirOf(dataDir))) {
    throw new EnvironmentError(
      'endpoint.keyMissing',
      `the endpoint store in ${dataDir} holds sealed case data but its key directory ${keysDirOf(dataDir)} is missing: restore the keys from a backup (the store was left untouched)`,
    );
  }
  return openEndpointSealer({ dataDir, create: !sealedRows.n });
}

class SqliteEndpointStore implements EndpointStore {
  readonly endpointId: string;
  private readonly files: EndpointFiles;
  private readonly anyRegion: boolean;
  /** One entry's effect in a savepoint of the batch's transaction: a row the schema refuses undoes only that entry. */
  private readonly applyInSavepoint: (kioskId: string, e: CaseEntry, at: number) => 'committed' | 'duplicate' | Problem;
  /** The savepoint-free apply of the fast path (see commitBatch). */
  private readonly applyDirect = (kioskId: string, e: CaseEntry, at: number): 'committed' | 'duplicate' | Problem => this.applyEntry(kioskId, e, at);
  private readonly s: {
    kiosk: BetterSqlite3.Statement<[string], KioskRow>;
    caseRow: BetterSqlite3.Statement<[string], CaseRow>;
    received: BetterSqlite3.Statement<[string, number], ReceivedRow>;
    record: BetterSqlite3.Statement<[string, number, string, string, string, string | null, string | null, number]>;
    history: BetterSqlite3.Statement<[string, string | null, string, string, string | null, string, string | null, number]>;
    result: BetterSqlite3.Statement<[string, string, string, string, number, string, string, number]>;
    event: BetterSqlite3.Statement<[string, string, string, string | null, number | null, string, number]>;
  };

  constructor(
    private readonly db: BetterSqlite3.Database,
    readonly dataDir: string,
    readonly regions: readonly string[],
    private readonly log: Logger,
    private readonly now: () => number,
    owner: boolean,
    private readonly lock: EndpointLock | undefined,
    private readonly sealing: CaseSealing,
    fileCipher: FileCipher | undefined,
  ) {
    this.anyRegion = regions.includes('*');
    const kioskSql = `SELECT k.*, (SELECT count(*) FROM events e WHERE e.kiosk_id = k.id AND e.id > k.acked_event) AS unacked FROM kiosks k`;
    this.s = {
      kiosk: db.prepare(`${kioskSql} WHERE k.id = ?`),
      caseRow: db.prepare('SELECT * FROM cases WHERE id = ?'),
      received: db.prepare('SELECT case_id, kind, outcome FROM received WHERE kiosk_id = ? AND seq = ?'),
      record: db.prepare(
        `INSERT INTO received (kiosk_id, seq, case_id, kind, outcome, code, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (kiosk_id, seq) DO UPDATE SET outcome = excluded.outcome, code = excluded.code, reason = excluded.reason, at = excluded.at`,
      ),
      history: db.prepare('INSERT INTO case_history (case_id, from_status, to_status, actor, note, content_hash, kiosk_at, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      result: db.prepare(
        'INSERT INTO case_results (case_id, document_id, title, sm3, size, media_type, source, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (case_id, document_id) DO NOTHING',
      ),
      event: db.prepare('INSERT INTO events (kiosk_id, event_id, kind, case_id, catalog_version, body, at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    };
    this.files = new EndpointFiles(db, dataDir, log, fileCipher);
    this.applyInSavepoint = db.transaction((kioskId: string, e: CaseEntry, at: number) => this.applyEntry(kioskId, e, at));
    this.endpointId = this.tx(() => {
      const row = db.prepare("SELECT value FROM meta WHERE key = 'endpointId'").get() as { value: string } | undefined;
      if (row) return row.value;
      const id = randomUUID();
      db.prepare("INSERT INTO meta (key, value) VALUES ('endpointId', ?)").run(id);
      return id;
    });
    if (owner) this.tx(() => this.files.reconcile(this.now()));
  }

  /** Statements prepared once and kept (the hot paths run them thousands of times a second). */
  private readonly statements = new Map<string, BetterSqlite3.Statement>();
  private stmt(sql: string): BetterSqlite3.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  private tx<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  close(): void {
    if (this.db.open) this.db.close();
    this.lock?.release();
  }

  // ---------------------------------------------------------------- enrolment and kiosks

  createEnrollToken(kioskId: string, ttlMs = DEFAULT_TOKEN_TTL_MS): string {
    checkKioskId(kioskId);
    if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0 || ttlMs > MAX_TOKEN_TTL_MS) {
      throw new InputError('enroll.badTtl', 'an enrolment token lives from 1 ms to 366 days');
    }
    const token = randomBytes(32).toString('base64url');
    const at = this.now();
    this.tx(() => {
      this.stmt('INSERT INTO enroll_tokens (token_hash, kiosk_id, created_at, expires_at) VALUES (?, ?, ?, ?)').run(sm3Hex(token), kioskId, at, at + ttlMs);
    });
    this.log.info('enrolment token made', { kioskId, expiresAt: iso(at + ttlMs) });
    return token;
  }

  /**
   * Exchanges a one-time token for the kiosk's credentials, in one transaction. A kiosk enrolled again
   * (it lost its credentials; an operator made it a new token) gets a new secret and is no longer
   * revoked. Its first event is the newest catalog, when there is one.
   */
  enroll(token: string, agentVersion: string): { kioskId: string; secret: string } {
    if (typeof token !== 'string' || token.length === 0 || token.length > 256) throw new EnrollError('auth.badToken', 'unknown enrolment token');
    const at = this.now();
    const tokenHash = sm3Hex(token);
    const version = typeof agentVersion === 'string' ? agentVersion.slice(0, 64) : null;
    const answerAad = `enroll_tokens/${tokenHash}/answer`;
    const result = this.tx(() => {
      const row = this.stmt('SELECT kiosk_id, expires_at, used_at, answer_sealed FROM enroll_tokens WHERE token_hash = ?').get(tokenHash) as
        | { kiosk_id: string; expires_at: number; used_at: number | null; answer_sealed: string | null }
        | undefined;
      if (!row) throw new EnrollError('auth.badToken', 'unknown enrolment token');
      if (row.used_at !== null) {
        // The answer was lost on the way (the kiosk never said hello with it): the same credentials again,
        // while the token is in force and nothing replaced them since.
        const kiosk = this.s.kiosk.get(row.kiosk_id);
        if (row.answer_sealed !== null && row.expires_at > at && kiosk && kiosk.revoked_at === null) {
          const secret = this.openAnswer(row.answer_sealed, answerAad);
          if (secret !== undefined && sm3Hex(secret) === kiosk.secret_hash) return { kioskId: row.kiosk_id, secret, again: true };
        }
        throw new EnrollError('auth.usedToken', 'this enrolment token was used already: ask the operator for a new one');
      }
      if (row.expires_at <= at) throw new EnrollError('auth.expiredToken', 'this enrolment token has expired: ask the operator for a new one');
      const secret = randomBytes(32).toString('base64url');
      this.stmt('UPDATE enroll_tokens SET used_at = ?, answer_sealed = ? WHERE token_hash = ?').run(at, this.sealing.sealer.sealText(secret, answerAad), tokenHash);
      this.stmt(
          `INSERT INTO kiosks (id, secret_hash, enrolled_at, agent_version) VALUES (?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET secret_hash = excluded.secret_hash, enrolled_at = excluded.enrolled_at, revoked_at = NULL, agent_version = excluded.agent_version`,
        )
        .run(row.kiosk_id, sm3Hex(secret), at, version);
      const newest = this.stmt('SELECT version FROM catalogs ORDER BY version DESC LIMIT 1').get() as { version: number } | undefined;
      if (newest) this.insertEvent(row.kiosk_id, 'catalog', null, newest.version, { version: newest.version }, at);
      return { kioskId: row.kiosk_id, secret, again: false };
    });
    this.log.info(result.again ? 'kiosk enrolment answered again (its first answer was lost)' : 'kiosk enrolled', { kioskId: result.kioskId });
    return { kioskId: result.kioskId, secret: result.secret };
  }

  /** The kept answer of an enrolment, or undefined when it cannot be opened (keys replaced): then the token is simply spent. */
  private openAnswer(sealed: string, aad: string): string | undefined {
    try {
      return this.sealing.sealer.openText(sealed, aad);
    } catch {
      return undefined;
    }
  }

  authenticate(kioskId: string, secret: string): KioskRecord {
    const row = typeof kioskId === 'string' && KIOSK_ID_RE.test(kioskId) ? this.s.kiosk.get(kioskId) : undefined;
    if (!row) throw new AuthError('auth.unknown', 'unknown kiosk: enrol it first');
    const given = Buffer.from(sm3Hex(typeof secret === 'string' ? secret : ''), 'hex');
    if (!timingSafeEqual(given, Buffer.from(row.secret_hash, 'hex'))) throw new AuthError('auth.badSecret', 'wrong kiosk credentials');
    if (row.revoked_at !== null) throw new AuthError('auth.revoked', 'this kiosk was revoked by the endpoint operator');
    // The kiosk holds its credentials now: the token that gave them can never give them again.
    this.stmt('UPDATE enroll_tokens SET answer_sealed = NULL WHERE kiosk_id = ? AND answer_sealed IS NOT NULL').run(kioskId);
    return this.kioskRecord(row);
  }

  revoke(kioskId: string): void {
    checkKioskId(kioskId);
    const at = this.now();
    this.tx(() => {
      const row = this.s.kiosk.get(kioskId);
      if (!row) throw new InputError('kiosk.unknown', `no enrolled kiosk ${kioskId}`);
      if (row.revoked_at === null) this.stmt('UPDATE kiosks SET revoked_at = ? WHERE id = ?').run(at, kioskId);
      // Tokens made for it before the revocation must not bring it back.
      this.stmt('UPDATE enroll_tokens SET used_at = ? WHERE kiosk_id = ? AND used_at IS NULL AND created_at <= ?').run(at, kioskId, at);
      this.stmt('UPDATE enroll_tokens SET answer_sealed = NULL WHERE kiosk_id = ? AND answer_sealed IS NOT NULL').run(kioskId);
    });
    this.log.info('kiosk revoked', { kioskId });
  }

  touch(kioskId: string, at: number, info: { address?: string; agentVersion?: string }): void {
    this.stmt('UPDATE kiosks SET last_seen_at = ?, address = coalesce(?, address), agent_version = coalesce(?, agent_version) WHERE id = ?')
      .run(at, info.address?.slice(0, 100) ?? null, info.agentVersion?.slice(0, 64) ?? null, kioskId);
  }

  recordHeartbeat(kioskId: string, body: { devices: readonly DeviceHealth[]; queue: QueueSizes; auditHead: AuditHead | null }, at: number): void {
    const devices = checkDevices(body.devices);
    const queue = checkQueue(body.queue);
    const auditHead = checkAuditHead(body.auditHead);
    this.stmt('UPDATE kiosks SET devices = ?, queue = ?, audit_head = ?, heartbeat_at = ?, last_seen_at = ? WHERE id = ?')
      .run(JSON.stringify(devices), JSON.stringify(queue), auditHead ? JSON.stringify(auditHead) : null, at, at, kioskId);
  }

  private kioskRecord(r: KioskRow): KioskRecord {
    const devices = parseJson(r.devices);
    const queue = parseJson(r.queue);
    const head = parseJson(r.audit_head);
    return {
      id: r.id,
      enrolledAt: iso(r.enrolled_at),
      revokedAt: isoOrNull(r.revoked_at),
      lastSeenAt: isoOrNull(r.last_seen_at),
      connected: false,
      highestSeq: r.highest_seq,
      agentVersion: r.agent_version,
      address: r.address,
      devices: Array.isArray(devices) ? (devices as DeviceHealth[]) : null,
      queue: isObject(queue) ? (queue as unknown as QueueSizes) : null,
      auditHead: isObject(head) ? (head as unknown as AuditHead) : null,
      heartbeatAt: isoOrNull(r.heartbeat_at),
      ackedCursor: r.acked_event > 0 ? String(r.acked_event) : null,
      unackedEvents: r.unacked,
    };
  }

  kiosks(): KioskRecord[] {
    const rows = this.stmt(`SELECT k.*, (SELECT count(*) FROM events e WHERE e.kiosk_id = k.id AND e.id > k.acked_event) AS unacked FROM kiosks k ORDER BY k.id`)
      .all() as KioskRow[];
    return rows.map((r) => this.kioskRecord(r));
  }

  kiosk(kioskId: string): KioskRecord | undefined {
    const row = this.s.kiosk.get(kioskId);
    return row ? this.kioskRecord(row) : undefined;
  }

  // ---------------------------------------------------------------- cases from kiosks

  /**
   * The batch in ONE durable transaction. Every entry is checked before it writes (shape, hash, region,
   * files, move), so no statement of the batch can fail on a good store: the common path applies the
   * entries without a savepoint each. Should the schema still refuse a row (a CHECK or foreign key that
   * the checks missed), that transaction is rolled back whole and the batch is done again with one
   * savepoint per entry, so that only the offending entry is rejected and the others commit; never a
   * batch that fails for ever on one entry.
   */
  commitBatch(kioskId: string, entries: readonly CaseEntry[], at: number): AckResult[] {
    if (!Array.isArray(entries) || entries.length > LIMITS.maxBatch) throw new InputError('cases.badBatch', `a batch is a list of at most ${LIMITS.maxBatch} entries`);
    try {
      return this.commitBatchWith(kioskId, entries, at, this.applyDirect);
    } catch (err) {
      if (!isConstraintError(err)) throw err;
      this.log.warn('a batch entry broke a constraint its checks missed: batch redone entry by entry', { kioskId, err: messageOf(err) });
      return this.commitBatchWith(kioskId, entries, at, this.applyInSavepoint);
    }
  }

  private commitBatchWith(kioskId: string, entries: readonly CaseEntry[], at: number, apply: (kioskId: string, e: CaseEntry, at: number) => 'committed' | 'duplicate' | Problem): AckResult[] {
    return this.tx(() => {
      if (!this.s.kiosk.get(kioskId)) throw new AuthError('auth.unknown', 'unknown kiosk: enrol it first');
      const held = new Map<string, Problem>();
      let highest = 0;
      const results = entries.map((e) => {
        const r = this.commitEntry(kioskId, e, at, held, apply);
        if (r.outcome !== 'retry' && Number.isSafeInteger(e.seq)) highest = Math.max(highest, e.seq);
        return r;
      });
      if (highest > 0) this.stmt('UPDATE kiosks SET highest_seq = max(highest_seq, ?) WHERE id = ?').run(highest, kioskId);
      return results;
    });
  }

  private commitEntry(kioskId: string, e: CaseEntry, at: number, held: Map<string, Problem>, apply: (kioskId: string, e: CaseEntry, at: number) => 'committed' | 'duplicate' | Problem): AckResult {
    const seq = isObject(e) && Number.isSafeInteger(e.seq) && e.seq > 0 ? e.seq : undefined;
    if (seq === undefined) return { seq: isObject(e) && typeof e.seq === 'number' ? e.seq : 0, outcome: 'rejected', code: 'entry.invalid', reason: 'seq is not a positive integer' };
    const caseId = typeof e.caseId === 'string' ? e.caseId : '';
    const kind = typeof e.kind === 'string' ? e.kind.slice(0, 40) : '';
    const prior = this.s.received.get(kioskId, seq);
    if (prior && (prior.case_id !== caseId || prior.kind !== kind)) {
      return { seq, outcome: 'rejected', code: 'entry.seqReused', reason: `seq ${seq} of this kiosk was already used for another entry (case ${prior.case_id}, ${prior.kind})` };
    }
    if (prior && prior.outcome !== 'rejected') return { seq, outcome: 'duplicate' };
    const blocked = held.get(caseId);
    if (blocked) return { seq, outcome: 'retry', code: blocked.code, reason: `an earlier entry of this case waits: ${blocked.reason}`.slice(0, MAX_REASON_CHARS), ...(blocked.retryAfterMs ? { retryAfterMs: blocked.retryAfterMs } : {}) };

    let outcome: 'committed' | 'duplicate' | Problem;
    if (apply === this.applyDirect) {
      outcome = apply(kioskId, e, at);
    } else {
      try {
        outcome = apply(kioskId, e, at);
      } catch (err) {
        // A row the schema refuses (a CHECK, a foreign key) is this entry's fault, not the batch's.
        if (!isConstraintError(err)) throw err;
        outcome = rejected('entry.invalid', `the entry cannot be stored: ${messageOf(err)}`);
      }
    }
    if (typeof outcome !== 'string' && outcome.outcome === 'retry') {
      if (caseId) held.set(caseId, outcome);
      return { seq, outcome: 'retry', code: outcome.code, reason: outcome.reason.slice(0, MAX_REASON_CHARS), ...(outcome.retryAfterMs ? { retryAfterMs: outcome.retryAfterMs } : {}) };
    }
    if (typeof outcome === 'string') {
      this.s.record.run(kioskId, seq, caseId, kind, outcome, null, null, at);
      return { seq, outcome };
    }
    const reason = outcome.reason.slice(0, MAX_REASON_CHARS);
    this.s.record.run(kioskId, seq, caseId, kind, 'rejected', outcome.code, reason, at);
    this.log.warn('case entry rejected', { kioskId, seq, caseId, code: outcome.code });
    return { seq, outcome: 'rejected', code: outcome.code, reason };
  }

  /** One entry's effect (inside a savepoint of the batch's transaction), or why not. */
  private applyEntry(kioskId: string, e: CaseEntry, at: number): 'committed' | 'duplicate' | Problem {
    if (typeof e.caseId !== 'string' || !UUID_RE.test(e.caseId)) return rejected('entry.invalid', 'caseId is not a lower-case UUID');
    if (typeof e.region !== 'string' || !REGION_RE.test(e.region)) return rejected('entry.invalid', 'region is not a 6-digit code');
    if (!this.anyRegion && !this.regions.includes(e.region)) return rejected('case.regionNotServed', `this endpoint does not handle region ${e.region} (it serves ${this.regions.join(', ')})`);
    if (!isObject(e.payload)) return rejected('entry.invalid', 'the payload is not an object');
    switch (e.kind) {
      case 'case.submitted':
        return this.applySubmitted(kioskId, e.caseId, e.region, e.payload, at);
      case 'case.transition':
        return this.applyTransition(e.caseId, e.payload, at);
      case 'case.contentChanged':
        return this.applyContentChanged(e.caseId, e.payload, at);
      default:
        return rejected('entry.invalid', 'unknown entry kind');
    }
  }

  /** Files a case lists must be complete here (transient until they are), with the sizes it says. */
  private checkFiles(list: readonly { sm3: string; size: number; mediaType?: string }[]): Problem | undefined {
    const missing: string[] = [];
    for (const f of list) {
      const have = this.files.completeFile(f.sm3);
      if (!have) missing.push(f.sm3);
      else if (have.size !== f.size) return rejected('case.fileMismatch', `file ${f.sm3} has ${have.size} bytes here, the case says ${f.size}`);
      else if (f.mediaType !== undefined && have.mediaType !== f.mediaType) return rejected('case.fileMismatch', `file ${f.sm3} is ${have.mediaType} here, the case says ${f.mediaType}`);
    }
    if (missing.length) {
      return { outcome: 'retry', code: 'files.missing', reason: `${missing.length} file(s) not complete at the endpoint yet (first ${missing[0]})`, retryAfterMs: FILES_RETRY_MS };
    }
    return undefined;
  }

  private applySubmitted(kioskId: string, caseId: string, region: string, p: JsonObject, at: number): 'committed' | 'duplicate' | Problem {
    if (typeof p.serial !== 'string' || p.serial.length === 0 || p.serial.length > 64) return rejected('entry.invalid', 'serial is not a short string');
    const checked = checkContent(caseId, p.content, p.contentHash);
    if (!('canonical' in checked)) return checked;
    const content = p.content as JsonObject;
    const hash = p.contentHash as string;
    const existing = this.s.caseRow.get(caseId);
    if (existing) {
      const original = this.stmt('SELECT content_hash FROM case_history WHERE case_id = ? ORDER BY id LIMIT 1').get(caseId) as { content_hash: string } | undefined;
      if (existing.content_hash === hash || original?.content_hash === hash) return 'duplicate';
      return rejected('case.conflict', 'this case id was submitted before with other content');
    }
    const files = filesOfContent(content);
    if (!Array.isArray(files)) return files;
    const missing = this.checkFiles(files);
    if (missing) return missing;
    const sealed = this.sealing.content(caseId, checked.canonical, content);
    this.stmt('INSERT INTO cases (id, kiosk_id, serial, item_code, region, status, content_hash, content, applicant_hash, received_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(caseId, kioskId, p.serial, content.itemCode as string, region, 'uploaded', hash, sealed.sealed, sealed.applicantHash, at, at);
    this.s.history.run(caseId, null, 'uploaded', 'kiosk', null, hash, null, at);
    return 'committed';
  }

  private applyTransition(caseId: string, p: JsonObject, at: number): 'committed' | 'duplicate' | Problem {
    const isStatus = (v: unknown): v is CaseStatus => typeof v === 'string' && (CASE_STATUSES as readonly string[]).includes(v);
    if (!isStatus(p.from) || !isStatus(p.to)) return rejected('entry.invalid', 'from and to are case statuses');
    if (typeof p.at !== 'string' || p.at.length > 40) return rejected('entry.invalid', 'at is an ISO 8601 time');
    if (typeof p.contentHash !== 'string' || !SM3_RE.test(p.contentHash)) return rejected('entry.invalid', 'contentHash is 64 lower-case hex digits');
    if (p.note !== undefined && (typeof p.note !== 'string' || p.note.length > MAX_NOTE)) return rejected('entry.invalid', 'note is a short text');
    const results = checkResults(p.results);
    if (!Array.isArray(results)) return results as Problem;
    const c = this.s.caseRow.get(caseId);
    if (!c) return rejected('case.unknown', 'the endpoint holds no such case (its submission never arrived here)');
    const from = stored(p.from);
    const to = stored(p.to);
    if (c.status === to && c.content_hash === p.contentHash) return 'duplicate';
    const rule = findRule(KIOSK_MOVES, from, to);
    if (!rule) return rejected('case.illegalTransition', `a kiosk cannot move a case from ${p.from} to ${p.to}`);
    if (c.status !== from) return rejected('case.statusConflict', `the case is ${c.status} at the endpoint, not ${from}`);
    let hash = c.content_hash;
    let content: JsonObject | undefined;
    let canonical: string | undefined;
    if (rule.needsContent || p.content !== undefined) {
      if (p.content === undefined) return rejected('entry.invalid', `a move from ${p.from} to ${p.to} carries the corrected content`);
      const checked = checkContent(caseId, p.content, p.contentHash);
      if (!('canonical' in checked)) return checked;
      content = p.content as JsonObject;
      canonical = checked.canonical;
      if (content.itemCode !== c.item_code) return rejected('case.conflict', 'the corrected content names another item');
      hash = p.contentHash;
    } else if (p.contentHash !== c.content_hash) {
      return rejected('case.hashMismatch', "the transition's content hash differs from the case's at the endpoint");
    }
    if (rule.needsResults && results.length === 0) return rejected('case.illegalTransition', `a move to ${p.to} needs at least one result document`);
    const files = content ? filesOfContent(content) : [];
    if (!Array.isArray(files)) return files;
    const missing = this.checkFiles([...files, ...results]);
    if (missing) return missing;
    if (canonical !== undefined) {
      const sealed = this.sealing.content(caseId, canonical, content);
      this.stmt('UPDATE cases SET status = ?, content = ?, applicant_hash = ?, content_hash = ?, updated_at = ? WHERE id = ?').run(to, sealed.sealed, sealed.applicantHash, hash, at, caseId);
    } else {
      this.stmt('UPDATE cases SET status = ?, updated_at = ? WHERE id = ?').run(to, at, caseId);
    }
    this.s.history.run(caseId, c.status, to, 'kiosk', this.sealing.note(caseId, typeof p.note === 'string' && p.note ? p.note : null), hash, p.at, at);
    for (const r of results) this.s.result.run(caseId, r.documentId, this.sealing.title(caseId, r.documentId, r.title), r.sm3, r.size, r.mediaType, 'kiosk', at);
    return 'committed';
  }

  private applyContentChanged(caseId: string, p: JsonObject, at: number): 'committed' | 'duplicate' | Problem {
    const checked = checkContent(caseId, p.content, p.contentHash);
    if (!('canonical' in checked)) return checked;
    const content = p.content as JsonObject;
    const c = this.s.caseRow.get(caseId);
    if (!c) return rejected('case.unknown', 'the endpoint holds no such case (its submission never arrived here)');
    if (c.content_hash === p.contentHash) return 'duplicate';
    if (c.status !== 'uploaded' && c.status !== 'correctionRequested') return rejected('case.notEditable', `the content of a case that is ${c.status} cannot change`);
    if (content.itemCode !== c.item_code) return rejected('case.conflict', 'the changed content names another item');
    const files = filesOfContent(content);
    if (!Array.isArray(files)) return files;
    const missing = this.checkFiles(files);
    if (missing) return missing;
    const sealed = this.sealing.content(caseId, checked.canonical, content);
    this.stmt('UPDATE cases SET content = ?, applicant_hash = ?, content_hash = ?, updated_at = ? WHERE id = ?').run(sealed.sealed, sealed.applicantHash, p.contentHash as string, at, caseId);
    this.s.history.run(caseId, c.status, c.status, 'kiosk', this.sealing.note(caseId, 'content changed'), p.contentHash as string, null, at);
    return 'committed';
  }

  // ---------------------------------------------------------------- cases for the clerk

  private summary(r: CaseRow): EndpointCaseSummary {
    return {
      id: r.id,
      kioskId: r.kiosk_id,
      itemCode: r.item_code,
      region: r.region,
      status: isStoredStatus(r.status) ? r.status : 'uploaded',
      contentHash: r.content_hash,
      serial: r.serial,
      receivedAt: iso(r.received_at),
      updatedAt: iso(r.updated_at),
    };
  }

  cases(filter: { status?: string; kioskId?: string } = {}): EndpointCaseSummary[] {
    if (filter.status !== undefined && !isStoredStatus(filter.status)) {
      throw new InputError('case.badStatus', 'a status is uploaded, accepted, correctionRequested, refused or completed');
    }
    const where: string[] = [];
    const args: string[] = [];
    if (filter.status !== undefined) {
      where.push('status = ?');
      args.push(filter.status);
    }
    if (filter.kioskId !== undefined) {
      where.push('kiosk_id = ?');
      args.push(filter.kioskId);
    }
    const rows = this.stmt(`SELECT * FROM cases ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY received_at, id`).all(...args) as CaseRow[];
    return rows.map((r) => this.summary(r));
  }

  getCase(id: string): EndpointCase | undefined {
    if (typeof id !== 'string' || !UUID_RE.test(id)) return undefined;
    const r = this.s.caseRow.get(id);
    if (!r) return undefined;
    // Sealed values open here (a changed or moved one is refused: endpoint.sealTampered); an erased case has none.
    const purged = r.purged_at !== null;
    const content = purged ? null : parseJson(this.sealing.openContent(id, r.content));
    const history = (
      this.stmt('SELECT from_status, to_status, actor, note, content_hash, kiosk_at, at FROM case_history WHERE case_id = ? ORDER BY id').all(id) as {
        from_status: string | null;
        to_status: string;
        actor: string;
        note: string | null;
        content_hash: string;
        kiosk_at: string | null;
        at: number;
      }[]
    ).map(
      (h): CaseHistoryEntry => ({
        from: isStoredStatus(h.from_status) ? h.from_status : null,
        to: isStoredStatus(h.to_status) ? h.to_status : 'uploaded',
        actor: h.actor,
        ...(h.note !== null ? { note: this.sealing.openNote(id, h.note)! } : {}),
        contentHash: h.content_hash,
        ...(h.kiosk_at !== null ? { kioskAt: h.kiosk_at } : {}),
        at: iso(h.at),
      }),
    );
    const results = (
      this.stmt('SELECT document_id, title, sm3, size, media_type, source, at FROM case_results WHERE case_id = ? ORDER BY at, document_id').all(id) as {
        document_id: string;
        title: string;
        sm3: string;
        size: number;
        media_type: string;
        source: 'kiosk' | 'endpoint';
        at: number;
      }[]
    ).map(
      (x): EndpointResult => ({
        documentId: x.document_id,
        title: purged ? '' : this.sealing.openTitle(id, x.document_id, x.title),
        sm3: x.sm3,
        size: x.size,
        mediaType: isMediaType(x.media_type) ? x.media_type : 'application/pdf',
        source: x.source,
        at: iso(x.at),
      }),
    );
    return { ...this.summary(r), content: isObject(content) ? content : {}, history, results, ...(purged ? { purgedAt: iso(r.purged_at!) } : {}) };
  }

  /**
   * A clerk's status change: the move checked (CLERK_MOVES), result files written (fsynced, renamed
   * into place) before the transaction, then the case, its history, its results and one event for its
   * kiosk in ONE transaction.
   */
  setStatus(caseId: string, to: EndpointStatus, opts: SetStatusOptions, at: number): EndpointCase {
    checkCaseId(caseId);
    if (!isEndpointStatus(to)) throw new StatusError('case.badStatus', 'a clerk sets accepted, correctionRequested, refused or completed');
    const note = optionalNote(opts.note);
    const actor = typeof opts.actor === 'string' && opts.actor.trim() ? opts.actor.trim().slice(0, 100) : 'endpoint';
    const inputs = opts.results ?? [];
    if (!Array.isArray(inputs) || inputs.length > 20) throw new StatusError('result.invalid', 'at most 20 result documents at once');
    if (inputs.length && to !== 'completed') throw new StatusError('case.resultsOnlyOnCompletion', 'result documents come only with completion (办结)');

    const docs: ResultDoc[] = inputs.map((input, i) => {
      if (!isObject(input)) throw new StatusError('result.invalid', `result ${i + 1} is not { bytes or path, title, mediaType? }`);
      let bytes: Uint8Array;
      if (input.bytes instanceof Uint8Array) bytes = input.bytes;
      else if (typeof input.path === 'string') {
        try {
          bytes = readFileSync(input.path);
        } catch (err) {
          throw new InputError('result.unreadable', `cannot read the result document ${input.path}: ${messageOf(err)}`, { cause: err });
        }
      } else throw new StatusError('result.invalid', `result ${i + 1} has neither bytes nor a path`);
      if (bytes.length === 0 || bytes.length > LIMITS.maxFileBytes) throw new StatusError('result.badSize', `result ${i + 1} must have 1 to ${LIMITS.maxFileBytes} bytes`);
      const sniffed = sniffMediaType(bytes);
      if (!sniffed) throw new StatusError('result.badType', `result ${i + 1}${input.path ? ` (${input.path})` : ''} is not a PDF, JPEG or PNG file`);
      if (input.mediaType !== undefined && input.mediaType !== sniffed) throw new StatusError('result.badType', `result ${i + 1} is ${sniffed}, not ${String(input.mediaType)}`);
      const title = typeof input.title === 'string' ? input.title.trim() : '';
      if (!title || title.length > MAX_TITLE) throw new StatusError('result.badTitle', `result ${i + 1} needs a title of 1 to ${MAX_TITLE} characters`);
      const sm3 = sm3Hex(bytes);
      const documentId = input.documentId ?? `R-${sm3.slice(0, 16)}`;
      if (typeof documentId !== 'string' || !DOCUMENT_ID_RE.test(documentId)) throw new StatusError('result.badDocumentId', 'a document id is 1 to 80 characters of A-Z, a-z, 0-9, . _ : -');
      return { sm3, size: bytes.length, mediaType: sniffed, documentId, title, bytes } as ResultDoc & { bytes: Uint8Array };
    });
    if (new Set(docs.map((d) => d.documentId)).size !== docs.length) throw new StatusError('result.duplicate', 'two result documents have the same document id');

    // Checked before the files are written (no orphan file for a refused change), and again in the transaction.
    this.checkClerkMove(caseId, to, note, docs.length);
    for (const d of docs as (ResultDoc & { bytes: Uint8Array })[]) this.files.writeComplete(d.bytes);
    const results: ResultDoc[] = docs.map(({ sm3, size, mediaType, documentId, title }) => ({ sm3, size, mediaType, documentId, title }));

    this.tx(() => {
      const { c, from } = this.checkClerkMove(caseId, to, note, results.length);
      for (const r of results) {
        const taken = this.stmt('SELECT 1 FROM case_results WHERE case_id = ? AND document_id = ?').get(caseId, r.documentId);
        if (taken) throw new StatusError('result.duplicate', `the case already has a result document ${r.documentId}`);
      }
      this.stmt('UPDATE cases SET status = ?, updated_at = ? WHERE id = ?').run(to, at, caseId);
      this.s.history.run(caseId, from, to, actor, this.sealing.note(caseId, note ?? null), c.content_hash, null, at);
      for (const r of results) {
        this.files.recordComplete(r.sm3, r.size, r.mediaType, at);
        this.s.result.run(caseId, r.documentId, this.sealing.title(caseId, r.documentId, r.title), r.sm3, r.size, r.mediaType, 'endpoint', at);
      }
      this.insertEvent(c.kiosk_id, 'case.status', caseId, null, { caseId, to, ...(note ? { note } : {}), results }, at);
    });
    this.log.info('case status set', { caseId, to, results: results.length });
    return this.getCase(caseId)!;
  }

  /** The case and its status, when a clerk may move it to `to` with this note and this many results. */
  private checkClerkMove(caseId: string, to: EndpointStatus, note: string | undefined, results: number): { c: CaseRow; from: StoredStatus } {
    const c = this.s.caseRow.get(caseId);
    if (!c) throw new InputError('case.unknown', `no case ${caseId} at this endpoint`);
    const from = isStoredStatus(c.status) ? c.status : 'uploaded';
    const rule = findRule(CLERK_MOVES, from, to);
    if (!rule) {
      const next = CLERK_MOVES.filter((r) => r.from === from).map((r) => r.to);
      throw new StatusError('case.illegalTransition', `case ${caseId} cannot go from ${from} to ${to}${next.length ? ` (from ${from}: ${next.join(', ')})` : ` (${from} is final)`}`);
    }
    if (rule.needsNote && !note) throw new StatusError('case.noteRequired', `${to === 'refused' ? 'a refusal (不予受理)' : 'a correction request (补正)'} needs a note saying why`);
    if (rule.needsResults && results === 0) throw new StatusError('case.resultRequired', 'completing (办结) an accepted case needs at least one result document');
    return { c, from };
  }

  // ---------------------------------------------------------------- catalog and events

  private insertEvent(kioskId: string, kind: EndpointEvent['kind'], caseId: string | null, catalogVersion: number | null, body: object, at: number): void {
    const eventId = randomUUID();
    this.s.event.run(kioskId, eventId, kind, caseId, catalogVersion, this.sealing.eventBody(eventId, kind, JSON.stringify(body)), at);
  }

  setCatalog(catalog: object, version: number, at: number = this.now()): void {
    if (!isObject(catalog)) throw new InputError('catalog.invalid', 'a catalog is a JSON object');
    if (!Number.isSafeInteger(version) || version < 1) throw new InputError('catalog.badVersion', 'a catalog version is a positive whole number');
    // What the kiosk's decoder would refuse must never become an event: it would stall that kiosk's events.
    if (deeperThan(catalog, MAX_JSON_DEPTH)) throw new InputError('catalog.invalid', `a catalog nests at most ${MAX_JSON_DEPTH} levels deep`);
    let text: string;
    try {
      text = JSON.stringify(catalog);
    } catch (err) {
      throw new InputError('catalog.invalid', `the catalog is not plain JSON: ${messageOf(err)}`, { cause: err });
    }
    if (Buffer.byteLength(text) > MAX_CATALOG_BYTES) throw new InputError('catalog.tooBig', `a catalog has at most ${MAX_CATALOG_BYTES} bytes of JSON`);
    this.tx(() => {
      const newest = this.stmt('SELECT max(version) AS v FROM catalogs').get() as { v: number | null };
      if (newest.v !== null && version <= newest.v) throw new InputError('catalog.notNewer', `catalog version ${version} is not newer than the endpoint's ${newest.v}`);
      this.stmt('INSERT INTO catalogs (version, catalog, set_at) VALUES (?, ?, ?)').run(version, text, at);
      const kiosks = this.stmt('SELECT id FROM kiosks WHERE revoked_at IS NULL ORDER BY id').all() as { id: string }[];
      for (const k of kiosks) this.insertEvent(k.id, 'catalog', null, version, { version }, at);
    });
    this.log.info('catalog set', { version });
  }

  catalog(): { version: number; catalog: JsonObject } | undefined {
    const row = this.stmt('SELECT version, catalog FROM catalogs ORDER BY version DESC LIMIT 1').get() as { version: number; catalog: string } | undefined;
    if (!row) return undefined;
    const catalog = parseJson(row.catalog);
    return { version: row.version, catalog: isObject(catalog) ? catalog : {} };
  }

  eventsAfter(kioskId: string, cursor: string | null, limit: number): EndpointEvent[] {
    const after = cursor === null ? 0 : parseCursor(cursor);
    const n = Math.max(1, Math.min(Number.isSafeInteger(limit) ? limit : LIMITS.maxEventsPerMessage, 10_000));
    const rows = this.stmt(
        `SELECT e.id, e.event_id, e.kind, e.case_id, e.body, e.at, c.catalog
         FROM events e LEFT JOIN catalogs c ON c.version = e.catalog_version
         WHERE e.kiosk_id = ? AND e.id > ? ORDER BY e.id LIMIT ?`,
      )
      .all(kioskId, after, n) as { id: number; event_id: string; kind: string; case_id: string | null; body: string; at: number; catalog: string | null }[];
    const events: EndpointEvent[] = [];
    for (const r of rows) {
      let text: string | null;
      try {
        text = this.sealing.openEventBody(r.event_id, r.kind, r.body);
      } catch {
        text = null; // a sealed body that does not open: unreadable, like a damaged one
      }
      const body = parseJson(text);
      if (!isObject(body)) {
        this.log.error('event row unreadable: skipped', { cursor: r.id });
        continue;
      }
      const base = { cursor: String(r.id), id: r.event_id, at: iso(r.at) };
      if (r.kind === 'catalog') {
        const catalog = parseJson(r.catalog);
        events.push({ ...base, kind: 'catalog', version: body.version as number, catalog: isObject(catalog) ? catalog : {} });
      } else {
        events.push({
          ...base,
          kind: 'case.status',
          caseId: body.caseId as string,
          to: body.to as EndpointStatus,
          ...(typeof body.note === 'string' ? { note: body.note } : {}),
          results: Array.isArray(body.results) ? (body.results as ResultDoc[]) : [],
        });
      }
    }
    return events;
  }

  ackEvents(kioskId: string, cursor: string): void {
    const n = parseCursor(cursor);
    this.stmt('UPDATE kiosks SET acked_event = max(acked_event, ?) WHERE id = ?').run(n, kioskId);
  }

  maxEventId(): number {
    return (this.stmt('SELECT coalesce(max(id), 0) AS n FROM events').get() as { n: number }).n;
  }

  // ---------------------------------------------------------------- files

  fileStatus(sm3: string): FileState {
    return this.files.status(sm3);
  }

  beginFile(sm3: string, size: number, mediaType: string, at: number = this.now()): { committed: number; complete: boolean } {
    const s = this.files.begin(sm3, size, mediaType, at);
    return { committed: s.committed, complete: s.complete };
  }

  appendChunk(sm3: string, offset: number, data: Uint8Array, last: boolean, at: number = this.now()): ChunkResult {
    return this.files.append(sm3, offset, data, last, at);
  }

  readFile(sm3: string, offset: number, length: number): Uint8Array {
    return this.files.read(sm3, offset, length);
  }

  hasFile(sm3: string): boolean {
    return this.files.has(sm3);
  }

  // ---------------------------------------------------------------- erasure (erasure.ts)

  eraseApplicant(idNumber: string, at: number = this.now()): ErasureReport {
    if (typeof idNumber !== 'string' || idNumber.trim().length === 0 || idNumber.length > 64) throw new InputError('applicant.badIdNumber', 'an ID number is a short non-empty text');
    return new EndpointErasure(this.db, this.dataDir, this.sealing, this.log).eraseApplicant(idNumber, at);
  }

  purgeExpired(retentionDays: number, at: number = this.now()): ErasureReport {
    return new EndpointErasure(this.db, this.dataDir, this.sealing, this.log).purgeExpired(retentionDays, at);
  }
}

export type { MediaType, StoredStatus };
