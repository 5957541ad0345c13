/**
 * One kiosk's WebSocket connection to the endpoint: the protocol's order (enroll? → hello → anything),
 * every frame validated by sync/protocol before it is looked at, cases committed durably in the store
 * BEFORE their `ack` is sent, resumable uploads, downloads with backpressure, and the endpoint's events
 * pushed after the kiosk's cursor with a bounded number in flight.
 *
 * A hostile or broken peer (malformed, oversized, out-of-order, replayed, flooding, not reading) gets a
 * fatal `error` message and a close code, and nothing else happens: every handler is guarded, the store
 * is only ever touched through its transactions, and the server goes on serving the others.
 *
 * The store is synchronous (better-sqlite3), so each frame is handled to completion before the next one:
 * the order of the kiosk's messages is the order of their effects, and an `ack` always follows its commit.
 */
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';
import type { WebSocket } from 'ws';
import type { Logger } from '../../base/log.js';
import { messageOf } from '../../base/errors.js';
import { faultPoint } from '../faults.js';
import {
  CLOSE,
  LIMITS,
  PROTOCOL_VERSION,
  closeCodeFor,
  decodeKioskMessage,
  encodeChunk,
  encodeText,
  isProtocolError,
  type EndpointEvent,
  type EndpointTextMessage,
  type KioskMessage,
} from '../protocol/index.js';
import type { EndpointStore, KioskRecord } from './store/index.js';
import { FileRejected } from './store/errors.js';
import { TokenBucket } from './rate-limit.js';

/** The numbers a session works by; the defaults suit a hall's kiosks, tests and benches may tighten them. */
export interface SessionLimits {
  /** A connection that has not said hello by then is closed (it would hold a socket for nothing). */
  readonly helloTimeoutMs: number;
  /** Unacknowledged events pushed to one kiosk at most. */
  readonly maxEventsInFlight: number;
  /** Told to the kiosk in `welcome`. */
  readonly windowEntries: number;
  readonly windowChunks: number;
  /** A peer that leaves more than this unread in its socket... */
  readonly slowReaderBytes: number;
  /** ...for longer than this is closed with CLOSE.slowReader. */
  readonly slowReaderMs: number;
  /** Messages per second a connection may send, and the burst above that. */
  readonly messagesPerSecond: number;
  readonly messageBurst: number;
  /** A download waits while more than this is buffered in the socket. */
  readonly downloadHighWater: number;
  /** After a close is started, the socket is destroyed if the peer has not completed it by then. */
  readonly closeGraceMs: number;
  /** How often a connected kiosk's enrolment is checked again (revoked meanwhile: closed 4403). */
  readonly revokeCheckMs: number;
  /** Connections that have not said hello yet, at most (more are answered 503 at the upgrade). */
  readonly maxUnauthenticated: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = {
  helloTimeoutMs: 15_000,
  maxEventsInFlight: 1000,
  windowEntries: 1000,
  windowChunks: 8,
  slowReaderBytes: 8 * 1024 * 1024,
  slowReaderMs: 5000,
  messagesPerSecond: 1000,
  messageBurst: 2000,
  downloadHighWater: 1024 * 1024,
  closeGraceMs: 2000,
  maxUnauthenticated: 512,
  revokeCheckMs: 2000,
};

/** What a session needs from the server it belongs to. */
export interface SessionHost {
  readonly store: EndpointStore;
  readonly log: Logger;
  readonly endpointId: string;
  readonly regions: readonly string[];
  readonly heartbeatMs: number;
  readonly limits: SessionLimits;
  /** Called once the kiosk is authenticated: the server closes an older session of the same kiosk. */
  authenticated(session: KioskSession): void;
  /** Called once when the socket has closed. */
  closed(session: KioskSession): void;
}

/** Files offered on one connection that are remembered (the oldest forgotten first). */
const MAX_OFFERS = 10_000;

/** file.get requests waiting for their turn on one connection, at most. */
const MAX_QUEUED_DOWNLOADS = 64;

type State = 'new' | 'enrolled' | 'ready' | 'closing';

/** An upload the kiosk offered on this connection: chunks for anything else are out of order. */
interface Offer {
  readonly size: number;
}

/** Cursors are decimal strings of positive integers; the store's event ids are safe integers. */
function cursorNumber(cursor: string): number {
  const n = Number(cursor);
  return Number.isSafeInteger(n) ? n : Number.MAX_SAFE_INTEGER;
}

export class KioskSession {
  kioskId: string | null = null;
  private state: State = 'new';
  private readonly offers = new Map<string, Offer>();
  /** Cursors of events sent and not yet acknowledged, ascending. */
  private readonly inFlight: number[] = [];
  /** The highest cursor sent (or the hello cursor): the next push starts after it. */
  private sentCursor: string | null = null;
  /** The highest cursor the kiosk acknowledged (its hello cursor to begin with). */
  private ackedCursor = 0;
  private readonly bucket: TokenBucket;
  private readonly timers: NodeJS.Timeout[] = [];
  private slowSince: number | null = null;
  /** Frames handed to ws whose write has not completed, and when one last did (performance.now()). */
  private unwritten = 0;
  private lastProgress = 0;
  private lastHeartbeat = -Infinity;
  private lastTouch = 0;
  private lastRevokeCheck = 0;
  private downloads: Promise<void> = Promise.resolve();
  private queuedDownloads = 0;
  private readonly log: Logger;
  /** Resolves once the socket has closed. */
  readonly done: Promise<void>;
  private resolveDone!: () => void;

