/**
 * Fetches a result document the kiosk does not hold yet (`file.get`): the endpoint streams it from the
 * offset asked for in chunks up to `last`. A download cut by a dropped connection keeps its bytes in
 * memory (`partials`, owned by the client across connections) and resumes from there. The bytes are
 * accepted only when their size and SM3 match the event's reference.
 */
import type { Logger } from '../../base/log.js';
import { sm3Hex } from '../../certs/sm3.js';
import type { FileChunkMessage, FileRef, FileRejectedMessage } from '../protocol/index.js';
import type { Connection } from './connection.js';

/** Bytes of downloads cut short, by SM3 (kept by the client between connections). */
export type PartialDownloads = Map<string, Buffer[]>;

export type DownloadResult =
  | { readonly kind: 'complete'; readonly bytes: Uint8Array }
  | { readonly kind: 'closed' }
  | { readonly kind: 'rejected'; readonly code: string; readonly reason: string };

interface Active {
  readonly ref: FileRef;
  received: number;
  resolve: (r: DownloadResult) => void;
}

export class FileDownloader {
  private active: Active | null = null;

  constructor(
    private readonly conn: Connection,
    private readonly partials: PartialDownloads,
    private readonly violation: (why: string) => void,
    private readonly log: Logger,
  ) {}

  /** One download at a time (events are applied one message after another). */
  fetch(ref: FileRef): Promise<DownloadResult> {
    if (this.active) throw new Error('a download is already running');
    const parts = this.partials.get(ref.sm3) ?? [];
    let received = parts.reduce((n, b) => n + b.length, 0);
    if (received > ref.size) {
      this.partials.delete(ref.sm3);
      received = 0;
    }
    if (!this.partials.has(ref.sm3)) this.partials.set(ref.sm3, []);
    if (received > 0) this.log.debug('resuming a file download', { sm3: ref.sm3, from: received, size: ref.size });
    return new Promise((resolve) => {
      this.active = { ref, received, resolve };
      if (!this.conn.send({ type: 'file.get', sm3: ref.sm3, offset: received })) this.settle({ kind: 'closed' });
    });
  }

  onChunk(msg: FileChunkMessage): void {
    const a = this.active;
    if (!a || msg.sm3 !== a.ref.sm3) return this.violation('a file chunk nobody asked for');
    if (msg.offset !== a.received) return this.violation('a file chunk at the wrong offset');
    if (a.received + msg.data.length > a.ref.size) return this.violation('a file chunk beyond the file size');
    // Copy: `data` is a view into the whole frame, header included.
    this.partials.get(a.ref.sm3)!.push(Buffer.from(msg.data));
    a.received += msg.data.length;
    if (!msg.last) return;
    const bytes = Buffer.concat(this.partials.get(a.ref.sm3)!);
    this.partials.delete(a.ref.sm3);
    if (bytes.length !== a.ref.size || sm3Hex(bytes) !== a.ref.sm3) {
      return this.violation('a downloaded file does not match its size or SM3');
    }
    this.settle({ kind: 'complete', bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length) });
  }

  onRejected(msg: FileRejectedMessage): boolean {
    const a = this.active;
    if (!a || msg.sm3 !== a.ref.sm3) return false;
    this.partials.delete(a.ref.sm3);
    this.settle({ kind: 'rejected', code: msg.code, reason: msg.reason });
    return true;
  }

  closeAll(): void {
    this.settle({ kind: 'closed' });
  }

  private settle(r: DownloadResult): void {
    const a = this.active;
    this.active = null;
    a?.resolve(r);
  }
}
