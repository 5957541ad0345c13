/**
 * 取件打印: the cases of one person that have something to pick up (result documents that came back
 * with 办结, certificates issued on site) or to follow (under way, sent back for correction, refused),
 * found by the keyed hash of the ID number the store keeps for each applicant record (as the operator's
 * erasure finds them: agent/purge) — never by opening every case. Only that person's cases are opened.
 * The lookup is audited (who looked, the number masked, how many cases), in the same transaction as the
 * reads, so a lookup is never unrecorded.
 */
import { InputError } from '../../base/errors.js';
import { maskIdNumber } from '../../base/redact.js';
import { appendAudit } from '../audit/audit-log.js';
import type { Catalog } from '../catalog/types.js';
import { isValidIdNumber } from '../pii/id-number.js';
import type { Store } from '../store/store.js';
import type { CaseService } from './case-service.js';
import { STATUS_LABELS } from './receipt.js';
import type { CaseStatus } from './types.js';

export interface PickupDocument {
  /** The document's id (a certificate's 编号; the endpoint's document id): the print route's {documentId}. */
  readonly id: string;
  readonly title: string;
  /** result: came back from the endpoint with 办结; certificate: issued and sealed on site. */
  readonly kind: 'result' | 'certificate';
  /** Printed at this kiosk already (a second print stays possible). */
  readonly printed: boolean;
}

export interface PickupCase {
  readonly id: string;
  readonly serial: string;
  readonly itemName: string;
  readonly status: CaseStatus;
  /** The status in plain words (the receipt's labels). */
  readonly statusLabel: string;
  readonly updatedAt: string;
  /** Why, for a case sent back for correction or refused: the note the endpoint (or staff) gave, meant for the applicant. */
  readonly note?: string;
  /** Only documents whose file the kiosk holds (a document without its file cannot be printed here). */
  readonly documents: readonly PickupDocument[];
}

/** At most this many cases are listed (newest first): a kiosk screen, not an archive. */
export const PICKUP_MAX_CASES = 20;

export class PickupRefused extends InputError {}

export interface PickupOptions {
  readonly store: Store;
  readonly cases: CaseService;
  readonly catalog: () => Catalog;
  /** The ids of the case's documents printed at this kiosk (A4 print jobs completed). */
  readonly printedDocuments: (caseId: string) => ReadonlySet<string>;
}

/**
 * The cases of the person with `idNumber` (checked: 18 characters with a valid check character, or the
 * older 15-character permanent residence number); an unknown person has none (an empty list, not an
 * error: the kiosk says there is nothing to pick up). `actor` is who asked, for the audit log.
 */
export function pickupCases(o: PickupOptions, idNumber: string, actor = 'citizen'): PickupCase[] {
  const number = typeof idNumber === 'string' ? idNumber.trim().toUpperCase() : '';
  if (!isValidIdNumber(number)) throw new PickupRefused('pickup.badIdNumber', 'idNumber is not a valid ID number (its check character does not match)');
  const { store } = o;
  return store.transaction(() => {
    const applicantIds = store.applicants.findByIdNumber(number);
    const ids = applicantIds.flatMap(
      (a) => store.db.prepare('SELECT id FROM cases WHERE applicant_id = ? AND purged_at IS NULL').all(a) as { id: string }[],
    );
    // UUIDv7 ids sort by creation: newest first.
    const caseIds = [...new Set(ids.map((r) => r.id))].sort().reverse().slice(0, PICKUP_MAX_CASES);
    const items = new Map(o.catalog().items.map((i) => [i.code, i.name]));
    const list: PickupCase[] = [];
    for (const id of caseIds) {
      const c = o.cases.get(id);
      if (!c || 'purged' in c || c.status === 'draft') continue;
      const files = new Set(store.materials.forCase(id).filter((m) => m.purgedAt === null).map((m) => m.materialId));
      const printed = o.printedDocuments(id);
      const last = c.history[c.history.length - 1];
      const note = (c.status === 'correctionRequested' || c.status === 'refused') && last?.to === c.status ? last.note : undefined;
      list.push({
        id: c.id,
        serial: c.serial,
        itemName: items.get(c.itemCode) ?? c.itemCode,
        status: c.status,
        statusLabel: STATUS_LABELS[c.status],
        updatedAt: c.updatedAt,
        ...(note ? { note } : {}),
        documents: c.results
          .filter((r) => files.has(`result:${r.documentId}`))
          .map((r) => ({ id: r.documentId, title: r.name, kind: r.template !== undefined ? 'certificate' : 'result', printed: printed.has(r.documentId) })),
      });
    }
    appendAudit(store.db, {
      type: 'identity',
      actor,
      subject: applicantIds.length ? `applicant:${applicantIds[applicantIds.length - 1]}` : null,
      details: { purpose: 'pickup', who: maskIdNumber(number), cases: list.length, documents: list.reduce((n, c) => n + c.documents.length, 0) },
    });
    return list;
  });
}

/**
 * The documents of a case printed at this kiosk. A printed job drops its document (personal data), so
 * the fact is read from the audit log: the A4 printing (agent/printing/document-jobs.ts) appends a
 * `print` entry with the case as subject and the document's id, in the transaction that marks its job
 * printed.
 */
export function printedDocuments(store: Store, caseId: string): ReadonlySet<string> {
  const rows = store.db
    .prepare("SELECT json_extract(details, '$.documentId') AS documentId FROM audit_log WHERE subject = ? AND type = 'print' AND json_extract(details, '$.command') = 'DocumentPrinter.PrintPdf'")
    .all(caseId) as { documentId: unknown }[];
  return new Set(rows.map((r) => r.documentId).filter((d): d is string => typeof d === 'string'));
}
