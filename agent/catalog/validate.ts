/**
 * Validation of a catalog as it arrives (the demo data at start, an update from the endpoint, a row
 * read back from the store): every field checked, with the path of the first problem in the message
 * ("catalog.items[2].form.fields[0].type: must be one of text, number, ..."), and the rules that tie
 * parts together (unique codes, a select has options, each example passes its own field, a bundle
 * names items of this catalog, an issuable template is one certs knows).
 */
import { InputError } from '../../base/errors.js';
import { fieldProblem } from './field-check.js';
import {
  FIELD_TYPES,
  HANDLING_MODES,
  MATERIAL_FORMS,
  type Catalog,
  type CatalogBundle,
  type CatalogGuide,
  type CatalogItem,
  type FieldType,
  type FormField,
  type GuideChoice,
  type GuideQuestion,
  type HandlingMode,
  type MaterialForm,
  type MaterialSpec,
} from './types.js';

export class CatalogError extends InputError {
  constructor(
    readonly path: string,
    readonly problem: string,
    code = 'catalog.invalid',
  ) {
    super(code, `${path}: ${problem}`);
  }
}

export const ITEM_CODE = /^[0-9A-Z][0-9A-Z-]{2,38}[0-9A-Z]$/;
const REGION = /^[1-8]\d{5}$/;
const NAME = /^[A-Za-z][A-Za-z0-9]{0,39}$/;
const MATERIAL_ID = /^[a-z][a-z0-9-]{0,39}$/;

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function record(value: unknown, path: string, keys: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CatalogError(path, `must be an object, not ${kind(value)}`);
  for (const k of Object.keys(value)) if (!keys.includes(k)) throw new CatalogError(`${path}.${k}`, 'is not a known key');
  return value as Record<string, unknown>;
}

function list(value: unknown, path: string, min: number, max: number): unknown[] {
  if (!Array.isArray(value)) throw new CatalogError(path, `must be an array, not ${kind(value)}`);
  if (value.length < min) throw new CatalogError(path, `must have at least ${min} ${min === 1 ? 'entry' : 'entries'}`);
  if (value.length > max) throw new CatalogError(path, `must have at most ${max} entries`);
  return value;
}

function str(value: unknown, path: string, max: number, pattern?: RegExp, hint?: string): string {
  if (typeof value !== 'string') throw new CatalogError(path, value === undefined ? 'is missing' : `must be a string, not ${kind(value)}`);
  if (value.trim() === '' || value.trim() !== value) throw new CatalogError(path, 'must be non-empty text without surrounding spaces');
  if ([...value].length > max) throw new CatalogError(path, `is longer than ${max} characters`);
  if (pattern && !pattern.test(value)) throw new CatalogError(path, `must be ${hint ?? `like ${pattern}`}`);
  return value;
}

function optStr(value: unknown, path: string, max: number): string | undefined {
  return value === undefined ? undefined : str(value, path, max);
}

function int(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new CatalogError(path, value === undefined ? 'is missing' : 'must be a whole number');
  if (value < min || value > max) throw new CatalogError(path, `must be from ${min} to ${max}`);
  return value;
}

function bool(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw new CatalogError(path, value === undefined ? 'is missing' : 'must be true or false');
  return value;
}

function oneOf<T extends string>(value: unknown, path: string, choices: readonly T[]): T {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) throw new CatalogError(path, `must be one of ${choices.join(', ')}`);
  return value as T;
}

function unique(values: readonly string[], path: (i: number) => string, what: string): void {
  const seen = new Set<string>();
  values.forEach((v, i) => {
    if (seen.has(v)) throw new CatalogError(path(i), `repeats the ${what} "${v}"`);
    seen.add(v);
  });
}