  constructor(
    private readonly ws: WebSocket,
    private readonly host: SessionHost,
    readonly address: string,
    /** The connection under the WebSocket (a slow reader's is reset). */
    private readonly socket: Duplex,
  ) {
    this.log = host.log;
    this.bucket = new TokenBucket(host.limits.messageBurst, host.limits.messagesPerSecond);
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    ws.on('message', (data, isBinary) => this.onFrame(data as Buffer, isBinary));
    ws.on('error', (err) => {
      // ws reports a frame over maxPayload, bad UTF-8 and the like here and closes the socket itself (1009, 1007).
      this.log.warn('kiosk socket error', { kioskId: this.kioskId, code: (err as { code?: string }).code, err: err.message });
    });
    ws.on('close', (code) => this.onClose(code));
    this.timers.push(
      setTimeout(() => {
        if (this.state === 'new' || this.state === 'enrolled') this.fail('protocol.timeout', 'no hello in time', CLOSE.protocol);
      }, host.limits.helloTimeoutMs),
    );
  }

  /** Has not said hello yet (and is not closing). */
  get unauthenticated(): boolean {
    return this.state === 'new' || this.state === 'enrolled';
  }

  /** Closes with 1001 and a fatal error saying why (the endpoint shuts down, or this kiosk connected again). */
  shutdown(code: string, message: string): void {
    this.fail(code, message, CLOSE.shutdown, 1000);
  }

  /** Pushes events the kiosk has not been sent yet (after hello, after an ack, when the store has new ones). */
  pushEvents(): void {
    if (this.state !== 'ready' || this.kioskId === null) return;
    try {
      const { maxEventsInFlight } = this.host.limits;
      while (this.state === 'ready' && this.inFlight.length < maxEventsInFlight) {
        const limit = Math.min(LIMITS.maxEventsPerMessage, maxEventsInFlight - this.inFlight.length);
        let events = this.host.store.eventsAfter(this.kioskId, this.sentCursor, limit);
        if (events.length === 0) return;
        // Two large catalogs do not fit one text frame together: send fewer at a time (one always fits,
        // the store refuses a catalog that would not).
        let text = eventsText(events);
        while (text === null && events.length > 1) {
          events = events.slice(0, Math.ceil(events.length / 2));
          text = eventsText(events);
        }
        if (text === null) throw new Error(`event ${events[0]!.cursor} does not fit a text frame`);
        this.write(text);
        faultPoint('endpoint.afterEventsSent');
        for (const e of events) this.inFlight.push(cursorNumber(e.cursor));
        this.sentCursor = events[events.length - 1]!.cursor;
        this.log.debug('events sent', { kioskId: this.kioskId, count: events.length, cursor: this.sentCursor });
      }
    } catch (err) {
      this.internal('events', err);
    }
  }

