/**
 * The frame of every screen: a header with the title, 返回 (when the screen has a way back), 回首页 and
 * the 适老模式 toggle, and the screen's content. The root carries data-testid="screen-<id>" for tests.
 * Entering a screen moves focus to its title and speaks it in elder mode.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { speak, stopSpeaking } from '../speech';
import { getSession, resetSession, update, useSession, type ScreenId } from '../state/session';

export interface ScreenProps {
  id: ScreenId;
  title: string;
  /** The way back (absent: no 返回 button). */
  back?: () => void;
  /** Hides 回首页 (the start screen itself). */
  home?: boolean;
  /** Spoken in elder mode when the screen opens (default: the title). */
  prompt?: string;
  children?: ComponentChildren;
}

export function Screen({ id, title, back, home = true, prompt, children }: ScreenProps) {
  const elder = useSession((s) => s.elder);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
    speak(prompt ?? title);
  }, [id]);
  return (
    <main class={`screen screen-${id}`} data-testid={`screen-${id}`} aria-labelledby={`title-${id}`}>
      <header class="screen-header">
        <div class="nav-left">
          {back && (
            <button type="button" class="nav-button" data-testid="nav-back" onClick={back}>
              <span aria-hidden="true">‹ </span>返回
            </button>
          )}
        </div>
        <h1 id={`title-${id}`} class="screen-title" tabIndex={-1} ref={heading}>
          {title}
        </h1>
        <div class="nav-right">
          {home && (
            <button type="button" class="nav-button" data-testid="nav-home" onClick={goHome}>
              回首页
            </button>
          )}
          <button type="button" class={`nav-button elder-toggle${elder ? ' on' : ''}`} data-testid="nav-elder" aria-pressed={elder} onClick={toggleElder}>
            适老模式
          </button>
        </div>
      </header>
      <div class="screen-body">{children}</div>
    </main>
  );
}

/**
 * 回首页: the citizen abandons what they were doing, so nothing of theirs stays (as after idle time); the
 * elder mode they chose is kept, as the same person is still standing there.
 */
export function goHome(): void {
  const { elder } = getSession();
  resetSession();
  if (elder) update({ elder });
}

/** 适老模式 on or off (the header's toggle and the start screen's tile); switching it on says so aloud. */
export function toggleElder(): void {
  const elder = !getSession().elder;
  update({ elder });
  if (elder) speak('已开启适老模式。字体已放大，操作时会有语音提示。');
  else stopSpeaking();
}
