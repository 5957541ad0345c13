/**
 * The date picker: 年 月 日 each with big + and − buttons. No native date input (tiny, and different in
 * every runtime). An empty field shows today and 选定 (the value is set by it or by the first +/−);
 * a set one offers 改为今天.
 */
import { formatIso, parseIso, stepDate, today, type DatePart } from './date';
import { KeyButton } from './keys';

const PARTS: readonly [DatePart, string][] = [
  ['year', '年'],
  ['month', '月'],
  ['day', '日'],
];

export function DatePicker({ value, onChange }: { value: string; onChange: (iso: string) => void }) {
  const shown = parseIso(value) ?? today();
  return (
    <div class="keyboard date-picker" data-testid="kb-date" role="group" aria-label="选择日期">
      <div class="date-columns">
        {PARTS.map(([part, unit]) => (
          <div class="date-column" key={part}>
            <KeyButton testid={`date-${part}-inc`} kind="action" label={`${unit}加一`} onPress={() => onChange(formatIso(stepDate(shown, part, 1)))}>
              ＋
            </KeyButton>
            <span class="date-part" data-testid={`date-${part}`}>
              {shown[part]}
              <span class="date-unit">{unit}</span>
            </span>
            <KeyButton testid={`date-${part}-dec`} kind="action" label={`${unit}减一`} onPress={() => onChange(formatIso(stepDate(shown, part, -1)))}>
              －
            </KeyButton>
          </div>
        ))}
      </div>
      <div class="kb-row kb-edit">
        {value === '' ? (
          <KeyButton testid="date-confirm" kind="candidate" wide onPress={() => onChange(formatIso(shown))}>
            选定 {shown.year}年{shown.month}月{shown.day}日
          </KeyButton>
        ) : (
          <KeyButton testid="date-today" kind="action" wide onPress={() => onChange(formatIso(today()))}>
            改为今天
          </KeyButton>
        )}
      </div>
    </div>
  );
}
