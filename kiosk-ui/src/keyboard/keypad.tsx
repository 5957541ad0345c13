/** The numeric keypad: digits in the telephone layout, plus X for ID numbers, '-' or '.' where the field wants them. */
import type { Key } from './editing';
import { EditKeys, KeyButton } from './keys';

export interface KeypadProps {
  extras: readonly string[];
  onKey: (k: Key) => void;
}

const EXTRA_LABEL: Record<string, string> = { '-': '短横线', '.': '小数点', X: '字母X' };

export function Keypad({ extras, onKey }: KeypadProps) {
  const key = (c: string) => (
    <KeyButton testid={`kb-key-${c}`} label={EXTRA_LABEL[c]} onPress={() => onKey({ type: 'char', char: c })}>
      {c}
    </KeyButton>
  );
  const filler = (n: number) => <span class="kb-gap" key={`gap-${n}`} aria-hidden="true" />;
  return (
    <div class="keyboard keypad" data-testid="kb-keypad" role="group" aria-label="数字键盘">
      {[
        ['1', '2', '3'],
        ['4', '5', '6'],
        ['7', '8', '9'],
      ].map((row) => (
        <div class="kb-row" key={row[0]}>
          {row.map(key)}
        </div>
      ))}
      <div class="kb-row">
        {extras[0] !== undefined ? key(extras[0]) : filler(0)}
        {key('0')}
        {extras[1] !== undefined ? key(extras[1]) : filler(1)}
      </div>
      <EditKeys onKey={onKey} />
    </div>
  );
}
