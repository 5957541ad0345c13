/** The one button of the kiosk: a big touch target (>= 60 px, more in elder mode), a label and an optional line under it. */
import type { ComponentChildren } from 'preact';

export interface BigButtonProps {
  testid: string;
  label: string;
  sub?: string;
  icon?: ComponentChildren;
  onClick: () => void;
  disabled?: boolean;
  kind?: 'primary' | 'secondary' | 'danger';
  /** Extra class names (a tile on the start screen). */
  class?: string;
}

export function BigButton({ testid, label, sub, icon, onClick, disabled, kind = 'primary', class: extra }: BigButtonProps) {
  return (
    <button type="button" class={`big-button ${kind}${extra ? ` ${extra}` : ''}`} data-testid={testid} disabled={disabled} onClick={onClick}>
      {icon !== undefined && (
        <span class="icon" aria-hidden="true">
          {icon}
        </span>
      )}
      <span class="label">{label}</span>
      {sub !== undefined && <span class="sub">{sub}</span>}
    </button>
  );
}
