/**
 * The case state machine: one explicit table of the allowed transitions and who may make each, the
 * guards that go with some (a reason for a refusal, result documents on completion), and the typed
 * refusal of anything else. Pure: persistence and audit are the CaseService's (case-service.ts).
 *
 *   draft ─kiosk→ submitted ─kiosk→ uploaded ─endpoint|staff→ accepted ─endpoint|staff→ completed
 *                    ↑                  ├─endpoint|staff→ correctionRequested ─kiosk→ submitted
 *                    │                  └─endpoint|staff→ refused ─endpoint|staff→ completed
 *   on site (an item the kiosk issues itself): submitted ─kiosk→ accepted ─kiosk→ completed
 */
import { InputError } from '../../base/errors.js';
import type { CatalogItem } from '../catalog/types.js';
import { CASE_ACTORS, CASE_STATUSES, RESULT_KINDS, type Case, type CaseActor, type CaseStatus, type ResultDocument } from './types.js';

export interface TransitionRule {
  readonly from: CaseStatus;
  readonly to: CaseStatus;
  readonly actors: readonly CaseActor[];
  /** Only for items the kiosk issues on site (catalog `issuable`). */
  readonly onSiteOnly?: boolean;
  /** The transition must say why (shown to the applicant). */
  readonly needsNote?: boolean;
  /** The transition must carry at least one result document. */
  readonly needsResults?: boolean;
}

export const TRANSITIONS: readonly TransitionRule[] = [
  { from: 'draft', to: 'submitted', actors: ['kiosk'] },
  // The sync (issue 6) delivered the case to the endpoint.
  { from: 'submitted', to: 'uploaded', actors: ['kiosk'] },
  { from: 'uploaded', to: 'accepted', actors: ['endpoint', 'staff'] },
  { from: 'uploaded', to: 'correctionRequested', actors: ['endpoint', 'staff'], needsNote: true },
  { from: 'uploaded', to: 'refused', actors: ['endpoint', 'staff'], needsNote: true },
  // 补正: the applicant corrected the form or handed in materials; the case goes to the endpoint again.
  { from: 'correctionRequested', to: 'submitted', actors: ['kiosk'] },
  { from: 'accepted', to: 'completed', actors: ['endpoint', 'staff'], needsResults: true },
  // 不予受理 is concluded (办结) too; the decision notice may come as a result document.
  { from: 'refused', to: 'completed', actors: ['endpoint', 'staff'] },
  // 证明开具 on site: the kiosk accepts and completes with the sealed certificate it printed.
  { from: 'submitted', to: 'accepted', actors: ['kiosk'], onSiteOnly: true },
  { from: 'accepted', to: 'completed', actors: ['kiosk'], onSiteOnly: true, needsResults: true },
];

/** A transition the table does not allow, or one whose guard fails: says from, to, actor and why. */
export class IllegalTransition extends InputError {
  constructor(
    readonly from: CaseStatus,
    readonly to: CaseStatus,
    readonly actor: CaseActor,
    reason: string,
  ) {
    super('case.illegalTransition', `case cannot go from ${from} to ${to} by ${actor}: ${reason}`);
  }
}

export interface TransitionRequest {
  readonly to: CaseStatus;
  readonly actor: CaseActor;
  readonly note?: string;
  readonly results?: readonly ResultDocument[];
}

export function isCaseStatus(value: unknown): value is CaseStatus {
  return typeof value === 'string' && (CASE_STATUSES as readonly string[]).includes(value);
}

export function isCaseActor(value: unknown): value is CaseActor {
  return typeof value === 'string' && (CASE_ACTORS as readonly string[]).includes(value);
}

/** The statuses `actor` may move a case in `status` to (for the kiosk UI and the API's 409 messages). */
export function nextStatuses(status: CaseStatus, actor: CaseActor, item: Pick<CatalogItem, 'issuable'>): CaseStatus[] {
  return TRANSITIONS.filter((r) => r.from === status && r.actors.includes(actor) && (!r.onSiteOnly || item.issuable !== undefined)).map((r) => r.to);
}

/** No status leads anywhere from here. */
export function isFinal(status: CaseStatus): boolean {
  return !TRANSITIONS.some((r) => r.from === status);
}

