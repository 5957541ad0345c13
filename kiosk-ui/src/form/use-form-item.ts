/**
 * The session's item and the region names, for the screens that show its form (填写信息, 核对信息): back to
 * the items when none is chosen, to identify when no one is; a fault in plain words when they cannot be
 * loaded (a new `attempt` asks again). `prepare` runs with the item just before it is shown.
 */
import { useEffect, useState } from 'preact/hooks';
import { explain } from '../api/explain';
import { go, useSession } from '../state/session';
import { loadItem, loadRegions } from './load';
import type { CatalogItem, Region } from './schema';

export function useFormItem(attempt: number, prepare?: (item: CatalogItem) => void) {
  const itemCode = useSession((s) => s.itemCode);
  const applicant = useSession((s) => s.applicant);
  const [item, setItem] = useState<CatalogItem>();
  const [regions, setRegions] = useState<Region[]>([]);
  const [fault, setFault] = useState<string>();

  useEffect(() => {
    if (!itemCode) return go('items');
    if (!applicant) return go('identify', { purpose: 'apply' });
    let live = true;
    setFault(undefined);
    Promise.all([loadItem(itemCode), loadRegions()])
      .then(([it, rs]) => {
        if (!live) return;
        prepare?.(it);
        setRegions(rs);
        setItem(it);
      })
      .catch((err: unknown) => live && setFault(explain(err)));
    return () => {
      live = false;
    };
  }, [itemCode, attempt]);

  return { item, regions, fault, setFault };
}
