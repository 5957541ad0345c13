/**
 * The region picker: province, then city, then district as big buttons (names from GET /api/regions);
 * a region with no listed subdivisions is chosen by its button, a city as a whole by 选择整个…; a region
 * not listed is typed as its six-digit code on the keypad (其他地区).
 */
import { useState } from 'preact/hooks';
import { childrenOf, pathOf, regionLabel } from '../form/regions';
import type { Region } from '../form/schema';
import { applyKey } from './editing';
import { KeyButton } from './keys';
import { Keypad } from './keypad';

export interface RegionPickerProps {
  regions: readonly Region[];
  value: string;
  onChange: (code: string) => void;
}

export function RegionPicker({ regions, value, onChange }: RegionPickerProps) {
  const chosenPath = pathOf(regions, value);
  // Open where the chosen region is (its siblings), else at the provinces.
  const [parent, setParent] = useState<string | null>(chosenPath.length > 1 ? chosenPath[chosenPath.length - 2]!.code : null);
  const [manual, setManual] = useState(value !== '' && chosenPath.length === 0);
  if (manual) {
    return (
      <div class="keyboard region-picker" data-testid="kb-region">
        <p class="region-hint">请输入6位行政区划代码</p>
        <Keypad extras={[]} onKey={(k) => onChange(applyKey({ value, pinyin: '', page: 0 }, k, { max: 6 }).value)} />
        <KeyButton testid="region-list" kind="action" wide onPress={() => setManual(false)}>
          从列表中选择
        </KeyButton>
      </div>
    );
  }
  const here = parent === null ? undefined : regions.find((r) => r.code === parent);
  // Regions the list subdivides (长三角, where the kiosks stand) first, so they need no scrolling.
  const list = childrenOf(regions, parent)
    .map((r) => ({ r, deeper: childrenOf(regions, r.code).length > 0 }))
    .sort((a, b) => Number(b.deeper) - Number(a.deeper));
  return (
    <div class="keyboard region-picker" data-testid="kb-region" role="group" aria-label="选择地区">
      <div class="region-path">
        {here ? (
          <KeyButton testid="region-up" kind="action" onPress={() => setParent(here.parent)}>
            ‹ 上一级（现在：{regionLabel(regions, here.code)}）
          </KeyButton>
        ) : (
          <span class="region-hint">请选择省份</span>
        )}
      </div>
      {here && (
        <KeyButton testid="region-whole" kind="action" wide pressed={value === here.code} onPress={() => onChange(here.code)}>
          {value === here.code ? '✓ ' : ''}选择整个{here.name}
        </KeyButton>
      )}
      <div class="region-list">
        {list.map(({ r, deeper }) => (
          <KeyButton testid={`region-${r.code}`} key={r.code} kind="candidate" pressed={value === r.code} onPress={() => (deeper ? setParent(r.code) : onChange(r.code))}>
            {value === r.code ? `✓ ${r.name}` : r.name}
            {deeper ? ' ›' : ''}
          </KeyButton>
        ))}
      </div>
      <KeyButton testid="region-manual" kind="action" wide onPress={() => setManual(true)}>
        其他地区（输入代码）
      </KeyButton>
    </div>
  );
}
