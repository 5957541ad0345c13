/**
 * Demo mode's departments: the record a certificate is issued from (社保参保记录, 不动产登记信息), made up
 * for the case's applicant from the certs template's example data, since a demo kiosk has no
 * department's system to ask. The kiosk page then issues with POST /api/cases/{id}/issue and no body
 * record. Outside demo mode there is no such source: the record must come in the request (from the
 * department), or the issue is refused (409 certificate.noRecord).
 *
 * The record names the applicant (name, ID number, gender from the ID number), the item's department
 * as issuer, today's date (Beijing), the purpose the citizen chose in the form, and a document id made
 * from the case's serial number (unique per case). Everything else is the template's fictional example.
 */
import type { StoredCase } from '../cases/case-service.js';
import type { CatalogItem } from '../catalog/types.js';

/** A department's record for a certs template, or undefined when none can be had here. */
export type RecordSource = (c: StoredCase, item: CatalogItem, template: string) => Promise<Record<string, unknown> | undefined>;

const PREFIX: Readonly<Record<string, string>> = { 'social-insurance-proof': 'SB', 'real-estate-query': 'BDC' };
const REGION_NAMES: Readonly<Record<string, string>> = { '341600': '亳州市', '341800': '宣城市', '310117': '上海市松江区', '310110': '上海市杨浦区' };
const INSURANCE_PURPOSE: Readonly<Record<string, string>> = { 子女入学: '办理子女入学', 购房: '办理购房手续', 居住证办理: '办理居住证', 其他: '其他用途' };
const REAL_ESTATE_PURPOSE: Readonly<Record<string, string>> = { 购房资格审核: '办理购房资格审核', 子女入学: '办理子女入学', 贷款: '办理贷款', 其他: '其他用途' };

/** Beijing wall clock: [YYYY-MM-DD, HH:MM]. */
function beijingNow(now: Date): [string, string] {
  const iso = new Date(now.getTime() + 8 * 3600_000).toISOString();
  return [iso.slice(0, 10), iso.slice(11, 16)];
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/** Whether the demo's departments answer (PUT /api/demo/departments): unreachable, no record can be had. */
export interface DemoDepartments {
  reachable: boolean;
}

export function demoRecordSource(now: () => Date = () => new Date(), departments: DemoDepartments = { reachable: true }): RecordSource {
  return async (c, item, template) => {
    if (!departments.reachable) return undefined;
    const prefix = PREFIX[template];
    if (!prefix) return undefined;
    const { exampleData } = await import('../../certs/pdf/templates/index.js');
    // The example's shape is the template's own (checked again when the certificate is rendered).
    const data = structuredClone(exampleData(template)) as Record<string, unknown> & { subject: Record<string, unknown>; properties: Record<string, unknown>[] };
    const [day, clock] = beijingNow(now());
    const { name, idNumber } = c.applicant;
    const form = c.form as Record<string, unknown>;
    data.documentId = `${prefix}-${c.serial}`;
    data.issuer = item.department;
    data.issueDate = day;
    const regionName = REGION_NAMES[item.region];
    if (template === 'social-insurance-proof') {
      // GB 11643: the 17th digit is odd for men.
      const gender = Number(idNumber.charAt(16)) % 2 === 1 ? '男' : '女';
      data.person = { name, gender, idNumber };
      if (regionName) data.region = { code: item.region, name: regionName };
      const purpose = text(form.purpose);
      if (purpose) data.purpose = INSURANCE_PURPOSE[purpose] ?? `办理${purpose}`;
    } else {
      const exampleHolder = String(data.subject.name);
      data.subject = { name, idType: '居民身份证', idNumber };
      delete data.fileNo;
      if (regionName) data.scope = { regionCode: item.region, regionName };
      const purpose = text(form.purpose);
      if (purpose) data.purpose = REAL_ESTATE_PURPOSE[purpose] ?? `办理${purpose}`;
      data.queriedAt = `${day}T${clock}`;
      for (const p of data.properties) p.rightsHolder = String(p.rightsHolder).replace(exampleHolder, name);
    }
    return data;
  };
}
