/**
 * One form field's value against its definition: the check both the catalog (each field's example
 * must pass) and the case workflow (an applicant's form data) use. A problem is said in Chinese for
 * the kiosk and in English for logs and tools; neither repeats the value (it may be personal).
 */
import type { FormField } from './types.js';

export interface FieldProblem {
  readonly zh: string;
  readonly en: string;
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const ID_CHECK = '10X98765432';

/** True when `text` is a real calendar date written YYYY-MM-DD. */
export function isIsoDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return y >= 1900 && date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** Problems of a resident ID number (GB 11643): length and digits, birth date, check character. */
export function idNumberProblem(id: string): FieldProblem | undefined {
  if (!/^\d{17}[\dXx]$/.test(id)) return { zh: '身份证号码应为18位（17位数字加1位数字或X）', en: 'must be 17 digits and a digit or X' };
  if (!isIsoDate(`${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`)) return { zh: '身份证号码中的出生日期无效', en: 'does not hold a real birth date' };
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(id[i]) * ID_WEIGHTS[i]!;
  if (ID_CHECK[sum % 11] !== id[17]!.toUpperCase()) return { zh: '身份证号码校验位不正确', en: 'check digit does not match' };
  return undefined;
}

const PHONE = /^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$/;
const REGION = /^[1-8]\d{5}$/;
// Control characters never belong in a form value (they break receipts, logs and the canonical JSON's readability).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** The problem with `value` for `field`, or undefined when it is fine. `value` is present (not undefined). */
export function fieldProblem(field: FormField, value: unknown): FieldProblem | undefined {
  if (field.type === 'number') {
    if (typeof value !== 'number' || !Number.isFinite(value)) return { zh: '应为数字', en: 'must be a number' };
    if (field.min !== undefined && value < field.min) return { zh: `不能小于${field.min}`, en: `must be at least ${field.min}` };
    if (field.max !== undefined && value > field.max) return { zh: `不能大于${field.max}`, en: `must be at most ${field.max}` };
    return undefined;
  }
  if (typeof value !== 'string') return { zh: '应为文字', en: 'must be a string' };
  if (value.trim() !== value) return { zh: '首尾不能有空格', en: 'must not start or end with spaces' };
  if (value === '') return { zh: '不能为空', en: 'is empty' };
  if (CONTROL.test(value)) return { zh: '含有控制字符', en: 'contains a control character' };
  switch (field.type) {
    case 'text': {
      const length = [...value].length;
      if (field.min !== undefined && length < field.min) return { zh: `至少${field.min}个字`, en: `must have at least ${field.min} characters` };
      if (field.max !== undefined && length > field.max) return { zh: `最多${field.max}个字`, en: `must have at most ${field.max} characters` };
      if (field.pattern !== undefined && !new RegExp(`^(?:${field.pattern})$`, 'u').test(value)) {
        return { zh: `格式不正确${field.patternHint ? `（应为${field.patternHint}）` : ''}`, en: 'does not have the required format' };
      }
      return undefined;
    }
    case 'date':
      return isIsoDate(value) ? undefined : { zh: '应为有效日期（年-月-日）', en: 'must be a real date written YYYY-MM-DD' };
    case 'select':
      return field.options?.includes(value) ? undefined : { zh: '不是可选的选项', en: 'is not one of the options' };
    case 'idNumber':
      return idNumberProblem(value);
    case 'phone':
      return PHONE.test(value) ? undefined : { zh: '电话号码格式不正确', en: 'must be a mobile number (11 digits) or a landline with area code' };
    case 'region':
      return REGION.test(value) ? undefined : { zh: '应为6位行政区划代码', en: 'must be a six-digit region code' };
  }
}
