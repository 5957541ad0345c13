/** One key of the on-screen keyboards: a real button (>= the touch target), named for screen readers. */
import type { ComponentChildren } from 'preact';

export interface KeyProps {
  testid: string;
  onPress: () => void;
  /** What a screen reader says when the face is a symbol (⌫). */
  label?: string;
  disabled?: boolean;
  wide?: boolean;
  kind?: 'char' | 'action' | 'candidate';
  pressed?: boolean;
  children: ComponentChildren;
}

export function KeyButton({ testid, onPress, label, disabled, wide, kind = 'char', pressed, children }: KeyProps) {
  return (
    <button
      type="button"
      class={`kb-key ${kind}${wide ? ' wide' : ''}`}
      data-testid={testid}
      aria-label={label}
      aria-pressed={pressed}
      disabled={disabled}
      // pointerdown would be quicker, but click keeps a slip of the finger from typing twice
      onClick={onPress}
    >
      {children}
    </button>
  );
}

/** 删除 and 清空, under every text keyboard. */
export function EditKeys({ onKey }: { onKey: (k: { type: 'backspace' } | { type: 'clear' }) => void }) {
  return (
    <div class="kb-row kb-edit">
      <KeyButton testid="kb-backspace" kind="action" wide label="删除一个字" onPress={() => onKey({ type: 'backspace' })}>
        ⌫ 删除
      </KeyButton>
      <KeyButton testid="kb-clear" kind="action" wide label="全部清空" onPress={() => onKey({ type: 'clear' })}>
        清空
      </KeyButton>
    </div>
  );
}
