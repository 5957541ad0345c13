/** Staff mode (工作人员): reached by the hidden gesture and a PIN; device health, paper, sync, test print, session restart. */
import { Screen } from '../components/screen';
import { go } from '../state/session';

export default function StaffScreen() {
  return (
    <Screen id="staff" title="工作人员模式" back={() => go('start')}>
      <p class="lead">工作人员模式。</p>
    </Screen>
  );
}
