/**
 * Erasure of personal data (PIPL: keep it only as long as needed).
 *
 * - Retention purge: a case `completed` AND synced (every outbox entry sent) whose completion and last
 *   sync both lie more than `retentionDays` ago loses its personal data; so does an applicant once no
 *   unpurged case refers to it (and it is older than the retention).
 * - Operator erasure: every case and applicant record of one person, found by the keyed hash of the ID
 *   number (the number itself is never stored, logged or audited). Cases not synced yet are erased
 *   too; their pending outbox entries are quarantined so that an emptied case is never sent.
 *
 * What goes: the applicant's sealed fields (name, ID number, phone, address, photo) and lookup hash, the
 * case form, outbox payloads and print documents of the case (resealed as empty values so the store's
 * readers keep working), material files no unpurged case still uses, issued certificate PDFs. What stays:
 * ids, item codes, states, history, content hashes and SM3s of files, ratings: the non-personal facts.
 *
 * Each case or applicant is erased in one transaction together with its audit entry; files are deleted
 * after the commit (a crash in between leaves files that the next run's sweep deletes).
 *
 * This module works on the store's db handle directly for what the repositories do not offer (the
 * selection, outbox and print-job erasure); the seals use the store's aad scheme (`placeAad`).
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger, type Logger } from '../../base/log.js';
import { appendAudit } from '../audit/audit-log.js';
import { placeAad, type StoreCipher } from '../store/cipher.js';
import type { Store } from '../store/store.js';
import { eraseAtEmbeddedEndpoint } from './embedded-endpoint.js';

export const DEFAULT_RETENTION_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface PurgeReport {
  readonly reason: 'retention' | 'operator';
  readonly dryRun: boolean;
  /** Ids of the cases whose personal data was (or, dry run, would be) erased. */
  readonly cases: string[];
  /** Ids of the applicant records erased. */
  readonly applicants: string[];
  /** Operator erasure: cases erased before they were synced (their pending outbox entries quarantined). */
  readonly unsyncedCases: string[];
  readonly materialFilesDeleted: number;
  readonly certificateFilesDeleted: number;
  /** Cases erased in the embedded endpoint's store (DATA/endpoint/, when the kiosk runs one): embedded-endpoint.ts. */
  readonly endpointCases: string[];
}

interface CommonOptions {
  readonly cipher: StoreCipher;
  readonly now?: number;
  readonly dryRun?: boolean;
  readonly log?: Logger;
  /** Who asked, for the audit log: 'agent' (retention timer), 'operator'. */
  readonly actor?: string;
}

interface Files {
  materials: Set<string>; // relative paths
  certificates: Set<string>;
}

export function retentionCutoff(now: number, retentionDays: number): number {
  if (!Number.isInteger(retentionDays) || retentionDays < 0) throw new RangeError('retentionDays must be a whole number of days, 0 or more');
  return now - retentionDays * DAY_MS;
}

/** Cases eligible for the retention purge: completed and synced, both before the cutoff. */
function expiredCases(store: Store, cutoff: number, limit: number): { id: string; applicantId: string | null }[] {
  return store.db
    .prepare(
      `SELECT c.id AS id, c.applicant_id AS applicantId FROM cases c
       WHERE c.state = 'completed' AND c.purged_at IS NULL
         AND coalesce((SELECT max(h.at) FROM case_history h WHERE h.case_id = c.id AND h.to_state = 'completed'), c.updated_at) <= @cutoff
         AND EXISTS (SELECT 1 FROM outbox o WHERE o.case_id = c.id)
         AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.case_id = c.id AND o.sent_at IS NULL)
         AND (SELECT max(o.sent_at) FROM outbox o WHERE o.case_id = c.id) <= @cutoff
       ORDER BY c.id LIMIT @limit`,
    )
    .all({ cutoff, limit }) as { id: string; applicantId: string | null }[];
}

