/**
 * Hand-driven peers for the hostile-peer tests: a `ws` client that sends whatever it is told (no
 * validation, no protocol logic) and records what comes back, and a raw TCP WebSocket client that
 * writes its own frames and can stop reading altogether (the slow reader).
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { WebSocket } from 'ws';

export type Received = { text: string; json: Record<string, unknown> | undefined } | { binary: Buffer };

export interface Closed {
  code: number;
  reason: string;
}

/** A ws client that sends anything and keeps every frame it receives, in order. */
export class Peer {
  readonly received: Received[] = [];
  readonly closed: Promise<Closed>;
  private waiters: (() => void)[] = [];
  private isClosed = false;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      if (isBinary) this.received.push({ binary: buf });
      else {
        const text = buf.toString('utf8');
        let json: Record<string, unknown> | undefined;
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          json = undefined;
        }
        this.received.push({ text, json });
      }
      this.wake();
    });
    // A peer that misbehaves may see its socket reset: that is an outcome, not a test failure.
    ws.on('error', () => {});
    this.closed = new Promise((resolve) =>
      ws.once('close', (code, reason) => {
        this.isClosed = true;
        this.wake();
        resolve({ code, reason: reason.toString('utf8') });
      }),
    );
  }

  static open(url: string, options: { maxPayload?: number } = {}): Promise<Peer> {
    // The peer itself accepts anything the server sends, however large.
    const ws = new WebSocket(url, { maxPayload: options.maxPayload ?? 64 * 1024 * 1024 });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new Peer(ws)));
      ws.once('error', reject);
    });
  }

  send(data: string | Buffer | object): void {
    if (typeof data === 'string' || Buffer.isBuffer(data)) this.ws.send(data);
    else this.ws.send(JSON.stringify(data));
  }

  /** Resolves once a received JSON message matches `pred` (searching from the start); rejects after `ms` or on close. */
  async waitFor(pred: (m: Record<string, unknown>) => boolean, ms = 10_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = this.received.find((r): r is { text: string; json: Record<string, unknown> } => 'json' in r && r.json !== undefined && pred(r.json));
      if (hit) return hit.json;
      if (this.isClosed) throw new Error(`closed before the expected message; received: ${this.describe()}`);
      if (Date.now() > deadline) throw new Error(`no expected message within ${ms} ms; received: ${this.describe()}`);
      await this.nextEvent(deadline - Date.now());
    }
  }

  /** Resolves when a message of `type` arrived. */
  waitType(type: string, ms?: number): Promise<Record<string, unknown>> {
    return this.waitFor((m) => m.type === type, ms);
  }

  /** The JSON messages received so far. */
  messages(): Record<string, unknown>[] {
    return this.received.flatMap((r) => ('json' in r && r.json !== undefined ? [r.json] : []));
  }

  /** Resolves with the close (code, reason), or rejects after `ms`. */
  async waitClosed(ms = 15_000): Promise<Closed> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.closed,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`not closed within ${ms} ms; received: ${this.describe()}`)), ms);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  terminate(): void {
    this.ws.terminate();
  }

  private describe(): string {
    return JSON.stringify(this.received.map((r) => ('binary' in r ? `<binary ${r.binary.length}>` : r.text.slice(0, 200)))).slice(0, 2000);
  }

  private nextEvent(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, Math.max(1, ms));
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

/** A chunk frame built by hand, whatever its size (encodeChunk refuses to make an oversized one). */
export function chunkFrame(header: object, data: Buffer): Buffer {
  const json = Buffer.from(JSON.stringify(header));
  const frame = Buffer.alloc(4 + json.length + data.length);
  frame.writeUInt32BE(json.length, 0);
  json.copy(frame, 4);
  data.copy(frame, 4 + json.length);
  return frame;
}

/** One client-to-server frame (masked, as RFC 6455 requires of a client). */
export function clientFrame(opcode: number, payload: Buffer, fin = true): Buffer {
  const mask = randomBytes(4);
  const len = payload.length;
  const head = len < 126 ? Buffer.alloc(2) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  head[0] = (fin ? 0x80 : 0) | opcode;
  if (len < 126) head[1] = 0x80 | len;
  else if (len < 65536) {
    head[1] = 0x80 | 126;
    head.writeUInt16BE(len, 2);
  } else {
    head[1] = 0x80 | 127;
    head.writeBigUInt64BE(BigInt(len), 2);
  }
  const body = Buffer.alloc(len);
  for (let i = 0; i < len; i++) body[i] = payload[i]! ^ mask[i & 3]!;
  return Buffer.concat([head, mask, body]);
}

/**
 * A WebSocket client on a bare TCP socket: it completes the handshake, then writes the frames it is
 * given and reads only when told to — `stopReading()` leaves everything the server sends in the kernel
 * buffers, which is what a stuck kiosk looks like to the server.
 */
export class RawClient {
  private constructor(
    readonly socket: Socket,
    private leftover: Buffer,
  ) {}

  /** The bytes received after the handshake (while reading). */
  get bytesAfterHandshake(): number {
    return this.leftover.length;
  }

  static open(url: string): Promise<RawClient> {
    const u = new URL(url);
    const key = randomBytes(16).toString('base64');
    return new Promise((resolve, reject) => {
      const socket = connect({ host: u.hostname, port: Number(u.port) });
      let buf = Buffer.alloc(0);
      const onData = (d: Buffer): void => {
        buf = Buffer.concat([buf, d]);
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.off('data', onData);
        const head = buf.subarray(0, end).toString('latin1');
        if (!/^HTTP\/1\.1 101 /.test(head)) {
          socket.destroy();
          reject(new Error(`handshake refused: ${head.split('\r\n')[0]}`));
          return;
        }
        const client = new RawClient(socket, buf.subarray(end + 4));
        socket.on('data', (more: Buffer) => {
          client.leftover = Buffer.concat([client.leftover, more]);
        });
        resolve(client);
      };
      socket.on('data', onData);
      socket.once('error', reject);
      socket.once('connect', () =>
        socket.write(
          `GET ${u.pathname} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` + `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        ),
      );
    });
  }

  sendText(text: string): void {
    this.socket.write(clientFrame(0x1, Buffer.from(text, 'utf8')));
  }

  sendBinary(data: Buffer): void {
    this.socket.write(clientFrame(0x2, data));
  }

  /** Reads nothing more: the server's frames pile up in the kernel's buffers, then in the server's. */
  stopReading(): void {
    this.socket.pause();
  }

  /** Resolves when the server ends or resets the TCP connection (a paused socket still sees the reset). */
  ended(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve();
      this.socket.once('close', () => resolve());
    });
  }

  destroy(): void {
    this.socket.destroy();
  }
}
