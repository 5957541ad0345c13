/**
 * The kiosk side of sync (contracts section 5, `KioskSyncStore` of sync/client) over agent/store and
 * the CaseService. Every method that writes does it in ONE store transaction (synchronous=FULL), so
 * what the client acknowledges to the endpoint, or the cursor it reports, is on disk first.
 *
 * - pending: the earliest unsent entry of each case (a case's entries go out in order), routed by the
 *   entry's region (the case's item's targetRegion), as protocol entries with the files they list. A
 *   row the protocol cannot carry is quarantined here (never dropped, never blocking other cases).
 * - acknowledged: rows marked sent and each case still at `submitted` moved to `uploaded` through the
 *   CaseService (history, audit), in one transaction. Items the kiosk issues on site (证明开具) stay at
 *   `submitted`: the kiosk decides them itself, and the endpoint only keeps the record.
 * - applyEvents: each event recorded in the inbox (payload sealed) and applied — a status through
 *   CaseService.transition by actor `endpoint` (a case still at `submitted` first goes to `uploaded`;
 *   result files stored as the case's materials `result:<documentId>`), a catalog through
 *   applyCatalogUpdate — and the cursor advanced, in one transaction. An event that cannot be applied
 *   (unknown case, illegal transition, bad catalog, missing file) is recorded with its reason and
 *   skipped; a redelivered event id is skipped.
 */
import { messageOf } from '../../base/errors.js';
import type { Logger } from '../../base/log.js';
import { sm3Hex } from '../../certs/sm3.js';
import type { KioskSyncStore, Regions, SyncEntry } from '../../sync/client/types.js';
import type { CaseStatusEvent, DeviceHealth, EndpointEvent, QueueSizes } from '../../sync/protocol/index.js';
import type { CaseService } from '../cases/case-service.js';
import { appendAuditMany } from '../audit/audit-log.js';
import { applyCatalogUpdate } from '../catalog/catalog-store.js';
import type { Catalog } from '../catalog/types.js';
import type { OutboxEntry } from '../store/sync-repo.js';
import type { Store } from '../store/store.js';
import { CredentialsFile } from './credentials.js';
import { UnsendableEntry, caseEntryOf, resultDocumentOf } from './entries.js';

export interface KioskSyncStoreOptions {
  readonly store: Store;
  readonly cases: CaseService;
  readonly dataDir: string;
  /** The catalog in force (routing of rows made before migration 0003, on-site items). */
  readonly catalog: () => Catalog;
  /** Called after the commit of a catalog update from an endpoint: the agent puts it in force. */
  readonly onCatalog?: (catalog: Catalog) => void;
  /** Called after a commit that changed cases (the agent tells the kiosk UI). */
  readonly onCasesChanged?: (changes: readonly CaseChange[]) => void;
  /** Device health for heartbeats (no personal data). */
  readonly devices?: () => DeviceHealth[];
  /** The regions some endpoint serves ('*' among them: all), for the unrouted count of heartbeats. */
  readonly routedRegions?: () => Regions;
  /** The name an endpoint's credentials and cursor are kept under (default its URL; the embedded one's port changes). */
  readonly endpointKey?: (url: string) => string;
  readonly log: Logger;
}

export interface CaseChange {
  readonly caseId: string;
  readonly itemCode: string;
  readonly status: string;
}

export interface QuarantinedEntry {
  readonly seq: number;
  readonly caseId: string | null;
  readonly region: string | null;
  readonly kind: string;
  readonly code: string | null;
  readonly reason: string;
  readonly createdAt: string;
}

/** Status strings the endpoint may set (sync/protocol ENDPOINT_STATUSES). */
const ENDPOINT_TO = new Set(['accepted', 'correctionRequested', 'refused', 'completed']);

export class AgentKioskSyncStore implements KioskSyncStore {
  private readonly store: Store;
  private readonly cases: CaseService;
  private readonly credentialsFile: CredentialsFile;
  private readonly log: Logger;

  constructor(private readonly o: KioskSyncStoreOptions) {
    this.store = o.store;
    this.cases = o.cases;
    this.credentialsFile = new CredentialsFile(o.dataDir);
    this.log = o.log.child({ component: 'agent.sync' });
    this.resolveRegions();
  }

  /** Gives rows without a region (made before migration 0003 for an item it could not find) the one of their case's item. */
  private resolveRegions(): void {
    const rows = this.store.outbox.withoutRegion();
    if (rows.length === 0) return;
    this.store.transaction(() => {
      for (const r of rows) {
        const region = this.regionOfCase(r.caseId);
        if (region) this.store.outbox.setRegion(r.seq, region);
      }
    });
  }

  private regionOfCase(caseId: string | null): string | undefined {
    if (caseId === null) return undefined;
    const c = this.store.cases.get(caseId);
    return c ? this.o.catalog().items.find((it) => it.code === c.itemCode)?.targetRegion : undefined;
  }

