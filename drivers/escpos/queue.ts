/**
 * The print queue: receipts are written to a JobStore first, then printed in order. A job the printer
 * refuses (no paper, cover open, offline) stays at the head of the line with its id; the queue polls
 * the printer's status with backoff and prints it as soon as the status is good again, then the jobs
 * behind it. A job leaves the store only after the printer reported a good status after it, so each is
 * printed exactly once unless the process dies between the printer's answer and the removal (then it
 * prints again after restart: at least once, never lost).
 */
import { randomUUID } from 'node:crypto';
import { DeviceError, messageOf } from '../../base/errors.js';
import { silentLogger, type Logger } from '../../base/log.js';
import type { JobStore, PrintJob } from './job-store.js';
import type { ReceiptPrinter } from './printer.js';
import type { Receipt } from './receipt.js';
import { refusal } from './status.js';
import type { PaperWidth } from './text.js';

export type QueueEvent =
  | { readonly type: 'queued'; readonly job: PrintJob }
  | { readonly type: 'printed'; readonly job: PrintJob }
  | { readonly type: 'held'; readonly job: PrintJob; readonly error: { code: string; message: string }; readonly retryInMs: number };

export interface PrintQueueOptions {
  readonly width?: PaperWidth;
  /** First wait before asking the printer again after a refusal (ms); default 500. Doubles up to maxRetryMs. */
  readonly retryMs?: number;
  readonly maxRetryMs?: number;
  readonly log?: Logger;
}

export type SubmitOutcome = { readonly id: string; readonly printed: true } | { readonly id: string; readonly printed: false; readonly error: { code: string; message: string } };

export class PrintQueue {
  private seq = 0;
  private loaded = false;
  private running: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private delay: number;
  private stopped = false;
  private readonly listeners = new Set<(e: QueueEvent) => void>();
  private readonly log: Logger;

  constructor(
    private readonly printer: ReceiptPrinter,
    private readonly store: JobStore,
    private readonly options: PrintQueueOptions = {},
  ) {
    this.delay = options.retryMs ?? 500;
    this.log = (options.log ?? silentLogger).child({ component: 'drivers.escpos.queue' });
  }

  onEvent(listener: (e: QueueEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Picks up jobs left in the store (e.g. from before a restart) and starts printing them. */
  async start(): Promise<void> {
    await this.load();
    this.stopped = false;
    void this.drain();
  }

  private async load(): Promise<void> {
    if (this.loaded) return;
    const jobs = await this.store.list();
    this.seq = jobs.reduce((m, j) => Math.max(m, j.seq), 0);
    this.loaded = true;
  }

  pending(): Promise<PrintJob[]> {
    return this.store.list();
  }

  /**
   * Stores the receipt as a job, then tries to print the line up to it. Resolves once this job printed or
   * was held (its own refusal, or one of a job ahead of it); a held job stays queued and prints later.
   */
  async submit(receipt: Receipt, options: { width?: PaperWidth; id?: string } = {}): Promise<SubmitOutcome> {
    await this.load();
    const job: PrintJob = {
      id: options.id ?? randomUUID(),
      seq: ++this.seq,
      receipt,
      width: options.width ?? this.options.width ?? 58,
      createdAt: new Date().toISOString(),
      attempts: 0,
    };
    await this.store.add(job);
    this.emit({ type: 'queued', job });
    if (this.stopped) return { id: job.id, printed: false, error: { code: 'queue.stopped', message: 'the print queue is stopped; the job is kept' } };
    if (this.timer) {
      // the printer already refused the job at the head of the line: this one waits behind it
      const [head] = await this.store.list();
      const error = head?.lastError ?? { code: 'printer.offline', message: 'waiting for the printer' };
      return { id: job.id, printed: false, error };
    }
    const outcome = new Promise<SubmitOutcome>((resolve) => {
      const off = this.onEvent((e) => {
        if (e.type === 'printed' && e.job.id === job.id) {
          off();
          resolve({ id: job.id, printed: true });
        } else if (e.type === 'held') {
          off();
          resolve({ id: job.id, printed: false, error: e.error });
        }
      });
    });
    void this.drain();
    return outcome;
  }

  /** Prints waiting jobs in order until the line is empty or the printer refuses one. */
  drain(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.drainOnce();
        } while (this.again && !this.timer && !this.stopped);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  private async drainOnce(): Promise<void> {
    if (this.timer) return; // waiting for the printer to come back: the retry timer drains
    for (;;) {
      if (this.stopped) return;
      const [job] = await this.store.list();
      if (!job) return;
      try {
        await this.printer.print(job.receipt, { width: job.width });
      } catch (err) {
        const error = err instanceof DeviceError ? { code: err.code, message: err.message } : { code: 'printer.failed', message: messageOf(err) };
        const held: PrintJob = { ...job, attempts: job.attempts + 1, lastError: error };
        await this.store.update(held);
        this.log.warn('print job held', { id: job.id, code: error.code, attempts: held.attempts });
        this.scheduleRetry();
        this.emit({ type: 'held', job: held, error, retryInMs: this.delay });
        return;
      }
      await this.store.remove(job.id);
      this.delay = this.options.retryMs ?? 500;
      this.log.info('print job printed', { id: job.id, attempts: job.attempts + 1 });
      this.emit({ type: 'printed', job: { ...job, attempts: job.attempts + 1 } });
    }
  }

  /** Polls the printer's status with backoff; when it can print again, drains the queue. */
  private scheduleRetry(): void {
    if (this.timer || this.stopped) return;
    const wait = this.delay;
    this.delay = Math.min(this.options.maxRetryMs ?? 10_000, this.delay * 2);
    this.timer = setTimeout(() => {
      void (async () => {
        let ready = false;
        try {
          ready = refusal(await this.printer.queryStatus()) === undefined;
        } catch {
          ready = false; // still no answer
        }
        this.timer = undefined;
        if (this.stopped) return;
        if (ready) void this.drain();
        else this.scheduleRetry();
      })();
    }, wait);
  }

  /** Stops retrying (jobs stay in the store). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private emit(e: QueueEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch (err) {
        this.log.warn('queue listener failed', { error: messageOf(err) });
      }
    }
  }
}
