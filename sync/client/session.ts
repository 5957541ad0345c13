/**
 * One connection's life: open, enrol when the kiosk has no credentials yet (saved durably before going
 * on), hello with the cursor, then — once welcomed — the outbox pump, events, file transfers and
 * heartbeats until the socket closes. run() never rejects; it reports how the connection ended so the
 * client can pick its backoff (and see an authentication failure).
 */
import type { Logger } from '../../base/log.js';
import { CLOSE, type EndpointMessage, type EnrolledMessage, type ErrorMessage, type WelcomeMessage } from '../protocol/index.js';
import type { BackoffOptions, RandomSource } from './backoff.js';
import { Connection, type CloseInfo } from './connection.js';
import { EventsApplier } from './events.js';
import { FileDownloader, type PartialDownloads } from './file-download.js';
import { FileUploader } from './file-upload.js';
import { OutboxPump } from './outbox-pump.js';
import { narrowRoute, type Route } from './routing.js';
import type { EndpointConfig, KioskSyncStore } from './types.js';

/** enrolled / welcome must come within this after we asked (default). */
export const ANSWER_TIMEOUT_MS = 15_000;
/** A batch must be acknowledged within this (default; checked at each heartbeat interval). */
export const ACK_TIMEOUT_MS = 60_000;
/** Bounds on the endpoint's heartbeat interval (a bad value must not spin or stall us). */
const MIN_HEARTBEAT_MS = 100;
const MAX_HEARTBEAT_MS = 10 * 60_000;

export interface SessionHost {
  readonly endpoint: EndpointConfig;
  readonly store: KioskSyncStore;
  readonly log: Logger;
  readonly agentVersion: string;
  readonly route: Route;
  readonly backoff: BackoffOptions;
  readonly random: RandomSource;
  readonly now: () => number;
  readonly partials: PartialDownloads;
  readonly knownComplete: Set<string>;
  readonly answerTimeoutMs: number;
  readonly ackTimeoutMs: number;
  onEnrolling(): void;
  onWelcome(kioskId: string, welcome: WelcomeMessage): void;
  onAcknowledged(n: number): void;
  onApplied(n: number): void;
}

export interface SessionEnd {
  /** The endpoint welcomed us on this connection. */
  readonly welcomed: boolean;
  /** Refused credentials or enrolment token (4401/4403, or an auth.* error). */
  readonly unauthorized: boolean;
  readonly error: string | null;
  /** The endpoint's hint (error.retryAfterMs). */
  readonly retryAfterMs: number | undefined;
}

type Phase = 'enroll' | 'hello' | 'ready';

