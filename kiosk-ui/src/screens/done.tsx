/**
 * 提交成功: the case's serial number (申办流水号) large enough to write down, the 受理回执 printed by
 * itself once (POST /api/cases/{id}/receipt/print), with a plain fault and 重新打印回执 when the printer
 * refuses (the agent keeps the job; the retry prints it once). A case kept at the kiosk because the
 * network is down says so here (and on the receipt, by the agent). For an item the kiosk finishes
 * itself, 当场出证 leads to the certificate; then 评价 or 完成.
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/client';
import { BigButton } from '../components/button';
import { Notice } from '../components/notice';
import { NothingUnderWay } from '../components/nothing-under-way';
import { goHome, Screen } from '../components/screen';
import { devices } from '../api/devices';
import { jobPending, keptJob, onProgress, printReceipt, progressOf, retryJob, setProgress, type CaseProgress } from '../certificate/api';
import { receiptFault } from '../certificate/faults';
import { go, useSession } from '../state/session';

interface ItemFacts {
  name: string;
  issuable?: string;
  timeLimitDays: number;
}

/** The serial in groups of four, easier to read out and copy (the digits themselves unchanged). */
function grouped(serial: string): string {
  return serial.replace(/(.{4})(?=.)/g, '$1 ');
}

/**
 * Prints the case's receipt once per session; a later visit of the screen shows how it went. A receipt
 * the printer refused is printed by the agent by itself when the printer is ready again (paper added):
 * on the printer's "ready" the kept job is looked up, and the screen says printed when it is gone.
 */
function useReceipt(caseId: string | undefined): [CaseProgress['receipt'], () => void] {
  const [receipt, setReceipt] = useState<CaseProgress['receipt']>(caseId ? progressOf(caseId).receipt : undefined);
  useEffect(() => {
    if (!caseId) return;
    const offProgress = onProgress(() => setReceipt(progressOf(caseId).receipt));
    const offDevices = devices.onUnsolicited((name, payload) => {
      const kept = progressOf(caseId).receipt;
      const status = (payload as { status?: { kind?: string; state?: string } } | undefined)?.status;
      if (name !== 'Common.StatusChangedEvent' || status?.kind !== 'receipt' || status.state !== 'online' || kept?.state !== 'failed' || !kept.job) return;
      const job = kept.job;
      // The agent's own retry runs as the printer turns ready: give it a moment, then look.
      setTimeout(() => {
        void jobPending(job.id).then(
          (pending) => {
            if (!pending && progressOf(caseId).receipt?.state === 'failed') setProgress(caseId, { receipt: { state: 'printed', job } });
          },
          () => undefined,
        );
      }, 1500);
    });
    if (progressOf(caseId).receipt === undefined) run(false);
    return () => {
      offProgress();
      offDevices();
    };
  }, [caseId]);

  function run(retry: boolean): void {
    if (!caseId) return;
    const kept = progressOf(caseId).receipt?.job;
    setProgress(caseId, { receipt: { state: 'printing', ...(kept ? { job: kept } : {}) } });
    (retry && kept ? retryJob(kept.id) : printReceipt(caseId)).then(
      (job) => setProgress(caseId, { receipt: { state: 'printed', job } }),
      (error: unknown) => {
        const job = keptJob(error) ?? kept;
        setProgress(caseId, { receipt: { state: 'failed', error, ...(job ? { job } : {}) } });
      },
    );
  }
  return [receipt, () => run(true)];
}

export default function DoneScreen() {
  const submitted = useSession((s) => s.submitted);
  const [item, setItem] = useState<ItemFacts | undefined>();
  const [receipt, retryReceipt] = useReceipt(submitted?.id);

  useEffect(() => {
    if (!submitted) return;
    let live = true;
    api.get<ItemFacts>(`/api/catalog/${encodeURIComponent(submitted.itemCode)}`).then(
      (it) => live && setItem(it),
      () => undefined, // without the item's facts the screen only leaves out 当场出证 and the time limit
    );
    return () => {
      live = false;
    };
  }, [submitted?.id]);

  if (!submitted) return <NothingUnderWay id="done" title="提交成功" finishTestid="done-finish" />;

  const issuable = item?.issuable !== undefined && !progressOf(submitted.id).certificatePrinted;
  const prompt = submitted.queued ? '您的办件已保存，网络恢复后自动提交。请取走受理回执。' : '提交成功，请取走受理回执，并妥善保管。';
  return (
    <Screen id="done" title="提交成功" prompt={prompt}>
      <Notice kind={submitted.queued ? 'warn' : 'ok'} testid="done-status" title={submitted.queued ? '已保存，网络恢复后自动提交' : '您的申请已提交'}>
        {submitted.queued ? (
          <p data-testid="done-queued">网络暂时中断。您的办件已保存在本机，网络恢复后会自动提交到承办部门，无需再次办理。</p>
        ) : (
          <p>承办部门将按时办理{item ? (item.timeLimitDays === 0 ? '（即办件）' : `（承诺时限${item.timeLimitDays}个工作日）`) : ''}，可凭申办流水号查询办理进度。</p>
        )}
      </Notice>

      <section class="done-serial-box" aria-labelledby="done-serial-label">
        <p id="done-serial-label" class="done-serial-label">申办流水号</p>
        <p class="done-serial" data-testid="done-serial" aria-label={`申办流水号 ${submitted.serial.split('').join(' ')}`}>
          {grouped(submitted.serial)}
        </p>
        {item && <p class="muted done-item">{item.name}</p>}
      </section>

      {receipt?.state === 'printing' && (
        <Notice kind="info" testid="done-receipt-printing" title="正在打印受理回执">
          <p>请稍候，回执将从出纸口送出。</p>
        </Notice>
      )}
      {receipt?.state === 'printed' && (
        <Notice kind="ok" testid="done-receipt-printed" title="受理回执已打印">
          <p>请从出纸口取走回执并妥善保管，回执上的二维码可用于查询办理进度。</p>
        </Notice>
      )}
      {receipt?.state === 'failed' && (
        <div class="done-fault">
          <Notice kind="error" testid="fault" title="回执没有打印出来">
            <p>{receiptFault(receipt.error)}</p>
          </Notice>
          <BigButton testid="fault-retry" kind="secondary" label="重新打印回执" onClick={retryReceipt} />
        </div>
      )}

      <div class="done-actions">
        {issuable && (
          <BigButton testid="done-certificate" label="当场出证" sub="本事项可当场开具盖章证明，并用A4纸打印" onClick={() => go('certificate')} />
        )}
        <BigButton testid="done-rate" kind="secondary" label="评价本次服务" onClick={() => go('rating')} />
        <BigButton testid="done-finish" kind="secondary" label="完成" sub="返回首页，清除本次信息" onClick={goHome} />
      </div>
    </Screen>
  );
}
