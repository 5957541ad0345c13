/**
 * Printing a case's 受理回执 through the device manager (Printer.PrintForm) with a durable job: the
 * receipt is written to print_jobs (sealed, it names the applicant masked) before the printer is asked,
 * and kept until the printer completes it. A refusal (paper out, cover open) leaves the job failed with
 * the printer's reason; `print(jobId)` tries it again. One attempt per job at a time, and a printed job
 * is never printed again: the retry of a printed job answers it as printed.
 *
 * `watchPrinter()` retries by itself: when a receipt printer reports ready (its StatusChangedEvent turns
 * online, e.g. after a paper refill), the kept receipts that certainly did not print (failed, or queued
 * and never sent) and are recent are printed, oldest first, each through `print` (so once), stopping at
 * the first the printer refuses. A job left 'printing' by a crash is not retried by itself (it may have
 * printed), nor one older than the window: the citizen it was for has most likely gone, and a receipt
 * naming them would wait in the tray for the next person. Both stay for POST /api/print-jobs/{id}/retry.
 */
import { DeviceError, InputError } from '../../base/errors.js';
import type { Logger } from '../../base/log.js';
import type { DeviceManager } from '../../drivers/manager/manager.js';
import type { Message } from '../../drivers/manager/messages.js';
import { ManagerCommands } from './manager-command.js';
import type { Receipt } from '../../drivers/escpos/receipt.js';
import { appendAudit } from '../audit/audit-log.js';
import type { CaseService } from '../cases/case-service.js';
import { caseReceipt } from '../cases/receipt.js';
import type { Catalog } from '../catalog/index.js';
import type { PrintJob } from '../store/records-repo.js';
import type { Store } from '../store/store.js';
import { OneAttemptPerJob } from './one-attempt.js';

export const RECEIPT_JOB_KIND = 'receipt';
/** How long the printer may take for one receipt (the manager times the command out after it). */
const PRINT_TIMEOUT_MS = 30_000;
/** Kept receipts younger than this are printed by themselves when the printer is ready again. */
export const AUTO_RETRY_WINDOW_MS = 10 * 60_000;

export interface PrintJobView {
  readonly id: string;
  readonly caseId: string | null;
  readonly kind: string;
  readonly state: PrintJob['state'];
  readonly attempts: number;
  readonly lastError: string | null;
  readonly createdAt: string;
  readonly printedAt: string | null;
}

export function viewOf(job: PrintJob): PrintJobView {
  return {
    id: job.id,
    caseId: job.caseId,
    kind: job.kind,
    state: job.state,
    attempts: job.attempts,
    lastError: job.lastError,
    createdAt: new Date(job.createdAt).toISOString(),
    printedAt: job.printedAt === null ? null : new Date(job.printedAt).toISOString(),
  };
}

/** The printer could not print the job: its code (printer.paperOut, ...) and reason (中文 / English); the job is kept. */
export class PrintRefused extends DeviceError {
  constructor(
    code: string,
    message: string,
    readonly job: PrintJobView,
  ) {
    super(code, message);
  }
}

export class ReceiptJobs {
  private readonly running = new OneAttemptPerJob<PrintJobView>();
  private readonly commands: ManagerCommands;
  /** Whether each receipt printer was last reported online (a retry follows a change to online). */
  private readonly online = new Map<string, boolean>();
  private draining: Promise<void> | undefined;
  private drainAgain = false;
  private stopped = false;

  constructor(
    private readonly options: {
      store: Store;
      cases: CaseService;
      catalog: () => Catalog;
      manager: DeviceManager;
      log: Logger;
      /** Whether the endpoint for a region can be reached now (a receipt of a case kept offline says so). */
      endpointReachable?: (region: string) => boolean;
      /** Default AUTO_RETRY_WINDOW_MS. */
      autoRetryWindowMs?: number;
      now?: () => number;
    },
  ) {
    this.commands = new ManagerCommands(options.manager, 'printer');
  }

  /** Retries the kept receipts whenever a receipt printer turns ready; returns the function that stops it. */
  watchPrinter(): () => void {
    const off = this.options.manager.subscribe((m) => {
      if (m.header.name !== 'Common.StatusChangedEvent') return;
      const { device, status } = m.payload as { device?: unknown; status?: { kind?: unknown; state?: unknown } };
      if (typeof device !== 'string' || status?.kind !== 'receipt') return;
      const ready = status.state === 'online';
      const was = this.online.get(device) ?? false;
      this.online.set(device, ready);
      if (ready && !was) void this.retryKept();
    });
    return () => {
      this.stopped = true;
      off();
    };
  }