  /**
   * Called by the server a few times a second: the slow-reader check. A peer is behind when more than
   * slowReaderBytes wait in the socket, or when frames wait to be written and none has been taken by
   * the network since the last progress (its TCP window is shut: it does not read). Behind for longer
   * than slowReaderMs: closed with CLOSE.slowReader. Downloads and event pushes are bounded, so a stalled
   * reader may never reach the byte limit: the progress rule catches it.
   */
  tick(now: number): void {
    if (this.state === 'closing') return;
    const { slowReaderBytes, slowReaderMs } = this.host.limits;
    const buffered = this.ws.bufferedAmount;
    const stalled = this.unwritten > 0 && now - this.lastProgress > slowReaderMs;
    if (buffered > slowReaderBytes) this.slowSince ??= now;
    else this.slowSince = null;
    if (stalled || (this.slowSince !== null && now - this.slowSince > slowReaderMs)) {
      this.log.warn('kiosk not reading: closed', { kioskId: this.kioskId, buffered, unwritten: this.unwritten });
      this.fail('slowReader', 'the connection was not read for too long', CLOSE.slowReader);
      // It does not read, so it will not read a closing handshake either: reset the TCP connection (the
      // kernel drops what it still holds for the peer, and the peer learns at once), or destroy the socket.
      try {
        if (this.socket instanceof Socket && !(this.socket instanceof TLSSocket)) this.socket.resetAndDestroy();
        else this.ws.terminate();
      } catch {
        this.ws.terminate();
      }
      return;
    }
    this.checkRevoked(now);
  }

  /**
   * A kiosk revoked while connected (`tongban endpoint revoke`, another process) is closed within
   * revokeCheckMs: the store is asked again, one primary-key read per connection.
   */
  private checkRevoked(now: number): void {
    if (this.state !== 'ready' || now - this.lastRevokeCheck < this.host.limits.revokeCheckMs) return;
    this.lastRevokeCheck = now;
    try {
      if (this.host.store.kiosk(this.kioskId!)?.revokedAt == null) return;
    } catch (err) {
      this.log.warn('could not check the kiosk\'s enrolment', { kioskId: this.kioskId, err: messageOf(err) });
      return;
    }
    this.log.info('kiosk revoked while connected: closed', { kioskId: this.kioskId });
    this.fail('auth.revoked', 'this kiosk was revoked by the endpoint operator', CLOSE.revoked);
  }

  /** Every frame goes out here: the write callbacks tell whether the peer's network takes what is sent. */
  private write(frame: string | Buffer): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (this.unwritten === 0) this.lastProgress = performance.now();
    this.unwritten++;
    this.ws.send(frame, { binary: typeof frame !== 'string' }, () => {
      this.unwritten--;
      this.lastProgress = performance.now();
    });
  }

  private onFrame(data: Buffer, isBinary: boolean): void {
    if (this.state === 'closing') return;
    if (!this.bucket.take()) {
      this.fail('busy', 'too many messages', CLOSE.busy, this.bucket.msUntil(this.host.limits.messagesPerSecond / 4));
      return;
    }
    let msg: KioskMessage;
    try {
      msg = decodeKioskMessage(data, isBinary);
    } catch (err) {
      if (isProtocolError(err)) {
        this.log.warn('kiosk sent a malformed message', { kioskId: this.kioskId, code: err.code, err: err.message });
        this.fail(err.code, err.message, closeCodeFor(err));
      } else {
        this.internal('decode', err);
      }
      return;
    }
    try {
      this.handle(msg);
    } catch (err) {
      this.internal(msg.type, err);
    }
  }