export class Session {
  private conn: Connection | null = null;
  private phase: Phase = 'hello';
  private welcome: WelcomeMessage | null = null;
  private answer: ((m: EnrolledMessage | WelcomeMessage | null) => void) | null = null;
  private lastError: ErrorMessage | null = null;
  /** Why we closed (a breach by the endpoint, a local failure), if we did. */
  private closeReason: string | null = null;
  private closing = false;
  private pump: OutboxPump | null = null;
  private uploader: FileUploader | null = null;
  private downloader: FileDownloader | null = null;
  private events: EventsApplier | null = null;
  private pumpDone: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly h: SessionHost) {}

  get inFlight(): number {
    return this.pump?.inFlightCount ?? 0;
  }

  kick(): void {
    this.pump?.kick();
  }

  /** Closes the connection (stop(), or a fatal problem); run() then finishes. */
  close(code: number, reason: string, error: string | null = null): void {
    if (error !== null) this.closeReason ??= error;
    this.closing = true;
    this.pump?.stop();
    this.conn?.close(code, reason, error);
    this.settleAnswer(null);
  }

  async run(): Promise<SessionEnd> {
    try {
      return await this.runInner();
    } catch (err) {
      // A local failure (the store) while connecting: close and report it; never thrown.
      const why = `sync client failed: ${String(err)}`;
      this.h.log.error('sync connection failed', { error: why });
      this.close(1011, 'client error', why);
      if (this.conn) await this.conn.closed;
      await this.teardown();
      return this.end(null);
    }
  }

  private async runInner(): Promise<SessionEnd> {
    const { endpoint, store } = this.h;
    let credentials = store.credentials(endpoint.url);
    if (this.closing) return this.end(null);
    const conn = new Connection({
      url: endpoint.url,
      log: this.h.log,
      onMessage: (m) => this.onMessage(m),
      ...(endpoint.ca ? { ca: endpoint.ca } : {}),
    });
    this.conn = conn;
    if (!(await conn.opened) || this.closing) {
      this.conn.close(CLOSE.shutdown, 'stopping');
      return this.end(await conn.closed);
    }

    if (!credentials) {
      if (!endpoint.enrollToken) {
        conn.close(1000, 'no credentials');
        return this.end(await conn.closed);
      }
      this.phase = 'enroll';
      this.h.onEnrolling();
      conn.send({ type: 'enroll', token: endpoint.enrollToken, agentVersion: this.h.agentVersion });
      const enrolled = await this.awaitAnswer('enrolled');
      if (!enrolled || enrolled.type !== 'enrolled') return this.end(await conn.closed);
      credentials = { kioskId: enrolled.kioskId, secret: enrolled.secret };
      // Durable before anything else: the token is spent, these are the only way back in.
      store.saveCredentials(endpoint.url, credentials);
      this.h.log.info('enrolled at the endpoint', { kioskId: credentials.kioskId });
      this.phase = 'hello';
    }

    const cursor = store.cursor(endpoint.url);
    conn.send({
      type: 'hello',
      kioskId: credentials.kioskId,
      secret: credentials.secret,
      agentVersion: this.h.agentVersion,
      caseFormat: 1,
      cursor,
    });
    const welcome = await this.awaitAnswer('welcome');
    if (!welcome || welcome.type !== 'welcome') return this.end(await conn.closed);
    this.h.onWelcome(credentials.kioskId, welcome);
    this.pumpDone = this.pump!.run().catch((err: unknown) => this.fatal(`sync outbox pump failed: ${String(err)}`));
    const info = await conn.closed;
    await this.teardown();
    return this.end(info);
  }

  private awaitAnswer(type: 'enrolled' | 'welcome'): Promise<EnrolledMessage | WelcomeMessage | null> {
    return new Promise((resolve) => {
      const ms = this.h.answerTimeoutMs;
      const t = setTimeout(() => this.close(1000, 'no answer', `no ${type} from the endpoint within ${ms} ms`), ms);
      this.answer = (m) => {
        clearTimeout(t);
        this.answer = null;
        resolve(m);
      };
      if (this.closing || !this.conn?.isOpen) this.settleAnswer(null);
      void this.conn?.closed.then(() => this.settleAnswer(null));
    });
  }

  private settleAnswer(m: EnrolledMessage | WelcomeMessage | null): void {
    this.answer?.(m);
  }

  private onMessage(msg: EndpointMessage): void {
    if (msg.type === 'error') {
      this.lastError = msg;
      this.h.log.warn('error from the endpoint', { code: msg.code, fatal: msg.fatal, retryAfterMs: msg.retryAfterMs ?? null });
      // The endpoint closes after a fatal error; close our side too in case it does not.
      if (msg.fatal) this.close(1000, 'fatal error received');
      return;
    }
    if (this.phase === 'enroll') {
      if (msg.type !== 'enrolled') return this.violation(`${msg.type} before enrolled`);
      return this.settleAnswer(msg);
    }
    if (this.phase === 'hello') {
      if (msg.type !== 'welcome') return this.violation(`${msg.type} before welcome`);
      this.becomeReady(msg);
      return this.settleAnswer(msg);
    }
    switch (msg.type) {
      case 'ack':
        return this.pump!.onAck(msg);
      case 'file.status':
      case 'file.ack':
        return this.uploader!.onReply(msg);
      case 'file.rejected':
        if (!this.downloader!.onRejected(msg)) this.uploader!.onReply(msg);
        return;
      case 'file.chunk':
        return this.downloader!.onChunk(msg);
      case 'events':
        return this.events!.onEvents(msg);
      case 'heartbeat.request':
        return this.sendHeartbeat();
      case 'enrolled':
      case 'welcome':
        return this.violation(`a second ${msg.type}`);
    }
  }

  /** Set up synchronously on `welcome`: events may follow in the same tick. */
  private becomeReady(welcome: WelcomeMessage): void {
    const conn = this.conn!;
    this.phase = 'ready';
    this.welcome = welcome;
    const violation = (why: string): void => this.violation(why);
    this.uploader = new FileUploader(conn, welcome.window.chunks, violation, this.h.log);
    this.downloader = new FileDownloader(conn, this.h.partials, violation, this.h.log);
    this.pump = new OutboxPump({
      conn,
      store: this.h.store,
      log: this.h.log,
      route: narrowRoute(this.h.route, welcome.regions),
      windowEntries: Math.max(1, welcome.window.entries),
      uploader: this.uploader,
      backoff: this.h.backoff,
      random: this.h.random,
      now: this.h.now,
      knownComplete: this.h.knownComplete,
      violation,
      onAcknowledged: (n) => this.h.onAcknowledged(n),
    });
    this.events = new EventsApplier({
      conn,
      store: this.h.store,
      endpointUrl: this.h.endpoint.url,
      log: this.h.log,
      downloader: this.downloader,
      onApplied: (n) => this.h.onApplied(n),
      fail: (why) => this.fatal(why),
    });
    const every = Math.min(MAX_HEARTBEAT_MS, Math.max(MIN_HEARTBEAT_MS, welcome.heartbeatMs));
    this.timer = setInterval(() => this.tick(every), every);
    this.sendHeartbeat();
  }

  /** Every heartbeat interval: our heartbeat, a ping, and a check that the endpoint is still there. */
  private tick(every: number): void {
    const conn = this.conn;
    if (!conn?.isOpen) return;
    if (conn.silenceMs() > 3 * every) {
      this.h.log.warn('endpoint silent: dropping the connection', { silentMs: conn.silenceMs() });
      this.closeReason ??= `the endpoint was silent for ${conn.silenceMs()} ms`;
      conn.terminate(this.closeReason);
      return;
    }
    const waited = this.pump?.oldestUnackedMs(Date.now()) ?? 0;
    if (waited > this.h.ackTimeoutMs) {
      // The endpoint talks but does not acknowledge: start over on a new connection (the entries are resent).
      this.h.log.warn('no ack from the endpoint: dropping the connection', { waitedMs: waited });
      this.close(1000, 'no ack', `no ack from the endpoint within ${this.h.ackTimeoutMs} ms`);
      return;
    }
    this.sendHeartbeat();
    conn.ping();
  }

  private sendHeartbeat(): void {
    try {
      const hb = this.h.store.heartbeat();
      this.conn?.send({ type: 'heartbeat', devices: hb.devices, queue: hb.queue, auditHead: hb.auditHead });
    } catch (err) {
      this.h.log.warn('could not gather a heartbeat', { error: String(err) });
    }
  }

  /** The endpoint broke the protocol: close and back off. */
  private violation(why: string): void {
    this.h.log.warn('endpoint broke the protocol', { error: why });
    this.close(CLOSE.protocol, 'protocol violation', `endpoint broke the protocol: ${why}`);
  }

  /** A local failure or an unusable answer: close and back off. */
  private fatal(why: string): void {
    this.h.log.error('sync connection closed on an error', { error: why });
    this.close(1011, 'client error', why);
  }

  private async teardown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.pump?.stop();
    this.uploader?.closeAll();
    this.downloader?.closeAll();
    await this.pumpDone;
    await this.events?.idle();
  }

  private end(info: CloseInfo | null): SessionEnd {
    const code = info?.code ?? 0;
    const authByCode = code === CLOSE.auth || code === CLOSE.revoked;
    const authByError = this.lastError !== null && this.lastError.code.startsWith('auth.');
    let noCredentials = false;
    try {
      noCredentials = !this.h.store.credentials(this.h.endpoint.url) && !this.h.endpoint.enrollToken;
    } catch {
      // The store is closing; the close itself says what happened.
    }
    const error =
      this.closeReason ??
      (this.lastError ? `${this.lastError.code}: ${this.lastError.message}` : null) ??
      info?.error ??
      (noCredentials ? 'no credentials for this endpoint and no enrolment token' : null) ??
      (this.welcome ? `connection closed (${code}${info?.reason ? ` ${info.reason}` : ''})` : `could not connect (${code})`);
    return {
      welcomed: this.welcome !== null,
      unauthorized: authByCode || authByError || noCredentials,
      error,
      retryAfterMs: this.lastError?.retryAfterMs,
    };
  }
}