  /**
   * Prints the kept receipts that certainly did not print and are recent, oldest first, each once; stops
   * at the first the printer refuses (the others wait for its next ready). A call while one runs makes
   * it look again when done (a job may have failed meanwhile).
   */
  retryKept(): Promise<void> {
    if (this.draining) {
      this.drainAgain = true;
      return this.draining;
    }
    this.draining = (async () => {
      do {
        this.drainAgain = false;
        await this.drainOnce();
      } while (this.drainAgain && !this.stopped);
    })().finally(() => (this.draining = undefined));
    return this.draining;
  }

  private async drainOnce(): Promise<void> {
    const { store, log } = this.options;
    const since = (this.options.now ?? Date.now)() - (this.options.autoRetryWindowMs ?? AUTO_RETRY_WINDOW_MS);
    const due = store.printJobs
      .pending()
      .filter((j) => j.kind === RECEIPT_JOB_KIND && j.createdAt >= since && (j.state === 'failed' || (j.state === 'queued' && !this.running.has(j.id))));
    for (const job of due) {
      if (this.stopped) return; // the agent is stopping
      try {
        const done = await this.print(job.id);
        log.info('kept receipt printed once the printer was ready', { job: job.id, attempts: done.attempts });
      } catch (err) {
        if (err instanceof PrintRefused) {
          log.warn('kept receipts wait for the printer again', { job: job.id, code: err.code });
          return;
        }
        log.warn('kept receipt not retried', { job: job.id, err });
      }
    }
  }

  /** Writes the case's receipt as a job (durable before any printing), then prints it. */
  async printCase(caseId: string): Promise<PrintJobView> {
    const { store, cases, catalog } = this.options;
    const c = cases.require(caseId);
    if ('purged' in c) throw new InputError('case.purged', `case ${caseId} has been purged: no receipt is printed for it`);
    const item = catalog().items.find((it) => it.code === c.itemCode);
    if (!item) throw new InputError('case.unknownItem', `item ${c.itemCode} of case ${caseId} is no longer in the catalog`);
    const offline = c.status === 'submitted' && this.options.endpointReachable !== undefined && !this.options.endpointReachable(item.targetRegion);
    const receipt = caseReceipt(c, item, { offline });
    const id = store.printJobs.enqueue({ caseId, kind: RECEIPT_JOB_KIND, document: new TextEncoder().encode(JSON.stringify(receipt)) });
    return this.print(id);
  }

  /** Prints a kept job: once (a printed one answers as it is; a concurrent call joins the attempt under way). */
  print(jobId: string): Promise<PrintJobView> {
    return this.running.run(jobId, () => this.attempt(jobId));
  }

  private async attempt(jobId: string): Promise<PrintJobView> {
    const { store, log } = this.options;
    const job = store.printJobs.get(jobId);
    if (!job) throw new InputError('printJob.notFound', `no print job ${jobId}`);
    if (job.state === 'printed') return viewOf(job);
    if (job.kind !== RECEIPT_JOB_KIND || job.document === null) throw new InputError('printJob.notReceipt', `print job ${jobId} is not a receipt this agent prints`);
    const receipt = JSON.parse(new TextDecoder().decode(job.document)) as Receipt;
    store.printJobs.markPrinting(jobId);
    const done = await this.printForm(receipt);
    if (done.header.completionCode === 'success') {
      // Printed and audited together (the WebSocket's prints are audited by devices/device-records.ts).
      store.transaction(() => {
        store.printJobs.markPrinted(jobId);
        appendAudit(store.db, { type: 'print', actor: 'agent', subject: job.caseId, details: { device: 'receipt', command: 'Printer.PrintForm', job: jobId, ...(typeof done.payload.bytes === 'number' ? { bytes: done.payload.bytes } : {}) } });
      });
      log.info('receipt printed', { job: jobId });
      return viewOf(store.printJobs.get(jobId)!);
    }
    const code = typeof done.payload.errorCode === 'string' ? done.payload.errorCode : `printer.${done.header.completionCode ?? 'failed'}`;
    const reason = done.header.errorDescription ?? code;
    store.printJobs.markFailed(jobId, `${code}: ${reason}`);
    log.warn('receipt not printed; job kept', { job: jobId, code });
    throw new PrintRefused(code, reason, viewOf(store.printJobs.get(jobId)!));
  }

  /** One Printer.PrintForm through the manager; resolves with its completion (or the refusing acknowledge). */
  private printForm(receipt: Receipt): Promise<Message> {
    return this.commands.send('Printer.PrintForm', { receipt }, PRINT_TIMEOUT_MS);
  }
}
