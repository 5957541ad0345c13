/**
 * Where the endpoint's personal values live, and their places as aad (sealing.ts): a sealed value copied
 * into another row or column does not open there. Every value below is sealed in its TEXT column:
 *
 * | column | aad |
 * |---|---|
 * | `cases.content` (applicant, form, materials) | `cases/<caseId>/content` |
 * | `case_history.note` (a clerk's or the kiosk's note; may name a person) | `case_history/<caseId>/note` |
 * | `case_results.title` | `case_results/<caseId>/<documentId>/title` |
 * | `events.body` of `case.status` events (note, result titles) | `events/<eventId>/body` |
 *
 * Catalog events (`{ version }`) and everything else (ids, items, statuses, hashes, sizes, times) are not
 * personal and stay in clear; so do the content-addressed files (README: "Personal data at rest").
 */
import type { EndpointSealer } from './sealing.js';

export const contentAad = (caseId: string): string => `cases/${caseId}/content`;
export const noteAad = (caseId: string): string => `case_history/${caseId}/note`;
export const titleAad = (caseId: string, documentId: string): string => `case_results/${caseId}/${documentId}/title`;
export const eventBodyAad = (eventId: string): string => `events/${eventId}/body`;

/** The applicant's ID number of a case content (agent/cases/README.md: content.applicant.idNumber). */
export function applicantIdNumber(content: unknown): string | undefined {
  if (typeof content !== 'object' || content === null) return undefined;
  const applicant = (content as { applicant?: unknown }).applicant;
  if (typeof applicant !== 'object' || applicant === null) return undefined;
  const id = (applicant as { idNumber?: unknown }).idNumber;
  return typeof id === 'string' && id.length > 0 ? id : undefined;
}

/** The store's few write and read points of personal values, over one sealer. */
export class CaseSealing {
  constructor(readonly sealer: EndpointSealer) {}

  /** The sealed canonical content and the keyed hash of its applicant's ID number (null without one). */
  content(caseId: string, canonical: string, content: unknown): { sealed: string; applicantHash: string | null } {
    const id = applicantIdNumber(content);
    return { sealed: this.sealer.sealText(canonical, contentAad(caseId)), applicantHash: id === undefined ? null : this.sealer.idNumberHash(id) };
  }

  openContent(caseId: string, value: string): string {
    return this.sealer.openText(value, contentAad(caseId));
  }

  note(caseId: string, note: string | null): string | null {
    return note === null ? null : this.sealer.sealText(note, noteAad(caseId));
  }

  openNote(caseId: string, value: string | null): string | null {
    return value === null ? null : this.sealer.openText(value, noteAad(caseId));
  }

  title(caseId: string, documentId: string, title: string): string {
    return this.sealer.sealText(title, titleAad(caseId, documentId));
  }

  openTitle(caseId: string, documentId: string, value: string): string {
    return this.sealer.openText(value, titleAad(caseId, documentId));
  }

  /** A status event's body sealed (it carries the note and result titles); a catalog event's stays in clear. */
  eventBody(eventId: string, kind: string, json: string): string {
    return kind === 'case.status' ? this.sealer.sealText(json, eventBodyAad(eventId)) : json;
  }

  openEventBody(eventId: string, kind: string, value: string): string {
    return kind === 'case.status' ? this.sealer.openText(value, eventBodyAad(eventId)) : value;
  }
}
