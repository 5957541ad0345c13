/** Capital Latin letters and digits, for codes such as 出生医学证明编号 (Q340000001) or 统一社会信用代码. */
import type { Key } from './editing';
import { EditKeys, KeyButton } from './keys';

export const LETTER_ROWS = ['QWERTYUIOP', 'ASDFGHJKL', 'ZXCVBNM'] as const;

export function LettersKeyboard({ digits, onKey }: { digits: boolean; onKey: (k: Key) => void }) {
  const key = (c: string) => (
    <KeyButton testid={`kb-key-${c}`} key={c} onPress={() => onKey({ type: 'char', char: c })}>
      {c}
    </KeyButton>
  );
  return (
    <div class="keyboard letters" data-testid="kb-letters" role="group" aria-label="字母数字键盘">
      {digits && <div class="kb-row">{[...'1234567890'].map(key)}</div>}
      {LETTER_ROWS.map((row) => (
        <div class="kb-row" key={row}>
          {[...row].map(key)}
        </div>
      ))}
      <EditKeys onKey={onKey} />
    </div>
  );
}
