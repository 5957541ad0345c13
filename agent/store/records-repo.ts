/**
 * The smaller tables: the service catalog (versioned, replaced by updates from the endpoint), device
 * events, print jobs (kept until printed, so a receipt survives a crash or an empty roll), issued
 * certificates, and settings.
 */
import { InputError } from '../../base/errors.js';
import type { StoreCipher } from './cipher.js';
import { placeAad } from './cipher.js';
import type { StoreCore } from './open-store.js';
import { blobOrNull, int, intOrNull, json, text, textOrNull, type Row } from './rows.js';
import { uuidv7 } from './uuidv7.js';

export interface CatalogVersion {
  readonly version: number;
  /** The items as stored; agent/catalog validates them before `put` and after `current`. */
  readonly items: unknown;
  readonly receivedAt: number;
}

export class CatalogRepo {
  constructor(private readonly core: StoreCore) {}

  /** Stores a catalog version; a version not newer than the current one is refused. */
  put(version: number, items: unknown, at: number = Date.now()): void {
    if (!Number.isSafeInteger(version) || version < 1) throw new InputError('store.catalogVersion', 'a catalog version is a positive integer');
    this.core.transaction(() => {
      const cur = this.currentVersion();
      if (cur !== null && version <= cur) throw new InputError('store.catalogStale', `catalog version ${version} is not newer than the stored ${cur}`);
      this.core.db.prepare('INSERT INTO catalog (version, items, received_at) VALUES (?, ?, ?)').run(version, JSON.stringify(items), at);
    });
  }

  currentVersion(): number | null {
    const r = this.core.db.prepare('SELECT max(version) AS v FROM catalog').get() as Row;
    return intOrNull(r, 'catalog', 'v');
  }

  current(): CatalogVersion | undefined {
    const r = this.core.db.prepare('SELECT * FROM catalog ORDER BY version DESC LIMIT 1').get() as Row | undefined;
    return r ? { version: int(r, 'catalog', 'version'), items: json(r, 'catalog', 'items'), receivedAt: int(r, 'catalog', 'received_at') } : undefined;
  }
}

export interface DeviceEvent {
  readonly seq: number;
  readonly device: string;
  readonly type: string;
  readonly details: unknown;
  readonly at: number;
}

export class DeviceEventsRepo {
  private readonly addStmt;
  constructor(private readonly core: StoreCore) {
    this.addStmt = core.db.prepare('INSERT INTO device_events (device, type, details, at) VALUES (?, ?, ?, ?)');
  }

  /** `details` must hold no personal data (a card's number is not a device event). */
  append(e: { device: string; type: string; details?: unknown; at?: number }): number {
    return Number(this.addStmt.run(e.device, e.type, e.details === undefined ? null : JSON.stringify(e.details), e.at ?? Date.now()).lastInsertRowid);
  }

  /** Newest first. */
  recent(options: { device?: string; limit?: number } = {}): DeviceEvent[] {
    const rows = (
      options.device === undefined
        ? this.core.db.prepare('SELECT * FROM device_events ORDER BY seq DESC LIMIT ?').all(options.limit ?? 100)
        : this.core.db.prepare('SELECT * FROM device_events WHERE device = ? ORDER BY seq DESC LIMIT ?').all(options.device, options.limit ?? 100)
    ) as Row[];
    return rows.map((r) => ({
      seq: int(r, 'device_events', 'seq'),
      device: text(r, 'device_events', 'device'),
      type: text(r, 'device_events', 'type'),
      details: r.details === null ? null : json(r, 'device_events', 'details'),
      at: int(r, 'device_events', 'at'),
    }));
  }
}

export type PrintJobState = 'queued' | 'printing' | 'printed' | 'failed';

export interface PrintJob {
  readonly id: string;
  readonly caseId: string | null;
  readonly kind: string;
  /** The document to print (a receipt may name the applicant: sealed at rest); null once printed. */
  readonly document: Uint8Array | null;
  readonly state: PrintJobState;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly createdAt: number;
  readonly printedAt: number | null;
}

const P = 'print_jobs';

export class PrintJobsRepo {
  constructor(
    private readonly core: StoreCore,
    private readonly cipher: StoreCipher,
  ) {}

  enqueue(job: { caseId?: string | null; kind: string; document: Uint8Array; at?: number }): string {
    const id = uuidv7();
    this.core.db
      .prepare("INSERT INTO print_jobs (id, case_id, kind, document_sealed, state, created_at) VALUES (?, ?, ?, ?, 'queued', ?)")
      .run(id, job.caseId ?? null, job.kind, this.cipher.seal(job.document, placeAad(P, id, 'document')), job.at ?? Date.now());
    return id;
  }

