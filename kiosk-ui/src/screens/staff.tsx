/**
 * Staff mode (工作人员模式), reached by the hidden gesture and the PIN: device health and paper, the sync
 * (backlog, endpoints, quarantined entries with their retry), print jobs not printed yet (retry), a test
 * print, and 结束当前会话 (the citizen's session cleared, the page reloaded: nothing of it left). 返回办理
 * goes back to the screen the citizen was on, their work untouched (e.g. after adding paper). Under the
 * Electron shell (GET /api/kiosk canQuit) 退出自助终端 ends the kiosk, with the session the PIN opened.
 * Nothing personal is shown here: devices, counts, case ids and codes only.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../api/client';
import { devices } from '../api/devices';
import { explain } from '../api/explain';
import { BigButton } from '../components/button';
import { Dialog } from '../components/dialog';
import { Notice } from '../components/notice';
import { Screen } from '../components/screen';
import { getSession, go, resetSession, type ScreenId } from '../state/session';
import { useSettings } from '../state/settings';
import type { PrintJob } from '../api/print-jobs';

interface DeviceHealth {
  id: string;
  kind: string;
  label?: string;
  state: 'online' | 'offline' | 'unplugged' | 'error';
  detail?: string;
  busy: boolean;
  queued: number;
  device?: { paper?: 'ok' | 'nearEnd' | 'out'; cover?: 'open' | 'closed' };
}

interface SyncStatus {
  embedded: string | null;
  endpoints: { url: string; state: string; connected: boolean; backlog: number; quarantined: number; inFlight: number; lastError: string | null }[];
  unrouted: { region: string; count: number }[];
  quarantined: { seq: number; caseId: string | null; region: string | null; kind: string; code: string | null; reason: string; createdAt: string }[];
}

const KIND: Record<string, string> = { idcard: '身份证阅读器', scanner: '扫码器', receipt: '凭条打印机', document: 'A4 打印机' };
const STATE: Record<DeviceHealth['state'], string> = { online: '正常', offline: '离线', unplugged: '未连接', error: '故障' };
const PAPER: Record<string, string> = { ok: '纸张正常', nearEnd: '纸张将尽，请尽快添加', out: '缺纸，请添加纸张' };
const JOB_STATE: Record<PrintJob['state'], string> = { queued: '等待打印', printing: '打印中', printed: '已打印', failed: '打印失败' };
const REFRESH_MS = 2000;

/** Where 返回办理 leads: the screen the citizen was on when staff mode opened. */
let returnTo: ScreenId = 'start';

/** The staff session the PIN opened (POST /api/staff/session): in memory only, forgotten on leaving staff mode. */
let staffSession: string | undefined;

/** Opens staff mode over the citizen's session (which stays as it was). */
export function openStaff(session?: string): void {
  if (session !== undefined) staffSession = session;
  const { screen } = getSession();
  if (screen !== 'staff') returnTo = screen;
  go('staff');
}

function shortId(id: string): string {
  return id.length > 13 ? `…${id.slice(-12)}` : id;
}

