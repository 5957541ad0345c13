/** The staff PIN on an on-screen keypad (the kiosk has no keyboard), checked by the agent (POST /api/staff/session). */
import { useState } from 'preact/hooks';
import { api } from '../api/client';
import { explain } from '../api/explain';
import { BigButton } from './button';
import { Dialog } from './dialog';
import { Notice } from './notice';
import { openStaff } from '../screens/staff';
import { useSettings } from '../state/settings';

const MAX_DIGITS = 8;

export function StaffPinDialog({ onClose }: { onClose: () => void }) {
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const { staffPin } = useSettings();
  const press = (d: string): void => setPin((p) => (p.length < MAX_DIGITS ? p + d : p));
  const submit = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      // The session lets staff quit the kiosk (under Electron); kept in the page's memory only.
      const { session } = await api.post<{ session: string }>('/api/staff/session', { pin });
      onClose();
      openStaff(session);
    } catch (err) {
      setPin('');
      setError(explain(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      testid="staff-pin"
      title="工作人员登录"
      actions={
        <>
          <BigButton testid="staff-pin-cancel" label="取消" kind="secondary" onClick={onClose} />
          {staffPin && <BigButton testid="staff-pin-ok" label="确定" disabled={busy || pin.length < 4} onClick={() => void submit()} />}
        </>
      }
    >
      {!staffPin && (
        <Notice kind="warn" testid="staff-pin-none">
          本机未设置工作人员密码（配置项 ui.staffPin），无法进入工作人员模式。
        </Notice>
      )}
      <p class="pin-dots" data-testid="staff-pin-dots" role="status">
        {pin.length === 0 ? '请输入密码' : <span aria-hidden="true">{'●'.repeat(pin.length)}</span>}
        {pin.length > 0 && <span class="sr-only">已输入 {pin.length} 位</span>}
      </p>
      {error !== undefined && (
        <Notice kind="error" testid="staff-pin-error">
          {error}
        </Notice>
      )}
      <div class="keypad" role="group" aria-label="数字键盘">
        {['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((d) => (
          <button type="button" class="key" data-testid={`staff-key-${d}`} onClick={() => press(d)}>
            {d}
          </button>
        ))}
        <button type="button" class="key" data-testid="staff-key-clear" onClick={() => setPin('')}>
          清除
        </button>
        <button type="button" class="key" data-testid="staff-key-0" onClick={() => press('0')}>
          0
        </button>
        <button type="button" class="key" data-testid="staff-key-back" aria-label="删除一位" onClick={() => setPin((p) => p.slice(0, -1))}>
          ⌫
        </button>
      </div>
    </Dialog>
  );
}
