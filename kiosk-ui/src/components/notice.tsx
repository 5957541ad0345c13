/** A message box: an error (role=alert, read out by screen readers at once), a warning, information or success. */
import type { ComponentChildren } from 'preact';

export interface NoticeProps {
  kind: 'error' | 'info' | 'ok' | 'warn';
  testid?: string;
  title?: string;
  children?: ComponentChildren;
}

const ICON: Record<NoticeProps['kind'], string> = { error: '!', warn: '!', info: 'i', ok: '✓' };

export function Notice({ kind, testid, title, children }: NoticeProps) {
  return (
    <div class={`notice ${kind}`} data-testid={testid} role={kind === 'error' ? 'alert' : 'status'}>
      <span class="notice-icon" aria-hidden="true">
        {ICON[kind]}
      </span>
      <div class="notice-body">
        {title !== undefined && <p class="notice-title">{title}</p>}
        {children}
      </div>
    </div>
  );
}
