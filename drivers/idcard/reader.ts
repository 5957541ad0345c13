/**
 * The resident ID card reader driver: the SAM protocol (frame.ts) over any ByteTransport (a serial port
 * at 115200 8N1 by default).
 *
 * A read is find card (repeated until SW3 9F or the timeout) -> select -> read base info (30 01, or 30 10
 * with fingerprint). Every command has its own timeout and a bounded number of retries on garbled or
 * missing replies (the commands are idempotent, so resending is safe); before each send any half-received
 * frame is discarded, since it can only belong to an earlier command.
 *
 * Events while reading (for the device manager): waitingForCard, cardFound, reading, cardRead.
 * Errors (errors.ts): idcard.noCard, idcard.sw3.XX, idcard.readFailed, device.garbled, device.timeout,
 * device.unplugged, device.canceled. Personal data never reaches the log: only codes and lengths.
 */
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeviceError } from '../../base/errors.js';
import { silentLogger, type Logger } from '../../base/log.js';
import { SerialTransport } from '../transport/serial.js';
import type { ByteTransport } from '../transport/types.js';
import { parseBaseInfo, type CardType, type IdCard } from './base-info.js';
import { NoCardError, ReaderTimeoutError, SW3_CARD_FOUND, SW3_NO_CARD, SW3_OK, Sw3Error, UnpluggedError } from './errors.js';
import { FrameExtractor, GarbledError, decodeReply, encodeCommand, type Reply } from './frame.js';

export type IdCardEvent =
  | { readonly type: 'waitingForCard' }
  | { readonly type: 'cardFound' }
  | { readonly type: 'reading' }
  | { readonly type: 'cardRead'; readonly cardType: CardType };

export type ReaderState = 'online' | 'offline' | 'unplugged' | 'busy' | 'error';

export interface IdCardReaderStatus {
  readonly state: ReaderState;
  readonly detail?: string;
  readonly since: Date;
}

export interface IdCardReaderOptions {
  readonly log?: Logger;
  /** Timeout of the short commands (status, find, select); default 500 ms. */
  readonly commandTimeoutMs?: number;
  /** Timeout of read base info (1295 or 2321 bytes on the wire: ~113 / ~201 ms at 115200); default 2000 ms. */
  readonly readTimeoutMs?: number;
  /** Resends after a garbled or missing reply; default 2. */
  readonly retries?: number;
  /** Pause between find-card attempts while no card is there; default 10 ms. */
  readonly pollIntervalMs?: number;
  /** The device path: when it is gone, a failure is reported as device.unplugged (set by `serial()`). */
  readonly path?: string;
}

export interface ReadCardOptions {
  readonly signal?: AbortSignal;
  /** How long to wait for a card; default 10000 ms. */
  readonly timeoutMs?: number;
  readonly withFingerprint?: boolean;
  readonly onEvent?: (e: IdCardEvent) => void;
}

export interface CommandOptions {
  readonly signal?: AbortSignal;
}

interface Waiter {
  readonly command: CommandName;
  resolve(reply: Reply): void;
  reject(err: Error): void;
}

const CMD = {
  reset: [0x10, 0xff],
  samStatus: [0x11, 0xff],
  samId: [0x12, 0xff],
  find: [0x20, 0x01],
  select: [0x20, 0x02],
  read: [0x30, 0x01],
  readWithFingerprint: [0x30, 0x10],
} as const;
type CommandName = keyof typeof CMD;

const FRAMES = Object.fromEntries(Object.entries(CMD).map(([k, [c, p]]) => [k, encodeCommand(c, p)])) as Record<CommandName, Uint8Array>;

export class CanceledError extends DeviceError {
  constructor() {
    super('device.canceled', 'ID card reader: 操作已取消 / the read was canceled');
  }
}

