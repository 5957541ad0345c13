/**
 * The kiosk's frame: the router table (one component per ScreenId, each from ./screens/<id>.tsx), the
 * elder-mode class on the root element, the idle watcher and the hidden staff gesture.
 */
import type { FunctionComponent } from 'preact';
import { useEffect } from 'preact/hooks';
import { IdleWatcher } from './components/idle';
import { StaffGesture } from './components/staff-gesture';
import { getSession, subscribe, useSession, type ScreenId } from './state/session';
import Certificate from './screens/certificate';
import Done from './screens/done';
import Form from './screens/form';
import Guide from './screens/guide';
import Identify from './screens/identify';
import Items from './screens/items';
import Materials from './screens/materials';
import Pickup from './screens/pickup';
import Rating from './screens/rating';
import Review from './screens/review';
import Staff from './screens/staff';
import Start from './screens/start';

/** The router table: every ScreenId has its screen (the type makes a missing one a compile error). */
export const SCREENS: Record<ScreenId, FunctionComponent> = {
  start: Start,
  identify: Identify,
  items: Items,
  guide: Guide,
  form: Form,
  materials: Materials,
  review: Review,
  done: Done,
  certificate: Certificate,
  pickup: Pickup,
  rating: Rating,
  staff: Staff,
};

/**
 * The `elder` class on <html> (so dialogs and every screen's CSS can use `.elder` and its custom
 * properties), set in the same turn as the session changes: the next frame is already drawn in the mode.
 */
function applyElderClass(): void {
  document.documentElement.classList.toggle('elder', getSession().elder);
}
subscribe(applyElderClass);

export function App() {
  const screen = useSession((s) => s.screen);
  useEffect(applyElderClass, []);
  const Current = SCREENS[screen];
  return (
    <>
      <StaffGesture />
      <Current key={screen} />
      <IdleWatcher />
    </>
  );
}
