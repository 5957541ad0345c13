/**
 * The ESC/POS receipt printer driver, over any ByteTransport (serial, device file, TCP).
 *
 * Status is asked before and after every job with DLE EOT 1..4 (one reply byte each). A printer that
 * does not answer within the timeout is offline or unplugged: many npm printer packages skip this and
 * report success for jobs that went into a dead cable. A job is refused, with a typed error, when the
 * printer cannot print ('printer.paperOut' 缺纸, 'printer.coverOpen' 纸仓盖打开, 'printer.offline',
 * 'printer.cutterError', 'printer.error'); it counts as printed only when the status after it is good
 * (paper running out mid-job fails the job, which the PrintQueue then keeps and prints again).
 *
 * Error codes: printer.paperOut, printer.coverOpen, printer.offline, printer.cutterError, printer.error,
 * device.garbled (a status reply with the fixed bits wrong), device.unplugged / device.* from the transport.
 */
import { DeviceError } from '../../base/errors.js';
import { silentLogger, type Logger } from '../../base/log.js';
import type { ByteTransport } from '../transport/types.js';
import { DLE, EOT } from './commands.js';
import { renderReceipt, type Receipt } from './receipt.js';
import { OFFLINE_NO_REPLY, decodeStatusReplies, refusal, type PrinterStatus } from './status.js';
import type { PaperWidth } from './text.js';

export interface DeviceStatus {
  readonly state: 'online' | 'offline' | 'unplugged' | 'busy' | 'error';
  readonly detail?: string;
  readonly since: Date;
  readonly paper: 'ok' | 'nearEnd' | 'out' | 'unknown';
  readonly cover: 'closed' | 'open' | 'unknown';
  /** The last decoded status, when the printer answered. */
  readonly printer?: PrinterStatus;
}

export interface CommandOptions {
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  readonly onEvent?: (e: PrinterEvent) => void;
}

export type PrinterEvent =
  | { readonly type: 'statusChecked'; readonly when: 'before' | 'after'; readonly status: PrinterStatus }
  | { readonly type: 'sending'; readonly bytes: number }
  | { readonly type: 'sent' };

export interface PrintResult {
  readonly bytes: number;
  /** The status after the job (good, or the job would have failed). */
  readonly status: PrinterStatus;
  readonly paperNearEnd: boolean;
}

export interface ReceiptPrinterOptions {
  readonly width?: PaperWidth;
  /** How long to wait for the four status replies; default 1000 ms. */
  readonly statusTimeoutMs?: number;
  readonly log?: Logger;
}

const STATUS_QUERY = Uint8Array.of(DLE, EOT, 1, DLE, EOT, 2, DLE, EOT, 3, DLE, EOT, 4);

export class ReceiptPrinter {
  private rx: number[] = [];
  private rxWaiter: (() => void) | undefined;
  private current: DeviceStatus = { state: 'offline', detail: 'not opened', since: new Date(), paper: 'unknown', cover: 'unknown' };
  private readonly statusListeners = new Set<(s: DeviceStatus) => void>();
  private chain: Promise<unknown> = Promise.resolve();
  private unsubscribe: (() => void)[] = [];
  private readonly log: Logger;

  constructor(
    readonly transport: ByteTransport,
    private readonly options: ReceiptPrinterOptions = {},
  ) {
    this.log = (options.log ?? silentLogger).child({ component: 'drivers.escpos', transport: transport.description });
  }

  /** Opens the transport and asks for the status once (a printer that does not answer is reported offline, not an error). */
  async open(): Promise<void> {
    await this.ensureOpen();
    await this.queryStatus().catch(() => undefined);
  }

  private async ensureOpen(): Promise<void> {
    if (this.transport.isOpen) return;
    this.unsubscribe.forEach((u) => u());
    try {
      await this.transport.open();
    } catch (err) {
      if (err instanceof DeviceError) this.setStatus({ state: 'unplugged', detail: err.message, paper: 'unknown', cover: 'unknown' });
      throw err;
    }
    this.unsubscribe = [
      this.transport.onData((chunk) => {
        for (const b of chunk) this.rx.push(b);
        if (this.rx.length > 4096) this.rx.splice(0, this.rx.length - 4096); // chatter nobody asked for
        this.rxWaiter?.();
      }),
      this.transport.onClose((err) => {
        if (err) this.setStatus({ state: 'unplugged', detail: err.message, paper: 'unknown', cover: 'unknown' });
        this.rxWaiter?.();
      }),
    ];
  }

  async close(): Promise<void> {
    this.unsubscribe.forEach((u) => u());
    this.unsubscribe = [];
    await this.transport.close();
    this.setStatus({ state: 'offline', detail: 'closed', paper: 'unknown', cover: 'unknown' });
  }

  status(): DeviceStatus {
    return this.current;
  }