export class IdCardReader {
  private readonly extractor = new FrameExtractor();
  private readonly log: Logger;
  private readonly statusListeners = new Set<(s: IdCardReaderStatus) => void>();
  private current: IdCardReaderStatus = { state: 'offline', since: new Date() };
  private waiter: Waiter | undefined;
  private unsubscribe: (() => void)[] = [];
  private busy: Promise<unknown> = Promise.resolve();
  /** Bytes written and received (for the benchmark's wire time). */
  bytesOut = 0;
  bytesIn = 0;
  readonly commandTimeoutMs: number;
  readonly readTimeoutMs: number;
  readonly retries: number;
  readonly pollIntervalMs: number;

  constructor(
    private readonly transport: ByteTransport,
    options: IdCardReaderOptions = {},
  ) {
    this.log = (options.log ?? silentLogger).child({ component: 'drivers.idcard', transport: transport.description });
    this.commandTimeoutMs = options.commandTimeoutMs ?? 500;
    this.readTimeoutMs = options.readTimeoutMs ?? 2000;
    this.retries = options.retries ?? 2;
    this.pollIntervalMs = options.pollIntervalMs ?? 10;
    this.path = options.path;
  }

  private readonly path: string | undefined;

  /** True when the device path is known and gone. */
  private vanished(): boolean {
    return this.path !== undefined && !existsSync(this.path);
  }

  /** A reader on a serial port (115200 8N1 unless `baud` says otherwise). */
  static serial(path: string, options: IdCardReaderOptions & { baud?: number } = {}): IdCardReader {
    return new IdCardReader(new SerialTransport({ path, ...(options.baud ? { baud: options.baud } : {}) }), { path, ...options });
  }

  get description(): string {
    return this.transport.description;
  }

  get isOpen(): boolean {
    return this.transport.isOpen;
  }

  status(): IdCardReaderStatus {
    return this.current;
  }