  private handle(msg: KioskMessage): void {
    if (msg.type === 'enroll') {
      if (this.state !== 'new') return this.fail('protocol.order', 'enroll only as the first message', CLOSE.protocol);
      return this.onEnroll(msg);
    }
    if (msg.type === 'hello') {
      if (this.state === 'ready') return this.fail('protocol.order', 'a second hello', CLOSE.protocol);
      return this.onHello(msg);
    }
    if (this.state !== 'ready') return this.fail('protocol.order', `${msg.type} before hello`, CLOSE.protocol);
    this.seen();
    switch (msg.type) {
      case 'cases':
        return this.onCases(msg);
      case 'file.offer':
        return this.onOffer(msg);
      case 'file.chunk':
        return this.onChunk(msg);
      case 'file.get':
        return this.onGet(msg);
      case 'events.ack':
        return this.onEventsAck(msg);
      case 'heartbeat': {
        // One durable write a second at most: a kiosk heartbeats every heartbeatMs, more is a flood.
        const now = Date.now();
        if (now - this.lastHeartbeat < 1000) return;
        this.lastHeartbeat = now;
        this.host.store.recordHeartbeat(
          this.kioskId!,
          { devices: msg.devices, queue: msg.queue, auditHead: msg.auditHead },
          now,
        );
        return;
      }
    }
  }

  private onEnroll(msg: Extract<KioskMessage, { type: 'enroll' }>): void {
    let credentials: { kioskId: string; secret: string };
    try {
      credentials = this.host.store.enroll(msg.token, msg.agentVersion);
    } catch (err) {
      const code = authCode(err);
      if (code === null) throw err;
      this.log.warn('enrolment refused', { code, remote: this.address });
      return this.fail(code, messageOf(err), CLOSE.auth);
    }
    this.state = 'enrolled';
    this.log.info('kiosk enrolled', { kioskId: credentials.kioskId });
    this.send({ v: PROTOCOL_VERSION, type: 'enrolled', kioskId: credentials.kioskId, secret: credentials.secret });
  }

  private onHello(msg: Extract<KioskMessage, { type: 'hello' }>): void {
    let record: KioskRecord;
    try {
      record = this.host.store.authenticate(msg.kioskId, msg.secret);
    } catch (err) {
      const code = authCode(err);
      if (code === null) throw err;
      this.log.warn('kiosk refused', { kioskId: msg.kioskId, code });
      return this.fail(code, messageOf(err), code === 'auth.revoked' ? CLOSE.revoked : CLOSE.auth);
    }
    this.kioskId = msg.kioskId;
    this.state = 'ready';
    this.sentCursor = msg.cursor;
    this.ackedCursor = msg.cursor === null ? 0 : cursorNumber(msg.cursor);
    const now = Date.now();
    this.host.store.touch(msg.kioskId, now, { address: this.address, agentVersion: msg.agentVersion });
    this.lastTouch = now;
    // The hello cursor is what the kiosk committed: the fleet view's acknowledged cursor when it moved on
    // (a kiosk that died between its commit and its events.ack); an unknown one is not recorded.
    const known = record.ackedCursor === null ? 0 : cursorNumber(record.ackedCursor);
    if (msg.cursor !== null && this.ackedCursor > known && this.ackedCursor <= this.host.store.maxEventId()) this.host.store.ackEvents(msg.kioskId, msg.cursor);
    this.host.authenticated(this);
    this.send({
      v: PROTOCOL_VERSION,
      type: 'welcome',
      endpointId: this.host.endpointId,
      regions: [...this.host.regions],
      heartbeatMs: this.host.heartbeatMs,
      window: { entries: this.host.limits.windowEntries, chunks: this.host.limits.windowChunks },
      highestSeq: record.highestSeq,
    });
    this.log.info('kiosk connected', { kioskId: msg.kioskId, agentVersion: msg.agentVersion });
    this.timers.push(
      setInterval(() => {
        if (this.state === 'ready') this.send({ v: PROTOCOL_VERSION, type: 'heartbeat.request' });
      }, this.host.heartbeatMs),
    );
    this.pushEvents();
  }

