/**
 * The done and certificate screens' faults in plain Chinese: what happened, what to do, and that the
 * case is kept. The receipt printer's codes are explain()'s (api/explain.ts); the A4 printer's are the
 * pick-up screen's (pickup/print-fault.ts, the same document printing); issuing's are here.
 */
import { AgentUnreachable, ApiError } from '../api/client';
import { explain } from '../api/explain';
import { printFault } from '../pickup/print-fault';

const KEPT = '您的办件已保存，不会丢失，可凭申办流水号到服务窗口办理或查询。';

const ISSUE_FAULTS: Record<string, string> = {
  'issuer.notConfigured': `本机暂时不能开具这项证明，请到服务窗口办理。${KEPT}`,
  'certificate.noRecord': `暂时无法从主管部门取得您的记录，证明没有开具。请稍后点“重新开具”，或到服务窗口办理。${KEPT}`,
  'case.notApplicant': `主管部门的记录与申请人不符，证明没有开具。请到服务窗口核实。${KEPT}`,
  'case.notIssuable': `这个事项不能在自助终端当场出证，请到服务窗口办理。${KEPT}`,
  'case.illegalTransition': `这件办件现在不能开具证明（可能已经办结）。请到服务窗口查询。${KEPT}`,
  'certificate.exists': `这份证明已经开具过了，请到服务窗口查询。${KEPT}`,
  'case.purged': '这件办件已超过本机保存期限，请到服务窗口办理。',
};

/** Why issuing did not work (retry makes sense unless the item or case cannot be issued here at all). */
export function issueFault(err: unknown): string {
  if (err instanceof ApiError) {
    const known = ISSUE_FAULTS[err.code];
    if (known) return known;
    // a record the template refused (a field named by the agent): the department's data, not the citizen's doing
    if (err.status === 400) return `主管部门的记录暂时无法生成证明，请到服务窗口办理。${KEPT}`;
    if (err.status >= 500) return `证明暂时没有开具成功，请稍后点“重新开具”；如仍不成功，请联系工作人员。${KEPT}`;
  }
  if (err instanceof AgentUnreachable) return `终端服务暂时没有响应，证明没有开具。请稍候片刻点“重新开具”；如仍无法使用，请联系工作人员。${KEPT}`;
  return explain(err);
}

export function issueRetryable(err: unknown): boolean {
  return !(err instanceof ApiError && ['issuer.notConfigured', 'case.notApplicant', 'case.notIssuable', 'case.illegalTransition', 'certificate.exists', 'case.purged'].includes(err.code));
}

/** The A4 printer's faults (paper out, no A4 printer, ...): said as for pick-up, the document kept. */
export function certificatePrintFault(err: unknown): string {
  return printFault(err).replace('您的办理结果已保存，不会丢失。', '证明已开具并保存在本机，不会丢失。');
}

/** The receipt printer's faults, and what to do meanwhile: the serial number is on the screen. */
export function receiptFault(err: unknown): string {
  return `${explain(err)}请先记下屏幕上的申办流水号。`;
}