function checkResult(doc: ResultDocument, i: number): void {
  const bad = (what: string): never => {
    throw new InputError('case.badResult', `results[${i}].${what}`);
  };
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new InputError('case.badResult', `results[${i}] must be an object { kind, name, documentId, sm3, template? }`);
  const known = ['kind', 'name', 'documentId', 'sm3', 'template'];
  for (const k of Object.keys(doc)) if (!known.includes(k)) bad(`${k} is not a key of a result document`);
  if (!RESULT_KINDS.includes(doc.kind)) bad(`kind must be one of ${RESULT_KINDS.join(', ')}`);
  if (typeof doc.name !== 'string' || doc.name.trim() === '' || doc.name.length > 60) bad('name must be text of 1-60 characters');
  // The sync protocol's document ids (an endpoint's result documents): letters, digits and . _ : -
  if (typeof doc.documentId !== 'string' || !/^[A-Za-z0-9._:-]{1,80}$/.test(doc.documentId)) bad('documentId must be 1-80 letters, digits or ". _ : -"');
  if (typeof doc.sm3 !== 'string' || !/^[0-9a-f]{64}$/.test(doc.sm3)) bad('sm3 must be 64 lower-case hexadecimal digits');
  if (doc.template !== undefined && (typeof doc.template !== 'string' || doc.template === '')) bad('template must be a template name');
}

/**
 * The rule that allows `request` on `c` for `item`, or IllegalTransition saying why not (no such
 * transition, not this actor, not an on-site item, a missing reason or result, materials still missing).
 */
export function checkTransition(c: Pick<Case, 'status' | 'materials'>, item: Pick<CatalogItem, 'issuable' | 'materials'>, request: TransitionRequest): TransitionRule {
  const { to, actor } = request;
  if (!isCaseStatus(to)) throw new InputError('case.badStatus', `unknown case status "${String(to)}" (known: ${CASE_STATUSES.join(', ')})`);
  if (!isCaseActor(actor)) throw new InputError('case.badActor', `unknown actor "${String(actor)}" (known: ${CASE_ACTORS.join(', ')})`);
  const rules = TRANSITIONS.filter((r) => r.from === c.status && r.to === to);
  if (rules.length === 0) {
    const next = [...new Set(TRANSITIONS.filter((r) => r.from === c.status).map((r) => r.to))];
    throw new IllegalTransition(c.status, to, actor, next.length ? `from ${c.status} a case goes only to ${next.join(', ')}` : `${c.status} is final`);
  }
  const byActor = rules.filter((r) => r.actors.includes(actor));
  if (byActor.length === 0) throw new IllegalTransition(c.status, to, actor, `only ${[...new Set(rules.flatMap((r) => r.actors))].join(' or ')} may`);
  const rule = byActor.find((r) => !r.onSiteOnly || item.issuable !== undefined);
  if (!rule) throw new IllegalTransition(c.status, to, actor, 'the kiosk decides only items it issues on site');
  if (rule.needsNote && !(typeof request.note === 'string' && request.note.trim() !== '')) throw new IllegalTransition(c.status, to, actor, 'a reason (note) is required');
  if (request.note !== undefined && (typeof request.note !== 'string' || request.note.length > 500)) throw new InputError('case.badNote', 'note must be text of at most 500 characters');
  const results = request.results ?? [];
  if (!Array.isArray(results)) throw new InputError('case.badResult', 'results must be an array');
  if (results.length > 0 && to !== 'completed') throw new IllegalTransition(c.status, to, actor, 'result documents come only with completion');
  results.forEach(checkResult);
  if (rule.needsResults && results.length === 0) throw new IllegalTransition(c.status, to, actor, 'completion needs at least one result document');
  if (rule.onSiteOnly && to === 'accepted') {
    const missing = missingRequiredMaterials(c, item);
    if (missing.length) throw new IllegalTransition(c.status, to, actor, `required materials not handed in: ${missing.join(', ')}`);
  }
  return rule;
}

/** Ids of the item's required materials the case does not have (listed as `later`, or absent). */
export function missingRequiredMaterials(c: Pick<Case, 'materials'>, item: Pick<CatalogItem, 'materials'>): string[] {
  return item.materials.filter((m) => m.required && !c.materials.some((e) => e.id === m.id && e.provision !== 'later')).map((m) => m.id);
}

/** `c` after the transition (checked first); pure, `at` is the ISO time to record. */
export function applyTransition(c: Case, item: Pick<CatalogItem, 'issuable' | 'materials'>, request: TransitionRequest, at: string): Case {
  checkTransition(c, item, request);
  const note = request.note?.trim();
  return {
    ...c,
    status: request.to,
    updatedAt: at,
    history: [...c.history, { from: c.status, to: request.to, actor: request.actor, at, ...(note ? { note } : {}) }],
    results: request.to === 'completed' ? [...c.results, ...(request.results ?? [])] : c.results,
  };
}
