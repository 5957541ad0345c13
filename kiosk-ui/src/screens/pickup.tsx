/**
 * 取件打印: after the citizen identified (card or personal code, purpose pickup), their cases with the
 * status in plain words, and each result document that came back (or certificate issued here) with a big
 * 打印 button that prints it on the A4 printer. A printer fault (no paper, cover open, no A4 printer) is
 * said in plain Chinese with what to do; the agent keeps the print job and 重新打印 prints that same job,
 * so nothing is lost and nothing prints twice. 完成 leads to 好差评 for the case the citizen came for.
 */
import { useEffect, useState } from 'preact/hooks';
import { explain } from '../api/explain';
import { BigButton } from '../components/button';
import { Notice } from '../components/notice';
import { Screen, goHome } from '../components/screen';
import { keptJob, pickupCases, printDocument, type PickupCase, type PickupDocument } from '../pickup/api';
import { KIND_LABEL, beijingTime, maskName, statusHint } from '../pickup/format';
import { printFault, retryable } from '../pickup/print-fault';
import { setRatingTarget } from '../pickup/rating-target';
import { speak } from '../speech';
import { go, sessionGeneration, useSession } from '../state/session';

type Load = { state: 'loading' } | { state: 'failed'; message: string } | { state: 'ready'; cases: PickupCase[] };

type Printing =
  | { state: 'printing' }
  | { state: 'printed' }
  /** `job`: the job the agent kept, printed again by 重新打印. */
  | { state: 'failed'; message: string; job?: string; retry: boolean };

export default function PickupScreen() {
  const applicant = useSession((s) => s.applicant);
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [printing, setPrinting] = useState<Record<string, Printing>>({});
  /** The document whose fault shows as the screen's `fault` (one at a time: the latest). */
  const [lastFailed, setLastFailed] = useState<string>();
  /** The case the citizen printed from last: the one 好差评 rates. */
  const [printedFrom, setPrintedFrom] = useState<string>();

  const fetchCases = (): void => {
    if (!applicant) return;
    const generation = sessionGeneration();
    setLoad({ state: 'loading' });
    pickupCases(applicant.idNumber).then(
      (cases) => {
        if (generation !== sessionGeneration()) return; // the session ended meanwhile
        setLoad({ state: 'ready', cases: byPickup(cases) });
        speak(cases.length ? `找到${cases.length}件办件，请点击打印按钮打印办理结果。` : '暂无可领取的结果。');
      },
      (err: unknown) => {
        if (generation !== sessionGeneration()) return;
        setLoad({ state: 'failed', message: explain(err) });
      },
    );
  };

  useEffect(() => {
    // Reached without an identified citizen (should not happen): identify first, for a pick-up.
    if (!applicant) go('identify', { purpose: 'pickup' });
    else fetchCases();
  }, []);

  const print = async (c: PickupCase, d: PickupDocument): Promise<void> => {
    const before = printing[d.id];
    const retryJob = before?.state === 'failed' ? before.job : undefined;
    const generation = sessionGeneration();
    setPrinting((p) => ({ ...p, [d.id]: { state: 'printing' } }));
    if (lastFailed === d.id) setLastFailed(undefined);
    try {
      const job = await printDocument(c.id, d.id, retryJob);
      if (generation !== sessionGeneration()) return;
      if (job.state !== 'printed') throw Object.assign(new Error('the print job did not complete'), { code: 'docprint.jobAborted' });
      setPrinting((p) => ({ ...p, [d.id]: { state: 'printed' } }));
      setPrintedFrom(c.id);
      speak('打印完成，请从A4打印机出纸口取走文件。');
    } catch (err) {
      if (generation !== sessionGeneration()) return;
      const job = keptJob(err)?.id ?? retryJob;
      const message = printFault(err);
      setPrinting((p) => ({ ...p, [d.id]: { state: 'failed', message, retry: retryable(err), ...(job ? { job } : {}) } }));
      setLastFailed(d.id);
      speak(message);
    }
  };

  const finish = (cases: PickupCase[]): void => {
    const target = cases.find((c) => c.id === printedFrom) ?? cases.find((c) => c.status === 'completed') ?? cases[0];
    if (!target) return goHome();
    const concluded = target.status === 'completed' || target.status === 'refused';
    setRatingTarget({ caseId: target.id, occasion: concluded ? 'completion' : 'visit', itemName: target.itemName });
    go('rating');
  };

  const busy = Object.values(printing).some((p) => p.state === 'printing');
  return (
    <Screen id="pickup" title="取件打印" back={() => goHome()} prompt="正在查询您的办件，请稍候。">
      {applicant && (
        <p class="lead" data-testid="pickup-greeting">
          {maskName(applicant.name)}，您好！
        </p>
      )}
      {load.state === 'loading' && (
        <Notice kind="info" testid="pickup-loading">
          <p>正在查询您的办件，请稍候……</p>
        </Notice>
      )}
      {load.state === 'failed' && (
        <>
          <Notice kind="error" testid="fault" title="没有查到您的办件">
            <p>{load.message}</p>
          </Notice>
          <BigButton testid="fault-retry" label="重新查询" onClick={fetchCases} />
        </>
      )}
      {load.state === 'ready' && load.cases.length === 0 && (
        <>
          <Notice kind="info" testid="pickup-empty" title="暂无可领取的结果">
            <p>没有找到您在本机办理的办件。如果您在其他地方申请，请带好回执到服务窗口咨询。</p>
          </Notice>
          <BigButton testid="pickup-home" label="返回首页" onClick={() => goHome()} />
        </>
      )}
      {load.state === 'ready' && load.cases.length > 0 && (
        <>
          <p class="pickup-intro">
            共找到 <strong>{load.cases.length}</strong> 件办件。请点击“打印”按钮打印办理结果。
          </p>
          <ul class="pickup-cases" aria-label="您的办件">
            {load.cases.map((c) => (
              <li key={c.id} class="pickup-case" data-testid={`pickup-case-${c.id}`}>
                <div class="pickup-case-head">
                  <h2 class="pickup-item">{c.itemName}</h2>
                  <span class={`pickup-status status-${c.status}`} data-testid={`pickup-status-${c.id}`}>
                    {c.statusLabel}
                  </span>
                </div>
                <p class="pickup-hint">{statusHint(c)}</p>
                {c.note && (
                  <p class="pickup-note" data-testid={`pickup-note-${c.id}`}>
                    <span class="pickup-note-label">{c.status === 'refused' ? '原因：' : '需要补正：'}</span>
                    {c.note}
                  </p>
                )}
                <p class="pickup-meta muted">
                  申办流水号 <span class="pickup-serial">{c.serial}</span>
                  <span class="pickup-updated"> · 更新于 {beijingTime(c.updatedAt)}</span>
                </p>
                {c.documents.length > 0 && (
                  <ul class="pickup-documents" aria-label={`${c.itemName}的办理结果`}>
                    {c.documents.map((d) => (
                      <DocumentRow key={d.id} doc={d} state={printing[d.id]} faultTestid={lastFailed === d.id} busy={busy} onPrint={() => void print(c, d)} />
                    ))}
                  </ul>
                )}
              </li>
            ))}
          </ul>
          <BigButton testid="pickup-finish" label="完成" sub="请对本次服务进行评价" kind="secondary" disabled={busy} onClick={() => finish(load.cases)} />
        </>
      )}
    </Screen>
  );
}

