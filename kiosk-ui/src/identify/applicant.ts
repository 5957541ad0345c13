/**
 * Who the citizen is, as the identify screen binds it: from the ID card read (IdentityCard.ReadCard's
 * completion payload `card`) or from the agent's answer to a personal code; and the masked forms the
 * screens show (张*三, 3416**********1234) where the whole value is not needed.
 */
import type { Applicant } from '../state/session';

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/** The applicant from a card payload, or undefined when the read gave no name or no number (a bad read). */
export function applicantFromCard(card: unknown): Applicant | undefined {
  if (typeof card !== 'object' || card === null) return undefined;
  const c = card as Record<string, unknown>;
  const name = text(c.name);
  const idNumber = text(c.idNumber);
  if (!name || !idNumber) return undefined;
  const a: Applicant = { name, idNumber, source: 'idcard' };
  const gender = text(c.sex);
  const nation = text(c.nation);
  const birthDate = text(c.birthDate);
  const address = text(c.address);
  const issuer = text(c.issuer);
  const validUntil = text(c.validTo);
  if (gender) a.gender = gender;
  if (nation) a.nation = nation;
  if (birthDate) a.birthDate = birthDate;
  if (address) a.address = address;
  if (issuer) a.issuer = issuer;
  if (validUntil) a.validUntil = validUntil;
  return a;
}

/** The applicant from POST /api/identify/code's answer, checked. */
export function applicantFromCode(answer: unknown): Applicant | undefined {
  const a = (answer as { applicant?: Record<string, unknown> } | undefined)?.applicant;
  const name = text(a?.name);
  const idNumber = text(a?.idNumber);
  return name && idNumber ? { name, idNumber, source: 'code' } : undefined;
}

/**
 * 张三 -> 张*, 张小三 -> 张*三, 欧阳娜娜 -> 欧**娜: the first and (from three characters) the last kept, so the
 * citizen recognises their name and a passer-by learns little.
 */
export function maskName(name: string): string {
  const chars = Array.from(name.trim());
  if (chars.length <= 1) return '*';
  if (chars.length === 2) return `${chars[0]}*`;
  return chars[0] + '*'.repeat(chars.length - 2) + chars[chars.length - 1];
}

/** 341602199001011234 -> 3416**********1234 (gov-services.md's form). */
export function maskIdNumber(id: string): string {
  if (id.length <= 8) return '*'.repeat(id.length);
  return id.slice(0, 4) + '*'.repeat(id.length - 8) + id.slice(-4);
}