  private onCases(msg: Extract<KioskMessage, { type: 'cases' }>): void {
    const results = this.host.store.commitBatch(this.kioskId!, msg.batch, Date.now());
    // Durable now; a crash here leaves the kiosk to resend, and the store answers `duplicate`.
    faultPoint('endpoint.afterCommit');
    this.send({ v: PROTOCOL_VERSION, type: 'ack', results });
    if (this.log.isEnabled('debug')) {
      const counts: Record<string, number> = {};
      for (const r of results) counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
      this.log.debug('cases acknowledged', { kioskId: this.kioskId, ...counts });
    }
  }

  private onOffer(msg: Extract<KioskMessage, { type: 'file.offer' }>): void {
    let status: { committed: number; complete: boolean };
    try {
      status = this.host.store.beginFile(msg.sm3, msg.size, msg.mediaType);
    } catch (err) {
      if (!(err instanceof FileRejected)) throw err;
      this.send({ v: PROTOCOL_VERSION, type: 'file.rejected', sm3: msg.sm3, code: err.code, reason: err.message });
      return;
    }
    // Kept after completion too: a replayed chunk of a finished file is answered, not an order error.
    this.offers.delete(msg.sm3);
    this.offers.set(msg.sm3, { size: msg.size });
    if (this.offers.size > MAX_OFFERS) this.offers.delete(this.offers.keys().next().value!);
    this.send({ v: PROTOCOL_VERSION, type: 'file.status', sm3: msg.sm3, committed: status.committed, complete: status.complete });
  }

  private onChunk(msg: Extract<KioskMessage, { type: 'file.chunk' }>): void {
    const { sm3, offset, last } = msg;
    if (!this.offers.has(sm3)) return this.fail('protocol.order', 'a chunk of a file not offered', CLOSE.protocol);
    let r: { committed: number; complete: boolean } | { rejected: { code: string; reason: string } };
    try {
      r = this.host.store.appendChunk(sm3, offset, msg.data, last);
    } catch (err) {
      if (!(err instanceof FileRejected)) throw err;
      r = { rejected: { code: err.code, reason: err.message } };
    }
    // The chunk is durable and not yet acknowledged: the kiosk resumes from the committed offset.
    faultPoint('endpoint.midChunk');
    if ('rejected' in r) {
      this.log.warn('chunk refused', { kioskId: this.kioskId, sm3, code: r.rejected.code });
      this.send({ v: PROTOCOL_VERSION, type: 'file.rejected', sm3, code: r.rejected.code, reason: r.rejected.reason });
      return;
    }
    this.send({ v: PROTOCOL_VERSION, type: 'file.ack', sm3, committed: r.committed, complete: r.complete });
  }

  private onGet(msg: Extract<KioskMessage, { type: 'file.get' }>): void {
    const status = this.host.store.fileStatus(msg.sm3);
    if (!status.complete || status.size === undefined) {
      this.send({ v: PROTOCOL_VERSION, type: 'file.rejected', sm3: msg.sm3, code: 'file.unknown', reason: 'no such file at the endpoint' });
      return;
    }
    // From the very end there is nothing to send (only an empty file has an empty chunk).
    if (msg.offset > status.size || (msg.offset === status.size && status.size > 0)) {
      this.send({ v: PROTOCOL_VERSION, type: 'file.rejected', sm3: msg.sm3, code: 'file.badOffset', reason: 'offset beyond the end of the file' });
      return;
    }
    // One download at a time, in the order asked: the socket's buffer bounds the memory of them all.
    if (this.queuedDownloads >= MAX_QUEUED_DOWNLOADS) return this.fail('busy', 'too many downloads asked at once', CLOSE.busy, 1000);
    this.queuedDownloads++;
    const size = status.size;
    this.downloads = this.downloads
      .then(() => this.stream(msg.sm3, msg.offset, size))
      .catch((err: unknown) => this.internal('file.get', err))
      .finally(() => this.queuedDownloads--);
  }