/** Applicants with no unpurged case left, created before the cutoff. */
function releasableApplicants(store: Store, cutoff: number): string[] {
  const rows = store.db
    .prepare(
      `SELECT a.id AS id FROM applicants a
       WHERE a.purged_at IS NULL AND a.created_at <= @cutoff
         AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.applicant_id = a.id AND c.purged_at IS NULL)
       ORDER BY a.id`,
    )
    .all({ cutoff }) as { id: string }[];
  return rows.map((r) => r.id);
}

/** Erases one case's personal data and audits it, in the caller's transaction. Returns files to delete. */
function eraseCase(store: Store, o: CommonOptions & { reason: 'retention' | 'operator' }, caseId: string, at: number, files: Files): { unsynced: boolean } {
  const db = store.db;
  db.prepare('UPDATE cases SET form_sealed = NULL, purged_at = ? WHERE id = ? AND purged_at IS NULL').run(at, caseId);
  const materials = db.prepare('SELECT path FROM materials WHERE case_id = ? AND purged_at IS NULL').all(caseId) as { path: string }[];
  db.prepare('UPDATE materials SET purged_at = ? WHERE case_id = ? AND purged_at IS NULL').run(at, caseId);
  for (const m of materials) files.materials.add(m.path);

  const outbox = db.prepare('SELECT seq, kind, sent_at AS sentAt, quarantined_reason AS q FROM outbox WHERE case_id = ?').all(caseId) as {
    seq: number;
    kind: string;
    sentAt: number | null;
    q: string | null;
  }[];
  let unsynced = false;
  for (const e of outbox) {
    const emptied = o.cipher.seal('null', placeAad('outbox', caseId, e.kind));
    if (e.sentAt === null && e.q === null) {
      unsynced = true;
      db.prepare('UPDATE outbox SET payload_sealed = ?, quarantined_reason = ? WHERE seq = ?').run(emptied, 'personal data erased before sync', e.seq);
    } else {
      db.prepare('UPDATE outbox SET payload_sealed = ? WHERE seq = ?').run(emptied, e.seq);
    }
  }

  // What the endpoint sent about the case (notes, result titles) goes too; the message ids stay, so a
  // redelivery is still recognised.
  const inbox = db.prepare('UPDATE inbox SET payload_sealed = NULL WHERE case_id = ? AND payload_sealed IS NOT NULL').run(caseId).changes;

  const jobs = db.prepare('SELECT id, state FROM print_jobs WHERE case_id = ?').all(caseId) as { id: string; state: string }[];
  for (const j of jobs) {
    const empty = o.cipher.seal(new Uint8Array(0), placeAad('print_jobs', j.id, 'document'));
    if (j.state === 'printed') db.prepare("UPDATE print_jobs SET document_sealed = x'' WHERE id = ?").run(j.id);
    else db.prepare("UPDATE print_jobs SET document_sealed = ?, state = 'failed', last_error = 'personal data erased' WHERE id = ?").run(empty, j.id);
  }

  const certificates = db.prepare('SELECT path FROM certificates WHERE case_id = ?').all(caseId) as { path: string }[];
  for (const c of certificates) files.certificates.add(c.path);

  appendAudit(db, {
    type: 'purge',
    actor: o.actor ?? (o.reason === 'retention' ? 'agent' : 'operator'),
    subject: caseId,
    details: { reason: o.reason, what: 'case', materials: materials.length, certificates: certificates.length, inbox, unsynced },
    at,
  });
  return { unsynced };
}

function eraseApplicant(store: Store, o: CommonOptions & { reason: 'retention' | 'operator' }, applicantId: string, at: number): void {
  store.applicants.purge(applicantId, at);
  appendAudit(store.db, {
    type: 'purge',
    actor: o.actor ?? (o.reason === 'retention' ? 'agent' : 'operator'),
    subject: `applicant:${applicantId}`,
    details: { reason: o.reason, what: 'applicant' },
    at,
  });
}

/** Inside a data directory only: a path read back from the store must not lead elsewhere. */
function insideDataDir(rel: string): boolean {
  return rel !== '' && !rel.startsWith('/') && !rel.split(/[\\/]/).includes('..');
}

