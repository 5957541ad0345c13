/** Region names for the picker and for showing a region field's value (from GET /api/regions). */
import type { Region } from './schema';

export function childrenOf(regions: readonly Region[], parent: string | null): Region[] {
  return regions.filter((r) => r.parent === parent);
}

/** The chain from the province down to `code` (empty when the code is not named). */
export function pathOf(regions: readonly Region[], code: string): Region[] {
  const byCode = new Map(regions.map((r) => [r.code, r]));
  const out: Region[] = [];
  for (let r = byCode.get(code); r; r = r.parent ? byCode.get(r.parent) : undefined) out.unshift(r);
  return out;
}

/** 安徽省亳州市谯城区, or the code itself when it is not named (typed on the keypad). */
export function regionLabel(regions: readonly Region[], code: string): string {
  const path = pathOf(regions, code);
  return path.length > 0 ? path.map((r) => r.name).join('') : code;
}
