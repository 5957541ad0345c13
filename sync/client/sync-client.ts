/**
 * SyncClient: the kiosk's link to one endpoint. It keeps one connection up (enrol, hello with the
 * cursor, pump, events, heartbeats — see session.ts) and, whenever it drops, reconnects after an
 * exponential backoff with full jitter (base 500 ms, max 30 s) that honours the endpoint's
 * `retryAfterMs`. Refused credentials put it in state 'unauthorized', retried slowly (about the maximum
 * backoff), so a revoked kiosk neither storms the endpoint nor gives up. Nothing is thrown out of it:
 * every failure becomes `lastError` in status(). stop() closes the socket, lets the local commits in
 * progress finish and leaves no timer behind.
 */
import type { Logger } from '../../base/log.js';
import { CLOSE, type WelcomeMessage } from '../protocol/index.js';
import { DEFAULT_BACKOFF, retryDelay, type BackoffOptions, type RandomSource } from './backoff.js';
import type { PartialDownloads } from './file-download.js';
import { assignRoutes, countsFor, type Route } from './routing.js';
import { ACK_TIMEOUT_MS, ANSWER_TIMEOUT_MS, Session, type SessionEnd } from './session.js';
import { Signal } from './signal.js';
import { endpointStatus } from './status.js';
import type { EndpointConfig, EndpointState, EndpointStatus, KioskSyncStore } from './types.js';

export interface SyncClientOptions {
  endpoint: EndpointConfig;
  store: KioskSyncStore;
  log: Logger;
  agentVersion: string;
  backoff?: { baseMs?: number; maxMs?: number };
  now?: () => number;
  /** Injected for tests of the jitter; Math.random otherwise. */
  random?: RandomSource;
  /** Set by SyncService: this endpoint's share of the regions (default: all its configured regions). */
  route?: Route;
  /** How long to wait for `enrolled` / `welcome` before giving up on a connection (default 15 s). */
  answerTimeoutMs?: number;
  /** How long a batch may wait for its ack before the connection is dropped and the batch resent (default 60 s). */
  ackTimeoutMs?: number;
}

export class SyncClient {
  private readonly log: Logger;
  private readonly backoff: BackoffOptions;
  private readonly now: () => number;
  private readonly random: RandomSource;
  private readonly route: Route;
  private readonly partials: PartialDownloads = new Map();
  private readonly knownComplete = new Set<string>();
  private readonly sleeper = new Signal();
  private running = false;
  private loop: Promise<void> | null = null;
  private session: Session | null = null;
  private state: EndpointState = 'stopped';
  private kioskId: string | null = null;
  private lastError: string | null = null;
  private nextRetryAt: number | null = null;
  private lastConnectedAt: number | null = null;
  private lastCounts = { pending: 0, quarantined: 0 };
  private sent = 0;
  private received = 0;

  constructor(private readonly o: SyncClientOptions) {
    this.log = o.log.child({ component: 'sync.client', endpoint: o.endpoint.url });
    this.backoff = {
      baseMs: o.backoff?.baseMs ?? DEFAULT_BACKOFF.baseMs,
      maxMs: o.backoff?.maxMs ?? DEFAULT_BACKOFF.maxMs,
    };
    this.now = o.now ?? Date.now;
    this.random = o.random ?? Math.random;
    this.route = o.route ?? assignRoutes([o.endpoint])[0]!;
  }

  get url(): string {
    return this.o.endpoint.url;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.sleeper.notify();
    this.session?.close(CLOSE.shutdown, 'kiosk stopping');
    await this.loop;
    this.loop = null;
    this.state = 'stopped';
    this.nextRetryAt = null;
  }

  /** New outbox entries: wake the pump now instead of at its next poll. */
  kick(): void {
    this.session?.kick();
  }

  status(): EndpointStatus {
    try {
      this.lastCounts = countsFor(this.o.store, this.route);
    } catch {
      // The store is closing: keep the last counts.
    }
    return endpointStatus({
      url: this.o.endpoint.url,
      regions: this.o.endpoint.regions,
      state: this.state,
      kioskId: this.kioskId ?? this.storedKioskId(),
      lastError: this.lastError,
      nextRetryAt: this.nextRetryAt,
      lastConnectedAt: this.lastConnectedAt,
      counts: this.lastCounts,
      inFlight: this.session?.inFlight ?? 0,
      sent: this.sent,
      received: this.received,
    });
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (this.running) {
      const end = await this.connectOnce();
      if (!this.running) break;
      if (end.welcomed) attempt = 0;
      this.lastError = end.error;
      let delay: number;
      if (end.unauthorized) {
        this.state = 'unauthorized';
        // Slowly: between half and all of the maximum backoff (or the endpoint's hint, if longer).
        delay = Math.max(Math.round(this.backoff.maxMs * (0.5 + this.random() * 0.5)), end.retryAfterMs ?? 0);
      } else {
        this.state = 'backoff';
        delay = retryDelay(attempt++, end.retryAfterMs, this.backoff, this.random);
      }
      this.nextRetryAt = this.now() + delay;
      this.log.info('sync connection down: retrying later', { error: this.lastError, retryInMs: delay, state: this.state });
      await this.sleeper.wait(delay);
      this.nextRetryAt = null;
    }
    this.state = 'stopped';
  }

  private async connectOnce(): Promise<SessionEnd> {
    try {
      const { store, endpoint } = this.o;
      if (!store.credentials(endpoint.url) && !endpoint.enrollToken) {
        return { welcomed: false, unauthorized: true, error: 'no credentials for this endpoint and no enrolment token', retryAfterMs: undefined };
      }
      this.state = 'connecting';
      const session = new Session({
        endpoint,
        store,
        log: this.log,
        agentVersion: this.o.agentVersion,
        route: this.route,
        backoff: this.backoff,
        random: this.random,
        now: this.now,
        partials: this.partials,
        knownComplete: this.knownComplete,
        answerTimeoutMs: this.o.answerTimeoutMs ?? ANSWER_TIMEOUT_MS,
        ackTimeoutMs: this.o.ackTimeoutMs ?? ACK_TIMEOUT_MS,
        onEnrolling: () => (this.state = 'enrolling'),
        onWelcome: (kioskId: string, w: WelcomeMessage) => this.welcomed(kioskId, w),
        onAcknowledged: (n) => (this.sent += n),
        onApplied: (n) => (this.received += n),
      });
      this.session = session;
      if (!this.running) session.close(CLOSE.shutdown, 'kiosk stopping');
      const end = await session.run();
      this.session = null;
      return end;
    } catch (err) {
      this.session = null;
      return { welcomed: false, unauthorized: false, error: `sync client failed: ${String(err)}`, retryAfterMs: undefined };
    }
  }

  private welcomed(kioskId: string, w: WelcomeMessage): void {
    this.state = 'connected';
    this.kioskId = kioskId;
    this.lastError = null;
    this.lastConnectedAt = this.now();
    this.log.info('connected to the endpoint', { kioskId, endpointId: w.endpointId, regions: w.regions.join(',') });
  }

  private storedKioskId(): string | null {
    try {
      return this.o.store.credentials(this.o.endpoint.url)?.kioskId ?? null;
    } catch {
      return null;
    }
  }
}
