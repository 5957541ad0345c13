/**
 * The start screen: five big tiles (刷身份证 / 扫码 / 选择事项 / 取件打印 / 适老模式). Identifying by card or
 * code leads to identify for an application; 取件打印 to identify for a pick-up; 选择事项 to the catalog
 * first (identify comes after the item is chosen); 适老模式 switches the larger, simpler, spoken mode.
 */
import { BigButton } from '../components/button';
import { IdCardIcon, ListIcon, PrinterIcon, ScanIcon } from '../components/icons';
import { Screen, toggleElder } from '../components/screen';
import { go, useSession } from '../state/session';
import { useSettings } from '../state/settings';

export default function StartScreen() {
  const elder = useSession((s) => s.elder);
  const { kioskName } = useSettings();
  return (
    <Screen id="start" title={kioskName} home={false} prompt="您好，请刷身份证、扫码，或选择要办理的事项。">
      <p class="lead start-lead">您好！请选择办理方式</p>
      <div class="start-tiles">
        <BigButton testid="start-idcard" class="tile tile-idcard" icon={<IdCardIcon />} label="刷身份证" sub="将身份证放在感应区" onClick={() => go('identify', { purpose: 'apply' })} />
        <BigButton testid="start-scan" class="tile tile-scan" icon={<ScanIcon />} label="扫码" sub="出示电子身份码" onClick={() => go('identify', { purpose: 'apply' })} />
        <BigButton testid="start-items" class="tile tile-items" icon={<ListIcon />} label="选择事项" sub="按部门、类别或拼音查找" kind="secondary" onClick={() => go('items', { purpose: 'apply' })} />
        <BigButton testid="start-pickup" class="tile tile-pickup" icon={<PrinterIcon />} label="取件打印" sub="打印办理结果" kind="secondary" onClick={() => go('identify', { purpose: 'pickup' })} />
      </div>
      <button type="button" class={`elder-tile${elder ? ' on' : ''}`} data-testid="start-elder" aria-pressed={elder} onClick={toggleElder}>
        <span class="label">{elder ? '适老模式已开启' : '适老模式'}</span>
        <span class="sub">{elder ? '再点一次关闭' : '大字体、语音提示、简化操作'}</span>
      </button>
    </Screen>
  );
}
