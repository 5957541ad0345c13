/**
 * Key rotation over the store: `rotateFieldKey` makes a new key current (recorded in field_keys and the
 * audit log); `reencryptAll` reseals every sealed value and material file still under an older key or
 * algorithm, in batches (one transaction each, so the agent keeps writing meanwhile), then marks the keys
 * no value uses any more as drained: their files may be removed (`cipher.removeKey`).
 *
 * SEALED_COLUMNS must name every sealed column of the store with the aad its repository uses
 * (agent/store/cipher.ts placeAad); a test compares it with the schema's `*_sealed` columns.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { silentLogger, type Logger } from '../../base/log.js';
import { appendAudit } from '../audit/audit-log.js';
import { writeFileDurably } from '../store/materials-repo.js';
import type { StoreCore } from '../store/open-store.js';
import type { FieldCipher } from './field-cipher.js';
import { decodeSealed } from './sealed-format.js';

export interface SealedColumn {
  readonly table: string;
  readonly column: string;
  /** The columns the aad is made of, and how. */
  readonly keyColumns: readonly string[];
  readonly aad: (row: Record<string, unknown>) => string;
}

export const SEALED_COLUMNS: readonly SealedColumn[] = [
  { table: 'applicants', column: 'fields_sealed', keyColumns: ['id'], aad: (r) => `applicants/${String(r.id)}/fields` },
  { table: 'cases', column: 'form_sealed', keyColumns: ['id'], aad: (r) => `cases/${String(r.id)}/form` },
  { table: 'outbox', column: 'payload_sealed', keyColumns: ['case_id', 'kind'], aad: (r) => `outbox/${r.case_id === null ? '-' : String(r.case_id)}/${String(r.kind)}` },
  { table: 'print_jobs', column: 'document_sealed', keyColumns: ['id'], aad: (r) => `print_jobs/${String(r.id)}/document` },
  { table: 'inbox', column: 'payload_sealed', keyColumns: ['message_id'], aad: (r) => `inbox/${String(r.message_id)}/payload` },
];

const materialAad = (sm3: string): string => `materials/${sm3}/file`;

export interface ReencryptReport {
  /** Values resealed in the store. */
  readonly values: number;
  /** Material files resealed. */
  readonly files: number;
  /** Keys no value or file uses any more (besides the current one): their files may be removed. */
  readonly drainedKeys: string[];
}

/** Records the cipher's current key in field_keys (once). */
export function recordCurrentKey(db: BetterSqlite3.Database, cipher: FieldCipher, at: number = Date.now()): void {
  db.prepare('INSERT INTO field_keys (key_id, algorithm, current_since) VALUES (?, ?, ?) ON CONFLICT (key_id) DO NOTHING').run(cipher.keyId, cipher.algorithm, at);
}

/** Makes a new key current, recorded and audited. Old values stay readable until `reencryptAll`. */
export function rotateFieldKey(store: StoreCore, cipher: FieldCipher, options: { actor?: string; log?: Logger; now?: number } = {}): string {
  const at = options.now ?? Date.now();
  const previous = cipher.keyId;
  recordCurrentKey(store.db, cipher, at); // the first key, if the agent never recorded it
  const next = cipher.rotateKey();
  store.transaction(() => {
    recordCurrentKey(store.db, cipher, at);
    appendAudit(store.db, { type: 'keyRotation', actor: options.actor ?? 'operator', subject: `key:${next}`, details: { previous, algorithm: cipher.algorithm }, at });
  });
  (options.log ?? silentLogger).info('field key rotated', { keyId: next, previous });
  return next;
}

function isSealed(v: unknown): v is Uint8Array {
  return v instanceof Uint8Array && v.length > 0; // x'' marks a document dropped after printing
}

export function reencryptAll(store: StoreCore, cipher: FieldCipher, options: { batchSize?: number; log?: Logger; now?: number; actor?: string } = {}): ReencryptReport {
  const log = (options.log ?? silentLogger).child({ component: 'agent.pii' });
  const batch = options.batchSize ?? 500;
  const db = store.db;
  let values = 0;
  for (const c of SEALED_COLUMNS) {
    const select = db.prepare(`SELECT rowid AS rid, ${c.keyColumns.join(', ')}, ${c.column} AS v FROM ${c.table} WHERE rowid > ? AND ${c.column} IS NOT NULL ORDER BY rowid LIMIT ?`);
    const update = db.prepare(`UPDATE ${c.table} SET ${c.column} = ? WHERE rowid = ? AND ${c.column} = ?`);
    let after = 0;
    for (;;) {
      const n = store.transaction(() => {
        const rows = select.all(after, batch) as Record<string, unknown>[];
        for (const r of rows) {
          after = r.rid as number;
          if (!isSealed(r.v) || !cipher.needsReseal(r.v)) continue;
          values += update.run(cipher.reseal(r.v, c.aad(r)), r.rid, r.v).changes;
        }
        return rows.length;
      });
      if (n < batch) break;
    }
  }

  let files = 0;
  const root = join(store.dataDir, 'materials');
  if (existsSync(root)) {
    for (const dir of readdirSync(root)) {
      if (!/^[0-9a-f]{2}$/.test(dir)) continue;
      for (const name of readdirSync(join(root, dir))) {
        if (!/^[0-9a-f]{64}$/.test(name)) continue;
        const path = join(root, dir, name);
        const sealed = readFileSync(path);
        if (!cipher.needsReseal(sealed)) continue;
        writeFileDurably(path, join(root, dir), cipher.reseal(sealed, materialAad(name)));
        files++;
      }
    }
  }

  const drainedKeys = cipher.keyIds().filter((k) => k !== cipher.keyId && keyUnused(store, k));
  const at = options.now ?? Date.now();
  store.transaction(() => {
    for (const k of drainedKeys) {
      db.prepare('INSERT INTO field_keys (key_id, algorithm, current_since, drained_at) VALUES (?, ?, ?, ?) ON CONFLICT (key_id) DO UPDATE SET drained_at = excluded.drained_at').run(
        k,
        'unknown',
        0,
        at,
      );
    }
    appendAudit(db, { type: 'keyRotation', actor: options.actor ?? 'operator', subject: `key:${cipher.keyId}`, details: { reencrypted: values, files, drainedKeys }, at });
  });
  log.info('re-encryption done', { values, files, drainedKeys });
  return { values, files, drainedKeys };
}

/** Whether no sealed value or material file names `keyId` (a full scan: run after a re-encryption pass). */
function keyUnused(store: StoreCore, keyId: string): boolean {
  for (const c of SEALED_COLUMNS) {
    for (const r of store.db.prepare(`SELECT ${c.column} AS v FROM ${c.table} WHERE ${c.column} IS NOT NULL`).iterate() as IterableIterator<{ v: unknown }>) {
      if (isSealed(r.v) && decodeSealed(r.v).keyId === keyId) return false;
    }
  }
  const root = join(store.dataDir, 'materials');
  if (existsSync(root)) {
    for (const dir of readdirSync(root)) {
      if (!/^[0-9a-f]{2}$/.test(dir)) continue;
      for (const name of readdirSync(join(root, dir))) {
        if (/^[0-9a-f]{64}$/.test(name) && decodeSealed(readFileSync(join(root, dir, name))).keyId === keyId) return false;
      }
    }
  }
  return true;
}
