/**
 * The canonical JSON of an audit entry, the bytes its hash covers: JSON.stringify's escaping, no
 * whitespace, object keys sorted by UTF-16 code units at every depth, arrays in order. Only JSON values
 * are allowed (null, booleans, finite numbers, strings, arrays, plain objects): anything else would not
 * read back the same from the details column.
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export function canonicalJson(value: unknown, path = '$'): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`${path}: ${value} is not a JSON number`);
    if (Number.isInteger(value) && !Number.isSafeInteger(value)) throw new TypeError(`${path}: ${value} is beyond 2^53 (store it as a string)`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v, i) => canonicalJson(v, `${path}[${i}]`)).join(',')}]`;
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v, `${path}.${k}`)}`).join(',')}}`;
  }
  throw new TypeError(`${path}: a ${typeof value === 'object' ? (value as object).constructor?.name ?? 'object' : typeof value} is not a JSON value`);
}
