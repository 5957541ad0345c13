/**
 * CaseService: the case workflow over the store. Every method checks its input where it enters, does
 * its writes — the case, its history, its outbox entry, its audit entry — in ONE store transaction, and
 * returns only after the commit: whatever it returns has been persisted (and audited) and may be
 * acknowledged to the kiosk UI or the API client.
 *
 * Storage: the store's `cases` row holds the item, bundle, state, content hash and rating score; the
 * sealed `form` column holds the case envelope { format, catalogVersion, form, materials, results,
 * rating } (all personal, all erased together by a purge); the applicant is an `applicants` row (sealed
 * fields); attached material files are the store's content-addressed materials.
 */
import { EnvironmentError, InputError } from '../../base/errors.js';
import { sm3Hex } from '../../certs/sm3.js';
import { appendAudit } from '../audit/audit-log.js';
import type { Catalog, CatalogItem, MaterialForm } from '../catalog/types.js';
import type { CaseHistoryEntry, CaseRecord } from '../store/cases-repo.js';
import type { Store } from '../store/store.js';
import { uuidv7 } from '../store/uuidv7.js';
import { checkBundle } from './bundle.js';
import { canonicalCaseContent, caseContentHash } from './content-hash.js';
import { draftCase, parseCaseInput, UUID, type CaseInput } from './input.js';
import { makeRating, type RatingRequest } from './rating.js';
import { IllegalTransition, applyTransition, isCaseActor, isCaseStatus, type TransitionRequest } from './state-machine.js';
import { MAX_MATERIAL_BYTES } from './input.js';
import {
  CASE_STATUSES,
  RATING_LABELS,
  RESULT_KINDS,
  type Applicant,
  type Case,
  type CaseActor,
  type CaseStatus,
  type FormData,
  type MaterialEntry,
  type Rating,
  type ResultDocument,
  type Transition,
} from './types.js';

/** A case as stored: the case itself with its serial number (申办流水号) and content hash. */
export interface StoredCase extends Case {
  readonly serial: string;
  readonly contentHash: string;
}

/** What is left of a case after its personal data was purged: the non-personal facts. */
export interface PurgedCase {
  readonly purged: true;
  readonly id: string;
  readonly serial: string;
  readonly itemCode: string;
  readonly bundleId?: string;
  readonly status: CaseStatus;
  readonly contentHash: string;
  readonly ratingScore?: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly history: readonly Transition[];
}

export interface CaseListEntry {
  readonly id: string;
  readonly serial: string;
  readonly itemCode: string;
  readonly bundleId?: string;
  readonly status: CaseStatus;
  readonly contentHash: string;
  readonly updatedAt: string;
}

export interface SubmitResult {
  readonly case: StoredCase;
  /** False when the input carried the id of a case already stored with the same content (idempotent). */
  readonly created: boolean;
}

export interface AttachRequest {
  readonly materialId: string;
  readonly form: Exclude<MaterialForm, '电子证照'>;
  readonly bytes: Uint8Array;
  readonly mediaType: 'image/jpeg' | 'image/png' | 'application/pdf';
}

export interface IssueRequest {
  /** The template's data (validated by the template; an InputError names the bad field). */
  readonly data: unknown;
  /** The issuing department's GB/T 38540 seal, its signer's SM2 key and certificate. */
  readonly seal: Uint8Array;
  readonly signerKey: Uint8Array;
  readonly signerCert: Uint8Array | string;
  readonly time?: Date;
}

export interface CaseServiceOptions {
  readonly store: Store;
  /** The catalog in force, asked on each call (an update from the endpoint replaces it). */
  readonly catalog: () => Catalog;
  /** Milliseconds since the epoch; tests fix it. */
  readonly now?: () => number;
}

interface Envelope {
  readonly format: 1;
  readonly catalogVersion: number;
  readonly form: FormData;
  readonly materials: readonly MaterialEntry[];
  readonly results: readonly ResultDocument[];
  readonly rating?: Omit<Rating, 'score' | 'label'>;
}

/** The audit actor of a case actor (the audit log's vocabulary: agent, sync, staff). */
const AUDIT_ACTOR: Record<CaseActor, string> = { kiosk: 'agent', endpoint: 'sync', staff: 'staff' };

const iso = (ms: number): string => new Date(ms).toISOString();

