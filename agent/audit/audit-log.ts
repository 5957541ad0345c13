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
  const canonical = canonicalJson({ seq: entry.seq, at: entry.at, type: entry.type, actor: entry.actor, subject: entry.subject, details: entry.details });
  const h = sm3(concat(Buffer.from(prevHash, 'hex'), Buffer.from(canonical, 'utf8')));
  return Buffer.from(h).toString('hex');
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Throws when base/redact would change `value`: a field named like personal data, an ID or phone number. */
function assertNotPersonal(what: string, value: unknown): void {
  if (canonicalJson(redactValue(value) ?? null) !== canonicalJson(value ?? null)) {
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
  if (!(AUDIT_TYPES as readonly string[]).includes(input.type)) throw new TypeError(`unknown audit type ${JSON.stringify(input.type)}`);
  if (typeof input.actor !== 'string' || input.actor === '') throw new TypeError('audit actor must be a non-empty string');
  const subject = input.subject ?? null;
  const details = input.details ?? {};
  assertNotPersonal('subject', subject);
  assertNotPersonal('details', details);
  const at = input.at ?? Date.now();
  if (!Number.isSafeInteger(at) || at < 0) throw new TypeError('audit time must be integer milliseconds');
  const detailsText = canonicalJson(details);
  const s = prepared(db);
  const run = () => {
    const head = s.head.get();
    const seq = (head?.seq ?? 0) + 1;
    const prevHash = head?.hash ?? GENESIS_HASH;
    const hash = entryHash(prevHash, { seq, at, type: input.type, actor: input.actor, subject, details });
    s.insert.run(seq, at, input.type, input.actor, subject, detailsText, prevHash, hash);
    s.setHead.run(seq, hash);
    return { seq, hash };
  };
  return db.inTransaction ? run() : db.transaction(run).immediate();
}
