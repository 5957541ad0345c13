/**
 * Uploads files to the endpoint before the case entries that list them: `file.offer`, then chunks
 * from the offset the endpoint says it has durably committed (so an upload cut by a crash or a dropped
 * connection resumes where the endpoint's disk stopped, never from zero). Several files may be in
 * flight at once; together they keep at most `window.chunks` chunks unacknowledged on the connection.
 * One upload per file at a time.
 */
import type { Logger } from '../../base/log.js';
import { faultPoint } from '../faults.js';
import { LIMITS, type FileAckMessage, type FileRef, type FileRejectedMessage, type FileStatusMessage } from '../protocol/index.js';
import type { Connection } from './connection.js';

export type UploadResult =
  | { readonly kind: 'complete' }
  /** The connection closed: try again on the next one. */
  | { readonly kind: 'closed' }
  /** The endpoint refused the file (code from file.rejected). */
  | { readonly kind: 'rejected'; readonly code: string; readonly reason: string };

interface Active {
  readonly ref: FileRef;
  readonly bytes: Uint8Array;
  phase: 'offered' | 'sending';
  /** Next byte to send. */
  offset: number;
  /** What the endpoint holds durably. */
  committed: number;
  unacked: number;
  sentLast: boolean;
  settled: boolean;
  readonly resolve: (r: UploadResult) => void;
}

/** The connection's chunk window: slots shared by every upload. */
class ChunkWindow {
  private used = 0;
  private closed = false;
  private readonly waiters: (() => void)[] = [];

  constructor(private readonly size: number) {}

  /** Resolves true with a slot, or false once the connection closed. */
  async acquire(): Promise<boolean> {
    while (!this.closed && this.used >= this.size) await new Promise<void>((resolve) => this.waiters.push(resolve));
    if (this.closed) return false;
    this.used++;
    return true;
  }

  release(n = 1): void {
    this.used = Math.max(0, this.used - n);
    for (let i = 0; i < n && this.waiters.length > 0; i++) this.waiters.shift()!();
  }

  close(): void {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w();
  }
}

export class FileUploader {
  private readonly active = new Map<string, Active>();
  private readonly window: ChunkWindow;

  constructor(
    private readonly conn: Connection,
    windowChunks: number,
    /** Reports a protocol breach by the endpoint (the session closes the connection). */
    private readonly violation: (why: string) => void,
    private readonly log: Logger,
  ) {
    this.window = new ChunkWindow(Math.max(1, windowChunks));
  }

  upload(ref: FileRef, bytes: Uint8Array): Promise<UploadResult> {
    if (this.active.has(ref.sm3)) throw new Error('an upload of this file is already running');
    return new Promise((resolve) => {
      const a: Active = { ref, bytes, phase: 'offered', offset: 0, committed: 0, unacked: 0, sentLast: false, settled: false, resolve };
      this.active.set(ref.sm3, a);
      const { sm3, size, mediaType } = ref;
      if (!this.conn.send({ type: 'file.offer', sm3, size, mediaType })) this.settle(a, { kind: 'closed' });
    });
  }

  /** Routes file.status / file.ack / file.rejected here. */
  onReply(msg: FileStatusMessage | FileAckMessage | FileRejectedMessage): void {
    const a = this.active.get(msg.sm3);
    if (!a) {
      // Late acks or rejections of an upload already settled (a rejection ends it) are harmless.
      if (msg.type === 'file.status') this.breach(null, `file.status for a file not offered (${msg.sm3.slice(0, 12)})`);
      return;
    }
    const size = a.ref.size;
    if (msg.type === 'file.rejected') return this.settle(a, { kind: 'rejected', code: msg.code, reason: msg.reason });
    if (msg.type === 'file.status') {
      if (a.phase !== 'offered') return this.breach(a, 'a second file.status during an upload');
      if (msg.complete) return this.settle(a, { kind: 'complete' });
      if (msg.committed > size) return this.breach(a, 'file.status beyond the file size');
      if (msg.committed > 0) this.log.debug('resuming a file upload', { sm3: msg.sm3, from: msg.committed, size });
      a.phase = 'sending';
      a.offset = a.committed = msg.committed;
      this.send(a).catch((err: unknown) => this.breach(a, `upload failed: ${String(err)}`));
      return;
    }
    if (a.phase !== 'sending' || a.unacked === 0) return this.breach(a, 'a file.ack for no chunk in flight');
    if (msg.committed < a.committed || msg.committed > size) return this.breach(a, 'file.ack with a committed offset out of order');
    a.unacked--;
    this.window.release();
    a.committed = msg.committed;
    if (msg.complete) return this.settle(a, { kind: 'complete' });
    // Every chunk acknowledged and still incomplete: the endpoint verifies on the last chunk, so this is a breach.
    if (a.unacked === 0 && a.sentLast) this.breach(a, 'every chunk acknowledged but the file is not complete');
  }

  /** The connection closed: every upload gives up (and is retried on the next connection). */
  closeAll(): void {
    this.window.close();
    for (const a of [...this.active.values()]) this.settle(a, { kind: 'closed' });
  }

  /** Sends the chunks of one file as window slots free up; a zero-length file is one empty, last chunk. */
  private async send(a: Active): Promise<void> {
    const { sm3, size } = a.ref;
    while (!a.settled && !a.sentLast) {
      if (!(await this.window.acquire())) return;
      if (a.settled) {
        this.window.release();
        return;
      }
      const end = Math.min(size, a.offset + LIMITS.maxChunkBytes);
      const last = end >= size;
      if (!this.conn.sendChunk({ sm3, offset: a.offset, last }, a.bytes.subarray(a.offset, end))) {
        this.window.release();
        return this.settle(a, { kind: 'closed' });
      }
      a.unacked++;
      a.sentLast = last;
      a.offset = end;
      faultPoint('kiosk.midChunk');
      // Keep the socket's buffer bounded; the window bounds what the endpoint holds.
      if (!last) await this.conn.drained(4 * LIMITS.maxChunkBytes);
    }
  }

  private breach(a: Active | null, why: string): void {
    if (a) this.settle(a, { kind: 'closed' });
    this.violation(why);
  }

  private settle(a: Active, r: UploadResult): void {
    if (a.settled) return;
    a.settled = true;
    this.active.delete(a.ref.sm3);
    this.window.release(a.unacked);
    a.unacked = 0;
    a.resolve(r);
  }
}
