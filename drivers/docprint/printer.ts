/**
 * DocumentPrinter: prints a PDF on a CUPS queue over IPP and follows the job until it completed.
 * A certificate counts as printed only when its job reached `completed`; every other end is a typed error.
 *
 * Error codes (DeviceError, exit 3 unless said otherwise):
 *   'docprint.printerStopped'  the queue is stopped or not accepting jobs (checked BEFORE submitting, and
 *                              while the job waits: a waiting job on a printer that stopped is canceled)
 *   'docprint.jobAborted'      the job ended aborted or canceled, or stopped with its printer still up
 *                              (a filter or backend failure; the job is then canceled), with its reasons
 *   'docprint.unknownPrinter'  no such queue
 *   'docprint.cupsUnreachable' no CUPS at the address
 *   'device.timeout'           the job did not complete in time (it is canceled, so it cannot print later)
 *   'device.canceled'          the caller's signal aborted (the job is canceled)
 *   InputError 'docprint.notPdf' / 'docprint.unreadable' (exit 2) for input that is not a readable PDF
 */
import { readFile } from 'node:fs/promises';
import { DeviceError, InputError, messageOf } from '../../base/errors.js';
import { IppClient, describeServer, type IppClientOptions } from './ipp-client.js';
import { explainReasons, type JobInfo, type PrinterInfo } from './ipp-operations.js';

export type DocumentPrinterEvent =
  | { type: 'submitted'; jobId: number }
  | { type: 'processing'; jobId: number }
  | { type: 'completed'; jobId: number };

export interface DeviceStatus {
  state: 'online' | 'offline' | 'unplugged' | 'busy' | 'error';
  detail?: string;
  since: Date;
  printerState?: PrinterInfo['state'];
  reasons?: string[];
  /** From the printer's state reasons: media-empty/-needed is out, media-low is near end. */
  paper?: 'ok' | 'nearEnd' | 'out';
}

/** The paper as the printer's state reasons tell it (severity suffixes aside). */
export function paperOf(reasons: readonly string[]): 'ok' | 'nearEnd' | 'out' {
  if (reasons.some((r) => /^media-(empty|needed)/.test(r))) return 'out';
  if (reasons.some((r) => /^media-low/.test(r))) return 'nearEnd';
  return 'ok';
}

export interface PrintOptions {
  /** Queue to print on (default: the printer's own queue). */
  queue?: string;
  /** job-name (default "tongban document"). */
  title?: string;
  /** Until the job completed (default 120 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
  onEvent?: (e: DocumentPrinterEvent) => void;
}

export interface PrintResult {
  jobId: number;
  queue: string;
  state: 'completed';
  submittedAt: Date;
  completedAt: Date;
  /** From the start of print() to completed. */
  elapsedMs: number;
}

export interface DocumentPrinterOptions extends IppClientOptions {
  queue: string;
  /** Interval between Get-Job-Attributes polls (default 200 ms). */
  pollMs?: number;
}

/** At most this many bytes are sent as one document. */
export const MAX_PDF_BYTES = 256 * 1024 * 1024;

/** Reads and checks a PDF: bytes as given, or a file path. */
export async function loadPdf(input: Uint8Array | string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  if (typeof input === 'string') {
    try {
      bytes = await readFile(input);
    } catch (err) {
      throw new InputError('docprint.unreadable', `cannot read ${input}: ${(err as NodeJS.ErrnoException).code ?? messageOf(err)}`);
    }
  } else {
    bytes = input;
  }
  const what = typeof input === 'string' ? input : 'the document';
  if (bytes.length > MAX_PDF_BYTES) throw new InputError('docprint.tooLarge', `${what} is larger than ${MAX_PDF_BYTES} bytes`);
  if (bytes.length < 5 || Buffer.from(bytes.subarray(0, 5)).toString('latin1') !== '%PDF-') {
    throw new InputError('docprint.notPdf', `${what} is not a PDF (it does not start with %PDF-)`);
  }
  return bytes;
}