/** Deletes material files no unpurged row uses any more, and the given certificate files. */
function deleteFiles(store: Store, files: Files, log: Logger): { materials: number; certificates: number } {
  let materials = 0;
  let certificates = 0;
  const stillUsed = store.db.prepare('SELECT 1 FROM materials WHERE path = ? AND purged_at IS NULL LIMIT 1');
  for (const rel of files.materials) {
    if (!insideDataDir(rel) || stillUsed.get(rel)) continue;
    const abs = join(store.dataDir, rel);
    if (existsSync(abs)) {
      rmSync(abs, { force: true });
      materials++;
    }
  }
  for (const rel of files.certificates) {
    // An issued PDF is kept as a material file of its case: never delete one a live case still uses.
    if (!insideDataDir(rel) || stillUsed.get(rel)) continue;
    const abs = join(store.dataDir, rel);
    if (existsSync(abs)) {
      rmSync(abs, { force: true });
      certificates++;
    }
  }
  if (materials + certificates > 0) log.info('personal files deleted', { materials, certificates });
  return { materials, certificates };
}

/**
 * Files left behind by a crash between a purge's commit and its file deletions: material files whose
 * every row is purged, certificate files of purged cases.
 */
function leftovers(store: Store): Files {
  const files: Files = { materials: new Set(), certificates: new Set() };
  const root = join(store.dataDir, 'materials');
  if (existsSync(root)) {
    const live = store.db.prepare('SELECT 1 FROM materials WHERE sm3 = ? AND purged_at IS NULL LIMIT 1');
    const known = store.db.prepare('SELECT 1 FROM materials WHERE sm3 = ? LIMIT 1');
    for (const dir of readdirSync(root)) {
      if (!/^[0-9a-f]{2}$/.test(dir)) continue;
      for (const name of readdirSync(join(root, dir))) {
        // Only files the store knows and has purged: never a file being written (no row yet).
        if (/^[0-9a-f]{64}$/.test(name) && known.get(name) && !live.get(name)) files.materials.add(join('materials', dir, name));
      }
    }
  }
  const certs = store.db.prepare('SELECT ce.path AS path FROM certificates ce JOIN cases c ON c.id = ce.case_id WHERE c.purged_at IS NOT NULL').all() as { path: string }[];
  for (const c of certs) files.certificates.add(c.path);
  return files;
}

/** Splits `items` into runs of `size`. */
function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * The retention purge (run by the agent on a timer, or `tongban purge`). Cases are erased `batchSize`
 * to a transaction (one fsync each, default 100); `maxCases` bounds one run (the agent's timer uses it
 * so that a large backlog never blocks the API for long: it comes back for the rest).
 */
