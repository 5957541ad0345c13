/**
 * 当场出证: the certificate of an item the kiosk finishes itself is issued and sealed by the agent
 * (POST /api/cases/{id}/issue) as soon as the screen opens, shown as a picture of its sealed pages
 * (GET .../preview.png), and printed on the A4 printer (POST .../documents/{documentId}/print) with its
 * progress. Every fault — no A4 printer, paper out, issuing refused, the agent not answering — says in
 * plain Chinese what happened and what to do, with a retry where one can help; the case and an issued
 * certificate stay with the agent whatever happens (a kept print job is retried, printing once).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api/client';
import { BigButton } from '../components/button';
import { Notice } from '../components/notice';
import { NothingUnderWay } from '../components/nothing-under-way';
import { goHome, Screen } from '../components/screen';
import { issueCertificate, issuedBefore, keptJob, previewPage, printDocument, progressOf, retryJob, type Issued, type PreviewPage, type PrintJob } from '../certificate/api';
import { certificatePrintFault, issueFault, issueRetryable } from '../certificate/faults';
import { retryable } from '../pickup/print-fault';
import { setRatingTarget } from '../pickup/rating-target';
import { go, useSession } from '../state/session';

type Issuing = { state: 'issuing' } | { state: 'issued' } | { state: 'failed'; error: unknown };
type Printing = { state: 'idle' } | { state: 'printing' } | { state: 'printed' } | { state: 'failed'; error: unknown; job?: PrintJob };

const PREVIEW_WIDTH = 900;

export default function CertificateScreen() {
  const submitted = useSession((s) => s.submitted);
  const elder = useSession((s) => s.elder);
  const caseId = submitted?.id;
  const [issuing, setIssuing] = useState<Issuing>(() => (caseId && progressOf(caseId).issued ? { state: 'issued' } : { state: 'issuing' }));
  const [printing, setPrinting] = useState<Printing>(() => (caseId && progressOf(caseId).certificatePrinted ? { state: 'printed' } : { state: 'idle' }));
  const [page, setPage] = useState(1);
  const [preview, setPreview] = useState<PreviewPage | undefined>();
  const [previewError, setPreviewError] = useState<unknown>();
  const [itemName, setItemName] = useState<string | undefined>();
  const shown = useRef<string | undefined>();

  const issue = (): void => {
    if (!caseId) return;
    setIssuing({ state: 'issuing' });
    const issued = (done: Issued): void => {
      progressOf(caseId).issued = done;
      setIssuing({ state: 'issued' });
    };
    issueCertificate(caseId).then(issued, async (error: unknown) => {
      // Refused because it was issued already (an answer lost on the way, the page reloaded): that one is the citizen's.
      const before = error instanceof ApiError && (error.code === 'certificate.exists' || error.code === 'case.illegalTransition') ? await issuedBefore(caseId).catch(() => undefined) : undefined;
      if (before) issued(before);
      else setIssuing({ state: 'failed', error });
    });
  };

  useEffect(() => {
    if (caseId && !progressOf(caseId).issued) issue();
    if (submitted) {
      api.get<{ name: string }>(`/api/catalog/${encodeURIComponent(submitted.itemCode)}`).then(
        (it) => setItemName(it.name),
        () => undefined,
      );
    }
  }, [caseId]);

  const documentId = caseId ? progressOf(caseId).issued?.documentId : undefined;
  useEffect(() => {
    if (!caseId || !documentId) return;
    let live = true;
    setPreviewError(undefined);
    previewPage(caseId, documentId, page, PREVIEW_WIDTH).then(
      (p) => {
        if (!live) return URL.revokeObjectURL(p.url);
        if (shown.current) URL.revokeObjectURL(shown.current);
        shown.current = p.url;
        setPreview(p);
      },
      (error: unknown) => live && setPreviewError(error),
    );
    return () => {
      live = false;
    };
  }, [caseId, documentId, page]);
  // The picture holds personal data: its object URL goes with the screen.
  useEffect(
    () => () => {
      if (shown.current) URL.revokeObjectURL(shown.current);
      shown.current = undefined;
    },
    [],
  );

  const print = (): void => {
    if (!caseId || !documentId) return;
    const kept = printing.state === 'failed' ? printing.job : undefined;
    setPrinting({ state: 'printing' });
    (kept ? retryJob(kept.id) : printDocument(caseId, documentId)).then(
      () => {
        progressOf(caseId).certificatePrinted = true;
        setPrinting({ state: 'printed' });
      },
      (error: unknown) => {
        const job = keptJob(error) ?? kept;
        setPrinting({ state: 'failed', error, ...(job ? { job } : {}) });
      },
    );
  };

  const rate = (): void => {
    if (!caseId) return;
    setRatingTarget({ caseId, occasion: 'completion', ...(itemName ? { itemName } : {}) });
    go('rating');
  };

  if (!submitted || !caseId) return <NothingUnderWay id="certificate" title="当场出证" finishTestid="cert-finish" />;

  const prompt =
    issuing.state === 'failed' ? issueFault(issuing.error) : printing.state === 'printed' ? '证明已打印，请取走A4纸。' : '请核对下方的证明内容，确认后点打印证明。';
  return (
    <Screen id="certificate" title="当场出证" back={() => go('done')} prompt={prompt}>
      {itemName && <p class="lead cert-item">{itemName}</p>}
      <p class="cert-serial" data-testid="cert-serial">
        申办流水号：<span class="cert-serial-number">{submitted.serial}</span>
      </p>

      {issuing.state === 'issuing' && (
        <Notice kind="info" testid="cert-issuing" title="正在开具证明">
          <p>正在向主管部门取得您的记录并加盖电子印章，请稍候。</p>
        </Notice>
      )}

      {issuing.state === 'failed' && (
        <div class="cert-fault">
          <Notice kind="error" testid="fault" title="证明没有开具">
            <p>{issueFault(issuing.error)}</p>
          </Notice>
          {issueRetryable(issuing.error) && <BigButton testid="fault-retry" kind="secondary" label="重新开具" onClick={issue} />}
        </div>
      )}

      {issuing.state === 'issued' && documentId && (
        <>
          <Notice kind="ok" testid="cert-issued" title="证明已开具">
            <p>
              证明编号 <span data-testid="cert-document-id">{documentId}</span>，已加盖电子印章，扫描证明上的二维码可核验真伪。
            </p>
          </Notice>

          {printing.state === 'printing' && (
            <Notice kind="info" testid="cert-printing" title="正在打印证明">
              <p>请稍候，证明将从A4打印机送出{elder ? '，请不要离开' : ''}。</p>
            </Notice>
          )}
          {printing.state === 'printed' && (
            <Notice kind="ok" testid="cert-printed" title="证明已打印">
              <p>请从A4打印机出纸口取走证明。本件已办结。</p>
            </Notice>
          )}
          {printing.state === 'failed' && (
            <div class="cert-fault">
              <Notice kind="error" testid="fault" title="证明没有打印出来">
                <p>{certificatePrintFault(printing.error)}</p>
              </Notice>
              {retryable(printing.error) && <BigButton testid="fault-retry" kind="secondary" label="重新打印" onClick={print} />}
            </div>
          )}

          <div class="cert-actions">
            {(printing.state === 'idle' || printing.state === 'printing') && (
              <BigButton testid="cert-print" label="打印证明" sub="用A4纸打印盖章证明" disabled={printing.state === 'printing'} onClick={print} />
            )}
            <BigButton testid="cert-rate" kind="secondary" label="评价本次服务" onClick={rate} />
            <BigButton testid="cert-finish" kind="secondary" label="完成" sub="返回首页，清除本次信息" onClick={goHome} />
          </div>

          <figure class="cert-preview-frame">
            {preview ? (
              <img class="cert-preview" data-testid="cert-preview" src={preview.url} alt={`证明预览，第${page}页，共${preview.pageCount}页`} />
            ) : previewError ? (
              <Notice kind="warn" testid="cert-preview-fault" title="预览暂时无法显示">
                <p>证明已开具，可以直接打印后核对纸质证明。</p>
              </Notice>
            ) : (
              <p class="muted cert-preview-loading" data-testid="cert-preview-loading">
                正在显示证明预览…
              </p>
            )}
            {preview && preview.pageCount > 1 && (
              <figcaption class="cert-pages">
                <BigButton testid="cert-page-prev" kind="secondary" label="上一页" disabled={page <= 1} onClick={() => setPage(page - 1)} />
                <span data-testid="cert-page" class="cert-page-number">
                  第{page}页，共{preview.pageCount}页
                </span>
                <BigButton testid="cert-page-next" kind="secondary" label="下一页" disabled={page >= preview.pageCount} onClick={() => setPage(page + 1)} />
              </figcaption>
            )}
          </figure>
        </>
      )}

      {issuing.state === 'failed' && (
        <div class="cert-actions">
          <BigButton testid="cert-finish" kind="secondary" label="完成" sub="返回首页，清除本次信息" onClick={goHome} />
        </div>
      )}
    </Screen>
  );
}