  /** Sends the file from `offset` in chunks, waiting while the socket's buffer is above the high-water mark. */
  private async stream(sm3: string, offset: number, size: number): Promise<void> {
    let at = offset;
    for (;;) {
      if (this.state !== 'ready') return;
      while (this.ws.bufferedAmount > this.host.limits.downloadHighWater) {
        await new Promise((r) => setTimeout(r, 10));
        if (this.state !== 'ready') return;
      }
      const length = Math.min(LIMITS.maxChunkBytes, size - at);
      const data = this.host.store.readFile(sm3, at, length);
      const last = at + length >= size;
      this.write(encodeChunk({ v: PROTOCOL_VERSION, type: 'file.chunk', sm3, offset: at, last }, data));
      at += length;
      if (last) return;
    }
  }

  private onEventsAck(msg: Extract<KioskMessage, { type: 'events.ack' }>): void {
    const n = cursorNumber(msg.cursor);
    const sent = this.sentCursor === null ? 0 : cursorNumber(this.sentCursor);
    if (n > sent) return this.fail('protocol.badAck', 'events.ack beyond the events sent', CLOSE.protocol);
    if (n <= this.ackedCursor) return; // a replay: already acknowledged
    this.host.store.ackEvents(this.kioskId!, msg.cursor);
    this.ackedCursor = n;
    while (this.inFlight.length > 0 && this.inFlight[0]! <= n) this.inFlight.shift();
    this.pushEvents();
  }

  /** Last seen, written at most every few seconds (a write per message would cost a transaction each). */
  private seen(): void {
    const now = Date.now();
    if (now - this.lastTouch < 5000) return;
    this.lastTouch = now;
    this.host.store.touch(this.kioskId!, now, {});
  }

  private send(msg: EndpointTextMessage): void {
    this.write(encodeText(msg));
  }

  private internal(what: string, err: unknown): void {
    if (isBusy(err)) {
      this.log.warn('store busy', { kioskId: this.kioskId, during: what });
      this.fail('busy', 'the endpoint is busy, try again', CLOSE.busy, 1000);
      return;
    }
    this.log.error('kiosk session failed', { kioskId: this.kioskId, during: what, err: messageOf(err) });
    this.fail('internal', 'the endpoint failed on this message', 1011, 1000);
  }

  /** Sends a fatal `error` and closes with `closeCode`; the socket is destroyed if the peer does not finish the close. */
  private fail(code: string, message: string, closeCode: number, retryAfterMs?: number): void {
    if (this.state === 'closing') return;
    this.state = 'closing';
    try {
      this.send({ v: PROTOCOL_VERSION, type: 'error', code, message: message.slice(0, 500), fatal: true, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
      this.ws.close(closeCode, code.slice(0, 100));
    } catch {
      this.ws.terminate();
    }
    const t = setTimeout(() => this.ws.terminate(), this.host.limits.closeGraceMs);
    t.unref();
    this.timers.push(t);
  }

  private onClose(code: number): void {
    this.state = 'closing';
    for (const t of this.timers) clearTimeout(t);
    if (this.kioskId !== null) {
      this.log.info('kiosk disconnected', { kioskId: this.kioskId, code });
      try {
        this.host.store.touch(this.kioskId, Date.now(), {});
      } catch (err) {
        this.log.warn('could not record last seen', { kioskId: this.kioskId, err: messageOf(err) });
      }
    }
    this.host.closed(this);
    this.resolveDone();
  }
}

/** An `events` message as text, or null when it exceeds LIMITS.maxTextBytes. */
function eventsText(events: readonly EndpointEvent[]): string | null {
  try {
    return encodeText({ v: PROTOCOL_VERSION, type: 'events', events });
  } catch (err) {
    if (isProtocolError(err) && err.code === 'protocol.tooBig') return null;
    throw err;
  }
}

/** The code of an enrolment or authentication refusal by the store, or null for any other failure. */
function authCode(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('auth.') ? code : null;
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}
