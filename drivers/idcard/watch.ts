/**
 * Watch mode: polls the reader and reports what happens at it, for a kiosk screen that reacts to a card
 * being put down rather than to a button.
 *
 * Events: card-inserted, card-read (with the card), card-error (a read that failed: code and message),
 * card-removed, and status (unplugged / offline / online) when the reader goes away or comes back.
 * A card is read once while it stays on the reader; taking it off and putting it back reads it again.
 * After an unplug the watcher waits for the port to come back, reopens it and carries on.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DeviceError } from '../../base/errors.js';
import { silentLogger, type Logger } from '../../base/log.js';
import type { IdCard } from './base-info.js';
import type { IdCardReader, ReaderState } from './reader.js';

export type WatchEvent =
  | { readonly type: 'card-inserted' }
  | { readonly type: 'card-read'; readonly card: IdCard }
  | { readonly type: 'card-error'; readonly code: string; readonly message: string }
  | { readonly type: 'card-removed' }
  | { readonly type: 'status'; readonly state: ReaderState; readonly detail?: string };

export interface WatchOptions {
  /** Pause between polls; default 200 ms. */
  readonly intervalMs?: number;
  readonly withFingerprint?: boolean;
  readonly log?: Logger;
}

export class IdCardWatcher {
  private readonly listeners = new Set<(e: WatchEvent) => void>();
  private readonly log: Logger;
  private readonly intervalMs: number;
  private abort = new AbortController();
  private loop: Promise<void> | undefined;
  private present = false;
  private reported: ReaderState | undefined;

  constructor(
    private readonly reader: IdCardReader,
    private readonly options: WatchOptions = {},
  ) {
    this.log = (options.log ?? silentLogger).child({ component: 'drivers.idcard.watch' });
    this.intervalMs = options.intervalMs ?? 200;
  }

  onEvent(listener: (e: WatchEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts polling (the reader may be open or not; it is opened as needed). */
  start(): void {
    if (this.loop) return;
    this.abort = new AbortController();
    this.loop = this.run(this.abort.signal);
  }

  /** Stops polling; resolves when the current poll has finished. The reader stays as it is. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    this.loop = undefined;
  }

  private emit(e: WatchEvent): void {
    if (e.type !== 'card-read') this.log.debug('watch event', { type: e.type });
    for (const l of [...this.listeners]) l(e);
  }

  private status(state: ReaderState, detail?: string): void {
    if (this.reported === state) return;
    this.reported = state;
    this.emit({ type: 'status', state, ...(detail ? { detail } : {}) });
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.poll(signal);
      } catch (err) {
        if (signal.aborted) break;
        await this.failed(err);
      }
      try {
        await sleep(this.intervalMs, undefined, { signal });
      } catch {
        break;
      }
    }
  }

  private async poll(signal: AbortSignal): Promise<void> {
    if (!this.reader.isOpen) {
      await this.reader.open({ signal }); // throws device.unplugged while the port is missing
      this.status('online');
    }
    const found = await this.reader.findCard({ signal });
    if (this.reported !== 'online') this.status('online');
    if (!found) {
      if (this.present) {
        this.present = false;
        this.emit({ type: 'card-removed' });
      }
      return;
    }
    if (this.present) return; // the same card, still there: read once
    this.present = true;
    this.emit({ type: 'card-inserted' });
    try {
      const card = await this.reader.readFoundCard({ signal, ...(this.options.withFingerprint ? { withFingerprint: true } : {}) });
      this.emit({ type: 'card-read', card });
    } catch (err) {
      if (!(err instanceof DeviceError) || ['device.unplugged', 'device.timeout', 'device.canceled'].includes(err.code)) throw err;
      // The card stays "present": it is read again once it is taken off and put back.
      this.emit({ type: 'card-error', code: err.code, message: err.message });
    }
  }

  private async failed(err: unknown): Promise<void> {
    const code = err instanceof DeviceError ? err.code : 'device.error';
    const message = err instanceof Error ? err.message : String(err);
    if (this.present) {
      this.present = false;
      this.emit({ type: 'card-removed' });
    }
    if (code === 'device.unplugged' || code === 'device.openFailed') this.status('unplugged', message);
    else if (code === 'device.timeout') this.status('offline', message);
    else this.status('error', message);
    // Reopen from scratch next time: after a pulled cable the old port is dead even if the path is back.
    // A reader that only went quiet (device.timeout) keeps its port: polling goes on until it answers.
    if (code === 'device.unplugged') await this.reader.close().catch(() => undefined);
  }
}