  onStatus(listener: (s: DeviceStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** DLE EOT 1..4, decoded. No reply in time: 'printer.offline'; a malformed reply: 'device.garbled'. */
  queryStatus(opts: CommandOptions = {}): Promise<PrinterStatus> {
    return this.exclusive(() => this.queryStatusNow(opts.timeoutMs ?? this.options.statusTimeoutMs ?? 1000, opts.signal));
  }

  /** Renders and prints a receipt (see printBytes). */
  print(receipt: Receipt, opts: CommandOptions & { width?: PaperWidth } = {}): Promise<PrintResult> {
    return this.printBytes(renderReceipt(receipt, { width: opts.width ?? this.options.width ?? 58 }), opts);
  }

  /**
   * Status, job bytes, status again. Rejects with the typed reason when the printer cannot print before
   * (nothing was sent) or after (the job may be incomplete: print it again).
   */
  printBytes(bytes: Uint8Array, opts: CommandOptions = {}): Promise<PrintResult> {
    return this.exclusive(async () => {
      const timeout = opts.timeoutMs ?? this.options.statusTimeoutMs ?? 1000;
      const before = await this.queryStatusNow(timeout, opts.signal);
      opts.onEvent?.({ type: 'statusChecked', when: 'before', status: before });
      const no = refusal(before);
      if (no) throw no;
      this.setStatus({ ...this.fromPrinter(before), state: 'busy', detail: 'printing' });
      opts.onEvent?.({ type: 'sending', bytes: bytes.length });
      await this.transport.write(bytes);
      opts.onEvent?.({ type: 'sent' });
      // the reply comes after the printer has taken in the job: allow for the line time of what is still buffered
      const after = await this.queryStatusNow(timeout + Math.ceil(bytes.length / 5), opts.signal);
      opts.onEvent?.({ type: 'statusChecked', when: 'after', status: after });
      const failed = refusal(after);
      if (failed) throw new DeviceError(failed.code, `${failed.message} (after the job: it may be incomplete)`);
      this.log.info('printed', { bytes: bytes.length });
      return { bytes: bytes.length, status: after, paperNearEnd: after.paperNearEnd };
    });
  }

  private async queryStatusNow(timeoutMs: number, signal?: AbortSignal): Promise<PrinterStatus> {
    await this.ensureOpen();
    this.rx = [];
    await this.transport.write(STATUS_QUERY);
    const deadline = performance.now() + timeoutMs;
    while (this.rx.length < 4) {
      signal?.throwIfAborted();
      const left = deadline - performance.now();
      if (left <= 0 || !this.transport.isOpen) {
        const e = new DeviceError('printer.offline', this.transport.isOpen ? OFFLINE_NO_REPLY : `${OFFLINE_NO_REPLY}: ${this.current.detail ?? 'transport closed'}`);
        if (this.transport.isOpen) this.setStatus({ state: 'offline', detail: e.message, paper: 'unknown', cover: 'unknown' });
        throw e;
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        const onAbort = () => resolve();
        signal?.addEventListener('abort', onAbort, { once: true });
        this.rxWaiter = () => {
          clearTimeout(t);
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
      });
      this.rxWaiter = undefined;
    }
    const replies = this.rx.splice(0, 4) as [number, number, number, number];
    let s: PrinterStatus;
    try {
      s = decodeStatusReplies(replies);
    } catch (err) {
      this.setStatus({ state: 'error', detail: (err as Error).message, paper: 'unknown', cover: 'unknown' });
      throw err;
    }
    this.setStatus(this.fromPrinter(s));
    return s;
  }

  private fromPrinter(s: PrinterStatus): Omit<DeviceStatus, 'since'> {
    const no = refusal(s);
    const state = !no ? 'online' : no.code === 'printer.cutterError' || no.code === 'printer.error' ? 'error' : 'offline';
    return {
      state,
      ...(no ? { detail: no.message } : s.paperNearEnd ? { detail: '纸将尽 / paper near end' } : {}),
      paper: s.paperOut ? 'out' : s.paperNearEnd ? 'nearEnd' : 'ok',
      cover: s.coverOpen ? 'open' : 'closed',
      printer: s,
    };
  }

  private setStatus(next: Omit<DeviceStatus, 'since'>): void {
    const prev = this.current;
    const same = prev.state === next.state && prev.detail === next.detail && prev.paper === next.paper && prev.cover === next.cover;
    if (same) return;
    this.current = { ...next, since: new Date() };
    for (const l of [...this.statusListeners]) {
      try {
        l(this.current);
      } catch (err) {
        this.log.warn('status listener failed', { error: (err as Error).message });
      }
    }
  }

  /** One exchange at a time: a status reply must not be read by another command. */
  private exclusive<T>(run: () => Promise<T>): Promise<T> {
    const next = this.chain.then(run, run);
    this.chain = next.catch(() => undefined);
    return next;
  }
}