  pending(q: { regions: Regions; now: number; limit: number; exclude: ReadonlySet<number> }): SyncEntry[] {
    const rows = this.store.outbox.heads(q);
    const out: SyncEntry[] = [];
    for (const row of rows) {
      const region = row.region ?? this.regionOfCase(row.caseId);
      if (region === undefined || (q.regions !== '*' && !q.regions.includes(region))) continue;
      const entry = this.toEntry(row, region);
      if (entry) out.push(entry);
    }
    return out;
  }

  private toEntry(row: OutboxEntry, region: string): SyncEntry | undefined {
    try {
      const { entry, files } = caseEntryOf({ ...row, region }, (sm3) => {
        const m = this.store.materials.bySm3(sm3);
        return m && { size: m.size, mediaType: m.mime };
      });
      const unique = [...new Map(files.map((f) => [f.sm3, f])).values()];
      return { seq: entry.seq, caseId: entry.caseId, region, kind: entry.kind, payload: entry.payload, files: unique, attempts: row.attempts };
    } catch (err) {
      if (!(err instanceof UnsendableEntry)) throw err;
      // Never sent as it is, never dropped: kept for staff, and the case's later entries wait behind it.
      this.quarantine(row.seq, err.code, err.message);
      return undefined;
    }
  }

  hasFile(sm3: string): boolean {
    return this.store.materials.bySm3(sm3) !== undefined;
  }

  readFile(sm3: string): Uint8Array {
    const m = this.store.materials.bySm3(sm3);
    if (!m) throw new Error(`the kiosk holds no file with SM3 ${sm3}`);
    // Not hashed again here: the endpoint checks the SM3 of an upload (and the pump then checks our
    // copy), and applyEvents checks the result files it reads.
    return this.store.materials.read(m, { verify: false });
  }

  acknowledged(seqs: readonly number[], at: number): void {
    if (seqs.length === 0) return;
    const moved: CaseChange[] = [];
    const items = new Map(this.o.catalog().items.map((it) => [it.code, it]));
    // Set-based, in ONE transaction (no savepoint per case): the entries marked sent by one UPDATE, the
    // cases still at `submitted` moved by one UPDATE with their history rows by one INSERT ... SELECT,
    // and one audit entry per moved case appended in one go — what a loop of CaseService.transition
    // would write, without opening the sealed cases. submitted -> uploaded by the kiosk has no guard
    // (state-machine.ts).
    this.store.transaction(() => {
      const sent = this.store.outbox.markSentMany(seqs, at); // a duplicate ack marks nothing
      const caseIds = [...new Set(sent.flatMap((e) => (e.caseId === null ? [] : [e.caseId])))];
      if (caseIds.length === 0) return;
      const submitted = new Map(this.store.cases.inState(caseIds, 'submitted').map((c) => [c.id, c.itemCode]));
      const toMove: { id: string; itemCode: string }[] = [];
      for (const id of caseIds) {
        const itemCode = submitted.get(id);
        if (itemCode === undefined) continue;
        const item = items.get(itemCode);
        if (!item || item.issuable) continue; // issued on site: stays at submitted
        toMove.push({ id, itemCode });
      }
      if (toMove.length === 0) return;
      this.store.cases.moveMany(
        toMove.map((c) => c.id),
        { from: 'submitted', to: 'uploaded', actor: 'kiosk', at },
      );
      appendAuditMany(
        this.store.db,
        toMove.map((c) => ({ type: 'caseTransition', actor: 'agent', subject: c.id, details: { from: 'submitted', to: 'uploaded', item: c.itemCode }, at })),
      );
      for (const c of toMove) moved.push({ caseId: c.id, itemCode: c.itemCode, status: 'uploaded' });
    });
    if (moved.length) this.o.onCasesChanged?.(moved);
  }

  failed(seq: number, error: string, nextAttemptAt: number): void {
    this.store.outbox.markFailed(seq, error.slice(0, 500), nextAttemptAt);
  }

  quarantine(seq: number, code: string, reason: string): void {
    this.store.outbox.quarantine(seq, reason.slice(0, 500) || code, code.slice(0, 100));
    this.log.warn('outbox entry quarantined', { seq, code });
  }

  /** Puts a quarantined entry back in the queue (staff, after fixing the cause). False when it was not quarantined. */
  retry(seq: number): boolean {
    const released = this.store.outbox.release(seq);
    if (released) this.log.info('quarantined outbox entry released for another attempt', { seq });
    return released;
  }

  /** The quarantined entries, oldest first (no payloads: nothing personal). */
  quarantined(limit = 1000): QuarantinedEntry[] {
    return this.store.outbox.quarantined(limit).map((q) => ({ ...q, createdAt: new Date(q.createdAt).toISOString() }));
  }

  /** Entries waiting per region that no endpoint serves (`routed` includes '*': none). */
  unrouted(routed: Regions): { region: string; count: number }[] {
    if (routed === '*' || routed.includes('*')) return [];
    return this.store.outbox
      .pendingByRegion()
      .map((r) => ({ region: r.region ?? 'unknown', count: r.count }))
      .filter((r) => !routed.includes(r.region));
  }

  private key(url: string): string {
    return this.o.endpointKey?.(url) ?? url;
  }

  credentials(endpointUrl: string): { kioskId: string; secret: string } | undefined {
    const c = this.credentialsFile.get(this.key(endpointUrl));
    return c && { kioskId: c.kioskId, secret: c.secret };
  }

