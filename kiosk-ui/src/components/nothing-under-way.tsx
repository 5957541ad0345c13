/** What a screen of a case shows when no case is under way (reached by 返回 or after the session ended): back to the start. */
import { BigButton } from './button';
import { Notice } from './notice';
import type { ScreenId } from '../state/session';
import { goHome, Screen } from './screen';

export function NothingUnderWay({ id, title, finishTestid }: { id: ScreenId; title: string; finishTestid: string }) {
  return (
    <Screen id={id} title={title}>
      <Notice kind="info" title="没有正在办理的事项">
        <p>请回到首页重新开始。</p>
      </Notice>
      <BigButton testid={finishTestid} label="返回首页" onClick={goHome} />
    </Screen>
  );
}