/** Drawn, as the kiosk's fonts have no printer symbol. */
function PrinterIcon() {
  return (
    <svg viewBox="0 0 24 24" width="36" height="36" aria-hidden="true" focusable="false">
      <path d="M6 9V3h12v6" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round" />
      <rect x="2" y="9" width="20" height="9" rx="2" fill="none" stroke="currentColor" stroke-width="2" />
      <path d="M6 14h12v7H6z" fill="currentColor" />
    </svg>
  );
}

/** Cases with something not printed yet first (what the citizen came for); otherwise as the agent listed them (newest first). */
function byPickup(cases: PickupCase[]): PickupCase[] {
  const waiting = (c: PickupCase): number => (c.documents.some((d) => !d.printed) ? 0 : c.documents.length ? 1 : 2);
  return cases.map((c, i) => ({ c, i })).sort((a, b) => waiting(a.c) - waiting(b.c) || a.i - b.i).map((x) => x.c);
}

function DocumentRow({ doc, state, faultTestid, busy, onPrint }: { doc: PickupDocument; state: Printing | undefined; faultTestid: boolean; busy: boolean; onPrint: () => void }) {
  const printed = doc.printed || state?.state === 'printed';
  const label = state?.state === 'printing' ? '正在打印…' : state?.state === 'failed' ? '重新打印' : printed ? '再打印一份' : '打印';
  const canPrint = !(state?.state === 'failed' && !state.retry);
  return (
    <li class="pickup-document" data-testid={`pickup-document-${doc.id}`}>
      <div class="pickup-document-row">
        <div class="pickup-document-text">
          <span class="pickup-document-title">{doc.title}</span>
          <span class="pickup-document-kind muted">
            {KIND_LABEL[doc.kind]}
            {printed && (
              <span class="pickup-document-printed" data-testid={`pickup-printed-${doc.id}`}>
                {' '}
                · 已打印
              </span>
            )}
          </span>
        </div>
        {canPrint && (
          <BigButton
            testid={state?.state === 'failed' && faultTestid ? 'fault-retry' : `pickup-print-${doc.id}`}
            class="pickup-print"
            icon={<PrinterIcon />}
            label={label}
            kind={printed && state?.state !== 'failed' ? 'secondary' : 'primary'}
            disabled={busy}
            onClick={onPrint}
          />
        )}
      </div>
      {state?.state === 'printing' && (
        <Notice kind="info" testid="pickup-printing">
          <p>正在打印“{doc.title}”，请稍候……</p>
        </Notice>
      )}
      {state?.state === 'printed' && (
        <Notice kind="ok" testid={`pickup-done-${doc.id}`}>
          <p>“{doc.title}”已打印完成，请从A4打印机出纸口取走。</p>
        </Notice>
      )}
      {state?.state === 'failed' && (
        <Notice kind="error" testid={faultTestid ? 'fault' : `pickup-fault-${doc.id}`} title="没有打印成功">
          <p>{state.message}</p>
        </Notice>
      )}
    </li>
  );
}
