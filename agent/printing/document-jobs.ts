/**
 * Printing a case's documents on the A4 printer (DocumentPrinter.PrintPdf through the device manager)
 * with a durable job, as receipts are printed: an issued certificate or a result document that came
 * back from the endpoint, both kept sealed as the case's file `result:<documentId>`. The job (which file,
 * by its SM3) is written to print_jobs (sealed) before the printer is asked and kept until the printer
 * completes it; a refusal leaves it failed with the printer's reason, and `print(jobId)` tries it again,
 * once: a printed job is answered as printed, never printed twice. The PDF itself is read from the
 * case's files at each attempt (checked against its SM3), so a purged case prints nothing.
 *
 * Refusals are PrintRefused with a code the kiosk explains: printer.paperOut, printer.coverOpen,
 * printer.paperJam (from the printer's state reasons), docprint.* otherwise; and with the reason in
 * Chinese and English.
 */
import { DeviceError, InputError } from '../../base/errors.js';
import type { Logger } from '../../base/log.js';
import type { DeviceManager } from '../../drivers/manager/manager.js';
import type { Message } from '../../drivers/manager/messages.js';
import { ManagerCommands } from './manager-command.js';
import { appendAudit } from '../audit/audit-log.js';
import type { CaseService } from '../cases/case-service.js';
import type { MaterialRecord } from '../store/materials-repo.js';
import type { Store } from '../store/store.js';
import { OneAttemptPerJob } from './one-attempt.js';
import { PrintRefused, viewOf, type PrintJobView } from './receipt-jobs.js';

export const DOCUMENT_JOB_KIND = 'document';
/** How long the A4 printer may take for one document (the manager times the command out after it). */
const PRINT_TIMEOUT_MS = 120_000;
const PRINTABLE = new Set(['application/pdf']);

/** What a document job keeps: which of the case's files, by its SM3 (the bytes stay sealed with the case). */
interface DocumentRef {
  readonly documentId: string;
  readonly sm3: string;
}

/** A printer state reason (IPP keyword, severity suffix dropped) -> the code the kiosk explains, and its Chinese. */
const REASON_CODES: readonly { readonly match: RegExp; readonly code: string; readonly zh: string }[] = [
  { match: /^media-(empty|needed)/, code: 'printer.paperOut', zh: 'A4打印机缺纸' },
  { match: /^media-jam/, code: 'printer.paperJam', zh: 'A4打印机卡纸' },
  { match: /^(cover|door)-open/, code: 'printer.coverOpen', zh: 'A4打印机盖未关好' },
  { match: /^(toner|marker-supply)-empty/, code: 'printer.tonerOut', zh: 'A4打印机墨粉用完' },
];

const ZH_BY_CODE: Record<string, string> = {
  'docprint.printerStopped': 'A4打印机已暂停',
  'docprint.jobAborted': 'A4打印机未能打印该文件',
  'docprint.unknownPrinter': '找不到A4打印机',
  'docprint.cupsUnreachable': 'A4打印机服务未运行',
  'device.timeout': 'A4打印机长时间无响应',
  'device.unplugged': 'A4打印机未连接',
  'device.notReady': 'A4打印机未就绪',
};

export class DocumentJobs {
  private readonly running = new OneAttemptPerJob<PrintJobView>();
  private readonly commands: ManagerCommands;

  constructor(
    private readonly options: {
      store: Store;
      cases: CaseService;
      manager: DeviceManager;
      log: Logger;
    },
  ) {
    this.commands = new ManagerCommands(options.manager, 'device');
  }

  /** The A4 printer's device id, if one is configured. */
  printer(): string | undefined {
    return this.options.manager.status().find((d) => d.kind === 'document')?.id;
  }

  /**
   * Writes a job for the case's document (certificate or result) — durable before any printing — then
   * prints it. Throws InputError for an unknown or unprintable document, DeviceError
   * 'printer.noDocumentPrinter' (no job kept) when this kiosk has no A4 printer.
   */
  async printDocument(caseId: string, documentId: string): Promise<PrintJobView> {
    const { store, cases } = this.options;
    const c = cases.require(caseId);
    if ('purged' in c) throw new InputError('case.purged', `case ${caseId} has been purged: its documents are gone`);
    const file = this.fileOf(caseId, documentId);
    if (!PRINTABLE.has(file.mime)) throw new InputError('document.notPrintable', `document ${documentId} is ${file.mime}, not a PDF the A4 printer prints`);
    if (this.printer() === undefined) throw new DeviceError('printer.noDocumentPrinter', '本机没有A4打印机 / this kiosk has no A4 (document) printer configured');
    const ref: DocumentRef = { documentId, sm3: file.sm3 };
    const id = store.printJobs.enqueue({ caseId, kind: DOCUMENT_JOB_KIND, document: new TextEncoder().encode(JSON.stringify(ref)) });
    return this.print(id);
  }

