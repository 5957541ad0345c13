/**
 * A4 printing faults as the pick-up screen says them: what happened, what to do, and that nothing is
 * lost (the result stays with the agent; the kept print job is printed by 重新打印). Codes the agent's
 * document printing answers (agent/printing/document-jobs.ts); anything else goes to explain().
 */
import { AgentUnreachable } from '../api/client';
import { explain } from '../api/explain';

const KEPT = '您的办理结果已保存，不会丢失。';

const PRINT_FAULTS: Record<string, string> = {
  'printer.paperOut': `A4打印机缺纸，请联系工作人员添加纸张后点“重新打印”。${KEPT}`,
  'printer.paperJam': `A4打印机卡纸，请联系工作人员处理后点“重新打印”。${KEPT}`,
  'printer.coverOpen': `A4打印机的盖子没有关好，请联系工作人员关好后点“重新打印”。${KEPT}`,
  'printer.tonerOut': `A4打印机墨粉用完，请联系工作人员更换后点“重新打印”。${KEPT}`,
  'printer.noDocumentPrinter': `本机没有可用的A4打印机，请到服务窗口打印，或联系工作人员。${KEPT}`,
  'device.unplugged': `A4打印机没有连接，请联系工作人员检查后点“重新打印”。${KEPT}`,
  'device.notReady': `A4打印机暂时不能使用，请联系工作人员后点“重新打印”。${KEPT}`,
  'device.timeout': `A4打印机长时间没有响应，请联系工作人员检查后点“重新打印”。${KEPT}`,
  'document.notFound': '本机没有找到这份文件，请到服务窗口领取。',
  'document.purged': '这份文件已超过本机保存期限，请到服务窗口领取。',
  'case.purged': '这份文件已超过本机保存期限，请到服务窗口领取。',
};

export function printFault(err: unknown): string {
  if (err instanceof AgentUnreachable) return `终端服务暂时没有响应，请稍候片刻后点“重新打印”；如仍无法打印，请联系工作人员。${KEPT}`;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (PRINT_FAULTS[code]) return PRINT_FAULTS[code]!;
    if (code.startsWith('docprint.') || code.startsWith('printer.')) return `A4打印机没有打印成功，请联系工作人员检查后点“重新打印”。${KEPT}`;
  }
  return explain(err);
}

/** A fault that 重新打印 cannot help with (the document is not here): no retry button. */
export function retryable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return !(typeof code === 'string' && (code === 'document.notFound' || code === 'document.purged' || code === 'case.purged'));
}
