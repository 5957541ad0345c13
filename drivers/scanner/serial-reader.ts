/**
 * A serial (or USB virtual COM) QR/barcode scanner over any ByteTransport: the streaming decoder of
 * serial-decoder.ts plus the inter-byte timer, status and reconnection.
 *
 * Status: 'online' while the transport is open; 'unplugged' when it closes with device.unplugged (the
 * serial transport watches the port path and closes itself when it vanishes); 'error' for other
 * failures. With `reconnectMs` > 0 (default 500) the reader then tries to reopen the transport at that
 * interval and goes back online when the device is back (a replugged scanner keeps working).
 */
import { isTongbanError, messageOf } from '../../base/errors.js';
import type { ByteTransport } from '../transport/types.js';
import { SerialCodeDecoder, type SerialDecoderOptions, type SerialDecoderOutput } from './serial-decoder.js';
import { ReaderEvents, type CodeListener, type ScannerErrorListener, type ScannerReader, type ScannerStatus, type StatusListener } from './status.js';

export interface SerialScannerOptions extends SerialDecoderOptions {
  /** A partial code with no byte for this long is ended (default 100 ms; at 9600 baud a byte is ~1 ms). */
  readonly interByteTimeoutMs?: number;
  /** What ends a partial code at the timeout: 'drop' (default, with a scanner.partial error) or 'flush'. */
  readonly onTimeout?: 'drop' | 'flush';
  /** Retry opening after an unplug every this many ms (default 500; 0: stay unplugged). */
  readonly reconnectMs?: number;
}

export class SerialScannerReader implements ScannerReader {
  readonly source: string;
  private readonly decoder: SerialCodeDecoder;
  private readonly events = new ReaderEvents();
  private timer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private closing = false;
  private readonly detach: Array<() => void> = [];

  constructor(
    private readonly transport: ByteTransport,
    private readonly options: SerialScannerOptions = {},
  ) {
    this.decoder = new SerialCodeDecoder(options);
    this.source = transport.description;
  }

  status(): ScannerStatus {
    return this.events.current;
  }
  onStatus(listener: StatusListener): () => void {
    return this.events.onStatus(listener);
  }
  onCode(listener: CodeListener): () => void {
    return this.events.onCode(listener);
  }
  onError(listener: ScannerErrorListener): () => void {
    return this.events.onError(listener);
  }

  async open(): Promise<void> {
    this.closing = false;
    this.detach.push(
      this.transport.onData((chunk) => this.receive(chunk)),
      this.transport.onClose((err) => this.closed(err)),
    );
    try {
      await this.transport.open();
    } catch (err) {
      this.detachAll();
      throw err;
    }
    this.events.setStatus('online');
  }

  async close(): Promise<void> {
    this.closing = true;
    this.clearTimers();
    this.detachAll();
    await this.transport.close();
    this.decoder.reset();
    this.events.setStatus('offline');
  }

  private receive(chunk: Uint8Array): void {
    this.emit(this.decoder.push(chunk));
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.decoder.busy) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.emit(this.decoder.expire(this.options.onTimeout ?? 'drop'));
      }, this.options.interByteTimeoutMs ?? 100);
    }
  }

  private emit(outputs: SerialDecoderOutput[]): void {
    for (const o of outputs) {
      if (o.kind === 'error') {
        this.events.error(o.error);
        continue;
      }
      this.events.code({
        text: o.text,
        ...(o.symbology ? { symbology: o.symbology } : {}),
        ...(o.aim ? { aim: o.aim } : {}),
        at: new Date().toISOString(),
        source: this.source,
      });
    }
  }

  private closed(err?: Error): void {
    if (this.closing) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.decoder.reset();
    const unplugged = isTongbanError(err) && err.code === 'device.unplugged';
    this.events.setStatus(unplugged ? 'unplugged' : err ? 'error' : 'offline', err ? messageOf(err) : undefined);
    const every = this.options.reconnectMs ?? 500;
    if (every > 0) this.scheduleReconnect(every);
  }

  private scheduleReconnect(every: number): void {
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.closing) return;
      this.transport.open().then(
        () => {
          if (this.closing) return void this.transport.close();
          this.events.setStatus('online');
        },
        () => this.scheduleReconnect(every),
      );
    }, every);
    this.reconnectTimer.unref();
  }

  private clearTimers(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.timer = this.reconnectTimer = undefined;
  }

  private detachAll(): void {
    for (const d of this.detach.splice(0)) d();
  }
}
