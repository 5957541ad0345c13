/**
 * Validation primitives for untrusted JSON. Each takes the value and its path (for the message: the
 * path, never the value, which may be personal) and returns it typed, or throws ProtocolError.
 */
import { ProtocolError, type ProtocolErrorCode } from './errors.js';

export type Path = string;

export function fail(code: ProtocolErrorCode, path: Path, what: string): never {
  throw new ProtocolError(code, `${path}: ${what}`);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * A plain object with exactly the `required` keys and any of the `optional` ones: an unknown key is an
 * error (strict), a missing one too. Keys whose value is undefined cannot occur in parsed JSON.
 */
export function object(value: unknown, path: Path, required: readonly string[], optional: readonly string[] = []): Record<string, unknown> {
  if (!isPlainObject(value)) fail('protocol.badValue', path, `expected an object, got ${kindOf(value)}`);
  for (const key of Object.keys(value)) {
    if (!required.includes(key) && !optional.includes(key)) fail('protocol.unknownKey', path, `unknown key ${JSON.stringify(key.slice(0, 40))}`);
  }
  for (const key of required) {
    if (!Object.hasOwn(value, key)) fail('protocol.missingKey', path, `missing key "${key}"`);
  }
  return value;
}

export interface StringRule {
  /** Maximum length in UTF-16 code units. */
  readonly max: number;
  readonly min?: number;
  readonly pattern?: RegExp;
  /** How the pattern is described in the error, e.g. "a lower-case UUID". */
  readonly describe?: string;
}

export function string(value: unknown, path: Path, rule: StringRule): string {
  if (typeof value !== 'string') fail('protocol.badValue', path, `expected a string, got ${kindOf(value)}`);
  const min = rule.min ?? 1;
  if (value.length < min) fail('protocol.badValue', path, min === 1 ? 'empty string' : `shorter than ${min} characters`);
  if (value.length > rule.max) fail('protocol.badValue', path, `longer than ${rule.max} characters`);
  if (rule.pattern && !rule.pattern.test(value)) fail('protocol.badValue', path, `expected ${rule.describe ?? `a string matching ${rule.pattern.source}`}`);
  return value;
}

export function integer(value: unknown, path: Path, min: number, max: number = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) fail('protocol.badValue', path, `expected an integer, got ${kindOf(value)}`);
  if (value < min || value > max) fail('protocol.badValue', path, `expected an integer in ${min}..${max}`);
  return value;
}

export function boolean(value: unknown, path: Path): boolean {
  if (typeof value !== 'boolean') fail('protocol.badValue', path, `expected a boolean, got ${kindOf(value)}`);
  return value;
}

export function oneOf<T extends string>(value: unknown, path: Path, options: readonly T[]): T {
  if (typeof value !== 'string' || !(options as readonly string[]).includes(value)) {
    fail('protocol.badValue', path, `expected one of ${options.join(', ')}`);
  }
  return value as T;
}

export function array(value: unknown, path: Path, min: number, max: number): unknown[] {
  if (!Array.isArray(value)) fail('protocol.badValue', path, `expected an array, got ${kindOf(value)}`);
  if (value.length > max) fail('protocol.tooMany', path, `more than ${max} entries`);
  if (value.length < min) fail('protocol.badValue', path, `fewer than ${min} entries`);
  return value;
}

/**
 * A JSON object carried opaquely (case content, a catalog): plain JSON, nested at most `maxDepth`
 * (a receiver hashes it recursively: a deeply nested value must not exhaust its stack).
 */
export function jsonObject(value: unknown, path: Path, maxDepth: number): Record<string, unknown> {
  if (!isPlainObject(value)) fail('protocol.badValue', path, `expected an object, got ${kindOf(value)}`);
  // Iterative walk: the check itself must not recurse on hostile depth.
  const stack: { v: unknown; depth: number }[] = [{ v: value, depth: 1 }];
  while (stack.length > 0) {
    const { v, depth } = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > maxDepth) fail('protocol.badValue', path, `nested deeper than ${maxDepth}`);
    for (const child of Array.isArray(v) ? v : Object.values(v as Record<string, unknown>)) {
      if (typeof child === 'object' && child !== null) stack.push({ v: child, depth: depth + 1 });
    }
  }
  return value;
}

// ---------------------------------------------------------------- the formats of the protocol

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const SM3_HEX = /^[0-9a-f]{64}$/;
/** A cursor: the decimal string of a positive integer (an endpoint event id). */
export const CURSOR = /^[1-9][0-9]{0,19}$/;
export const KIOSK_ID = /^[A-Za-z0-9._-]{1,64}$/;
export const REGION = /^[0-9]{6}$/;
export const DOCUMENT_ID = /^[A-Za-z0-9._:-]{1,80}$/;
/** Machine-readable codes: `case.hashMismatch`, `files.missing`. */
export const CODE = /^[A-Za-z0-9._-]{1,64}$/;
/** Printable ASCII without spaces: tokens, secrets, versions, ids chosen by an endpoint. */
export const TOKEN = /^[\x21-\x7e]+$/;
/** ISO 8601 date-time with seconds and an offset (what Date.prototype.toISOString writes, and more). */
export const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export const uuid = (v: unknown, p: Path): string => string(v, p, { max: 36, pattern: UUID, describe: 'a lower-case UUID' });
export const sm3 = (v: unknown, p: Path): string => string(v, p, { max: 64, pattern: SM3_HEX, describe: '64 lower-case hex digits (SM3)' });
export const cursor = (v: unknown, p: Path): string => string(v, p, { max: 20, pattern: CURSOR, describe: 'a cursor (decimal string of a positive integer)' });
export const kioskId = (v: unknown, p: Path): string => string(v, p, { max: 64, pattern: KIOSK_ID, describe: 'a kiosk id ([A-Za-z0-9._-]{1,64})' });
export const region = (v: unknown, p: Path): string => string(v, p, { max: 6, pattern: REGION, describe: 'a 6-digit region code' });
export const code = (v: unknown, p: Path): string => string(v, p, { max: 64, pattern: CODE, describe: 'a code ([A-Za-z0-9._-]{1,64})' });
export const isoTime = (v: unknown, p: Path): string => string(v, p, { max: 40, pattern: ISO_TIME, describe: 'an ISO 8601 date-time' });
export const seq = (v: unknown, p: Path): number => integer(v, p, 1);
