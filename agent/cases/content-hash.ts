/**
 * caseContentHash: SM3 of a case's canonical content JSON, lower-case hex. The sync endpoint (issue 6)
 * computes the same over the same case; the exact form is in agent/cases/README.md.
 */
import { sm3Hex } from '../../certs/sm3.js';
import { canonicalJson } from '../../certs/pdf/templates/reference.js';
import type { CaseContent } from './types.js';

/** The version of the canonical form; a change to it is a new number (and a README entry). */
export const CASE_CONTENT_FORMAT = 1;

/** The object whose canonical JSON is hashed: the content keys only, materials sorted by id. */
export function canonicalCaseContent(c: CaseContent): object {
  const { source, idType, idNumber, name, qrIssuer } = c.applicant;
  return {
    format: CASE_CONTENT_FORMAT,
    id: c.id,
    itemCode: c.itemCode,
    catalogVersion: c.catalogVersion,
    bundleId: c.bundleId,
    applicant: { source, idType, idNumber, name, qrIssuer },
    form: c.form,
    materials: [...c.materials].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
  };
}

/** The canonical JSON text (UTF-8 when hashed). */
export function caseContentJson(c: CaseContent): string {
  return canonicalJson(canonicalCaseContent(c));
}

export function caseContentHash(c: CaseContent): string {
  return sm3Hex(caseContentJson(c));
}