function damaged(id: string, what: string): EnvironmentError {
  return new EnvironmentError('env.storeCase', `case ${id} as stored is damaged (${what})`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The envelope read back from the store, checked for shape (its content was validated on the way in). */
function readEnvelope(id: string, raw: unknown): Envelope {
  if (!isRecord(raw) || raw.format !== 1) throw damaged(id, 'not a case envelope of format 1');
  if (!Number.isSafeInteger(raw.catalogVersion)) throw damaged(id, 'catalogVersion');
  if (!isRecord(raw.form) || !Object.values(raw.form).every((v) => typeof v === 'string' || typeof v === 'number')) throw damaged(id, 'form');
  if (!Array.isArray(raw.materials) || !raw.materials.every((m) => isRecord(m) && typeof m.id === 'string' && ['attached', 'electronic', 'later'].includes(m.provision as string))) throw damaged(id, 'materials');
  if (!Array.isArray(raw.results) || !raw.results.every((r) => isRecord(r) && (RESULT_KINDS as readonly unknown[]).includes(r.kind))) throw damaged(id, 'results');
  if (raw.rating !== undefined && !(isRecord(raw.rating) && (raw.rating.occasion === 'completion' || raw.rating.occasion === 'visit') && typeof raw.rating.at === 'string')) throw damaged(id, 'rating');
  return raw as unknown as Envelope;
}

function readApplicant(id: string, fields: Record<string, unknown>, source: string): Applicant {
  const { idNumber, name, idType, qrIssuer } = fields;
  if (typeof idNumber !== 'string' || typeof name !== 'string' || (idType !== 'resident' && idType !== 'gat' && idType !== 'foreigner')) throw damaged(id, 'applicant');
  return { source: source === 'qr' ? 'qr' : 'idCard', idType, idNumber, name, ...(typeof qrIssuer === 'string' ? { qrIssuer } : {}) };
}

function historyOf(id: string, entries: readonly CaseHistoryEntry[]): Transition[] {
  return entries.map((h) => {
    // The store's first entry has no from-state: the case was created submitted, from a draft at the kiosk.
    const from = h.fromState ?? 'draft';
    if (!isCaseStatus(from) || !isCaseStatus(h.toState) || !isCaseActor(h.actor)) throw damaged(id, `history entry ${h.seq}`);
    return { from, to: h.toState, actor: h.actor, at: iso(h.at), ...(h.reason !== null ? { note: h.reason } : {}) };
  });
}

function serialFor(item: CatalogItem, id: string, at: number): string {
  // 申办流水号: the item's region, the date, and the last 10 hex digits of the (random) id.
  const day = iso(at).slice(0, 10).replaceAll('-', '');
  return `${item.region}${day}${id.replaceAll('-', '').slice(-10).toUpperCase()}`;
}

function checkId(id: unknown): string {
  if (typeof id !== 'string' || !UUID.test(id)) throw new InputError('case.badId', 'a case id is a lower-case UUID');
  return id;
}

export class CaseService {
  private readonly store: Store;
  private readonly catalog: () => Catalog;
  private readonly now: () => number;

  constructor(options: CaseServiceOptions) {
    this.store = options.store;
    this.catalog = options.catalog;
    this.now = options.now ?? Date.now;
  }

  /**
   * Creates a case from JSON and submits it: the applicant, the case (status submitted) with its first
   * history entry and its outbox entry (kind `case.submitted`), the files of `attached` materials and
   * the audit entry, in one transaction. With the id of a stored case: the same content returns it
   * (created false), other content is refused (store.caseConflict).
   */
  submit(raw: unknown, files: ReadonlyMap<string, Uint8Array> = new Map()): SubmitResult {
    const catalog = this.catalog();
    const input = parseCaseInput(raw, catalog);
    return this.store.transaction(() => this.submitChecked(input, catalog, files));
  }

  /**
   * `submit` for concurrent callers (the API): checked at once, then written through the store's group
   * commit (one durable transaction for the submissions of one event-loop turn, each in its own
   * savepoint); resolves once that transaction is durable, rejects alone when its own write fails.
   */
  async submitGrouped(raw: unknown, files: ReadonlyMap<string, Uint8Array> = new Map()): Promise<SubmitResult> {
    const catalog = this.catalog();
    const input = parseCaseInput(raw, catalog);
    return this.store.group.run(() => this.submitChecked(input, catalog, files));
  }

  /** 一件事一次办: the cases of one bundle (each with the same `bundleId`), submitted together or not at all. */
  submitBundle(bundleCode: string, raws: readonly unknown[], files: ReadonlyMap<string, Uint8Array> = new Map()): SubmitResult[] {
    if (!Array.isArray(raws)) throw new InputError('case.badBundle', 'a bundle submission is an array of cases');
    const catalog = this.catalog();
    const inputs = raws.map((r) => parseCaseInput(r, catalog));
    checkBundle(catalog, bundleCode, inputs);
    return this.store.transaction(() => inputs.map((input) => this.submitChecked(input, catalog, files)));
  }

  private submitChecked(input: CaseInput, catalog: Catalog, files: ReadonlyMap<string, Uint8Array>): SubmitResult {
    const at = this.now();
    const id = input.id ?? uuidv7(at);
    const item = catalog.items.find((it) => it.code === input.itemCode)!;
    const draft = draftCase(input, catalog.version, id, iso(at));
    const contentHash = caseContentHash(draft);
    // Only a client-given id can be stored already (a fresh UUIDv7 is new).
    const existing = input.id !== undefined ? this.store.cases.get(id) : undefined;
    if (existing) {
      if (existing.contentHash !== contentHash) throw new InputError('store.caseConflict', `case ${id} already exists with different content`);
      const stored = this.stored(existing);
      if ('purged' in stored) throw new InputError('case.purged', `case ${id} was submitted before and has been purged since`);
      return { case: stored, created: false };
    }
    for (const m of input.materials) {
      if (m.provision !== 'attached') continue;
      const bytes = files.get(m.sm3);
      if (!bytes || bytes.length !== m.size) throw new InputError('case.missingFile', `materials ${m.id}: the file with SM3 ${m.sm3} was not handed over with the case`);
    }
    const applicant = this.store.applicants.insert({
      identitySource: input.applicant.source === 'qr' ? 'qr' : 'card',
      fields: { idNumber: input.applicant.idNumber, name: input.applicant.name, idType: input.applicant.idType, ...(input.applicant.qrIssuer ? { qrIssuer: input.applicant.qrIssuer } : {}) },
      at,
    });
    const envelope: Envelope = { format: 1, catalogVersion: catalog.version, form: input.form, materials: input.materials, results: [] };
    const serial = serialFor(item, id, at);
    this.store.cases.insert(
      { id, serial, itemCode: item.code, bundleId: input.bundleId ?? null, applicantId: applicant.id, state: 'submitted', form: { ...envelope }, contentHash, actor: 'kiosk', at },
      { kind: 'case.submitted', region: item.targetRegion, payload: { serial, contentHash, content: canonicalCaseContent(draft) } },
    );
    for (const m of input.materials) {
      if (m.provision === 'attached') this.store.materials.put({ caseId: id, materialId: m.id, bytes: files.get(m.sm3)!, mime: m.mediaType, at });
    }
    appendAudit(this.store.db, { type: 'caseTransition', actor: AUDIT_ACTOR.kiosk, subject: id, details: { from: 'draft', to: 'submitted', item: item.code }, at });
    // What was written, as `get` would read it back (a test holds the two equal); reading it back
    // would open two sealed values again for nothing.
    const stored: StoredCase = {
      ...draft,
      serial,
      contentHash,
      status: 'submitted',
      history: [{ from: 'draft', to: 'submitted', actor: 'kiosk', at: iso(at) }],
    };
    return { case: stored, created: true };
  }

  /** The case, or undefined; a purged one as its non-personal facts. */
  get(id: string): StoredCase | PurgedCase | undefined {
    const record = this.store.cases.get(checkId(id));
    return record ? this.stored(record) : undefined;
  }

  /** The case, or InputError (case.notFound). */
  require(id: string): StoredCase | PurgedCase {
    const c = this.get(id);
    if (!c) throw new InputError('case.notFound', `no case ${id}`);
    return c;
  }

  /** Newest first (ids are UUIDv7); `before` an id pages on. */
  list(options: { status?: CaseStatus; limit?: number; before?: string } = {}): CaseListEntry[] {
    if (options.status !== undefined && !isCaseStatus(options.status)) throw new InputError('case.badStatus', `unknown case status "${String(options.status)}" (known: ${CASE_STATUSES.join(', ')})`);
    if (options.limit !== undefined && (!Number.isInteger(options.limit) || options.limit < 1 || options.limit > 1000)) throw new InputError('case.badLimit', 'limit must be from 1 to 1000');
    if (options.before !== undefined) checkId(options.before);
    return this.store.cases
      .list({ ...(options.status ? { state: options.status } : {}), ...(options.limit ? { limit: options.limit } : {}), ...(options.before ? { before: options.before } : {}) })
      .map((s) => {
        if (!isCaseStatus(s.state)) throw damaged(s.id, 'state');
        return { id: s.id, serial: s.serial, itemCode: s.itemCode, ...(s.bundleId ? { bundleId: s.bundleId } : {}), status: s.state, contentHash: s.contentHash, updatedAt: iso(s.updatedAt) };
      });
  }

  /**
   * Moves a case (state machine checked against its item), with the history entry, an outbox entry
   * when the kiosk moved it (the endpoint must hear of it; an endpoint's own move came from it), and
   * the audit entry, in one transaction.
   */
  transition(id: string, request: TransitionRequest): StoredCase {
    checkId(id);
    if (!isRecord(request)) throw new InputError('case.badTransition', 'a transition is an object { to, actor, note?, results? }');
    return this.store.transaction(() => {
      const c = this.requireLive(id);
      const item = this.itemOf(c);
      const at = this.now();
      const next = applyTransition(c, item, request, iso(at));
      const note = next.history[next.history.length - 1]!.note;
      const outbox =
        request.actor === 'kiosk' && request.to !== 'uploaded'
          ? { kind: 'case.transition', region: item.targetRegion, payload: { from: c.status, to: next.status, at: iso(at), contentHash: c.contentHash, ...(note ? { note } : {}), results: next.results } }
          : undefined;
      this.store.cases.transition(id, { from: c.status, to: next.status, actor: request.actor, ...(note ? { reason: note } : {}), at, ...(outbox ? { outbox } : {}) });
      if (next.results.length !== c.results.length) this.store.cases.updateForm(id, { ...this.envelopeOf(c), results: next.results }, c.contentHash, at);
      appendAudit(this.store.db, { type: 'caseTransition', actor: AUDIT_ACTOR[request.actor], subject: id, details: { from: c.status, to: next.status, item: c.itemCode }, at });
      return this.require(id) as StoredCase;
    });
  }

  /**
   * 补正: a case the endpoint or staff sent back (correctionRequested) submitted again with corrected
   * content — the same item, applicant and bundle, the form and materials as corrected (checked whole) —
   * in one transaction: the envelope and content hash replaced, the transition to submitted with an
   * outbox entry carrying the new content, the audit entry.
   */
  resubmit(id: string, raw: unknown): StoredCase {
    checkId(id);
    const catalog = this.catalog();
    const input = parseCaseInput(raw, catalog);
    return this.store.transaction(() => {
      const c = this.requireLive(id);
      if (c.status !== 'correctionRequested') throw new IllegalTransition(c.status, 'submitted', 'kiosk', 'only a case sent back for correction is submitted again with new content');
      if (input.id !== undefined && input.id !== id) throw new InputError('case.badCorrection', 'the corrected case carries another id');
      if (input.itemCode !== c.itemCode) throw new InputError('case.badCorrection', `a correction keeps the item (${c.itemCode})`);
      if (input.applicant.idNumber !== c.applicant.idNumber || input.applicant.idType !== c.applicant.idType) throw new InputError('case.badCorrection', 'a correction keeps the applicant');
      if (input.bundleId !== c.bundleId) throw new InputError('case.badCorrection', 'a correction keeps the bundle');
      for (const m of input.materials) {
        // An attached file must be one this case already holds (new files come through attachMaterial).
        if (m.provision === 'attached' && !this.store.materials.forCase(id).some((f) => f.materialId === m.id && f.sm3 === m.sm3)) {
          throw new InputError('case.missingFile', `materials ${m.id}: the case holds no such file (attach it first)`);
        }
      }
      const corrected: Case = { ...c, catalogVersion: catalog.version, form: input.form, materials: input.materials };
      const contentHash = caseContentHash(corrected);
      const at = this.now();
      this.store.cases.updateForm(id, { ...this.envelopeOf(corrected) }, contentHash, at);
      this.store.cases.transition(id, {
        from: 'correctionRequested',
        to: 'submitted',
        actor: 'kiosk',
        at,
        contentHash,
        outbox: { kind: 'case.transition', region: this.itemOf(c).targetRegion, payload: { from: 'correctionRequested', to: 'submitted', at: iso(at), contentHash, content: canonicalCaseContent(corrected), results: [] } },
      });
      appendAudit(this.store.db, { type: 'caseTransition', actor: AUDIT_ACTOR.kiosk, subject: id, details: { from: 'correctionRequested', to: 'submitted', item: c.itemCode }, at });
      return this.require(id) as StoredCase;
    });
  }

  /**
   * A material file scanned or uploaded for a case that is not yet with the endpoint (submitted) or
   * being corrected: the file stored (content-addressed), the entry replaced, the content hash renewed,
   * and an outbox entry with the new content, in one transaction.
   */
  attachMaterial(id: string, request: AttachRequest): StoredCase {
    checkId(id);
    if (!isRecord(request) || !(request.bytes instanceof Uint8Array)) throw new InputError('case.badMaterial', 'an attachment is { materialId, form, bytes, mediaType }');
    if (typeof request.materialId !== 'string' || !/^[a-z][a-z0-9-]{0,39}$/.test(request.materialId)) throw new InputError('case.badMaterial', 'materialId must be a material id of the item');
    if (request.form !== '原件' && request.form !== '复印件') throw new InputError('case.badMaterial', 'form must be 原件 or 复印件 (an electronic licence is not attached)');
    if (!['image/jpeg', 'image/png', 'application/pdf'].includes(request.mediaType)) throw new InputError('case.badMaterial', 'mediaType must be image/jpeg, image/png or application/pdf');
    if (request.bytes.length === 0 || request.bytes.length > MAX_MATERIAL_BYTES) throw new InputError('case.badMaterial', `a material file has 1 to ${MAX_MATERIAL_BYTES} bytes`);
    return this.store.transaction(() => {
      const c = this.requireLive(id);
      if (c.status !== 'submitted' && c.status !== 'correctionRequested') throw new InputError('case.notEditable', `materials are attached while a case is submitted or being corrected; this one is ${c.status}`);
      const at = this.now();
      const record = this.store.materials.put({ caseId: id, materialId: request.materialId, bytes: request.bytes, mime: request.mediaType, at });
      const entry: MaterialEntry = { id: request.materialId, provision: 'attached', form: request.form, sm3: record.sm3, size: record.size, mediaType: request.mediaType };
      const materials = [...c.materials.filter((m) => m.id !== entry.id), entry];
      // The whole list is checked against the item again (the id, the form it accepts, the media type).
      const input = parseCaseInput({ itemCode: c.itemCode, applicant: c.applicant, form: c.form, materials, ...(c.bundleId ? { bundleId: c.bundleId } : {}) }, this.catalog());
      const updated: Case = { ...c, materials: input.materials };
      const contentHash = caseContentHash(updated);
      this.store.cases.updateForm(id, { ...this.envelopeOf(c), materials: input.materials }, contentHash, at);
      this.store.outbox.add({ kind: 'case.contentChanged', caseId: id, region: this.itemOf(c).targetRegion, payload: { contentHash, content: canonicalCaseContent(updated) } }, at);
      return this.require(id) as StoredCase;
    });
  }

  /**
   * 证明开具 on site: the certificate of an item the kiosk issues (catalog `issuable`) rendered from
   * `data` (the department's record, e.g. from the endpoint), sealed through certs, then — in one
   * transaction — stored sealed with the case's files (material id `result:<documentId>`, purged with
   * them), recorded in certificates, audited (certificateIssued), and the case accepted (if it was only
   * submitted) and completed with it as result document. The data must name the applicant (its
   * person/subject ID number equal to the case's): the kiosk never prints someone else's certificate.
   * Returns the case and the sealed PDF (for the printer).
   */
  async issueOnSite(id: string, request: IssueRequest): Promise<{ case: StoredCase; pdf: Uint8Array; documentId: string }> {
    checkId(id);
    if (!isRecord(request)) throw new InputError('case.badIssue', 'an issue request is { data, seal, signerKey, signerCert, time? }');
    const before = this.requireLive(id);
    const item = this.itemOf(before);
    if (!item.issuable) throw new InputError('case.notIssuable', `item ${item.code} (${item.name}) is not issued on site`);
    if (before.status !== 'submitted' && before.status !== 'accepted') throw new IllegalTransition(before.status, 'completed', 'kiosk', 'a certificate is issued on site for a submitted or accepted case');
    const subject = isRecord(request.data) ? (isRecord(request.data.person) ? request.data.person : request.data.subject) : undefined;
    const subjectId = isRecord(subject) && typeof subject.idNumber === 'string' ? subject.idNumber.toUpperCase() : undefined;
    if (subjectId !== before.applicant.idNumber) throw new InputError('case.notApplicant', 'the certificate data is not about the applicant of this case');
    const { issueSealedDocument } = await import('../../certs/pdf/sign-issue.js');
    const { listTemplates } = await import('../../certs/pdf/templates/index.js');
    const issued = await issueSealedDocument({ template: item.issuable, data: request.data, seal: request.seal, signerKey: request.signerKey, signerCert: request.signerCert, ...(request.time ? { time: request.time } : {}) });
    const title = listTemplates().find((t) => t.name === item.issuable)?.title ?? item.name;
    const sm3 = sm3Hex(issued.pdf);
    const done = this.store.transaction(() => {
      const at = this.now();
      const file = this.store.materials.put({ caseId: id, materialId: `result:${issued.documentId}`, bytes: issued.pdf, mime: 'application/pdf', at });
      this.store.certificates.record({ documentId: issued.documentId, caseId: id, template: item.issuable!, path: file.path, sm3, issuedAt: at });
      appendAudit(this.store.db, { type: 'certificateIssued', actor: AUDIT_ACTOR.kiosk, subject: id, details: { documentId: issued.documentId, template: item.issuable! }, at });
      if (this.requireLive(id).status === 'submitted') this.transition(id, { to: 'accepted', actor: 'kiosk' });
      return this.transition(id, { to: 'completed', actor: 'kiosk', results: [{ kind: '证明', name: title, documentId: issued.documentId, sm3, template: item.issuable! }] });
    });
    return { case: done, pdf: issued.pdf, documentId: issued.documentId };
  }

  /** 好差评: stored with the case, once (see makeRating). */
  rate(id: string, request: RatingRequest): StoredCase {
    checkId(id);
    if (!isRecord(request)) throw new InputError('case.badRating', 'a rating is { score, occasion, comment? }');
    return this.store.transaction(() => {
      const c = this.requireLive(id);
      const at = this.now();
      const rating = makeRating(c, request, iso(at));
      this.store.cases.rate(id, rating.score, at);
      const { score: _score, label: _label, ...details } = rating;
      this.store.cases.updateForm(id, { ...this.envelopeOf(c), rating: details }, c.contentHash, at);
      return this.require(id) as StoredCase;
    });
  }

  private requireLive(id: string): StoredCase {
    const c = this.require(id);
    if ('purged' in c) throw new InputError('case.purged', `case ${id} was purged: only its non-personal facts are kept`);
    return c;
  }

  private itemOf(c: Case): CatalogItem {
    const item = this.catalog().items.find((it) => it.code === c.itemCode);
    if (!item) throw new InputError('case.unknownItem', `case ${c.id} is for item ${c.itemCode}, which the catalog in force no longer has`);
    return item;
  }

  private envelopeOf(c: Case): Envelope {
    const { rating } = c;
    return {
      format: 1,
      catalogVersion: c.catalogVersion,
      form: c.form,
      materials: c.materials,
      results: c.results,
      ...(rating ? { rating: { occasion: rating.occasion, at: rating.at, ...(rating.comment ? { comment: rating.comment } : {}) } } : {}),
    };
  }

  private stored(r: CaseRecord): StoredCase | PurgedCase {
    if (!isCaseStatus(r.state)) throw damaged(r.id, 'state');
    const history = historyOf(r.id, this.store.cases.history(r.id));
    const applicant = r.applicantId ? this.store.applicants.get(r.applicantId) : undefined;
    if (r.form === null || !applicant?.fields) {
      return {
        purged: true,
        id: r.id,
        serial: r.serial,
        itemCode: r.itemCode,
        ...(r.bundleId ? { bundleId: r.bundleId } : {}),
        status: r.state,
        contentHash: r.contentHash,
        ...(r.rating !== null ? { ratingScore: r.rating } : {}),
        createdAt: iso(r.createdAt),
        updatedAt: iso(r.updatedAt),
        history,
      };
    }
    const env = readEnvelope(r.id, r.form);
    let rating: Rating | undefined;
    if (r.rating !== null && env.rating) rating = { score: r.rating, label: RATING_LABELS[r.rating - 1]!, ...env.rating };
    return {
      id: r.id,
      serial: r.serial,
      itemCode: r.itemCode,
      catalogVersion: env.catalogVersion,
      ...(r.bundleId ? { bundleId: r.bundleId } : {}),
      applicant: readApplicant(r.id, applicant.fields, applicant.identitySource),
      form: env.form,
      materials: env.materials,
      status: r.state,
      contentHash: r.contentHash,
      createdAt: iso(r.createdAt),
      updatedAt: iso(r.updatedAt),
      history,
      results: env.results,
      ...(rating ? { rating } : {}),
    };
  }
}
