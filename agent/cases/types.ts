/**
 * 办件: one application for one catalog item, as the kiosk records it. A case's *content* (what the
 * applicant submitted: item, applicant, form, materials, bundle) is fixed at submission except through
 * a correction (补正); its *status* moves through the state machine (state-machine.ts) with a history.
 */
import type { MaterialForm } from '../catalog/types.js';

export const CASE_STATUSES = ['draft', 'submitted', 'uploaded', 'accepted', 'correctionRequested', 'refused', 'completed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** Who moves a case: the kiosk (this agent), the endpoint (the government system), staff (a clerk or the remote window). */
export const CASE_ACTORS = ['kiosk', 'endpoint', 'staff'] as const;
export type CaseActor = (typeof CASE_ACTORS)[number];

/** How the applicant's identity was established. */
export type ApplicantSource = 'idCard' | 'qr';

export interface Applicant {
  readonly source: ApplicantSource;
  /** resident / gat (港澳台居民居住证) / foreigner, as the card tells (a QR identity is a resident's). */
  readonly idType: 'resident' | 'gat' | 'foreigner';
  readonly idNumber: string;
  readonly name: string;
  /** For a QR identity: which app issued the code (皖事通, 随申办...). */
  readonly qrIssuer?: string;
}

/**
 * One material of the item as the case has it:
 * - attached: scanned or uploaded here; the file is stored content-addressed by its SM3 (the store's materials).
 * - electronic: an electronic licence (电子证照) fetched with the applicant's consent; `licenceRef` names it.
 * - later: to be handed in later (补交); a required material in this state keeps the case from acceptance.
 */
export type MaterialEntry =
  | { readonly id: string; readonly provision: 'attached'; readonly form: Exclude<MaterialForm, '电子证照'>; readonly sm3: string; readonly size: number; readonly mediaType: string }
  | { readonly id: string; readonly provision: 'electronic'; readonly licenceRef: string }
  | { readonly id: string; readonly provision: 'later' };

export type FormValue = string | number;
export type FormData = Readonly<Record<string, FormValue>>;

/** The part of a case its content hash covers (content-hash.ts). */
export interface CaseContent {
  readonly id: string;
  readonly itemCode: string;
  readonly catalogVersion: number;
  readonly bundleId?: string;
  readonly applicant: Applicant;
  readonly form: FormData;
  readonly materials: readonly MaterialEntry[];
}

export const RESULT_KINDS = ['证照', '批文', '证明'] as const;
export type ResultKind = (typeof RESULT_KINDS)[number];

/** A document the case resulted in (on completion): a licence, an approval, a certificate. */
export interface ResultDocument {
  readonly kind: ResultKind;
  readonly name: string;
  /** The document's number (a certificate's 编号, the TBV1 reference's document id). */
  readonly documentId: string;
  /** SM3 of the document's bytes, lower-case hex (the file, when the kiosk holds it, is stored by this hash). */
  readonly sm3: string;
  /** The certs template when the kiosk issued it on site. */
  readonly template?: string;
}

export interface Transition {
  readonly from: CaseStatus;
  readonly to: CaseStatus;
  readonly actor: CaseActor;
  /** ISO 8601 */
  readonly at: string;
  /** Why (a refusal's reason, what a correction needs), shown to the applicant. */
  readonly note?: string;
}

export const RATING_LABELS = ['非常不满意', '不满意', '基本满意', '满意', '非常满意'] as const;
export type RatingLabel = (typeof RATING_LABELS)[number];

/** 好差评: one per case, on five levels (5 = 非常满意 ... 1 = 非常不满意). Personal data. */
export interface Rating {
  readonly score: 1 | 2 | 3 | 4 | 5;
  readonly label: RatingLabel;
  /** completion: after the case was completed (or refused); visit: at the end of the visit on site. */
  readonly occasion: 'completion' | 'visit';
  readonly at: string;
  readonly comment?: string;
}

export interface Case extends CaseContent {
  readonly status: CaseStatus;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly history: readonly Transition[];
  readonly results: readonly ResultDocument[];
  readonly rating?: Rating;
}
