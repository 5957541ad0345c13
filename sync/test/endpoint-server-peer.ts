/**
 * A kiosk speaking the sync protocol by hand over a real `ws` client, for the endpoint server's tests:
 * every frame the endpoint sends is decoded (and so validated) with sync/protocol's
 * decodeEndpointMessage, and kept in arrival order until a test takes it.
 */
import { WebSocket } from 'ws';
import { canonicalJson } from '../../certs/pdf/templates/reference.js';
import { sm3Hex } from '../../certs/sm3.js';
import { LIMITS, PROTOCOL_VERSION, decodeEndpointMessage, encodeChunk, type EndpointMessage } from '../protocol/index.js';

export type Received = EndpointMessage;

export class Peer {
  private readonly inbox: Received[] = [];
  private waiter: (() => void) | null = null;
  readonly closed: Promise<{ code: number; reason: string }>;
  closeCode: number | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      this.inbox.push(decodeEndpointMessage(data as Buffer, isBinary));
      this.wake();
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeCode = code;
        this.wake();
        resolve({ code, reason: reason.toString() });
      });
    });
    ws.on('error', () => {});
  }

  static connect(url: string, options: { ca?: string | Buffer } = {}): Promise<Peer> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { maxPayload: LIMITS.maxFrameBytes, ...(options.ca === undefined ? {} : { ca: options.ca }) });
      const peer = new Peer(ws);
      ws.once('open', () => resolve(peer));
      ws.once('error', reject);
    });
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  /** Sends a JSON message (v filled in). */
  send(msg: Record<string, unknown>): void {
    this.ws.send(JSON.stringify({ v: PROTOCOL_VERSION, ...msg }));
  }

  chunk(sm3: string, offset: number, data: Uint8Array, last: boolean): void {
    this.ws.send(encodeChunk({ sm3, offset, last }, data), { binary: true });
  }

  /** The first message of `type` received and not yet taken (others stay); throws when the connection closes first. */
  async next<T extends Received['type']>(type: T): Promise<Extract<Received, { type: T }>> {
    for (;;) {
      const i = this.inbox.findIndex((m) => m.type === type);
      if (i >= 0) return this.inbox.splice(i, 1)[0] as Extract<Received, { type: T }>;
      if (this.closeCode !== null) throw new Error(`closed (${this.closeCode}) before a ${type} message; had ${this.inbox.map((m) => m.type).join(',')}`);
      await new Promise<void>((r) => (this.waiter = r));
    }
  }

  /** Messages received and not taken, without waiting. */
  pending(): Received[] {
    return [...this.inbox];
  }

  /** Waits for the close and returns the last error message received before it, if any. */
  async closedWithError(): Promise<{ code: number; error: Extract<Received, { type: 'error' }> | undefined }> {
    const { code } = await this.closed;
    const error = [...this.inbox].reverse().find((m) => m.type === 'error') as Extract<Received, { type: 'error' }> | undefined;
    return { code, error };
  }

  close(): Promise<unknown> {
    if (this.closeCode === null) this.ws.close();
    return this.closed;
  }
}

/** A valid `case.submitted` entry: content hashed as the kiosk does. */
export function submitted(seq: number, caseId: string, extra: Record<string, unknown> = {}, region = '310000') {
  // The serial follows the case, not the seq: the same case sent under another seq is the same content.
  const serial = `S-${caseId.slice(0, 8)}`;
  const content = { id: caseId, itemCode: 'demo.item', serial, ...extra };
  return {
    seq,
    caseId,
    region,
    kind: 'case.submitted',
    payload: { serial, contentHash: sm3Hex(canonicalJson(content)), content },
  };
}
