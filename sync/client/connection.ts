/**
 * One WebSocket to one endpoint: opens it (TLS trusting `ca` when given), decodes every frame with the
 * protocol's validating decoder and hands the client typed messages. Anything malformed from the
 * endpoint closes the connection with 4400 (4413 when oversize) — the client then backs off; nothing
 * is ever thrown out of a socket callback. `closed` resolves exactly once, whatever ended it.
 */
import WebSocket from 'ws';
import type { Logger } from '../../base/log.js';
import {
  CLOSE,
  LIMITS,
  closeCodeFor,
  decodeEndpointMessage,
  encodeChunk,
  encodeText,
  isProtocolError,
  type ChunkFields,
  type EndpointMessage,
  type KioskTextMessage,
  type Outgoing,
} from '../protocol/index.js';

export interface CloseInfo {
  /** The WebSocket close code (1006 when the socket died without one). */
  readonly code: number;
  readonly reason: string;
  /** Set when we closed because the endpoint broke the protocol or the socket failed. */
  readonly error: string | null;
}

export interface ConnectionOptions {
  url: string;
  ca?: string;
  log: Logger;
  /** Opening handshake (TCP + TLS + HTTP upgrade) must finish within this. */
  handshakeTimeoutMs?: number;
  onMessage: (msg: EndpointMessage) => void;
}

export class Connection {
  private readonly ws: WebSocket;
  private closeInfo: CloseInfo | null = null;
  private resolveClosed!: (info: CloseInfo) => void;
  /** Resolves once when the socket is closed, for any reason. */
  readonly closed: Promise<CloseInfo>;
  /** Resolves when the socket is open; never rejects (a failure resolves `closed` instead). */
  readonly opened: Promise<boolean>;
  private pendingError: string | null = null;
  private lastReceivedAt = Date.now();
  private readonly drainWaiters = new Set<() => void>();

  constructor(private readonly o: ConnectionOptions) {
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    this.ws = new WebSocket(o.url, {
      maxPayload: LIMITS.maxFrameBytes,
      handshakeTimeout: o.handshakeTimeoutMs ?? 10_000,
      perMessageDeflate: false,
      ...(o.ca ? { ca: o.ca } : {}),
    });
    this.opened = new Promise((resolve) => {
      this.ws.once('open', () => resolve(true));
      void this.closed.then(() => resolve(false));
    });
    this.ws.on('message', (data, isBinary) => this.receive(data, isBinary));
    this.ws.on('pong', () => (this.lastReceivedAt = Date.now()));
    this.ws.on('error', (err) => {
      // ws emits 'close' after 'error'; remember why.
      this.pendingError ??= socketError(err);
    });
    this.ws.on('close', (code, reason) => {
      this.finish({ code, reason: reason.toString('utf8').slice(0, 200), error: this.pendingError });
    });
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN && this.closeInfo === null;
  }

  /** Bytes queued in the socket and not yet written. */
  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  /** Milliseconds since a frame (or pong) last came from the endpoint. */
  silenceMs(now = Date.now()): number {
    return now - this.lastReceivedAt;
  }

  send(msg: Outgoing<KioskTextMessage>): boolean {
    if (!this.isOpen) return false;
    this.ws.send(encodeText(msg), { binary: false }, (err) => this.onSendDone(err));
    return true;
  }

  sendChunk(header: ChunkFields, data: Uint8Array): boolean {
    if (!this.isOpen) return false;
    this.ws.send(encodeChunk(header, data), { binary: true }, (err) => this.onSendDone(err));
    return true;
  }

  ping(): void {
    if (!this.isOpen) return;
    try {
      this.ws.ping();
    } catch {
      // The socket is closing; 'close' follows.
    }
  }

  /** Resolves once the send buffer is below `bytes` (or the connection closed): back-pressure for uploads. */
  async drained(bytes: number): Promise<void> {
    while (this.isOpen && this.ws.bufferedAmount > bytes) {
      await new Promise<void>((resolve) => {
        // ws has no 'drain' event on the WebSocket; poll the buffer gently (a close ends the wait at once).
        const done = (): void => {
          clearTimeout(timer);
          this.drainWaiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, 5);
        this.drainWaiters.add(done);
      });
    }
  }

  /** Closes with a code; the socket is terminated if the close handshake does not finish quickly. */
  close(code: number, reason: string, error: string | null = null): void {
    if (this.closeInfo) return;
    this.pendingError ??= error;
    try {
      if (this.ws.readyState === WebSocket.CONNECTING) {
        this.ws.terminate();
      } else {
        this.ws.close(code, reason.slice(0, 120));
        const t = setTimeout(() => this.ws.terminate(), 1000);
        t.unref();
        void this.closed.then(() => clearTimeout(t));
      }
    } catch {
      this.ws.terminate();
    }
  }

  /** Drops the socket at once (no close handshake). */
  terminate(error: string | null = null): void {
    this.pendingError ??= error;
    this.ws.terminate();
  }

  private receive(data: WebSocket.RawData, isBinary: boolean): void {
    if (this.closeInfo) return;
    this.lastReceivedAt = Date.now();
    let msg: EndpointMessage;
    try {
      msg = decodeEndpointMessage(toBuffer(data), isBinary);
    } catch (err) {
      const code = isProtocolError(err) ? closeCodeFor(err) : CLOSE.protocol;
      const why = isProtocolError(err) ? `${err.code}: ${err.message}` : 'undecodable message';
      this.o.log.warn('malformed message from the endpoint', { error: why });
      this.close(code, 'malformed message', `endpoint sent a malformed message (${why})`);
      return;
    }
    try {
      this.o.onMessage(msg);
    } catch (err) {
      // A handler bug must not escape into ws (it would be an uncaught exception).
      this.o.log.error('sync client handler failed', { error: String(err) });
      this.close(1011, 'client error', `client error: ${String(err)}`);
    }
  }

  private onSendDone(err: Error | undefined | null): void {
    if (err) this.pendingError ??= socketError(err);
  }

  private finish(info: CloseInfo): void {
    if (this.closeInfo) return;
    this.closeInfo = info;
    for (const w of [...this.drainWaiters]) w();
    this.resolveClosed(info);
  }
}

function toBuffer(data: WebSocket.RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function socketError(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code ? `${code}: ${err.message}` : err.message;
}