function field(raw: unknown, path: string): FormField {
  const r = record(raw, path, ['name', 'label', 'type', 'required', 'min', 'max', 'pattern', 'patternHint', 'options', 'example']);
  const type: FieldType = oneOf(r.type, `${path}.type`, FIELD_TYPES);
  const f: { -readonly [K in keyof FormField]: FormField[K] } = {
    name: str(r.name, `${path}.name`, 40, NAME, 'letters and digits starting with a letter'),
    label: str(r.label, `${path}.label`, 40),
    type,
    required: bool(r.required, `${path}.required`),
  };
  const bounded = type === 'text' || type === 'number';
  for (const k of ['min', 'max'] as const) {
    if (r[k] === undefined) continue;
    if (!bounded) throw new CatalogError(`${path}.${k}`, `applies to text and number fields only`);
    f[k] = type === 'text' ? int(r[k], `${path}.${k}`, 0, 10_000) : finite(r[k], `${path}.${k}`);
  }
  if (f.min !== undefined && f.max !== undefined && f.min > f.max) throw new CatalogError(`${path}.min`, 'is greater than max');
  if (r.pattern !== undefined) {
    if (type !== 'text') throw new CatalogError(`${path}.pattern`, 'applies to text fields only');
    f.pattern = str(r.pattern, `${path}.pattern`, 200);
    try {
      new RegExp(f.pattern, 'u');
    } catch {
      throw new CatalogError(`${path}.pattern`, 'is not a valid regular expression');
    }
  }
  const hint = optStr(r.patternHint, `${path}.patternHint`, 40);
  if (hint !== undefined) f.patternHint = hint;
  if (type === 'select') {
    const options = list(r.options, `${path}.options`, 1, 100).map((o, i) => str(o, `${path}.options[${i}]`, 40));
    unique(options, (i) => `${path}.options[${i}]`, 'option');
    f.options = options;
  } else if (r.options !== undefined) {
    throw new CatalogError(`${path}.options`, 'applies to select fields only');
  }
  if (r.example !== undefined) {
    const problem = fieldProblem(f, r.example);
    if (problem) throw new CatalogError(`${path}.example`, `does not pass its own field: ${problem.en}`);
    f.example = r.example as string | number;
  }
  return f;
}

function finite(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new CatalogError(path, 'must be a number');
  return value;
}

function material(raw: unknown, path: string): MaterialSpec {
  const r = record(raw, path, ['id', 'name', 'required', 'form', 'alternatives']);
  const form: MaterialForm = oneOf(r.form, `${path}.form`, MATERIAL_FORMS);
  const m: MaterialSpec = {
    id: str(r.id, `${path}.id`, 40, MATERIAL_ID, 'lower-case letters, digits and "-", starting with a letter'),
    name: str(r.name, `${path}.name`, 60),
    required: bool(r.required, `${path}.required`),
    form,
  };
  if (r.alternatives === undefined) return m;
  const alternatives = list(r.alternatives, `${path}.alternatives`, 1, 2).map((a, i) => oneOf(a, `${path}.alternatives[${i}]`, MATERIAL_FORMS));
  unique([form, ...alternatives], (i) => `${path}.alternatives[${i - 1}]`, 'form');
  return { ...m, alternatives };
}

function item(raw: unknown, path: string, templates: readonly string[] | undefined): CatalogItem {
  const r = record(raw, path, ['code', 'name', 'department', 'region', 'targetRegion', 'modes', 'form', 'materials', 'issuable', 'timeLimitDays', 'category', 'initials']);
  const modes = list(r.modes, `${path}.modes`, 1, 3).map((m, i) => oneOf<HandlingMode>(m, `${path}.modes[${i}]`, HANDLING_MODES));
  unique(modes, (i) => `${path}.modes[${i}]`, 'mode');
  const formRecord = record(r.form, `${path}.form`, ['fields']);
  const fields = list(formRecord.fields, `${path}.form.fields`, 0, 60).map((f, i) => field(f, `${path}.form.fields[${i}]`));
  unique(fields.map((f) => f.name), (i) => `${path}.form.fields[${i}].name`, 'field name');
  const materials = list(r.materials, `${path}.materials`, 0, 40).map((m, i) => material(m, `${path}.materials[${i}]`));
  unique(materials.map((m) => m.id), (i) => `${path}.materials[${i}].id`, 'material id');
  const it: CatalogItem = {
    code: str(r.code, `${path}.code`, 40, ITEM_CODE, '4-40 characters of A-Z, 0-9 and "-"'),
    name: str(r.name, `${path}.name`, 60),
    department: str(r.department, `${path}.department`, 60),
    region: str(r.region, `${path}.region`, 6, REGION, 'a six-digit region code like 341600'),
    targetRegion: str(r.targetRegion, `${path}.targetRegion`, 6, REGION, 'a six-digit region code like 310110'),
    modes,
    form: { fields },
    materials,
    timeLimitDays: int(r.timeLimitDays, `${path}.timeLimitDays`, 0, 365),
    category: str(r.category, `${path}.category`, 20),
    initials: str(r.initials, `${path}.initials`, 40, /^[a-z0-9]+$/, 'lower-case pinyin initials'),
  };
  if (r.issuable === undefined) return it;
  const issuable = str(r.issuable, `${path}.issuable`, 60);
  if (templates && !templates.includes(issuable)) throw new CatalogError(`${path}.issuable`, `names no certs template (known: ${templates.join(', ')})`);
  return { ...it, issuable };
}