export default function StaffScreen() {
  const [list, setList] = useState<DeviceHealth[] | undefined>(undefined);
  const [sync, setSync] = useState<SyncStatus | undefined>(undefined);
  const [jobs, setJobs] = useState<PrintJob[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [result, setResult] = useState<{ kind: 'ok' | 'error'; text: string } | undefined>(undefined);
  const [busy, setBusy] = useState<string | undefined>(undefined);
  const [confirmQuit, setConfirmQuit] = useState(false);
  const [quitting, setQuitting] = useState(false);
  const { canQuit } = useSettings();

  const refresh = async (): Promise<void> => {
    try {
      const [d, s, j] = await Promise.all([
        api.get<{ devices: DeviceHealth[] }>('/api/devices'),
        api.get<SyncStatus>('/api/sync'),
        api.get<{ jobs: PrintJob[] }>('/api/print-jobs'),
      ]);
      setList(d.devices);
      setSync(s);
      setJobs(j.jobs);
      setError(undefined);
    } catch (err) {
      setError(explain(err));
    }
  };

  useEffect(() => {
    void refresh();
    const timer = setInterval(() => void refresh(), REFRESH_MS);
    const off = devices.onUnsolicited((name) => {
      if (name === 'Common.StatusChangedEvent') void refresh();
    });
    return () => {
      clearInterval(timer);
      off();
    };
  }, []);

  const act = async (key: string, fn: () => Promise<unknown>, ok: string): Promise<void> => {
    setBusy(key);
    setResult(undefined);
    try {
      await fn();
      setResult({ kind: 'ok', text: ok });
    } catch (err) {
      setResult({ kind: 'error', text: explain(err) });
    } finally {
      setBusy(undefined);
      void refresh();
    }
  };

  const endSession = (): void => {
    resetSession();
    // A fresh page: whatever of the session a screen kept in its own memory goes too (the token stays in sessionStorage).
    location.reload();
  };

  const leave = (): void => {
    staffSession = undefined;
    go(returnTo);
  };

  const quit = async (): Promise<void> => {
    setBusy('quit');
    try {
      await api.post('/api/staff/quit', { session: staffSession ?? '' });
      staffSession = undefined;
      setQuitting(true);
    } catch (err) {
      setConfirmQuit(false);
      setResult({
        kind: 'error',
        text: err instanceof ApiError && err.code === 'staff.sessionInvalid' ? '工作人员登录已超过 10 分钟，请返回办理后重新输入密码，再退出自助终端。' : explain(err),
      });
    } finally {
      setBusy(undefined);
    }
  };

  const backlog = sync ? sync.endpoints.reduce((n, e) => n + e.backlog, 0) + sync.unrouted.reduce((n, u) => n + u.count, 0) : undefined;

  return (
    <Screen id="staff" title="工作人员模式" back={leave} home={false} prompt="工作人员模式">
      {error !== undefined && (
        <Notice kind="error" testid="fault">
          {error}
        </Notice>
      )}
      {result !== undefined && (
        <Notice kind={result.kind} testid="staff-result">
          {result.text}
        </Notice>
      )}

      <section class="staff-section" data-testid="staff-devices" aria-labelledby="staff-devices-title">
        <h2 id="staff-devices-title">设备状态</h2>
        {list === undefined ? (
          <p class="muted">正在读取…</p>
        ) : (
          <ul class="staff-list">
            {list.map((d) => (
              <li key={d.id} class={`staff-row state-${d.state}`} data-testid={`staff-device-${d.id}`} data-state={d.state}>
                <span class="staff-name">{d.label ?? KIND[d.kind] ?? d.kind}</span>
                <span class={`staff-badge ${d.state}`}>{STATE[d.state]}</span>
                {d.device?.paper !== undefined && (
                  <span class={`staff-paper paper-${d.device.paper}`} data-testid={`staff-paper-${d.id}`} data-paper={d.device.paper}>
                    {PAPER[d.device.paper]}
                  </span>
                )}
                {d.device?.cover === 'open' && <span class="staff-paper paper-out">盖板打开</span>}
                {d.detail !== undefined && d.state !== 'online' && <span class="staff-detail">{d.detail}</span>}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section class="staff-section" data-testid="staff-sync" aria-labelledby="staff-sync-title">
        <h2 id="staff-sync-title">办件同步</h2>
        {sync === undefined ? (
          <p class="muted">正在读取…</p>
        ) : (
          <>
            <p>
              待上传办件：<strong data-testid="staff-backlog">{backlog}</strong> 件；隔离：<strong data-testid="staff-quarantined">{sync.quarantined.length}</strong> 件
            </p>
            <ul class="staff-list">
              {sync.endpoints.map((e) => (
                <li key={e.url} class="staff-row" data-testid="staff-endpoint" data-connected={String(e.connected)}>
                  <span class="staff-name">{e.url}</span>
                  <span class={`staff-badge ${e.connected ? 'online' : 'offline'}`}>{e.connected ? '已连接' : '未连接'}</span>
                  <span>待上传 {e.backlog}</span>
                  {e.lastError !== null && !e.connected && <span class="staff-detail">{e.lastError}</span>}
                </li>
              ))}
              {sync.unrouted.map((u) => (
                <li key={u.region} class="staff-row">
                  <span class="staff-name">地区 {u.region} 无同步端点</span>
                  <span>等待 {u.count}</span>
                </li>
              ))}
            </ul>
            {sync.quarantined.length > 0 && (
              <ul class="staff-list">
                {sync.quarantined.map((q) => (
                  <li key={q.seq} class="staff-row" data-testid={`staff-quarantine-${q.seq}`}>
                    <span class="staff-name">
                      #{q.seq} {q.caseId !== null ? `办件 ${shortId(q.caseId)}` : q.kind}
                    </span>
                    <span class="staff-detail">
                      {q.code ?? ''} {q.reason}
                    </span>
                    <BigButton
                      testid={`staff-quarantine-retry-${q.seq}`}
                      label="重新提交"
                      kind="secondary"
                      disabled={busy !== undefined}
                      onClick={() => void act(`q${q.seq}`, () => api.post(`/api/sync/quarantine/${q.seq}/retry`), `#${q.seq} 已重新加入上传队列。`)}
                    />
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
      </section>

      <section class="staff-section" data-testid="staff-jobs" aria-labelledby="staff-jobs-title">
        <h2 id="staff-jobs-title">未完成的打印</h2>
        {jobs === undefined ? (
          <p class="muted">正在读取…</p>
        ) : jobs.length === 0 ? (
          <p data-testid="staff-jobs-none">没有未完成的打印任务。</p>
        ) : (
          <ul class="staff-list">
            {jobs.map((j) => (
              <li key={j.id} class="staff-row" data-testid={`staff-job-${j.id}`} data-state={j.state}>
                <span class="staff-name">
                  {j.kind === 'receipt' ? '回执' : '文书'} {j.caseId !== null ? `办件 ${shortId(j.caseId)}` : '测试页'}
                </span>
                <span class={`staff-badge ${j.state === 'failed' ? 'error' : 'offline'}`}>{JOB_STATE[j.state]}</span>
                {j.lastError !== null && <span class="staff-detail">{j.lastError}</span>}
                <BigButton
                  testid={`staff-job-retry-${j.id}`}
                  label="重新打印"
                  kind="secondary"
                  disabled={busy !== undefined || j.state === 'printing'}
                  onClick={() => void act(`j${j.id}`, () => api.post(`/api/print-jobs/${j.id}/retry`), '已重新打印。')}
                />
              </li>
            ))}
          </ul>
        )}
      </section>

      <div class="staff-actions">
        <BigButton testid="staff-test-print" label="打印测试页" kind="secondary" disabled={busy !== undefined} onClick={() => void act('test', () => api.post('/api/staff/test-print'), '测试页已打印，请查看凭条出口。')} />
        <BigButton testid="staff-end-session" label="结束当前会话" sub="清除当前办事人的全部信息" kind="danger" onClick={endSession} />
        <BigButton testid="staff-exit" label="返回办理" onClick={leave} />
        {canQuit && <BigButton testid="staff-quit" label="退出自助终端" sub="关闭本机的自助服务程序" kind="danger" disabled={busy !== undefined} onClick={() => setConfirmQuit(true)} />}
      </div>
      {confirmQuit && (
        <Dialog
          testid="staff-quit-confirm"
          title="退出自助终端？"
          actions={
            quitting ? undefined : (
              <>
                <BigButton testid="staff-quit-cancel" label="取消" kind="secondary" onClick={() => setConfirmQuit(false)} />
                <BigButton testid="staff-quit-ok" label="确认退出" kind="danger" disabled={busy !== undefined} onClick={() => void quit()} />
              </>
            )
          }
        >
          {quitting ? (
            <Notice kind="ok" testid="staff-quitting">
              正在退出自助终端…
            </Notice>
          ) : (
            <p>退出后，本机将不再提供自助服务，直到重新启动。已提交的办件都已保存，不会丢失。</p>
          )}
        </Dialog>
      )}
    </Screen>
  );
}