  /** Prints a kept document job: once (a printed one answers as it is; a concurrent call joins the attempt under way). */
  print(jobId: string): Promise<PrintJobView> {
    return this.running.run(jobId, () => this.attempt(jobId));
  }

  /** The newest live file of the case's document (certificate or result). */
  private fileOf(caseId: string, documentId: string, sm3?: string): MaterialRecord {
    const files = this.options.store.materials.forCase(caseId).filter((m) => m.materialId === `result:${documentId}` && (sm3 === undefined || m.sm3 === sm3));
    if (files.length === 0) throw new InputError('document.notFound', `case ${caseId} has no document ${documentId}`);
    const live = files.filter((m) => m.purgedAt === null);
    if (live.length === 0) throw new InputError('document.purged', `document ${documentId} was purged with the case's personal data`);
    return live[live.length - 1]!;
  }

  private async attempt(jobId: string): Promise<PrintJobView> {
    const { store, log } = this.options;
    const job = store.printJobs.get(jobId);
    if (!job) throw new InputError('printJob.notFound', `no print job ${jobId}`);
    if (job.state === 'printed') return viewOf(job);
    if (job.kind !== DOCUMENT_JOB_KIND || job.document === null || job.caseId === null) throw new InputError('printJob.notDocument', `print job ${jobId} is not a document job`);
    const ref = JSON.parse(new TextDecoder().decode(job.document)) as DocumentRef;
    const pdf = store.materials.read(this.fileOf(job.caseId, ref.documentId, ref.sm3));
    const device = this.printer();
    if (device === undefined) throw new DeviceError('printer.noDocumentPrinter', '本机没有A4打印机 / this kiosk has no A4 (document) printer configured');
    store.printJobs.markPrinting(jobId);
    const done = await this.printPdf(device, pdf, ref.documentId);
    if (done.header.completionCode === 'success') {
      store.transaction(() => {
        store.printJobs.markPrinted(jobId);
        appendAudit(store.db, {
          type: 'print',
          actor: 'agent',
          subject: job.caseId,
          details: { device, command: 'DocumentPrinter.PrintPdf', job: jobId, documentId: ref.documentId, sm3: ref.sm3, ...(typeof done.payload.jobId === 'number' ? { printerJob: done.payload.jobId } : {}) },
        });
      });
      log.info('document printed', { job: jobId, device });
      return viewOf(store.printJobs.get(jobId)!);
    }
    const driverCode = typeof done.payload.errorCode === 'string' ? done.payload.errorCode : `printer.${done.header.completionCode ?? 'failed'}`;
    const detail = done.header.errorDescription ?? driverCode;
    const { code, zh } = this.explain(device, driverCode);
    store.printJobs.markFailed(jobId, `${code}: ${detail}`);
    log.warn('document not printed; job kept', { job: jobId, code, driverCode });
    throw new PrintRefused(code, `${zh} / ${detail}`, viewOf(store.printJobs.get(jobId)!));
  }

  /** The refusal's code for the kiosk: from the printer's state reasons when they say why (paper, cover), else the driver's. */
  private explain(device: string, driverCode: string): { code: string; zh: string } {
    const health = this.options.manager.deviceStatus(device);
    const reasons = Array.isArray(health?.device?.reasons) ? (health.device.reasons as unknown[]).filter((r): r is string => typeof r === 'string') : [];
    for (const r of reasons) {
      const hit = REASON_CODES.find((x) => x.match.test(r));
      if (hit) return { code: hit.code, zh: hit.zh };
    }
    return { code: driverCode, zh: ZH_BY_CODE[driverCode] ?? 'A4打印机未能打印' };
  }

  private printPdf(device: string, pdf: Uint8Array, documentId: string): Promise<Message> {
    // The job name reaches the spooler's logs: the document id only, nothing personal.
    return this.commands.send('DocumentPrinter.PrintPdf', { data: Buffer.from(pdf).toString('base64'), title: `tongban ${documentId}`.slice(0, 100) }, PRINT_TIMEOUT_MS, { device });
  }
}
