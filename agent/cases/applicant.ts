/**
 * The applicant bound to a case: from an ID card read (the drivers' IdCard) or a QR identity (皖事通 /
 * 随申办 style personal code, already resolved by the endpoint into a verified name and ID number).
 */
import type { IdCard } from '../../drivers/idcard/base-info.js';
import { idNumberProblem } from '../catalog/field-check.js';
import type { CaseProblem } from './problems.js';
import type { Applicant } from './types.js';

/** What a scanned personal QR code resolves to. */
export interface QrIdentity {
  /** The app that issued the code, e.g. 皖事通, 随申办. */
  readonly issuer: string;
  readonly idNumber: string;
  readonly name: string;
}

export function applicantFromIdCard(card: Pick<IdCard, 'cardType' | 'idNumber' | 'name'>): Applicant {
  return { source: 'idCard', idType: card.cardType, idNumber: card.idNumber.toUpperCase(), name: card.name };
}

export function applicantFromQr(identity: QrIdentity): Applicant {
  return { source: 'qr', idType: 'resident', idNumber: identity.idNumber.toUpperCase(), name: identity.name, qrIssuer: identity.issuer };
}

// Old foreigner cards: 3 letters (nationality) + 12 digits; 2023 cards: 18 characters starting with 9.
const FOREIGNER = /^([A-Z]{3}\d{12}|9\d{16}[\dX])$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Problems of `raw` as an applicant (empty when valid). */
export function applicantProblems(raw: unknown): CaseProblem[] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return [{ path: 'applicant', zh: '缺少申请人信息', en: 'must be an object' }];
  const a = raw as Record<string, unknown>;
  const problems: CaseProblem[] = [];
  for (const key of Object.keys(a)) {
    if (!['source', 'idType', 'idNumber', 'name', 'qrIssuer'].includes(key)) problems.push({ path: `applicant.${key}`, zh: '不是申请人信息的字段', en: 'is not a known key' });
  }
  if (a.source !== 'idCard' && a.source !== 'qr') problems.push({ path: 'applicant.source', zh: '身份来源应为读卡或扫码', en: 'must be idCard or qr' });
  if (a.idType !== 'resident' && a.idType !== 'gat' && a.idType !== 'foreigner') {
    problems.push({ path: 'applicant.idType', zh: '证件类型不正确', en: 'must be resident, gat or foreigner' });
  } else if (typeof a.idNumber !== 'string') {
    problems.push({ path: 'applicant.idNumber', zh: '缺少证件号码', en: 'is required' });
  } else if (a.idType === 'foreigner') {
    if (!FOREIGNER.test(a.idNumber.toUpperCase())) problems.push({ path: 'applicant.idNumber', zh: '永久居留身份证号码格式不正确', en: 'is not a permanent residence card number' });
  } else {
    const p = idNumberProblem(a.idNumber);
    if (p) problems.push({ path: 'applicant.idNumber', ...p });
  }
  if (typeof a.name !== 'string' || a.name.trim() === '' || a.name.trim() !== a.name || [...a.name].length > 60 || CONTROL.test(a.name)) {
    problems.push({ path: 'applicant.name', zh: '姓名应为1至60个字', en: 'must be 1-60 characters without surrounding spaces' });
  }
  if (a.source === 'qr') {
    if (a.idType !== 'resident') problems.push({ path: 'applicant.idType', zh: '扫码身份仅限居民身份证', en: 'a QR identity is a resident one' });
    if (typeof a.qrIssuer !== 'string' || a.qrIssuer.trim() === '' || a.qrIssuer.length > 20) problems.push({ path: 'applicant.qrIssuer', zh: '缺少亮码平台', en: 'must name the app that issued the code' });
  } else if (a.qrIssuer !== undefined) {
    problems.push({ path: 'applicant.qrIssuer', zh: '读卡身份不应有亮码平台', en: 'applies to a QR identity only' });
  }
  return problems;
}
