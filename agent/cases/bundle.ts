/**
 * 一件事一次办: the cases of one bundle share a bundle id and an applicant, cover items of the bundle
 * each at most once, and are submitted together (CaseService.submitBundle, one transaction).
 */
import { InputError } from '../../base/errors.js';
import type { Catalog, CatalogBundle } from '../catalog/types.js';
import type { CaseInput } from './input.js';

/** The bundle the inputs form, checked; throws InputError (case.badBundle) saying what does not fit. */
export function checkBundle(catalog: Catalog, bundleCode: string, inputs: readonly CaseInput[]): CatalogBundle {
  const bundle = catalog.bundles.find((b) => b.code === bundleCode);
  const bad = (message: string): never => {
    throw new InputError('case.badBundle', message);
  };
  if (!bundle) return bad(`no bundle "${bundleCode}" in the catalog (version ${catalog.version})`);
  if (inputs.length < 2) bad(`a bundle has at least two cases, this one ${inputs.length}`);
  const bundleId = inputs[0]!.bundleId;
  if (bundleId === undefined) bad('the cases of a bundle carry its bundleId');
  const seen = new Set<string>();
  inputs.forEach((c, i) => {
    if (c.bundleId !== bundleId) bad(`cases[${i}].bundleId differs from the first case's`);
    if (!bundle.items.includes(c.itemCode)) bad(`cases[${i}].itemCode is not an item of ${bundle.name} (${bundle.items.join(', ')})`);
    if (seen.has(c.itemCode)) bad(`cases[${i}].itemCode repeats an item of the bundle`);
    seen.add(c.itemCode);
    const a = inputs[0]!.applicant;
    if (c.applicant.idNumber !== a.idNumber || c.applicant.idType !== a.idType) bad(`cases[${i}].applicant differs from the first case's (one applicant per bundle)`);
  });
  return bundle;
}
