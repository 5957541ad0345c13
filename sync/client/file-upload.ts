/**
 * Uploads one file to the endpoint before the case entry that lists it: `file.offer`, then chunks from
 * the offset the endpoint says it has durably committed (so an upload cut by a crash or a dropped
 * connection resumes where the endpoint's disk stopped, never from zero), with at most `window` chunks
 * unacknowledged. One upload per file at a time on a connection.
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

type Reply = FileStatusMessage | FileAckMessage | FileRejectedMessage | null;

interface Active {
  readonly ref: FileRef;
  /** Replies not yet consumed by the upload loop. */
  readonly replies: Reply[];
  wake: (() => void) | null;
}

export class FileUploader {
  private readonly active = new Map<string, Active>();

  constructor(
    private readonly conn: Connection,
    private readonly windowChunks: number,
    /** Reports a protocol breach by the endpoint (the session closes the connection). */
    private readonly violation: (why: string) => void,
    private readonly log: Logger,
  ) {}

  /** Routes file.status / file.ack / file.rejected here. */
  onReply(msg: FileStatusMessage | FileAckMessage | FileRejectedMessage): void {
    const a = this.active.get(msg.sm3);
    if (!a) {
      // A late file.ack after a rejection we already acted on is harmless; anything else is a breach.
      if (msg.type === 'file.status') this.violation(`file.status for a file not offered (${msg.sm3.slice(0, 12)})`);
      return;
    }
    a.replies.push(msg);
    a.wake?.();
  }

  /** The connection closed: every waiting upload gives up (and is retried on the next connection). */
  closeAll(): void {
    for (const a of this.active.values()) {
      a.replies.push(null);
      a.wake?.();
    }
  }

  async upload(ref: FileRef, bytes: Uint8Array): Promise<UploadResult> {
    if (this.active.has(ref.sm3)) throw new Error('an upload of this file is already running');
    const a: Active = { ref, replies: [], wake: null };
    this.active.set(ref.sm3, a);
    try {
      return await this.run(a, bytes);
    } finally {
      this.active.delete(ref.sm3);
    }
  }

  private async run(a: Active, bytes: Uint8Array): Promise<UploadResult> {
    const { sm3, size, mediaType } = a.ref;
    if (!this.conn.send({ type: 'file.offer', sm3, size, mediaType })) return { kind: 'closed' };
    const status = await this.next(a);
    if (status === null) return { kind: 'closed' };
    if (status.type === 'file.rejected') return { kind: 'rejected', code: status.code, reason: status.reason };
    if (status.type !== 'file.status') {
      this.violation('file.ack before file.status');
      return { kind: 'closed' };
    }
    if (status.complete) return { kind: 'complete' };
    if (status.committed > size) {
      this.violation('file.status beyond the file size');
      return { kind: 'closed' };
    }
    if (status.committed > 0) this.log.debug('resuming a file upload', { sm3, from: status.committed, size });
    let offset = status.committed;
    let committed = status.committed;
    let unacked = 0;
    let sentLast = false;
    const window = Math.max(1, this.windowChunks);
    for (;;) {
      // Send while the window allows; a zero-length file is one empty, last chunk.
      while (unacked < window && !sentLast) {
        const end = Math.min(size, offset + LIMITS.maxChunkBytes);
        sentLast = end >= size;
        if (!this.conn.sendChunk({ sm3, offset, last: sentLast }, bytes.subarray(offset, end))) return { kind: 'closed' };
        unacked++;
        faultPoint('kiosk.midChunk');
        offset = end;
        // Keep the socket's buffer bounded; the window bounds what the endpoint holds.
        if (!sentLast) await this.conn.drained(4 * LIMITS.maxChunkBytes);
      }
      const reply = await this.next(a);
      if (reply === null) return { kind: 'closed' };
      if (reply.type === 'file.rejected') return { kind: 'rejected', code: reply.code, reason: reply.reason };
      if (reply.type === 'file.status') {
        this.violation('a second file.status during an upload');
        return { kind: 'closed' };
      }
      if (reply.committed < committed || reply.committed > size || unacked === 0) {
        this.violation('file.ack out of order');
        return { kind: 'closed' };
      }
      committed = reply.committed;
      unacked--;
      if (reply.complete) return { kind: 'complete' };
      if (unacked === 0 && sentLast) {
        // Every chunk acknowledged and the endpoint still says incomplete: a breach (it verifies on the last chunk).
        this.violation('every chunk acknowledged but the file is not complete');
        return { kind: 'closed' };
      }
    }
  }

  private next(a: Active): Promise<Reply> {
    const r = a.replies.shift();
    if (r !== undefined) return Promise.resolve(r);
    return new Promise((resolve) => {
      a.wake = () => {
        a.wake = null;
        resolve(a.replies.shift() ?? null);
      };
    });
  }
}