function bundle(raw: unknown, path: string, codes: ReadonlySet<string>): CatalogBundle {
  const r = record(raw, path, ['code', 'name', 'items']);
  const items = list(r.items, `${path}.items`, 2, 20).map((c, i) => {
    const code = str(c, `${path}.items[${i}]`, 40);
    if (!codes.has(code)) throw new CatalogError(`${path}.items[${i}]`, `names no item of this catalog ("${code}")`);
    return code;
  });
  unique(items, (i) => `${path}.items[${i}]`, 'item');
  return { code: str(r.code, `${path}.code`, 40, ITEM_CODE, '4-40 characters of A-Z, 0-9 and "-"'), name: str(r.name, `${path}.name`, 60), items };
}

/** Bounds of a guide (智能导办): few questions, a short way to the answer, a screenful of choices. */
export const GUIDE_LIMITS = { guides: 50, questions: 40, choices: 8, depth: 6 } as const;
const QUESTION_ID = /^[a-z][a-z0-9-]{0,39}$/;

function guideChoice(raw: unknown, path: string, codes: ReadonlySet<string>): GuideChoice {
  const r = record(raw, path, ['label', 'next', 'item', 'reason']);
  const label = str(r.label, `${path}.label`, 40);
  if ((r.next === undefined) === (r.item === undefined)) throw new CatalogError(path, 'must have exactly one of next (a question) and item (an item code)');
  if (r.next !== undefined) {
    if (r.reason !== undefined) throw new CatalogError(`${path}.reason`, 'applies to a choice that leads to an item only');
    return { label, next: str(r.next, `${path}.next`, 40, QUESTION_ID, 'a question id of this guide') };
  }
  const item = str(r.item, `${path}.item`, 40);
  if (!codes.has(item)) throw new CatalogError(`${path}.item`, `names no item of this catalog ("${item}")`);
  return { label, item, reason: str(r.reason, `${path}.reason`, 80) };
}

function guideQuestion(raw: unknown, path: string, codes: ReadonlySet<string>): GuideQuestion {
  const r = record(raw, path, ['id', 'text', 'choices']);
  const choices = list(r.choices, `${path}.choices`, 2, GUIDE_LIMITS.choices).map((c, i) => guideChoice(c, `${path}.choices[${i}]`, codes));
  unique(choices.map((c) => c.label), (i) => `${path}.choices[${i}].label`, 'label');
  return { id: str(r.id, `${path}.id`, 40, QUESTION_ID, 'lower-case letters, digits and "-", starting with a letter'), text: str(r.text, `${path}.text`, 60), choices };
}

/**
 * A guide: its questions checked one by one, then as a graph from `start`: every `next` names a question
 * of the guide, no way leads back to a question already on it (no cycles), every question is reachable,
 * and no way is longer than GUIDE_LIMITS.depth questions.
 */
function guide(raw: unknown, path: string, codes: ReadonlySet<string>): CatalogGuide {
  const r = record(raw, path, ['code', 'name', 'summary', 'start', 'questions']);
  const questions = list(r.questions, `${path}.questions`, 1, GUIDE_LIMITS.questions).map((q, i) => guideQuestion(q, `${path}.questions[${i}]`, codes));
  unique(questions.map((q) => q.id), (i) => `${path}.questions[${i}].id`, 'question id');
  const index = new Map(questions.map((q, i) => [q.id, i]));
  const start = str(r.start, `${path}.start`, 40);
  if (!index.has(start)) throw new CatalogError(`${path}.start`, `names no question of this guide ("${start}")`);
  questions.forEach((q, i) =>
    q.choices.forEach((c, j) => {
      if (c.next !== undefined && !index.has(c.next)) throw new CatalogError(`${path}.questions[${i}].choices[${j}].next`, `names no question of this guide ("${c.next}")`);
    }),
  );
  // Depth-first from start: a question met again while on the way to it is a cycle; each question's
  // longest way onward (in questions) is kept, so shared questions are walked once.
  const longest = new Map<string, 'onTheWay' | number>();
  const walk = (id: string, way: readonly string[]): number => {
    const known = longest.get(id);
    if (known === 'onTheWay') throw new CatalogError(`${path}.questions[${index.get(id)!}]`, `leads back to itself (${[...way, id].join(' -> ')})`);
    if (known !== undefined) return known;
    longest.set(id, 'onTheWay');
    let onward = 0;
    for (const c of questions[index.get(id)!]!.choices) if (c.next !== undefined) onward = Math.max(onward, walk(c.next, [...way, id]));
    longest.set(id, onward + 1);
    return onward + 1;
  };
  const depth = walk(start, []);
  if (depth > GUIDE_LIMITS.depth) throw new CatalogError(`${path}.start`, `leads through ${depth} questions; at most ${GUIDE_LIMITS.depth} are allowed`);
  const reached = new Set(longest.keys());
  const orphan = questions.findIndex((q) => !reached.has(q.id));
  if (orphan >= 0) throw new CatalogError(`${path}.questions[${orphan}]`, 'cannot be reached from the start');
  const g: CatalogGuide = {
    code: str(r.code, `${path}.code`, 40, ITEM_CODE, '4-40 characters of A-Z, 0-9 and "-"'),
    name: str(r.name, `${path}.name`, 20),
    start,
    questions,
  };
  const summary = optStr(r.summary, `${path}.summary`, 40);
  return summary === undefined ? g : { ...g, summary };
}

