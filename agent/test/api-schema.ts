/**
 * A JSON Schema (2020-12) check of the subset agent/api/openapi.json uses, for the OpenAPI test:
 * type, const, enum, properties, required, additionalProperties (boolean), items, minLength,
 * maxLength, pattern, minimum, maximum, $ref to #/components/...; `format` and `description` are annotations.
 * A keyword outside the subset fails loudly, so the document cannot grow past what the test checks.
 */
type Schema = Record<string, unknown>;

const KNOWN = new Set(['type', 'const', 'enum', 'properties', 'required', 'additionalProperties', 'items', 'minLength', 'maxLength', 'pattern', 'minimum', 'maximum', '$ref', 'format', 'description']);

export function schemaProblems(doc: Schema, schema: Schema, value: unknown, path = 'value'): string[] {
  for (const key of Object.keys(schema)) if (!KNOWN.has(key)) throw new Error(`schema keyword ${key} at ${path} is not supported by the test's checker`);
  if (typeof schema.$ref === 'string') return schemaProblems(doc, resolveRef(doc, schema.$ref), value, path);
  const problems: string[] = [];
  if ('const' in schema && value !== schema.const) problems.push(`${path} must be ${JSON.stringify(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) problems.push(`${path} must be one of ${schema.enum.join(', ')}`);
  if (typeof schema.type === 'string' && !hasType(value, schema.type)) return [...problems, `${path} must be ${schema.type}`];
  if (typeof value === 'string') {
    if (typeof schema.minLength === 'number' && [...value].length < schema.minLength) problems.push(`${path} is too short`);
    if (typeof schema.maxLength === 'number' && [...value].length > schema.maxLength) problems.push(`${path} is too long`);
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) problems.push(`${path} does not match ${schema.pattern}`);
  }
  if (typeof value === 'number' && typeof schema.minimum === 'number' && value < schema.minimum) problems.push(`${path} is below ${schema.minimum}`);
  if (typeof value === 'number' && typeof schema.maximum === 'number' && value > schema.maximum) problems.push(`${path} is above ${schema.maximum}`);
  if (Array.isArray(value) && schema.items) value.forEach((v, i) => problems.push(...schemaProblems(doc, schema.items as Schema, v, `${path}[${i}]`)));
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    for (const r of (schema.required ?? []) as string[]) if (!(r in obj)) problems.push(`${path}.${r} is missing`);
    for (const [k, v] of Object.entries(obj)) {
      if (props[k]) problems.push(...schemaProblems(doc, props[k], v, `${path}.${k}`));
      else if (schema.additionalProperties === false) problems.push(`${path}.${k} is not documented`);
    }
  }
  return problems;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'null':
      return value === null;
    default:
      return typeof value === type;
  }
}

export function resolveRef(doc: Schema, ref: string): Schema {
  if (!ref.startsWith('#/')) throw new Error(`only local $ref: ${ref}`);
  let node: unknown = doc;
  for (const part of ref.slice(2).split('/')) node = (node as Record<string, unknown>)[part];
  if (!node || typeof node !== 'object') throw new Error(`$ref ${ref} resolves to nothing`);
  return node as Schema;
}
