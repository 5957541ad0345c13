/**
 * `tongban cases example`: a valid case input for an item, filled from the catalog's field examples,
 * with a fictional applicant (a check-digit-valid ID number that belongs to nobody known) and every
 * material handed in the way that needs no file (an electronic licence where accepted, else later).
 */
import { InputError } from '../../base/errors.js';
import type { Catalog, CatalogItem } from '../catalog/types.js';
import type { FormValue, MaterialEntry } from './types.js';

export const EXAMPLE_APPLICANT = { source: 'idCard', idType: 'resident', idNumber: '341602199001011234', name: '王演示' } as const;

/** The item `code` names, or the first item the kiosk issues on site (else the first item). */
export function exampleItem(catalog: Catalog, code?: string): CatalogItem {
  if (code !== undefined) {
    const item = catalog.items.find((it) => it.code === code);
    if (!item) throw new InputError('case.unknownItem', `no item "${code}" in the catalog (try: tongban catalog list)`);
    return item;
  }
  return catalog.items.find((it) => it.issuable !== undefined) ?? catalog.items[0]!;
}

export function exampleCase(item: CatalogItem): object {
  const form: Record<string, FormValue> = {};
  for (const f of item.form.fields) {
    const value = f.example ?? (f.type === 'select' ? f.options?.[0] : undefined);
    if (value !== undefined) form[f.name] = value;
  }
  const materials: MaterialEntry[] = item.materials.map((m) =>
    m.form === '电子证照' || m.alternatives?.includes('电子证照') ? { id: m.id, provision: 'electronic', licenceRef: `DEMO-${m.id}` } : { id: m.id, provision: 'later' },
  );
  return { itemCode: item.code, applicant: { ...EXAMPLE_APPLICANT }, form, materials };
}