  /** Jobs not printed yet (queued, printing when the agent stopped, failed), oldest first. */
  pending(): PrintJob[] {
    return (this.core.db.prepare("SELECT * FROM print_jobs WHERE state <> 'printed' ORDER BY created_at, id").all() as Row[]).map((r) => this.fromRow(r));
  }

  get(id: string): PrintJob | undefined {
    const r = this.core.db.prepare('SELECT * FROM print_jobs WHERE id = ?').get(id) as Row | undefined;
    return r ? this.fromRow(r) : undefined;
  }

  markPrinting(id: string): void {
    this.core.db.prepare("UPDATE print_jobs SET state = 'printing', attempts = attempts + 1 WHERE id = ? AND state <> 'printed'").run(id);
  }

  markFailed(id: string, error: string): void {
    this.core.db.prepare("UPDATE print_jobs SET state = 'failed', last_error = ? WHERE id = ? AND state <> 'printed'").run(error, id);
  }

  /** Printed: the document (personal data) is dropped, the fact stays. */
  markPrinted(id: string, at: number = Date.now()): void {
    this.core.db.prepare("UPDATE print_jobs SET state = 'printed', printed_at = ?, document_sealed = x'' WHERE id = ?").run(at, id);
  }

  private fromRow(r: Row): PrintJob {
    const id = text(r, P, 'id');
    const state = text(r, P, 'state') as PrintJobState;
    const sealed = blobOrNull(r, P, 'document_sealed');
    return {
      id,
      caseId: textOrNull(r, P, 'case_id'),
      kind: text(r, P, 'kind'),
      document: state === 'printed' || !sealed ? null : this.cipher.open(sealed, placeAad(P, id, 'document')),
      state,
      attempts: int(r, P, 'attempts'),
      lastError: textOrNull(r, P, 'last_error'),
      createdAt: int(r, P, 'created_at'),
      printedAt: intOrNull(r, P, 'printed_at'),
    };
  }
}

export interface CertificateRecord {
  readonly documentId: string;
  readonly caseId: string | null;
  readonly template: string;
  /** Relative to the data directory. */
  readonly path: string;
  readonly sm3: string;
  readonly issuedAt: number;
}

const C = 'certificates';

export class CertificatesRepo {
  constructor(private readonly core: StoreCore) {}

  record(c: Omit<CertificateRecord, 'issuedAt'> & { issuedAt?: number }): void {
    if (!/^[0-9a-f]{64}$/.test(c.sm3)) throw new InputError('store.sm3', 'a certificate needs the SM3 hex of its PDF');
    this.core.db
      .prepare('INSERT INTO certificates (document_id, case_id, template, path, sm3, issued_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(c.documentId, c.caseId ?? null, c.template, c.path, c.sm3, c.issuedAt ?? Date.now());
  }

  get(documentId: string): CertificateRecord | undefined {
    const r = this.core.db.prepare('SELECT * FROM certificates WHERE document_id = ?').get(documentId) as Row | undefined;
    return r ? this.fromRow(r) : undefined;
  }

  forCase(caseId: string): CertificateRecord[] {
    return (this.core.db.prepare('SELECT * FROM certificates WHERE case_id = ? ORDER BY issued_at').all(caseId) as Row[]).map((r) => this.fromRow(r));
  }

  private fromRow(r: Row): CertificateRecord {
    return {
      documentId: text(r, C, 'document_id'),
      caseId: textOrNull(r, C, 'case_id'),
      template: text(r, C, 'template'),
      path: text(r, C, 'path'),
      sm3: text(r, C, 'sm3'),
      issuedAt: int(r, C, 'issued_at'),
    };
  }
}

/** Settings: small JSON values by key (no personal data). */
export class SettingsRepo {
  constructor(private readonly core: StoreCore) {}

  get(key: string): unknown {
    const r = this.core.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as Row | undefined;
    return r ? json(r, 'settings', 'value') : undefined;
  }

  set(key: string, value: unknown, at: number = Date.now()): void {
    if (value === undefined) throw new InputError('store.setting', `setting ${key} needs a value`);
    this.core.db
      .prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at')
      .run(key, JSON.stringify(value), at);
  }

  delete(key: string): void {
    this.core.db.prepare('DELETE FROM settings WHERE key = ?').run(key);
  }
}
