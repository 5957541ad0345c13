/**
 * Endpoint events (status changes with result documents, catalog updates), one `events` message at a
 * time in arrival order: result files the kiosk lacks are fetched first (file.get), then the store
 * applies the whole message and advances the cursor in one local transaction, and only then is
 * `events.ack` sent. A crash in between leaves the cursor behind: the endpoint resends, and the store
 * skips event ids it already applied.
 */
import type { Logger } from '../../base/log.js';
import { faultPoint } from '../faults.js';
import type { EndpointEvent, EventsMessage } from '../protocol/index.js';
import type { Connection } from './connection.js';
import type { FileDownloader } from './file-download.js';
import type { KioskSyncStore } from './types.js';

export interface EventsOptions {
  readonly conn: Connection;
  readonly store: KioskSyncStore;
  readonly endpointUrl: string;
  readonly log: Logger;
  readonly downloader: FileDownloader;
  readonly onApplied: (n: number) => void;
  /** Something local failed (the store) or the endpoint misbehaved: the session closes with this error. */
  readonly fail: (why: string) => void;
}

export class EventsApplier {
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly o: EventsOptions) {}

  onEvents(msg: EventsMessage): void {
    this.chain = this.chain.then(() => this.apply(msg.events)).catch((err: unknown) => this.o.fail(`applying endpoint events failed: ${String(err)}`));
  }

  /** Resolves when every message received so far has been handled. */
  idle(): Promise<void> {
    return this.chain;
  }

  private async apply(events: readonly EndpointEvent[]): Promise<void> {
    const { conn, store } = this.o;
    if (!conn.isOpen || events.length === 0) return;
    const files = new Map<string, Uint8Array>();
    for (const e of events) {
      if (e.kind !== 'case.status') continue;
      for (const r of e.results) {
        if (files.has(r.sm3) || store.hasFile(r.sm3)) continue;
        const d = await this.o.downloader.fetch(r);
        if (d.kind === 'closed') return;
        if (d.kind === 'rejected') {
          this.o.fail(`the endpoint cannot serve result file ${r.sm3} (${d.code})`);
          return;
        }
        files.set(r.sm3, d.bytes);
      }
    }
    // Applied even if the connection dropped meanwhile: the cursor moves on and the next hello says so.
    store.applyEvents(this.o.endpointUrl, events, files);
    this.o.onApplied(events.length);
    faultPoint('kiosk.afterEventsCommit');
    const cursor = events[events.length - 1]!.cursor;
    conn.send({ type: 'events.ack', cursor });
    this.o.log.debug('endpoint events applied', { count: events.length, cursor });
  }
}
