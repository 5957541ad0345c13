/**
 * Small checks for untrusted structured input (device configuration, command messages from a WebSocket):
 * each check takes an unknown value and its path ("devices[2].transport.baud") and returns the typed
 * value or throws a CheckError naming the path. Objects are strict: an unknown key is an error, so a
 * misspelt option is reported instead of silently ignored. Messages never repeat the value itself.
 */

export class CheckError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path} ${problem}`);
    this.name = 'CheckError';
  }
}

export type Check<T> = (value: unknown, path: string) => T;

export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

function present(value: unknown, path: string): void {
  if (value === undefined) throw new CheckError(path, 'is missing');
}

export interface StringRule {
  readonly max: number;
  readonly min?: number;
  readonly pattern?: RegExp;
  /** What the pattern wants, e.g. "letters, digits, - and _". */
  readonly hint?: string;
}

/** A string of `min`..`max` characters without control characters. */
export function string(rule: StringRule): Check<string> {
  return (value, path) => {
    present(value, path);
    if (typeof value !== 'string') throw new CheckError(path, `must be a string, not ${kindOf(value)}`);
    const min = rule.min ?? 1;
    if (value.length < min) throw new CheckError(path, min === 1 ? 'is empty' : `is shorter than ${min} characters`);
    if (value.length > rule.max) throw new CheckError(path, `is longer than ${rule.max} characters`);
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(value)) throw new CheckError(path, 'contains a control character');
    if (rule.pattern && !rule.pattern.test(value)) throw new CheckError(path, `must be ${rule.hint ?? `like ${rule.pattern}`}`);
    return value;
  };
}

export function integer(min: number, max: number): Check<number> {
  return (value, path) => {
    present(value, path);
    if (typeof value !== 'number') throw new CheckError(path, `must be a number, not ${kindOf(value)}`);
    if (!Number.isInteger(value)) throw new CheckError(path, 'must be a whole number');
    if (value < min || value > max) throw new CheckError(path, `must be from ${min} to ${max}`);
    return value;
  };
}

export function boolean(): Check<boolean> {
  return (value, path) => {
    present(value, path);
    if (typeof value !== 'boolean') throw new CheckError(path, `must be true or false, not ${kindOf(value)}`);
    return value;
  };
}

export function oneOf<const T extends string | number>(values: readonly T[]): Check<T> {
  return (value, path) => {
    present(value, path);
    if (!(values as readonly unknown[]).includes(value)) throw new CheckError(path, `must be one of ${values.join(', ')}`);
    return value as T;
  };
}

/** Base64 (standard alphabet, padded) of `minBytes`..`maxBytes` decoded bytes. */
export function base64(maxBytes: number, minBytes = 0): Check<Uint8Array> {
  return (value, path) => {
    present(value, path);
    if (typeof value !== 'string') throw new CheckError(path, `must be a base64 string, not ${kindOf(value)}`);
    if (value.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) throw new CheckError(path, 'is not valid base64');
    if ((value.length / 4) * 3 > maxBytes + 2) throw new CheckError(path, `holds more than ${maxBytes} bytes`);
    const buf = Buffer.from(value, 'base64');
    if (buf.length > maxBytes) throw new CheckError(path, `holds more than ${maxBytes} bytes`);
    if (buf.length < minBytes) throw new CheckError(path, minBytes === 1 ? 'is empty' : `holds fewer than ${minBytes} bytes`);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  };
}

export function optional<T>(check: Check<T>): Check<T | undefined> {
  return (value, path) => (value === undefined ? undefined : check(value, path));
}

export function array<T>(item: Check<T>, bounds: { min: number; max: number }): Check<T[]> {
  return (value, path) => {
    present(value, path);
    if (!Array.isArray(value)) throw new CheckError(path, `must be an array, not ${kindOf(value)}`);
    if (value.length < bounds.min) throw new CheckError(path, bounds.min === 1 ? 'must have at least one entry' : `must have at least ${bounds.min} entries`);
    if (value.length > bounds.max) throw new CheckError(path, `has more than ${bounds.max} entries`);
    return value.map((v, i) => item(v, `${path}[${i}]`));
  };
}

/** A plain JSON object (not null, not an array). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

type Shape = Record<string, Check<unknown>>;
type Out<S extends Shape> = { [K in keyof S as undefined extends ReturnType<S[K]> ? never : K]: ReturnType<S[K]> } & {
  [K in keyof S as undefined extends ReturnType<S[K]> ? K : never]?: Exclude<ReturnType<S[K]>, undefined>;
};

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** An object with exactly these keys (optional ones may be absent); any other key is an error. */
export function object<S extends Shape>(shape: S): Check<Out<S>> {
  return (value, path) => {
    present(value, path || 'value');
    if (!isPlainObject(value)) throw new CheckError(path || 'value', `must be an object, not ${kindOf(value)}`);
    for (const key of Object.keys(value)) {
      if (!Object.hasOwn(shape, key)) throw new CheckError(join(path, key), `is not a known key (known: ${Object.keys(shape).join(', ') || 'none'})`);
    }
    const out: Record<string, unknown> = {};
    for (const [key, check] of Object.entries(shape)) {
      const v = check(value[key], join(path, key));
      if (v !== undefined) out[key] = v;
    }
    return out as Out<S>;
  };
}

/** An object told apart by a string field (`type`), each variant checked strictly. */
export function variant<const K extends string, V extends Record<string, Shape>>(
  key: K,
  variants: V,
): Check<{ [T in keyof V]: { [P in K]: T } & Out<V[T]> }[keyof V]> {
  return (value, path) => {
    present(value, path || 'value');
    if (!isPlainObject(value)) throw new CheckError(path || 'value', `must be an object, not ${kindOf(value)}`);
    const tag = value[key];
    const names = Object.keys(variants);
    if (typeof tag !== 'string' || !Object.hasOwn(variants, tag)) throw new CheckError(join(path, key), `must be one of ${names.join(', ')}`);
    const { [key]: _tag, ...rest } = value;
    const checked = object(variants[tag]!)(rest, path);
    return { [key]: tag, ...checked } as never;
  };
}
