/**
 * The audit log: append-only, hash-chained with SM3. Each entry holds
 *   hash = SM3(prev_hash (32 bytes) || canonicalJson({ seq, at, type, actor, subject, details }))
 * where prev_hash is the previous entry's hash (32 zero bytes for the first). The head (last seq and
 * hash) is kept in `audit_head`, updated in the same transaction, so removing entries at the end is
 * noticed too. Entries are appended inside the caller's transaction: a case transition and its audit
 * entry commit together or not at all.
 *
 * Entries never hold personal data in clear: subjects are case ids, masked or hashed applicant refs.
 * `appendAudit` refuses a subject or details in which base/redact would mask something.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { redactValue } from '../../base/redact.js';
import { sm3 } from '../../certs/sm3.js';
import { canonicalJson, type JsonValue } from './canonical.js';

export const AUDIT_TYPES = [
  'cardRead',
  'identity',
  'caseTransition',
  'certificateIssued',
  'print',
  'admin',
  'keyRotation',
  'purge',
] as const;
export type AuditType = (typeof AUDIT_TYPES)[number];

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditInput {
  readonly type: AuditType;
  /** Who: 'citizen', 'staff:<id>', 'agent', 'operator', 'sync'. */
  readonly actor: string;
  /** What it is about, never personal data in clear: a case id, `applicant:<id>`, a document id. */
  readonly subject?: string | null;
  readonly details?: { readonly [key: string]: JsonValue };
  /** Milliseconds since the epoch; default now. */
  readonly at?: number;
}

export interface AuditEntry {
  readonly seq: number;
  readonly at: number;
  readonly type: string;
  readonly actor: string;
  readonly subject: string | null;
  readonly details: { readonly [key: string]: JsonValue };
  readonly prevHash: string;
  readonly hash: string;
}

/** The hex SM3 an entry must carry, given its predecessor's hash. */
export function entryHash(prevHash: string, entry: Pick<AuditEntry, 'seq' | 'at' | 'type' | 'actor' | 'subject' | 'details'>): string {
  return hashCanonical(prevHash, entry, canonicalJson(entry.details));
}

/**
 * canonicalJson({ actor, at, details, seq, subject, type }) written out directly (keys in sorted order),
 * with the details' canonical text computed once by the caller.
 */
function hashCanonical(prevHash: string, e: Pick<AuditEntry, 'seq' | 'at' | 'type' | 'actor' | 'subject'>, detailsText: string): string {
  const canonical =
    `{"actor":${JSON.stringify(e.actor)},"at":${canonicalJson(e.at)},"details":${detailsText},` +
    `"seq":${canonicalJson(e.seq)},"subject":${JSON.stringify(e.subject)},"type":${JSON.stringify(e.type)}}`;
  const prev = Buffer.from(prevHash, 'hex');
  const body = Buffer.from(canonical, 'utf8');
  const input = new Uint8Array(prev.length + body.length);
  input.set(prev, 0);
  input.set(body, prev.length);
  return Buffer.from(sm3(input)).toString('hex');
}

/** Structural equality of JSON-like values (what redactValue returns against what it was given). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const defined = (o: object) => Object.keys(o).filter((k) => (o as Record<string, unknown>)[k] !== undefined);
  const ka = defined(a);
  if (ka.length !== defined(b).length) return false;
  return ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

const OPAQUE_ID = /^(?:[a-z][a-zA-Z]*:)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** `value` with every opaque-id string (a UUID, optionally `kind:`-prefixed) set aside for the check. */
function withoutOpaqueIds(value: unknown): unknown {
  if (typeof value === 'string') return OPAQUE_ID.test(value) ? 'opaque-id' : value;
  if (Array.isArray(value)) return value.map(withoutOpaqueIds);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutOpaqueIds(v)]));
  return value;
}

/**
 * Throws when base/redact would change `value`: a field named like personal data, an ID or phone number.
 * Opaque ids are not personal, though their random hex digits may look like a phone number to
 * base/redact (…-a13812345678): a record naming such an id could never be audited otherwise.
 */
function assertNotPersonal(what: string, raw: unknown): void {
  const value = withoutOpaqueIds(raw);
  if (!sameJson(redactValue(value), value)) {
    throw new TypeError(`audit ${what} must not hold personal data in clear (mask or hash it)`);
  }
}

interface Statements {
  head: BetterSqlite3.Statement<[], { seq: number; hash: string }>;
  insert: BetterSqlite3.Statement<[number, number, string, string, string | null, string, string, string]>;
  setHead: BetterSqlite3.Statement<[number, string]>;
}

const statements = new WeakMap<BetterSqlite3.Database, Statements>();

