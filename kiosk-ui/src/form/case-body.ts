/**
 * The POST /api/cases body from what the citizen entered (agent/cases/input.ts is its contract): the
 * applicant as the agent records it, the form values converted (numbers as numbers, blanks left out, ID
 * numbers upper-cased), the materials as provisions, and an id made here so that submitting again after
 * the agent was unreachable cannot create the case twice (the agent treats a repeated id as the same case).
 */
import { numberOf } from './field-check';
import { materialEntries, type MaterialEntry } from './materials';
import type { CatalogItem } from './schema';

export interface SessionApplicant {
  readonly name: string;
  readonly idNumber: string;
  readonly source: 'idcard' | 'code';
}

export interface CaseBody {
  readonly id: string;
  readonly itemCode: string;
  readonly applicant: { source: 'idCard' | 'qr'; idType: 'resident' | 'gat' | 'foreigner'; idNumber: string; name: string; qrIssuer?: string };
  readonly form: Record<string, string | number>;
  readonly materials: MaterialEntry[];
}

/** Who issued a personal code the kiosk accepted (the agent verifies it; recorded with the case). */
export const CODE_ISSUER = '电子身份码';

/**
 * The card type an ID number belongs to: 港澳台居民居住证 numbers start 810000/820000/830000, the permanent
 * residence cards for foreigners are 9 + 17 (2023) or 3 letters + 12 digits; the rest are resident cards.
 */
export function idTypeOf(idNumber: string): 'resident' | 'gat' | 'foreigner' {
  const id = idNumber.toUpperCase();
  if (/^[A-Z]{3}\d{12}$/.test(id) || /^9\d{16}[\dX]$/.test(id)) return 'foreigner';
  if (/^8[123]0000\d{11}[\dX]$/.test(id)) return 'gat';
  return 'resident';
}

export function caseBody(id: string, item: CatalogItem, applicant: SessionApplicant, form: Readonly<Record<string, string>>, materials: Readonly<Record<string, string>>): CaseBody {
  const values: Record<string, string | number> = {};
  for (const field of item.form.fields) {
    const text = form[field.name];
    if (text === undefined || text === '') continue;
    if (field.type === 'number') values[field.name] = numberOf(text) ?? text;
    else values[field.name] = field.type === 'idNumber' ? text.toUpperCase() : text;
  }
  const idNumber = applicant.idNumber.toUpperCase();
  return {
    id,
    itemCode: item.code,
    applicant:
      applicant.source === 'code'
        ? { source: 'qr', idType: 'resident', idNumber, name: applicant.name, qrIssuer: CODE_ISSUER }
        : { source: 'idCard', idType: idTypeOf(idNumber), idNumber, name: applicant.name },
    form: values,
    materials: materialEntries(item.materials, materials),
  };
}

/** A fresh case id (a lower-case UUID v4, as the agent's input check wants). */
export function newCaseId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
