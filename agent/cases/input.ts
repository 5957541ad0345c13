/**
 * A case as it enters the agent (the API's `cases submit`, the kiosk UI): JSON checked whole against
 * the catalog — the item, the applicant, the form against the item's schema, the materials against the
 * item's list — with every problem named (CaseValidationError), then turned into a draft case.
 *
 *     { "id"?: UUID, "itemCode": "341600-SB-0003", "bundleId"?: UUID,
 *       "applicant": { "source": "idCard", "idType": "resident", "idNumber": "...", "name": "..." },
 *       "form": { "purpose": "子女入学", ... },
 *       "materials": [ { "id": "commitment", "provision": "later" }, ... ] }
 */
import type { Catalog, CatalogItem, MaterialSpec } from '../catalog/types.js';
import { applicantProblems } from './applicant.js';
import { formProblems, normalizeForm } from './form.js';
import { throwIfProblems, type CaseProblem } from './problems.js';
import type { Applicant, Case, FormData, MaterialEntry } from './types.js';

export interface CaseInput {
  /** Given by the client to make a repeated submission idempotent; made by the agent otherwise. */
  readonly id?: string;
  readonly itemCode: string;
  readonly bundleId?: string;
  readonly applicant: Applicant;
  readonly form: FormData;
  readonly materials: readonly MaterialEntry[];
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const SM3_HEX = /^[0-9a-f]{64}$/;
const MEDIA_TYPES = ['image/jpeg', 'image/png', 'application/pdf'] as const;
/** The largest material file accepted (a scanned A4 page at 300 dpi is well under this). */
export const MAX_MATERIAL_BYTES = 20 * 1024 * 1024;

function accepts(spec: MaterialSpec, form: string): boolean {
  return spec.form === form || (spec.alternatives ?? []).some((a) => a === form);
}

/** Problems of `raw` as the materials list of `item` (empty when valid). */
export function materialProblems(item: CatalogItem, raw: unknown): CaseProblem[] {
  if (!Array.isArray(raw)) return [{ path: 'materials', zh: '材料清单应为数组', en: 'must be an array' }];
  const problems: CaseProblem[] = [];
  const seen = new Set<string>();
  raw.forEach((entry: unknown, i) => {
    const path = `materials[${i}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return problems.push({ path, zh: '材料项应为对象', en: 'must be an object' });
    const e = entry as Record<string, unknown>;
    const spec = item.materials.find((m) => m.id === e.id);
    if (!spec) return problems.push({ path: `${path}.id`, zh: '本事项不需要此材料', en: 'is not a material of this item' });
    if (seen.has(spec.id)) return problems.push({ path: `${path}.id`, zh: `${spec.name}重复`, en: 'is listed twice' });
    seen.add(spec.id);
    const keys: Record<string, readonly string[]> = { attached: ['id', 'provision', 'form', 'sm3', 'size', 'mediaType'], electronic: ['id', 'provision', 'licenceRef'], later: ['id', 'provision'] };
    const allowed = typeof e.provision === 'string' ? keys[e.provision] : undefined;
    if (!allowed) return problems.push({ path: `${path}.provision`, zh: '提交方式应为附件、电子证照或后补', en: 'must be attached, electronic or later' });
    for (const k of Object.keys(e)) if (!allowed.includes(k)) problems.push({ path: `${path}.${k}`, zh: '不是此提交方式的字段', en: `is not a key of a ${String(e.provision)} material` });
    if (e.provision === 'attached') {
      if ((e.form !== '原件' && e.form !== '复印件') || !accepts(spec, e.form)) problems.push({ path: `${path}.form`, zh: `${spec.name}不接受此形式`, en: `must be a form this material accepts (${[spec.form, ...(spec.alternatives ?? [])].filter((f) => f !== '电子证照').join(', ') || 'none on paper'})` });
      if (typeof e.sm3 !== 'string' || !SM3_HEX.test(e.sm3)) problems.push({ path: `${path}.sm3`, zh: '文件摘要格式不正确', en: 'must be 64 lower-case hexadecimal digits' });
      if (typeof e.size !== 'number' || !Number.isInteger(e.size) || e.size < 1 || e.size > MAX_MATERIAL_BYTES) problems.push({ path: `${path}.size`, zh: '文件大小不正确', en: `must be 1 to ${MAX_MATERIAL_BYTES} bytes` });
      if (!(MEDIA_TYPES as readonly unknown[]).includes(e.mediaType)) problems.push({ path: `${path}.mediaType`, zh: '文件类型不支持', en: `must be one of ${MEDIA_TYPES.join(', ')}` });
    } else if (e.provision === 'electronic') {
      if (!accepts(spec, '电子证照')) problems.push({ path: `${path}.provision`, zh: `${spec.name}不接受电子证照`, en: 'this material is not accepted as an electronic licence' });
      if (typeof e.licenceRef !== 'string' || !/^[A-Za-z0-9:._-]{1,128}$/.test(e.licenceRef)) problems.push({ path: `${path}.licenceRef`, zh: '电子证照标识不正确', en: 'must be 1-128 letters, digits or :._-' });
    }
    return undefined;
  });
  for (const spec of item.materials) {
    if (spec.required && !seen.has(spec.id)) problems.push({ path: 'materials', zh: `缺少必需材料：${spec.name}（可选择后补）`, en: `misses the required material ${spec.id} (it may be marked later)` });
  }
  return problems;
}

/** `raw` as a case input for `catalog`, or CaseValidationError with every problem. */
export function parseCaseInput(raw: unknown, catalog: Catalog): CaseInput {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throwIfProblems([{ path: 'case', zh: '办件应为对象', en: 'must be a JSON object' }]);
  const r = raw as Record<string, unknown>;
  const problems: CaseProblem[] = [];
  for (const key of Object.keys(r)) {
    if (!['id', 'itemCode', 'bundleId', 'applicant', 'form', 'materials'].includes(key)) problems.push({ path: key, zh: '不是办件的字段', en: 'is not a key of a case' });
  }
  if (r.id !== undefined && (typeof r.id !== 'string' || !UUID.test(r.id))) problems.push({ path: 'id', zh: '办件标识格式不正确', en: 'must be a lower-case UUID' });
  if (r.bundleId !== undefined && (typeof r.bundleId !== 'string' || !UUID.test(r.bundleId))) problems.push({ path: 'bundleId', zh: '一件事标识格式不正确', en: 'must be a lower-case UUID' });
  problems.push(...applicantProblems(r.applicant));
  const item = typeof r.itemCode === 'string' ? catalog.items.find((it) => it.code === r.itemCode) : undefined;
  if (!item) {
    problems.push({ path: 'itemCode', zh: '目录中没有此事项', en: `names no item of the catalog (version ${catalog.version})` });
    throwIfProblems(problems);
  }
  problems.push(...formProblems(item!.form, r.form), ...materialProblems(item!, r.materials));
  throwIfProblems(problems);
  const a = r.applicant as Applicant;
  const applicant: Applicant = { source: a.source, idType: a.idType, idNumber: a.idNumber.toUpperCase(), name: a.name, ...(a.qrIssuer !== undefined ? { qrIssuer: a.qrIssuer } : {}) };
  return {
    ...(r.id !== undefined ? { id: r.id as string } : {}),
    itemCode: item!.code,
    ...(r.bundleId !== undefined ? { bundleId: r.bundleId as string } : {}),
    applicant,
    form: normalizeForm(item!.form, r.form as Record<string, unknown>),
    materials: (r.materials as MaterialEntry[]).map((m) => ({ ...m })),
  };
}

/** A new draft case from a checked input. */
export function draftCase(input: CaseInput, catalogVersion: number, id: string, at: string): Case {
  return {
    id,
    itemCode: input.itemCode,
    catalogVersion,
    ...(input.bundleId !== undefined ? { bundleId: input.bundleId } : {}),
    applicant: input.applicant,
    form: input.form,
    materials: input.materials,
    status: 'draft',
    createdAt: at,
    updatedAt: at,
    history: [],
    results: [],
  };
}