function prepared(db: BetterSqlite3.Database): Statements {
  let s = statements.get(db);
  if (!s) {
    s = {
      head: db.prepare('SELECT seq, hash FROM audit_head WHERE id = 1'),
      insert: db.prepare('INSERT INTO audit_log (seq, at, type, actor, subject, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      setHead: db.prepare('INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash'),
    };
    statements.set(db, s);
  }
  return s;
}

/**
 * Appends one entry. Inside a transaction of the caller it joins it (commits with it); outside one it
 * runs in its own IMMEDIATE transaction. Returns the new entry's seq and hash.
 */
export function appendAudit(db: BetterSqlite3.Database, input: AuditInput): { seq: number; hash: string } {
  return appendAuditMany(db, [input]);
}

interface CheckedInput {
  readonly type: AuditType;
  readonly actor: string;
  readonly subject: string | null;
  readonly at: number;
  readonly detailsText: string;
}

/** Checks one input; `checked` remembers the details texts and subjects already found not personal (a batch repeats them). */
function checkInput(input: AuditInput, checked: Set<string>): CheckedInput {
  if (!(AUDIT_TYPES as readonly string[]).includes(input.type)) throw new TypeError(`unknown audit type ${JSON.stringify(input.type)}`);
  if (typeof input.actor !== 'string' || input.actor === '') throw new TypeError('audit actor must be a non-empty string');
  const subject = input.subject ?? null;
  const details = input.details ?? {};
  if (subject !== null && typeof subject !== 'string') throw new TypeError('audit subject must be a string or null');
  const at = input.at ?? Date.now();
  if (!Number.isSafeInteger(at) || at < 0) throw new TypeError('audit time must be integer milliseconds');
  const detailsText = canonicalJson(details); // also refuses what JSON cannot carry back
  // The check depends only on the value (its canonical text says all of it), so a repeated one is skipped.
  const subjectKey = `s${JSON.stringify(subject)}`;
  if (!checked.has(subjectKey)) {
    assertNotPersonal('subject', subject);
    checked.add(subjectKey);
  }
  const detailsKey = `d${detailsText}`;
  if (!checked.has(detailsKey)) {
    assertNotPersonal('details', details);
    checked.add(detailsKey);
  }
  return { type: input.type, actor: input.actor, subject, at, detailsText };
}

/**
 * Appends entries in the order given, chained one after the other, in ONE transaction (the caller's
 * when there is one): every input is checked before anything is written, and the head is read and
 * written once. Returns the last entry's seq and hash (the head); with no inputs, the head as it is.
 */
export function appendAuditMany(db: BetterSqlite3.Database, inputs: readonly AuditInput[]): { seq: number; hash: string } {
  const checked = new Set<string>();
  const entries = inputs.map((input) => checkInput(input, checked));
  const s = prepared(db);
  const run = () => {
    const head = s.head.get();
    let seq = head?.seq ?? 0;
    let prevHash = head?.hash ?? GENESIS_HASH;
    for (const e of entries) {
      seq += 1;
      const hash = hashCanonical(prevHash, { seq, at: e.at, type: e.type, actor: e.actor, subject: e.subject }, e.detailsText);
      s.insert.run(seq, e.at, e.type, e.actor, e.subject, e.detailsText, prevHash, hash);
      prevHash = hash;
    }
    if (entries.length > 0) s.setHead.run(seq, prevHash);
    return { seq, hash: prevHash };
  };
  return db.inTransaction ? run() : db.transaction(run).immediate();
}

export interface AuditQuery {
  readonly type?: string;
  readonly subject?: string;
  /** Entries with seq greater than this. */
  readonly afterSeq?: number;
  /** At most this many (default 100), oldest first. */
  readonly limit?: number;
}

/** Entries as stored (oldest first), for `tongban audit list`; rows that do not parse are reported as such by verifyAudit. */
export function readAudit(db: BetterSqlite3.Database, q: AuditQuery = {}): AuditEntry[] {
  const where = ['seq > @after'];
  if (q.type !== undefined) where.push('type = @type');
  if (q.subject !== undefined) where.push('subject = @subject');
  const rows = db
    .prepare(`SELECT seq, at, type, actor, subject, details, prev_hash AS prevHash, hash FROM audit_log WHERE ${where.join(' AND ')} ORDER BY seq LIMIT @limit`)
    .all({ after: q.afterSeq ?? 0, type: q.type, subject: q.subject, limit: q.limit ?? 100 }) as (Omit<AuditEntry, 'details'> & { details: string })[];
  return rows.map((r) => {
    let details: { [key: string]: JsonValue };
    try {
      details = JSON.parse(r.details) as { [key: string]: JsonValue };
    } catch {
      details = { unreadable: r.details };
    }
    return { ...r, details };
  });
}