export interface ValidateOptions {
  /** The certs template names an `issuable` may name; not checked when absent. */
  readonly templates?: readonly string[];
}

/** A catalog from untrusted JSON, checked whole; throws CatalogError naming the first bad key. */
export function validateCatalog(raw: unknown, options: ValidateOptions = {}): Catalog {
  const r = record(raw, 'catalog', ['version', 'publishedAt', 'items', 'bundles', 'guides']);
  const version = int(r.version, 'catalog.version', 1, Number.MAX_SAFE_INTEGER);
  const publishedAt = str(r.publishedAt, 'catalog.publishedAt', 40);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(publishedAt) || Number.isNaN(Date.parse(publishedAt))) {
    throw new CatalogError('catalog.publishedAt', 'must be an ISO 8601 time like 2026-11-01T08:00:00+08:00');
  }
  const items = list(r.items, 'catalog.items', 1, 5000).map((it, i) => item(it, `catalog.items[${i}]`, options.templates));
  unique(items.map((it) => it.code), (i) => `catalog.items[${i}].code`, 'item code');
  const codes = new Set(items.map((it) => it.code));
  const bundles = r.bundles === undefined ? [] : list(r.bundles, 'catalog.bundles', 0, 200).map((b, i) => bundle(b, `catalog.bundles[${i}]`, codes));
  unique(bundles.map((b) => b.code), (i) => `catalog.bundles[${i}].code`, 'bundle code');
  unique([...codes, ...bundles.map((b) => b.code)], (i) => `catalog.bundles[${i - codes.size}].code`, 'code (an item has it)');
  if (r.guides === undefined) return { version, publishedAt, items, bundles };
  const guides = list(r.guides, 'catalog.guides', 0, GUIDE_LIMITS.guides).map((g, i) => guide(g, `catalog.guides[${i}]`, codes));
  unique(guides.map((g) => g.code), (i) => `catalog.guides[${i}].code`, 'guide code');
  return { version, publishedAt, items, bundles, guides };
}

export type CatalogUpdateDecision =
  | { readonly action: 'replace'; readonly catalog: Catalog }
  | { readonly action: 'unchanged'; readonly catalog: Catalog };

/**
 * Whether an update from the endpoint replaces the catalog held: a malformed one is refused
 * (CatalogError, catalog.invalid), one with a lower version, or the same version with other content,
 * is refused (catalog.staleVersion), the same document again is `unchanged` (a repeated delivery).
 * The replacement itself is one transaction in the store (catalog-store.ts).
 */
export function decideCatalogUpdate(current: Catalog | undefined, raw: unknown, options: ValidateOptions = {}): CatalogUpdateDecision {
  const next = validateCatalog(raw, options);
  if (!current || next.version > current.version) return { action: 'replace', catalog: next };
  if (next.version === current.version && JSON.stringify(next) === JSON.stringify(current)) return { action: 'unchanged', catalog: current };
  const why = next.version === current.version ? 'has the version of the catalog held but other content' : `is older than the catalog held (version ${current.version})`;
  throw new CatalogError('catalog.version', `${next.version} ${why}; an update must carry a higher version`, 'catalog.staleVersion');
}
