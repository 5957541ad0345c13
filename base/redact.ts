/**
 * Masking of personal data (PIPL): ID numbers, names, phone numbers, addresses and photos must never
 * reach a log, an error message shown to staff, or any other text that leaves the encrypted store.
 *
 * Two nets, because neither alone is enough:
 * - by pattern, over every string: 18-digit resident ID numbers and mainland mobile numbers are found
 *   wherever they hide (inside messages, URLs, error texts);
 * - by key, over structured fields: a field whose name says it holds a name, an address or a photo is
 *   masked whatever its content, since a name has no pattern to find.
 */

/** 17 digits and a check character, not glued to other digits or letters. */
const ID_NUMBER = /(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3})([\dXx])(?![0-9A-Za-z])/g;
/** Mainland mobile numbers (1[3-9] and nine digits), optionally after +86 / 86. */
const MOBILE = /(?<![0-9])((?:\+?86[- ]?)?1[3-9]\d)(\d{4})(\d{4})(?![0-9])/g;

/** `341602199001011234` -> `3416**********1234` (the form gov-services.md prescribes). */
export function maskIdNumber(id: string): string {
  if (id.length <= 8) return '*'.repeat(id.length);
  return id.slice(0, 4) + '*'.repeat(id.length - 8) + id.slice(-4);
}

/** `13812345678` -> `138****5678`. */
export function maskPhone(phone: string): string {
  let digits = phone.replace(/\D/g, '');
  if (digits.length === 13 && digits.startsWith('86')) digits = digits.slice(2); // +86 country code
  if (digits.length < 7) return '*'.repeat(phone.length);
  return digits.slice(0, 3) + '*'.repeat(digits.length - 7) + digits.slice(-4);
}

/**
 * Keep the first character (the surname, usually) and mask the rest: `张三` -> `张*`,
 * `欧阳娜娜` -> `欧***`, `ZHANG San` -> `Z********`. A one-character string is masked whole.
 */
export function maskName(name: string): string {
  const chars = Array.from(name.trim());
  if (chars.length <= 1) return '*';
  return chars[0] + '*'.repeat(chars.length - 1);
}

/** Addresses keep their first six characters (province and city) at most. */
export function maskAddress(address: string): string {
  const chars = Array.from(address.trim());
  const keep = Math.min(6, Math.floor(chars.length / 3));
  return chars.slice(0, keep).join('') + '*'.repeat(Math.max(1, chars.length - keep));
}

/** Masks ID numbers and mobile numbers wherever they occur in free text. */
export function redactText(text: string): string {
  return text
    .replace(ID_NUMBER, (m) => maskIdNumber(m))
    .replace(MOBILE, (_m, head: string, _mid: string, tail: string) => `${head}****${tail}`);
}

type KeyRule = (value: string) => string;

/**
 * Field names (compared lower-case, without `_` and `-`) whose values are personal whatever they look
 * like. Pinyin abbreviations (xm = 姓名, sfzh = 身份证号, ...) appear in government payloads.
 */
const KEY_RULES: ReadonlyMap<string, KeyRule> = new Map<string, KeyRule>([
  ...['name', 'fullname', 'applicantname', 'chinesename', 'englishname', 'xm', 'contactname', 'holdername'].map(
    (k) => [k, maskName] as [string, KeyRule],
  ),
  ...['idnumber', 'idno', 'idcard', 'idcardnumber', 'sfzh', 'sfzhm', 'certno', 'passnumber', 'cardnumber'].map(
    (k) => [k, maskIdNumber] as [string, KeyRule],
  ),
  ...['phone', 'mobile', 'tel', 'telephone', 'phonenumber', 'lxdh', 'sjhm'].map((k) => [k, maskPhone] as [string, KeyRule]),
  ...['address', 'addr', 'zz', 'dz', 'homeaddress', 'newaddress'].map((k) => [k, maskAddress] as [string, KeyRule]),
]);

/** Fields dropped outright: binary personal data has no useful masked form. */
const DROPPED_KEYS = new Set(['photo', 'wlt', 'fingerprint', 'portrait', 'face', 'image', 'zp']);

function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/[_-]/g, '');
}

const MAX_DEPTH = 8;

/**
 * A redacted deep copy of `value`, safe to serialise: strings are scanned, personal keys masked,
 * binary data summarised by size, errors flattened, cycles and excessive depth cut.
 */
export function redactValue(value: unknown, key?: string, depth = 0, seen = new WeakSet<object>()): unknown {
  const nkey = key === undefined ? undefined : normaliseKey(key);
  if (nkey !== undefined && DROPPED_KEYS.has(nkey) && value !== undefined && value !== null) {
    return `[redacted ${describeSize(value)}]`;
  }
  if (typeof value === 'string') {
    const rule = nkey === undefined ? undefined : KEY_RULES.get(nkey);
    return rule ? rule(value) : redactText(value);
  }
  if (value === null || typeof value === 'number' || typeof value === 'boolean' || value === undefined) {
    return value;
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (value instanceof Uint8Array || value instanceof ArrayBuffer) return `[${value.byteLength} bytes]`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (typeof value !== 'object') return undefined;
  if (seen.has(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[too deep]';
  seen.add(value);
  try {
    if (value instanceof Error) return redactError(value, depth, seen);
    if (Array.isArray(value)) return value.map((v) => redactValue(v, key, depth + 1, seen));
    if (value instanceof Map) return redactValue(Object.fromEntries(value), key, depth, seen);
    if (value instanceof Set) return redactValue([...value], key, depth, seen);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const r = redactValue(v, k, depth + 1, seen);
      if (r !== undefined) out[k] = r;
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

function redactError(err: Error, depth: number, seen: WeakSet<object>): Record<string, unknown> {
  const out: Record<string, unknown> = { name: err.name, message: redactText(err.message) };
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') out.code = code;
  if (err.stack) out.stack = redactText(err.stack);
  if (err.cause !== undefined) out.cause = redactValue(err.cause, undefined, depth + 1, seen);
  return out;
}

function describeSize(value: unknown): string {
  if (value instanceof Uint8Array || value instanceof ArrayBuffer) return `${value.byteLength} bytes`;
  if (typeof value === 'string') return `${value.length} chars`;
  return typeof value;
}