export function purgeExpired(store: Store, options: CommonOptions & { retentionDays: number; batchSize?: number; maxCases?: number }): PurgeReport {
  const log = (options.log ?? silentLogger).child({ component: 'agent.purge' });
  const now = options.now ?? Date.now();
  const cutoff = retentionCutoff(now, options.retentionDays);
  const o = { ...options, reason: 'retention' as const };
  const batchSize = options.batchSize ?? 100;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError('batchSize must be a whole number, 1 or more');
  const cases = expiredCases(store, cutoff, options.maxCases ?? -1); // SQLite: LIMIT -1 is no limit
  if (options.dryRun) {
    const caseIds = new Set(cases.map((c) => c.id));
    // An applicant is released when its only unpurged cases are among those purged now.
    const openCases = store.db.prepare('SELECT id FROM cases WHERE applicant_id = ? AND purged_at IS NULL');
    const applicants = (store.db.prepare('SELECT id FROM applicants WHERE purged_at IS NULL AND created_at <= ? ORDER BY id').all(cutoff) as { id: string }[])
      .map((r) => r.id)
      .filter((id) => (openCases.all(id) as { id: string }[]).every((c) => caseIds.has(c.id)));
    return { reason: 'retention', dryRun: true, cases: [...caseIds], applicants, unsyncedCases: [], materialFilesDeleted: 0, certificateFilesDeleted: 0, endpointCases: [] };
  }
  const files: Files = { materials: new Set(), certificates: new Set() };
  for (const batch of chunks(cases, batchSize)) store.transaction(() => batch.forEach((c) => eraseCase(store, o, c.id, now, files)));
  const applicants = releasableApplicants(store, cutoff);
  for (const batch of chunks(applicants, batchSize)) store.transaction(() => batch.forEach((id) => eraseApplicant(store, o, id, now)));
  // The sweep reads every material file name: once the backlog is done, not on each partial run.
  if (options.maxCases === undefined || cases.length < options.maxCases) {
    const sweep = leftovers(store);
    for (const f of sweep.materials) files.materials.add(f);
    for (const f of sweep.certificates) files.certificates.add(f);
  }
  const deleted = deleteFiles(store, files, log);
  const endpointCases = eraseAtEmbeddedEndpoint(store, { log, actor: options.actor ?? 'agent', reason: 'retention', now }, (e) => e.purgeExpired(options.retentionDays, now));
  log.info('retention purge done', { retentionDays: options.retentionDays, cases: cases.length, applicants: applicants.length, caseIds: cases.map((c) => c.id) });
  return {
    reason: 'retention',
    dryRun: false,
    cases: cases.map((c) => c.id),
    applicants,
    unsyncedCases: [],
    materialFilesDeleted: deleted.materials,
    certificateFilesDeleted: deleted.certificates,
    endpointCases,
  };
}

/**
 * Erases every record of the person with this ID number (operator request). Returns an empty report
 * when the store holds no applicant with that number.
 */
export function purgeApplicant(store: Store, idNumber: string, options: CommonOptions): PurgeReport {
  const log = (options.log ?? silentLogger).child({ component: 'agent.purge' });
  const now = options.now ?? Date.now();
  const o = { ...options, reason: 'operator' as const };
  const applicantIds = store.applicants.findByIdNumber(idNumber);
  const caseRows = applicantIds.flatMap(
    (id) => store.db.prepare('SELECT id FROM cases WHERE applicant_id = ? AND purged_at IS NULL ORDER BY id').all(id) as { id: string }[],
  );
  const unsyncedOf = (caseId: string) =>
    !!store.db.prepare('SELECT 1 FROM outbox WHERE case_id = ? AND sent_at IS NULL AND quarantined_reason IS NULL LIMIT 1').get(caseId);
  if (options.dryRun) {
    return {
      reason: 'operator',
      dryRun: true,
      cases: caseRows.map((c) => c.id),
      applicants: applicantIds,
      unsyncedCases: caseRows.map((c) => c.id).filter(unsyncedOf),
      materialFilesDeleted: 0,
      certificateFilesDeleted: 0,
      endpointCases: [],
    };
  }
  const files: Files = { materials: new Set(), certificates: new Set() };
  const unsynced: string[] = [];
  // One transaction for the person: either all of their records are erased or none.
  store.transaction(() => {
    for (const c of caseRows) if (eraseCase(store, o, c.id, now, files).unsynced) unsynced.push(c.id);
    for (const id of applicantIds) eraseApplicant(store, o, id, now);
  });
  const deleted = deleteFiles(store, files, log);
  const endpointCases = eraseAtEmbeddedEndpoint(store, { log, actor: options.actor ?? 'operator', reason: 'operator', now }, (e) => e.eraseApplicant(idNumber, now));
  log.info('applicant erased on request', { applicants: applicantIds, cases: caseRows.map((c) => c.id), unsynced });
  return {
    reason: 'operator',
    dryRun: false,
    cases: caseRows.map((c) => c.id),
    applicants: applicantIds,
    unsyncedCases: unsynced,
    materialFilesDeleted: deleted.materials,
    certificateFilesDeleted: deleted.certificates,
    endpointCases,
  };
}
