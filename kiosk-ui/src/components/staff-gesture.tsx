/**
 * The hidden way into staff mode: five taps on the top-left corner within 3 s (an invisible 64 px
 * square over the header's empty corner, data-testid="staff-corner"; the header keeps its buttons clear
 * of it), then the PIN on an on-screen keypad. Works on every screen: staff can help mid-session and
 * go back to the citizen's screen with their work untouched.
 */
import { useRef, useState } from 'preact/hooks';
import { StaffPinDialog } from './staff-pin';

const TAPS = 5;
const WINDOW_MS = 3000;

export function StaffGesture() {
  const taps = useRef<number[]>([]);
  const [asking, setAsking] = useState(false);
  const onTap = (): void => {
    const now = Date.now();
    taps.current = [...taps.current.filter((t) => now - t < WINDOW_MS), now];
    if (taps.current.length >= TAPS) {
      taps.current = [];
      setAsking(true);
    }
  };
  return (
    <>
      {/* Not a control for citizens: hidden from assistive technology and never focusable. */}
      <div class="staff-corner" data-testid="staff-corner" aria-hidden="true" onPointerDown={onTap} />
      {asking && <StaffPinDialog onClose={() => setAsking(false)} />}
    </>
  );
}
