/**
 * Idle safety: after idleSeconds without a touch (or key) while a session is under way, a countdown
 * (data-testid="idle-countdown") offers 继续办理; when it runs out, resetSession(): the start screen, and
 * everything the citizen entered gone from memory and storage. The start screen in its plain mode has
 * nothing to clear, so no countdown there.
 */
import { useEffect, useState } from 'preact/hooks';
import { BigButton } from './button';
import { Dialog } from './dialog';
import { speak } from '../speech';
import { resetSession, useSession } from '../state/session';
import { useSettings } from '../state/settings';

const ACTIVITY = ['pointerdown', 'keydown', 'touchstart', 'wheel'] as const;
let lastActivity = Date.now();

/** Counts as a touch: a screen waiting on something slow (a print) calls it so the citizen is not timed out meanwhile. */
export function keepAlive(): void {
  lastActivity = Date.now();
}

export function IdleWatcher() {
  const { idleSeconds, countdownSeconds } = useSettings();
  const active = useSession((s) => s.screen !== 'start' || s.elder);
  /** Seconds left in the countdown; undefined: no countdown showing. */
  const [left, setLeft] = useState<number | undefined>(undefined);

  useEffect(() => {
    const onActivity = (): void => keepAlive();
    for (const e of ACTIVITY) document.addEventListener(e, onActivity, { capture: true, passive: true });
    return () => {
      for (const e of ACTIVITY) document.removeEventListener(e, onActivity, { capture: true });
    };
  }, []);

  useEffect(() => {
    if (!active) {
      setLeft(undefined);
      return;
    }
    keepAlive();
    // One tick a second (or more often for short test settings): idle and countdown from lastActivity.
    const tick = (): void => {
      const idleMs = Date.now() - lastActivity;
      if (idleMs < idleSeconds * 1000) return setLeft(undefined);
      const remaining = Math.ceil((idleSeconds + countdownSeconds) - idleMs / 1000);
      if (remaining <= 0) {
        setLeft(undefined);
        resetSession();
      } else setLeft(remaining);
    };
    const timer = setInterval(tick, 250);
    return () => clearInterval(timer);
  }, [active, idleSeconds, countdownSeconds]);

  const showing = left !== undefined;
  useEffect(() => {
    if (showing) speak('您还在吗？如需继续办理，请点击“继续办理”。');
  }, [showing]);

  if (left === undefined) return null;
  return (
    <Dialog
      testid="idle-countdown"
      title="您还在吗？"
      actions={<BigButton testid="idle-continue" label="继续办理" onClick={() => (keepAlive(), setLeft(undefined))} />}
    >
      <p class="idle-text">
        为保护您的个人信息，<span class="idle-seconds" data-testid="idle-seconds">{left}</span> 秒后将自动退出并清除您填写的内容。
      </p>
    </Dialog>
  );
}
