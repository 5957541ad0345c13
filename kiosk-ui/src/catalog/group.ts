/** The items screen's tabs, pure: items grouped by department (按部门) or by category (按主题). */
import type { ItemSummary } from './types';

export type GroupBy = 'department' | 'category';

export interface ItemGroup {
  /** The department's or category's name. */
  name: string;
  items: ItemSummary[];
}

/** Groups in the order their first item appears in the catalog; items in catalog order. */
export function groupItems(items: readonly ItemSummary[], by: GroupBy): ItemGroup[] {
  const groups = new Map<string, ItemSummary[]>();
  for (const item of items) {
    const key = item[by];
    const list = groups.get(key);
    if (list) list.push(item);
    else groups.set(key, [item]);
  }
  return [...groups].map(([name, list]) => ({ name, items: list }));
}

/** What a tile says about where the item ends: 当场出证 (issued here), 即办, or the time limit. */
export function outcomeLabel(item: ItemSummary): string {
  if (item.issuable) return '当场出证';
  if (item.timeLimitDays === 0) return '即办';
  return `${item.timeLimitDays}个工作日内办结`;
}
