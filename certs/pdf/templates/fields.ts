/**
 * Checks for template data as it arrives (a JSON file, a kiosk form): each check takes an unknown value
 * and its path ("person.idNumber", "contributions[3].base") and returns the typed value or throws a
 * FieldError naming the field. Messages never repeat the value itself: the data is personal.
 */
import { fontFace } from '../fonts.js';

export class FieldError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path} ${problem}`);
  }
}

export type Check<T> = (value: unknown, path: string) => T;

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

export interface TextRule {
  /** Longest allowed, in characters (code points). */
  readonly max: number;
  readonly min?: number;
  readonly pattern?: RegExp;
  /** Says what the pattern wants, e.g. "6 digits". */
  readonly patternHint?: string;
  /** Allow line breaks (long free text such as notes); other control characters are never allowed. */
  readonly multiline?: boolean;
}

/** A non-empty string within `max` characters, printable in the document font. */
export function text(rule: TextRule): Check<string> {
  return (value, path) => {
    if (value === undefined) throw new FieldError(path, 'is missing');
    if (typeof value !== 'string') throw new FieldError(path, `must be a string, not ${kind(value)}`);
    const v = value.trim();
    const length = [...v].length;
    if (length === 0) throw new FieldError(path, 'is empty');
    if (rule.min !== undefined && length < rule.min) throw new FieldError(path, `is shorter than ${rule.min} characters`);
    if (length > rule.max) throw new FieldError(path, `is longer than ${rule.max} characters (it has ${length})`);
    // eslint-disable-next-line no-control-regex
    const control = rule.multiline ? /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/ : /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
    if (control.test(v)) throw new FieldError(path, 'contains a control character');
    if (rule.pattern && !rule.pattern.test(v)) throw new FieldError(path, `must be ${rule.patternHint ?? `like ${rule.pattern}`}`);
    const face = fontFace('regular');
    let i = 0;
    for (const ch of v) {
      i++;
      const cp = ch.codePointAt(0)!;
      if (ch !== '\n' && ch !== ' ' && !face.has(cp)) {
        throw new FieldError(path, `has a character the document font cannot print (character ${i}, U+${cp.toString(16).toUpperCase().padStart(4, '0')})`);
      }
    }
    return v;
  };
}

export function oneOf<const T extends string>(values: readonly T[]): Check<T> {
  return (value, path) => {
    if (value === undefined) throw new FieldError(path, 'is missing');
    if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) {
      throw new FieldError(path, `must be one of ${values.join(', ')}`);
    }
    return value as T;
  };
}

export function boolean(): Check<boolean> {
  return (value, path) => {
    if (value === undefined) throw new FieldError(path, 'is missing');
    if (typeof value !== 'boolean') throw new FieldError(path, `must be true or false, not ${kind(value)}`);
    return value;
  };
}

export function integer(min: number, max: number): Check<number> {
  return (value, path) => {
    if (value === undefined) throw new FieldError(path, 'is missing');
    if (typeof value !== 'number') throw new FieldError(path, `must be a number, not ${kind(value)}`);
    if (!Number.isInteger(value)) throw new FieldError(path, 'must be a whole number');
    if (value < min || value > max) throw new FieldError(path, `must be from ${min} to ${max}`);
    return value;
  };
}

/** A non-negative decimal with at most `decimals` places (yuan to the fen, square metres). */
export function decimal(max: number, decimals = 2): Check<number> {
  return (value, path) => {
    if (value === undefined) throw new FieldError(path, 'is missing');
    if (typeof value !== 'number') throw new FieldError(path, `must be a number, not ${kind(value)}`);
    if (!Number.isFinite(value) || value < 0 || value > max) throw new FieldError(path, `must be from 0 to ${max}`);
    if (Math.abs(Math.round(value * 10 ** decimals) - value * 10 ** decimals) > 1e-6) {
      throw new FieldError(path, `must have at most ${decimals} decimal places`);
    }
    return value;
  };
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const YEAR_MIN = 1950;
const YEAR_MAX = 2099;

/** "YYYY-MM-DD", a real calendar day (from 1950 unless told otherwise: birth dates go back further). */
export function isoDate(minYear = YEAR_MIN): Check<string> {
  return (value, path) => {
    if (value === undefined) throw new FieldError(path, 'is missing');
    if (typeof value !== 'string') throw new FieldError(path, `must be a date string, not ${kind(value)}`);
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (!m) throw new FieldError(path, 'must be a date like 2026-11-21');
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (y < minYear || y > YEAR_MAX || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) {
      throw new FieldError(path, 'is not a real date');
    }
    return value;
  };
}

/** "YYYY-MM-DDTHH:mm" (local time of the issuing office). */
export function isoDateTime(): Check<string> {
  return (value, path) => {
    if (value === undefined) throw new FieldError(path, 'is missing');
    if (typeof value !== 'string') throw new FieldError(path, `must be a date-time string, not ${kind(value)}`);
    const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})$/.exec(value);
    if (!m) throw new FieldError(path, 'must be a local date and time like 2026-11-21T10:05');
    isoDate()(m[1], path);
    if (Number(m[2]) > 23 || Number(m[3]) > 59) throw new FieldError(path, 'is not a real time of day');
    return value;
  };
}

/** "YYYY-MM" (contribution months). */
export function isoYearMonth(): Check<string> {
  return (value, path) => {
    if (value === undefined) throw new FieldError(path, 'is missing');
    if (typeof value !== 'string') throw new FieldError(path, `must be a year-month string, not ${kind(value)}`);
    const m = /^(\d{4})-(\d{2})$/.exec(value);
    if (!m || Number(m[1]) < YEAR_MIN || Number(m[1]) > YEAR_MAX || Number(m[2]) < 1 || Number(m[2]) > 12) {
      throw new FieldError(path, 'must be a year and month like 2026-10');
    }
    return value;
  };
}

/** Months from `from` to `to` inclusive ("2026-01".."2026-12" is 12). */
export function monthSpan(from: string, to: string): number {
  const [fy, fm] = from.split('-').map(Number) as [number, number];
  const [ty, tm] = to.split('-').map(Number) as [number, number];
  return (ty - fy) * 12 + (tm - fm) + 1;
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** The check character of an 18-character citizen ID number (GB 11643-1999, ISO 7064 MOD 11-2). */
export function idCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i]!;
  return ID_CHECK[sum % 11]!;
}

/** A 公民身份号码: 17 digits and a check character that matches, with a real birth date. */
export function citizenId(): Check<string> {
  const base = text({ max: 18, min: 18, pattern: /^\d{17}[\dX]$/, patternHint: '18 characters: 17 digits and a digit or X' });
  return (value, path) => {
    const v = base(typeof value === 'string' ? value.toUpperCase() : value, path);
    const birth = `${v.slice(6, 10)}-${v.slice(10, 12)}-${v.slice(12, 14)}`;
    try {
      isoDate(1900)(birth, path);
    } catch {
      throw new FieldError(path, 'does not hold a real birth date');
    }
    if (idCheckCharacter(v) !== v[17]) throw new FieldError(path, 'has a check character that does not match (GB 11643)');
    return v;
  };
}

/** A six-digit administrative division code (GB/T 2260), e.g. 341600. */
export function regionCode(): Check<string> {
  return text({ max: 6, min: 6, pattern: /^[1-8]\d{5}$/, patternHint: 'a six-digit region code like 341600' });
}

export function optional<T>(check: Check<T>): Check<T | undefined> {
  return (value, path) => (value === undefined ? undefined : check(value, path));
}

export function array<T>(item: Check<T>, bounds: { min: number; max: number }): Check<T[]> {
  return (value, path) => {
    if (value === undefined) throw new FieldError(path, 'is missing');
    if (!Array.isArray(value)) throw new FieldError(path, `must be an array, not ${kind(value)}`);
    if (value.length < bounds.min) throw new FieldError(path, bounds.min === 1 ? 'must have at least one entry' : `must have at least ${bounds.min} entries`);
    if (value.length > bounds.max) throw new FieldError(path, `has more than ${bounds.max} entries (it has ${value.length})`);
    return value.map((v, i) => item(v, `${path}[${i}]`));
  };
}

export type Shape<T> = { readonly [K in keyof T]-?: Check<T[K]> };

/**
 * An object with exactly these fields: unknown fields are refused (a misspelt optional field would
 * otherwise vanish silently from an official document). Optional fields that are absent stay absent.
 */
export function object<T extends object>(shape: Shape<T>): Check<T> {
  return (value, path) => {
    const self = path || 'the data';
    if (value === undefined) throw new FieldError(self, 'is missing');
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new FieldError(self, `must be an object, not ${kind(value)}`);
    const input = value as Record<string, unknown>;
    const at = (key: string): string => (path ? `${path}.${key}` : key);
    for (const key of Object.keys(input)) {
      if (!Object.prototype.hasOwnProperty.call(shape, key)) throw new FieldError(at(key), 'is not a known field');
    }
    const out: Record<string, unknown> = {};
    for (const [key, check] of Object.entries(shape) as [string, Check<unknown>][]) {
      const v = check(input[key], at(key));
      if (v !== undefined) out[key] = v;
    }
    return out as T;
  };
}