  saveCredentials(endpointUrl: string, c: { kioskId: string; secret: string }): void {
    this.credentialsFile.save(this.key(endpointUrl), c);
    this.log.info('kiosk enrolled', { endpoint: endpointUrl, kioskId: c.kioskId });
  }

  /** Forgets an endpoint's credentials and cursor (it lost its own record of this kiosk: the embedded one's data removed). */
  forgetEndpoint(endpointUrl: string): void {
    const key = this.key(endpointUrl);
    this.credentialsFile.remove(key);
    this.store.inbox.removeCursor(key);
    this.log.warn('the endpoint no longer knows this kiosk: enrolling again', { endpoint: endpointUrl });
  }

  cursor(endpointUrl: string): string | null {
    return this.store.inbox.cursor(this.key(endpointUrl));
  }

  applyEvents(endpointUrl: string, events: readonly EndpointEvent[], files: ReadonlyMap<string, Uint8Array>): void {
    if (events.length === 0) return;
    const endpoint = this.key(endpointUrl);
    const changed = new Map<string, CaseChange>();
    let catalog: Catalog | undefined;
    const at = Date.now();
    this.store.transaction(() => {
      for (const ev of events) {
        if (this.store.inbox.has(ev.id)) continue; // redelivered: applied (or skipped) before
        let error: string | null = null;
        try {
          // A savepoint: an event that fails leaves nothing of itself behind.
          this.store.transaction(() => {
            if (ev.kind === 'case.status') {
              changed.set(ev.caseId, this.applyStatus(ev, files));
            } else if (ev.kind === 'catalog') {
              const decision = applyCatalogUpdate(this.store, ev.catalog, 'sync');
              if (decision.action === 'replace') catalog = decision.catalog;
            } else {
              throw new Error(`unknown event kind ${(ev as { kind: string }).kind}`);
            }
          });
        } catch (err) {
          error = messageOf(err).slice(0, 500);
          this.log.warn('endpoint event not applied', { endpoint: endpointUrl, event: ev.id, kind: ev.kind, error });
        }
        this.store.inbox.record(
          {
            endpoint,
            messageId: ev.id,
            cursor: ev.cursor,
            kind: ev.kind,
            caseId: ev.kind === 'case.status' ? ev.caseId : null,
            payload: ev.kind === 'case.status' ? { to: ev.to, note: ev.note ?? null, results: ev.results, at: ev.at } : { version: ev.version, at: ev.at },
            appliedAt: error === null ? at : null,
            error,
          },
          at,
        );
      }
      this.store.inbox.setCursor(endpoint, events[events.length - 1]!.cursor, at);
    });
    if (catalog) this.o.onCatalog?.(catalog);
    if (changed.size) this.o.onCasesChanged?.([...changed.values()]);
  }

  private applyStatus(ev: CaseStatusEvent, files: ReadonlyMap<string, Uint8Array>): CaseChange {
    if (!ENDPOINT_TO.has(ev.to)) throw new Error(`status ${String(ev.to)} is not one an endpoint sets`);
    const c = this.cases.get(ev.caseId);
    if (!c) throw new Error(`no case ${ev.caseId} at this kiosk`);
    if ('purged' in c) throw new Error(`case ${ev.caseId} was purged at this kiosk`);
    for (const doc of ev.results) {
      const bytes = files.get(doc.sm3) ?? (this.hasFile(doc.sm3) ? this.readFile(doc.sm3) : undefined);
      if (!bytes) throw new Error(`result document ${doc.documentId}: its file was not fetched`);
      if (bytes.length !== doc.size || sm3Hex(bytes) !== doc.sm3) throw new Error(`result document ${doc.documentId}: the file does not match its SM3 and size`);
      this.store.materials.put({ caseId: c.id, materialId: `result:${doc.documentId}`, bytes, mime: doc.mediaType });
    }
    if (c.status === 'submitted') this.cases.transition(c.id, { to: 'uploaded', actor: 'kiosk' });
    const after = this.cases.transition(c.id, { to: ev.to, actor: 'endpoint', ...(ev.note ? { note: ev.note } : {}), ...(ev.results.length ? { results: ev.results.map(resultDocumentOf) } : {}) });
    return { caseId: c.id, itemCode: after.itemCode, status: after.status };
  }

  heartbeat(): { devices: DeviceHealth[]; queue: QueueSizes; auditHead: { seq: number; hash: string } | null } {
    const routed = this.o.routedRegions?.() ?? '*';
    return {
      devices: this.o.devices?.() ?? [],
      queue: {
        pending: this.store.outbox.pendingCount(),
        quarantined: this.store.outbox.quarantinedIn('*'),
        unrouted: this.unrouted(routed).reduce((n, r) => n + r.count, 0),
        inboxUnapplied: this.store.inbox.unappliedCount(),
      },
      auditHead: this.store.auditHead(),
    };
  }

  counts(regions: Regions): { pending: number; quarantined: number } {
    return { pending: this.store.outbox.pendingIn(regions), quarantined: this.store.outbox.quarantinedIn(regions) };
  }
}