  onStatus(listener: (s: IdCardReaderStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Opens the transport and checks that a SAM answers (SAM status). */
  async open(options: CommandOptions = {}): Promise<void> {
    if (!this.transport.isOpen) {
      for (const u of this.unsubscribe) u();
      this.extractor.reset();
      this.unsubscribe = [
        this.transport.onData((chunk) => this.receive(chunk)),
        this.transport.onClose((err) => this.closed(err)),
      ];
      try {
        await this.transport.open();
      } catch (err) {
        this.setStatus(err instanceof DeviceError && err.code === 'device.unplugged' ? 'unplugged' : 'error', err instanceof Error ? err.message : undefined);
        throw err;
      }
    }
    try {
      await this.samStatus(options);
    } catch (err) {
      await this.close();
      // A port with nothing answering behind it (an adapter without its reader, a reader without power)
      // is, for whoever wants to read a card, a reader that is not connected.
      if (err instanceof ReaderTimeoutError) {
        const e = new DeviceError('device.unplugged', `ID card reader: 读卡器无响应 / no reply to SAM status on ${this.path ?? this.transport.description}; is the reader connected and powered?`);
        this.setStatus('unplugged', e.message);
        throw e;
      }
      throw err;
    }
    this.setStatus('online');
  }

  async close(): Promise<void> {
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
    this.waiter?.reject(new DeviceError('device.closed', 'ID card reader: the port was closed'));
    this.waiter = undefined;
    await this.transport.close();
    if (this.current.state !== 'unplugged') this.setStatus('offline');
  }

  /** SAM status (11 FF): resolves when the SAM says 90. */
  async samStatus(options: CommandOptions = {}): Promise<void> {
    await this.exclusive(async () => expectOk(await this.transact('samStatus', this.commandTimeoutMs, options.signal), 'samStatus'));
  }

  /** The SAM's id (12 FF): 16 bytes, as hex. */
  async samId(options: CommandOptions = {}): Promise<string> {
    return this.exclusive(async () => {
      const reply = expectOk(await this.transact('samId', this.commandTimeoutMs, options.signal), 'samId');
      return Buffer.from(reply.data).toString('hex').toUpperCase();
    });
  }

  async resetSam(options: CommandOptions = {}): Promise<void> {
    await this.exclusive(async () => expectOk(await this.transact('reset', this.commandTimeoutMs, options.signal), 'reset'));
  }

  /** One find-card command: true for a card (9F), false for none (80); other statuses throw. */
  async findCard(options: CommandOptions = {}): Promise<boolean> {
    return this.exclusive(() => this.findOnce(options.signal));
  }

  /** Select and read a card that find has just reported. */
  async readFoundCard(options: Omit<ReadCardOptions, 'timeoutMs'> = {}): Promise<IdCard> {
    return this.exclusive(() => this.selectAndRead(options));
  }

  /** A whole read: waits up to `timeoutMs` for a card, then selects and reads it. */
  async readCard(options: ReadCardOptions = {}): Promise<IdCard> {
    return this.exclusive(async () => {
      const timeoutMs = options.timeoutMs ?? 10_000;
      const deadline = performance.now() + timeoutMs;
      options.onEvent?.({ type: 'waitingForCard' });
      while (!(await this.findOnce(options.signal))) {
        if (performance.now() >= deadline) throw new NoCardError(timeoutMs);
        await abortableSleep(Math.min(this.pollIntervalMs, Math.max(0, deadline - performance.now())), options.signal);
      }
      return this.selectAndRead(options);
    });
  }

  private async findOnce(signal: AbortSignal | undefined): Promise<boolean> {
    const reply = await this.transact('find', this.commandTimeoutMs, signal);
    if (reply.sw3 === SW3_CARD_FOUND) return true;
    if (reply.sw3 === SW3_NO_CARD) return false;
    throw new Sw3Error(reply.sw3, 'find card');
  }

  private async selectAndRead(options: Omit<ReadCardOptions, 'timeoutMs'>): Promise<IdCard> {
    options.onEvent?.({ type: 'cardFound' });
    expectOk(await this.transact('select', this.commandTimeoutMs, options.signal), 'select card');
    options.onEvent?.({ type: 'reading' });
    const command = options.withFingerprint ? 'readWithFingerprint' : 'read';
    let card: IdCard | undefined;
    // The payload's own length header is checked inside the retry loop: a frame can pass its checksum
    // and still be inconsistent (a SAM glitch), and a resend fixes that as it fixes a bad checksum.
    await this.transact(command, this.readTimeoutMs, options.signal, (reply) => {
      expectOk(reply, 'read base info');
      card = parseBaseInfo(reply.data);
    });
    options.onEvent?.({ type: 'cardRead', cardType: card!.cardType });
    this.log.info('card read', { cardType: card!.cardType, layout: card!.layout });
    return card!;
  }

  /** One command at a time on the line. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.busy.then(fn, fn);
    this.busy = run.catch(() => undefined);
    return run;
  }

  /**
   * Sends a command and waits for its reply, resending after a garbled reply or none (at most `retries`
   * times). `check` may throw a GarbledError to count the reply as garbled.
   */
  private async transact(name: CommandName, timeoutMs: number, signal: AbortSignal | undefined, check?: (reply: Reply) => void): Promise<Reply> {
    let lastGarbled: GarbledError | undefined;
    const attempts = this.retries + 1;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (signal?.aborted) throw new CanceledError();
      if (!this.transport.isOpen || this.vanished()) throw this.unplugged();
      this.extractor.reset();
      let reply: Reply | undefined;
      try {
        reply = await this.exchange(name, timeoutMs, signal);
        // SW3 10/11: the SAM got our frame corrupted; resend like a garbled reply.
        if (reply.sw3 === 0x10 || reply.sw3 === 0x11) throw Object.assign(new Sw3Error(reply.sw3, name), { resend: true });
        check?.(reply);
        if (this.current.state === 'offline' && this.transport.isOpen) this.setStatus('online');
        return reply;
      } catch (err) {
        if (err instanceof GarbledError) lastGarbled = err;
        else if (err instanceof Sw3Error && (err as Sw3Error & { resend?: boolean }).resend) {
          if (attempt === attempts) throw err;
        } else if (err instanceof DeviceError && err.code === 'device.ioError' && this.vanished()) {
          throw this.unplugged();
        } else if (!(err instanceof TimeoutMarker)) throw err;
        this.log.debug('resending', { command: name, attempt, reason: err instanceof Error ? err.message : String(err) });
      }
    }
    if (!this.transport.isOpen || this.vanished()) throw this.unplugged();
    if (lastGarbled) throw new GarbledError(`ID card reader: 读卡器应答错误 / garbled replies to ${name} after ${attempts} attempt(s): ${lastGarbled.message}`);
    this.setStatus('offline', `no reply to ${name}`);
    throw new ReaderTimeoutError(name, timeoutMs, attempts);
  }

  private exchange(command: CommandName, timeoutMs: number, signal: AbortSignal | undefined): Promise<Reply> {
    const frame = FRAMES[command];
    return new Promise<Reply>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.waiter = undefined;
      };
      const onAbort = (): void => {
        done();
        reject(new CanceledError());
      };
      const timer = setTimeout(() => {
        done();
        reject(new TimeoutMarker());
      }, timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiter = {
        command,
        resolve: (r) => {
          done();
          resolve(r);
        },
        reject: (e) => {
          done();
          reject(e);
        },
      };
      this.bytesOut += frame.length;
      this.transport.write(frame).catch((err: unknown) => this.waiter?.reject(err instanceof Error ? err : new Error(String(err))));
    });
  }

  private receive(chunk: Uint8Array): void {
    this.bytesIn += chunk.length;
    for (const item of this.extractor.push(chunk)) {
      const w = this.waiter;
      if (!w) continue; // a reply nobody waits for (late, after a timeout): dropped
      if (item.kind === 'error') {
        w.reject(item.error);
        continue;
      }
      let reply: Reply;
      try {
        reply = decodeReply(item.body);
      } catch (err) {
        w.reject(err as Error);
        continue;
      }
      if (isStale(w.command, reply)) {
        this.log.debug('dropped a late reply', { command: w.command, sw3: reply.sw3 });
        continue;
      }
      w.resolve(reply);
    }
  }

  private unplugged(): UnpluggedError {
    const err = new UnpluggedError(this.path ?? this.transport.description);
    this.setStatus('unplugged', err.message);
    return err;
  }

  private closed(err: Error | undefined): void {
    if (err) {
      this.setStatus('unplugged', err.message);
      this.waiter?.reject(new UnpluggedError(this.transport.description));
    }
  }

  private setStatus(state: ReaderState, detail?: string): void {
    if (this.current.state === state && this.current.detail === detail) return;
    this.current = { state, ...(detail ? { detail } : {}), since: new Date() };
    if (state !== 'online') this.log.warn('reader status', { state, detail });
    for (const l of [...this.statusListeners]) l(this.current);
  }
}

/**
 * A reply that cannot answer `command`: the late answer to an earlier command (after its timeout). Replies
 * carry no command echo, so we go by shape: 9F and 80 answer only find; 90 has a data length per command.
 */
function isStale(command: CommandName, reply: Reply): boolean {
  const n = reply.data.length;
  if (reply.sw3 === SW3_CARD_FOUND || reply.sw3 === SW3_NO_CARD) return command !== 'find';
  if (reply.sw3 !== SW3_OK) return false;
  switch (command) {
    case 'find':
      return true;
    case 'select':
      return n !== 8;
    case 'samId':
      return n !== 16;
    case 'samStatus':
    case 'reset':
      return n !== 0;
    case 'read':
    case 'readWithFingerprint':
      return n < 4;
  }
}

/** Internal: an attempt that got no reply in time (becomes ReaderTimeoutError after the retries). */
class TimeoutMarker extends Error {}

function expectOk(reply: Reply, what: string): Reply {
  if (reply.sw3 !== SW3_OK) throw new Sw3Error(reply.sw3, what);
  return reply;
}

async function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) throw new CanceledError();
  try {
    await sleep(ms, undefined, signal ? { signal } : {});
  } catch {
    throw new CanceledError();
  }
}
