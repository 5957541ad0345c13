/**
 * A form's values filled in from who the citizen is (the ID card read or the personal code): the ID number
 * for idNumber fields, the name for the applicant's name, the card's address for fields that ask for the
 * applicant's own address (落户地址, 邮寄地址, 户籍地址...). Decided from the field's type, name and label;
 * a field about someone else (新生儿姓名) or another place (异地居住地址, 经营场所) is left to the citizen.
 * A value that would not pass the field's check (an address longer than its max) is not filled in.
 */
import { valueProblem } from './field-check';
import type { FormField } from './schema';

/** The applicant as the session holds it (the card's fields; a personal code gives name and ID number only). */
export interface PrefillSource {
  readonly name: string;
  readonly idNumber: string;
  readonly address?: string;
}

const NAME_LABELS = ['姓名', '申请人姓名', '本人姓名'];
const NAME_NAMES = ['name', 'applicantName'];
const ADDRESS_LABELS = ['住址', '户籍地址', '户籍所在地', '落户地址', '邮寄地址', '联系地址', '家庭地址', '居住地址', '申请人地址'];
const ADDRESS_NAMES = ['address', 'homeAddress', 'householdAddress', 'postalAddress', 'contactAddress', 'applicantAddress'];

function sourceValue(field: FormField, who: PrefillSource): string | undefined {
  if (field.type === 'idNumber') return who.idNumber;
  if (field.type !== 'text') return undefined;
  if (NAME_LABELS.includes(field.label) || NAME_NAMES.includes(field.name)) return who.name;
  if (ADDRESS_LABELS.includes(field.label) || ADDRESS_NAMES.includes(field.name)) return who.address;
  return undefined;
}

/** The values to fill in (by field name), only for fields still blank in `current`. */
export function prefill(fields: readonly FormField[], who: PrefillSource, current: Readonly<Record<string, string>> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const field of fields) {
    if ((current[field.name] ?? '') !== '') continue;
    const value = sourceValue(field, who)?.trim();
    if (value && valueProblem(field, value) === undefined) out[field.name] = value;
  }
  return out;
}
