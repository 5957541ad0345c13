/** A case's form data against its item's form schema: every field checked, every problem named. */
import { fieldProblem } from '../catalog/field-check.js';
import type { FormSchema } from '../catalog/types.js';
import type { CaseProblem } from './problems.js';
import type { FormData, FormValue } from './types.js';

/**
 * Problems of `raw` as form data for `schema` (empty when valid): missing required fields, unknown
 * fields, values that fail their field. An optional field may be absent or an empty string (the
 * kiosk's blank input), which is then left out of the data.
 */
export function formProblems(schema: FormSchema, raw: unknown): CaseProblem[] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return [{ path: 'form', zh: '表单应为对象', en: 'must be an object' }];
  const values = raw as Record<string, unknown>;
  const problems: CaseProblem[] = [];
  for (const key of Object.keys(values)) {
    if (!schema.fields.some((f) => f.name === key)) problems.push({ path: `form.${key}`, zh: '表单中没有此项', en: 'is not a field of this form' });
  }
  for (const field of schema.fields) {
    const value = values[field.name];
    if (value === undefined || value === null || value === '') {
      if (field.required) problems.push({ path: `form.${field.name}`, zh: `${field.label}为必填项`, en: 'is required' });
      continue;
    }
    const problem = fieldProblem(field, value);
    if (problem) problems.push({ path: `form.${field.name}`, zh: `${field.label}：${problem.zh}`, en: problem.en });
  }
  return problems;
}

/** The form data as stored: the schema's fields in schema order, blanks left out, ID numbers' x upper-cased. */
export function normalizeForm(schema: FormSchema, raw: Record<string, unknown>): FormData {
  const out: Record<string, FormValue> = {};
  for (const field of schema.fields) {
    const value = raw[field.name];
    if (value === undefined || value === null || value === '') continue;
    out[field.name] = field.type === 'idNumber' && typeof value === 'string' ? value.toUpperCase() : (value as FormValue);
  }
  return out;
}
