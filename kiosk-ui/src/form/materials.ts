/**
 * The materials step: for each material the item asks for, how the citizen provides it at a kiosk that
 * has no document scanner — an electronic licence (电子证照) fetched with their consent where the material
 * is accepted so (then it is already satisfied), or handed in later at the window (待补交); an optional one
 * may also be left out. The choices map to the API's material provisions (agent/cases/input.ts).
 */
import type { MaterialSpec } from './schema';

export type MaterialChoice = 'electronic' | 'later' | 'none';

export type MaterialEntry = { readonly id: string; readonly provision: 'electronic'; readonly licenceRef: string } | { readonly id: string; readonly provision: 'later' };

export function acceptsElectronic(spec: MaterialSpec): boolean {
  return spec.form === '电子证照' || (spec.alternatives ?? []).includes('电子证照');
}

/** The paper forms the window takes for it (原件 / 复印件), for the 待补交 wording. */
export function paperForms(spec: MaterialSpec): string[] {
  return [spec.form, ...(spec.alternatives ?? [])].filter((f) => f !== '电子证照');
}

/** The choices offered for a material, in the order shown. */
export function choicesFor(spec: MaterialSpec): MaterialChoice[] {
  return [...(acceptsElectronic(spec) ? (['electronic'] as const) : []), 'later', ...(spec.required ? [] : (['none'] as const))];
}

/** The choice made before the citizen touches anything: the licence where accepted (fewest steps), else 待补交 for a required one, else none. */
export function defaultChoice(spec: MaterialSpec): MaterialChoice {
  if (acceptsElectronic(spec)) return 'electronic';
  return spec.required ? 'later' : 'none';
}

/** Each material's choice: what the session holds when valid for it, else the default. */
export function materialChoices(specs: readonly MaterialSpec[], chosen: Readonly<Record<string, string>>): Record<string, MaterialChoice> {
  const out: Record<string, MaterialChoice> = {};
  for (const spec of specs) {
    const c = chosen[spec.id];
    out[spec.id] = c !== undefined && (choicesFor(spec) as string[]).includes(c) ? (c as MaterialChoice) : defaultChoice(spec);
  }
  return out;
}

/**
 * The reference an electronic licence is recorded with: the material it stands for, fetched under the
 * applicant's consent given here (the department's system resolves it against the licence library by the
 * applicant's ID number).
 */
export function licenceRefFor(spec: MaterialSpec): string {
  return `consent:${spec.id}`;
}

/** The case body's materials: chosen ones as provisions, the left-out optional ones omitted. */
export function materialEntries(specs: readonly MaterialSpec[], chosen: Readonly<Record<string, string>>): MaterialEntry[] {
  const choices = materialChoices(specs, chosen);
  const out: MaterialEntry[] = [];
  for (const spec of specs) {
    const c = choices[spec.id];
    if (c === 'electronic') out.push({ id: spec.id, provision: 'electronic', licenceRef: licenceRefFor(spec) });
    else if (c === 'later') out.push({ id: spec.id, provision: 'later' });
  }
  return out;
}
