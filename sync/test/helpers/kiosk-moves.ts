/**
 * The kiosk's own moves of a case, written into the SQLite test kiosk store the way the agent's
 * CaseService writes them (the case, its history and its outbox `case.transition` entry in ONE
 * transaction): 补正 (a corrected resubmission, correctionRequested → submitted with new content) and an
 * on-site issue (submitted → accepted → completed with a result document the kiosk made). The fault
 * tests use them so that kiosk-made transitions, with content and with result files to upload, are
 * synced under faults too.
 */
import { canonicalJson } from '../../../certs/pdf/templates/reference.js';
import { sm3Hex } from '../../../certs/sm3.js';
import type { CaseStatus, FileRef, ResultDoc } from '../../protocol/index.js';
import type { TestKioskStore } from './test-kiosk-store.js';

interface CaseRow {
  region: string;
  status: string;
  content_hash: string;
  content: string;
}

/** Moves the case from its current status (one of `from`) to `to`; returns false when it is in none of them. */
function move(
  store: TestKioskStore,
  caseId: string,
  from: readonly CaseStatus[],
  to: CaseStatus,
  extra: { content?: Record<string, unknown>; results?: { doc: ResultDoc; bytes: Uint8Array }[]; note?: string },
): boolean {
  const db = store.db;
  return db.transaction(() => {
    const c = db.prepare('SELECT region, status, content_hash, content FROM cases WHERE id = ?').get(caseId) as CaseRow | undefined;
    if (!c || !(from as readonly string[]).includes(c.status)) return false;
    const content = extra.content;
    const contentHash = content ? sm3Hex(canonicalJson(content)) : c.content_hash;
    const results = extra.results ?? [];
    for (const r of results) store.putFile(r.bytes, r.doc.mediaType);
    const at = new Date().toISOString();
    const payload = { from: c.status, to, at, contentHash, ...(extra.note ? { note: extra.note } : {}), ...(content ? { content } : {}), results: results.map((r) => r.doc) };
    const attached = content ? ((content.materials as { provision?: string; sm3?: string; size?: number; mediaType?: FileRef['mediaType'] }[]) ?? []) : [];
    const files: FileRef[] = [
      ...attached.filter((m) => m.provision === 'attached').map((m) => ({ sm3: m.sm3!, size: m.size!, mediaType: m.mediaType! })),
      ...results.map(({ doc }) => ({ sm3: doc.sm3, size: doc.size, mediaType: doc.mediaType })),
    ];
    db.prepare('UPDATE cases SET status = ?, content_hash = ?, content = ? WHERE id = ?').run(to, contentHash, content ? JSON.stringify(content) : c.content, caseId);
    db.prepare('INSERT INTO case_history (case_id, from_status, to_status, actor, note, at) VALUES (?, ?, ?, ?, ?, ?)').run(caseId, c.status, to, 'kiosk', extra.note ?? null, at);
    db.prepare('INSERT INTO outbox (case_id, region, kind, payload, files) VALUES (?, ?, ?, ?, ?)').run(caseId, c.region, 'case.transition', JSON.stringify(payload), JSON.stringify(files));
    return true;
  }).immediate();
}

/** 补正: a case the endpoint sent back for correction (correctionRequested here), resubmitted with corrected form data. */
export function resubmit(store: TestKioskStore, caseId: string, correction: string): boolean {
  const row = store.db.prepare('SELECT content FROM cases WHERE id = ?').get(caseId) as { content: string };
  const content = JSON.parse(row.content) as Record<string, unknown>;
  content.form = { ...(content.form as object), correction };
  return move(store, caseId, ['correctionRequested'], 'submitted', { content });
}

/**
 * 当场办结: a case just submitted (or already uploaded by the sync) accepted and completed at the kiosk
 * with a result document it issued (`pdf` bytes); undefined when the case had moved on.
 */
export function issueOnSite(store: TestKioskStore, caseId: string, pdf: Uint8Array): ResultDoc | undefined {
  const sm3 = sm3Hex(pdf);
  const doc: ResultDoc = { sm3, size: pdf.length, mediaType: 'application/pdf', documentId: `K-${sm3.slice(0, 16)}`, title: '证明' };
  return store.db
    .transaction(() => {
      if (!move(store, caseId, ['submitted', 'uploaded'], 'accepted', {})) return undefined;
      move(store, caseId, ['accepted'], 'completed', { results: [{ doc, bytes: pdf }] });
      return doc;
    })
    .immediate();
}
