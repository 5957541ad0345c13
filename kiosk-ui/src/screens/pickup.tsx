/**
 * The "取件打印" screen: a minimal stand-in created with the shell (issue 7) so the router and the build work
 * from the start; its owner replaces this file entirely with the real screen.
 */
import { Screen } from '../components/screen';
import { go } from '../state/session';

export default function PickupScreen() {
  return (
    <Screen id="pickup" title="取件打印" back={() => go('start')}>
      <p class="lead">本功能正在准备中。</p>
    </Screen>
  );
}
