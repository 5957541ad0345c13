/**
 * The page's own check of a form value, before the agent's: the same rules and the same Chinese words as
 * agent/catalog/field-check.ts (the agent checks again on submit and its refusal is shown on the field;
 * kiosk-ui/test/form.test.ts holds the two to each other over the demo catalog). Values arrive as the
 * strings typed; a number field's text is read as a number first.
 */
import type { FormField } from './schema';

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const ID_CHECK = '10X98765432';
const PHONE = /^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$/;
const REGION = /^[1-8]\d{5}$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const NUMBER_TEXT = /^-?(\d+(\.\d*)?|\.\d+)$/;

export function isIsoDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return y >= 1900 && date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

export function idNumberProblem(id: string): string | undefined {
  if (!/^\d{17}[\dXx]$/.test(id)) return '身份证号码应为18位（17位数字加1位数字或X）';
  if (!isIsoDate(`${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`)) return '身份证号码中的出生日期无效';
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(id[i]) * ID_WEIGHTS[i]!;
  if (ID_CHECK[sum % 11] !== id[17]!.toUpperCase()) return '身份证号码校验位不正确';
  return undefined;
}

/** A number field's text as the number the API takes, or undefined when it is not one. */
export function numberOf(text: string): number | undefined {
  if (!NUMBER_TEXT.test(text)) return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/** The problem with a present (non-empty) value, in the agent's words, or undefined when it is fine. */
export function valueProblem(field: FormField, text: string): string | undefined {
  if (field.type === 'number') {
    const value = numberOf(text);
    if (value === undefined) return '应为数字';
    if (field.min !== undefined && value < field.min) return `不能小于${field.min}`;
    if (field.max !== undefined && value > field.max) return `不能大于${field.max}`;
    return undefined;
  }
  if (text.trim() !== text) return '首尾不能有空格';
  if (CONTROL.test(text)) return '含有控制字符';
  switch (field.type) {
    case 'text': {
      const length = [...text].length;
      if (field.min !== undefined && length < field.min) return `至少${field.min}个字`;
      if (field.max !== undefined && length > field.max) return `最多${field.max}个字`;
      if (field.pattern !== undefined && !new RegExp(`^(?:${field.pattern})$`, 'u').test(text)) {
        return `格式不正确${field.patternHint ? `（应为${field.patternHint}）` : ''}`;
      }
      return undefined;
    }
    case 'date':
      return isIsoDate(text) ? undefined : '应为有效日期（年-月-日）';
    case 'select':
      return field.options?.includes(text) ? undefined : '不是可选的选项';
    case 'idNumber':
      return idNumberProblem(text);
    case 'phone':
      return PHONE.test(text) ? undefined : '电话号码格式不正确';
    case 'region':
      return REGION.test(text) ? undefined : '应为6位行政区划代码';
  }
}

/** What to show next to a field for the text entered (blank included), or undefined when it may go. */
export function fieldError(field: FormField, text: string | undefined): string | undefined {
  if (text === undefined || text === '') return field.required ? `${field.label}为必填项` : undefined;
  return valueProblem(field, text);
}

/** Every field's error by name (only the fields that have one). */
export function formErrors(fields: readonly FormField[], values: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fields) {
    const e = fieldError(f, values[f.name]);
    if (e !== undefined) out[f.name] = e;
  }
  return out;
}