function stoppedError(p: PrinterInfo, queue: string): DeviceError {
  const why = explainReasons(p.reasons);
  const state = p.state === 'stopped' ? 'is stopped' : 'is not accepting jobs';
  return new DeviceError(
    'docprint.printerStopped',
    `printer ${queue} ${state}${why ? `: ${why}` : ''}${p.message ? ` — ${p.message}` : ''}`,
  );
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

export class DocumentPrinter {
  readonly client: IppClient;
  readonly queue: string;
  private readonly pollMs: number;
  private current: DeviceStatus = { state: 'offline', detail: 'not checked yet', since: new Date() };
  private readonly listeners = new Set<(s: DeviceStatus) => void>();

  constructor(options: DocumentPrinterOptions) {
    this.client = new IppClient(options);
    this.queue = options.queue;
    this.pollMs = options.pollMs ?? 200;
  }

  get description(): string {
    return `CUPS queue ${this.queue} at ${describeServer(this.client.server)}`;
  }

  /** Checks that the queue exists (CUPS reachable, queue known); does not fail on a stopped printer. */
  async open(): Promise<void> {
    await this.refresh();
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }

  status(): DeviceStatus {
    return this.current;
  }

  onStatus(listener: (s: DeviceStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Asks CUPS for the printer's state and updates status(). */
  async refresh(queue = this.queue, signal?: AbortSignal): Promise<PrinterInfo> {
    try {
      const p = await this.client.getPrinterAttributes(queue, signal);
      if (queue === this.queue) {
        const ok = p.state !== 'stopped' && p.acceptingJobs;
        this.setStatus({
          state: ok ? (p.state === 'processing' ? 'busy' : 'online') : 'error',
          ...(ok ? {} : { detail: stoppedError(p, queue).message }),
          printerState: p.state,
          reasons: p.reasons,
          paper: paperOf(p.reasons),
        });
      }
      return p;
    } catch (err) {
      if (queue === this.queue) this.setStatus({ state: 'offline', detail: messageOf(err) });
      throw err;
    }
  }

  private setStatus(s: Omit<DeviceStatus, 'since'>): void {
    const prev = this.current;
    if (prev.state === s.state && prev.detail === s.detail && String(prev.reasons) === String(s.reasons)) return;
    this.current = { ...s, since: new Date() };
    for (const l of this.listeners) l(this.current);
  }

  /**
   * Prints a PDF and waits for its job to complete. Refuses (before submitting) a stopped printer or
   * one not accepting jobs.
   */
  async print(input: Uint8Array | string, options: PrintOptions = {}): Promise<PrintResult> {
    const started = Date.now();
    const queue = options.queue ?? this.queue;
    const timeoutMs = options.timeoutMs ?? 120_000;
    const pdf = await loadPdf(input);
    const printer = await this.refresh(queue, options.signal);
    if (printer.state === 'stopped' || !printer.acceptingJobs) throw stoppedError(printer, queue);

    const submitted = await this.client.printJob(queue, options.title ?? 'tongban document', pdf, options.signal);
    const submittedAt = new Date();
    const jobId = submitted.id;
    options.onEvent?.({ type: 'submitted', jobId });

    const deadline = started + timeoutMs;
    let job: JobInfo = submitted;
    let sawProcessing = false;
    for (;;) {
      if (job.state === 'processing' && !sawProcessing) {
        sawProcessing = true;
        options.onEvent?.({ type: 'processing', jobId });
      }
      if (job.state === 'completed') {
        if (!sawProcessing) options.onEvent?.({ type: 'processing', jobId });
        options.onEvent?.({ type: 'completed', jobId });
        const completedAt = new Date();
        return { jobId, queue, state: 'completed', submittedAt, completedAt, elapsedMs: completedAt.getTime() - started };
      }
      if (job.state === 'aborted' || job.state === 'canceled') {
        const why = explainReasons(job.reasons);
        throw new DeviceError(
          'docprint.jobAborted',
          `job ${jobId} on ${queue} was ${job.state}${why ? `: ${why}` : ''}${job.message ? ` — ${job.message}` : ''}; not printed`,
        );
      }
      if (job.state === 'stopped' && !job.reasons.includes('printer-stopped')) {
        // CUPS leaves a job whose filters or backend failed in processing-stopped, where it stays until
        // someone acts: for a kiosk that is a failed print. Cancel it so it cannot come out later.
        await this.client.cancelJob(queue, jobId).catch(() => undefined);
        const why = explainReasons(job.reasons);
        throw new DeviceError(
          'docprint.jobAborted',
          `job ${jobId} on ${queue} stopped${why ? `: ${why}` : ''}${job.message ? ` — ${job.message}` : ''}; it was canceled, not printed`,
        );
      }
      if (job.state === 'pending' || job.state === 'held' || job.state === 'stopped') {
        // A waiting job on a printer that stopped under it (an operator, or CUPS's stop-printer error
        // policy) would come out whenever someone resumes the printer, long after the caller was told it
        // failed: cancel it. The printer's own state says so more reliably than the job's reasons.
        const p = job.reasons.includes('printer-stopped') ? undefined : await this.refresh(queue).catch(() => undefined);
        if (job.reasons.includes('printer-stopped') || p?.state === 'stopped') {
          await this.client.cancelJob(queue, jobId).catch(() => undefined);
          const now = p ?? (await this.refresh(queue).catch(() => undefined));
          const base = now ? stoppedError(now, queue) : new DeviceError('docprint.printerStopped', `printer ${queue} is stopped`);
          throw new DeviceError('docprint.printerStopped', `${base.message}; job ${jobId} was canceled, not printed`);
        }
      }
      if (options.signal?.aborted) {
        await this.client.cancelJob(queue, jobId).catch(() => undefined);
        throw new DeviceError('device.canceled', `printing job ${jobId} on ${queue} was canceled`);
      }
      if (Date.now() >= deadline) {
        await this.client.cancelJob(queue, jobId).catch(() => undefined);
        throw new DeviceError('device.timeout', `job ${jobId} on ${queue} did not complete within ${timeoutMs} ms (state ${job.state}); it was canceled`);
      }
      await sleep(Math.min(this.pollMs, Math.max(1, deadline - Date.now())), options.signal);
      if (options.signal?.aborted) continue;
      job = await this.client.getJobAttributes(queue, jobId);
    }
  }
}
