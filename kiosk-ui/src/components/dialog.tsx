/**
 * A modal dialog: a full-screen backdrop takes every touch outside it, aria-modal hides the page behind
 * from screen readers, focus starts inside and Tab stays inside (a trap), and focus goes back on close.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

export interface DialogProps {
  testid: string;
  title: string;
  children?: ComponentChildren;
  /** The dialog's buttons (BigButtons). */
  actions?: ComponentChildren;
}

let nextTitleId = 1;

export function Dialog({ testid, title, children, actions }: DialogProps) {
  const box = useRef<HTMLDivElement>(null);
  const titleId = useRef(`dialog-title-${nextTitleId++}`).current;
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const previous = document.activeElement as HTMLElement | null;
    const focusables = (): HTMLElement[] => [...el.querySelectorAll<HTMLElement>('button:not([disabled]), [href], input, select, textarea, [tabindex]:not([tabindex="-1"])')];
    (focusables()[0] ?? el).focus();
    const onKey = (e: KeyboardEvent): void => {
      if (e.key !== 'Tab') return;
      const list = focusables();
      if (list.length === 0) return e.preventDefault();
      const first = list[0]!;
      const last = list[list.length - 1]!;
      if (e.shiftKey && document.activeElement === first) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        first.focus();
      }
    };
    el.addEventListener('keydown', onKey);
    return () => {
      el.removeEventListener('keydown', onKey);
      previous?.focus?.();
    };
  }, []);
  return (
    <div class="dialog-backdrop">
      <div class="dialog" role="dialog" aria-modal="true" aria-labelledby={titleId} data-testid={testid} ref={box} tabIndex={-1}>
        <h2 id={titleId} class="dialog-title">
          {title}
        </h2>
        <div class="dialog-body">{children}</div>
        {actions !== undefined && <div class="dialog-actions">{actions}</div>}
      </div>
    </div>
  );
}
