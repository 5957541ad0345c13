/** A message box: an error (role=alert, read out by screen readers at once), a warning, information or success. */
import type { ComponentChildren } from 'preact';

export interface NoticeProps {
  kind: 'error' | 'info' | 'ok' | 'warn';
  testid?: string;
  title?: string;
  children?: ComponentChildren;
}

/**
 * The marks are drawn, not typed: the CJK system fonts draw a lone "i" so that it reads as "¡" at this size,
 * and "✓" is missing from some of them.
 */
const MARK: Record<NoticeProps['kind'], string> = {
  error: 'M12 5v9M12 18.5v.5',
  warn: 'M12 5v9M12 18.5v.5',
  info: 'M12 5.5v.5M12 10v9',
  ok: 'M5 12.5l4.5 4.5L19 7',
};

function NoticeMark({ kind }: { kind: NoticeProps['kind'] }) {
  return (
    <svg class="notice-mark" width="1.2em" height="1.2em" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="3" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">
      <path d={MARK[kind]} />
    </svg>
  );
}

export function Notice({ kind, testid, title, children }: NoticeProps) {
  return (
    <div class={`notice ${kind}`} data-testid={testid} role={kind === 'error' ? 'alert' : 'status'}>
      <span class="notice-icon" aria-hidden="true">
        <NoticeMark kind={kind} />
      </span>
      <div class="notice-body">
        {title !== undefined && <p class="notice-title">{title}</p>}
        {children}
      </div>
    </div>
  );
}
