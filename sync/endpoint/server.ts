/**
 * The reference endpoint: one HTTP(S) server on one port, serving kiosks over WebSocket at /sync,
 * the clerk API under /clerk/ and an unauthenticated GET /health. It owns the endpoint store for its
 * lifetime; the CLI may open the same store meanwhile (set-status), and the events it writes reach the
 * kiosks because the server polls the store's highest event id.
 *
 * One session per kiosk: a newer connection of the same kiosk replaces the older (closed with 1001,
 * error `session.replaced`), so a kiosk that reconnected after a silent network failure is not refused.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { EnvironmentError, UsageError, messageOf } from '../../base/errors.js';
import type { Logger } from '../../base/log.js';
import { LIMITS } from '../protocol/index.js';
import { createClerkApi, type ClerkHandler } from './clerk-api.js';
import { KioskSession, DEFAULT_SESSION_LIMITS, type SessionHost, type SessionLimits } from './session.js';
import { openEndpointStore, type EndpointStore } from './store/index.js';

export interface EndpointOptions {
  readonly dataDir: string;
  /** 0: an ephemeral port, read back from `port`. */
  readonly port: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Region codes this endpoint handles; default ['*'] (any). */
  readonly regions?: readonly string[];
  /** HTTPS and wss:// when given (PEM). */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  readonly log: Logger;
  /** How often kiosks are asked for a heartbeat; default 30 s. */
  readonly heartbeatMs?: number;
  /** The clerk API's bearer token; default: DATA/clerk-token (made at first start). */
  readonly clerkToken?: string;
  /** Session limits (tests and benches); see DEFAULT_SESSION_LIMITS. */
  readonly limits?: Partial<SessionLimits>;
  /** How often the store is polled for events written by another process; default 200 ms. */
  readonly eventPollMs?: number;
  /** Store material and result files sealed (store/file-sealing.ts); the kiosk's embedded endpoint does. */
  readonly sealFiles?: boolean;
}

export interface RunningEndpoint {
  /** ws(s)://HOST:PORT/sync */
  readonly url: string;
  /** http(s)://HOST:PORT */
  readonly httpUrl: string;
  readonly port: number;
  readonly store: EndpointStore;
  /** Kiosk ids with an authenticated connection now. */
  connectedKiosks(): string[];
  /** Stops accepting, closes the sessions (1001), waits for them, closes the store. */
  close(): Promise<void>;
}

export const SYNC_PATH = '/sync';
const DEFAULT_HEARTBEAT_MS = 30_000;

export async function startEndpoint(options: EndpointOptions): Promise<RunningEndpoint> {
  const host = options.host ?? '127.0.0.1';
  const regions = [...(options.regions ?? ['*'])];
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    throw new UsageError(`port must be 0..65535, not ${options.port}`, 'usage.port');
  }
  if (!Number.isInteger(heartbeatMs) || heartbeatMs < 10) throw new UsageError('heartbeatMs must be an integer of at least 10', 'usage.heartbeat');
  const log = options.log.child({ component: 'sync.endpoint' });
  const limits: SessionLimits = { ...DEFAULT_SESSION_LIMITS, ...options.limits };

  const store = openEndpointStore({ dataDir: options.dataDir, log, regions, ...(options.sealFiles ? { sealFiles: true } : {}) });
  const sessions = new Map<string, KioskSession>();
  const all = new Set<KioskSession>();
  let closing = false;

  const sessionHost: SessionHost = {
    store,
    log,
    endpointId: store.endpointId,
    regions,
    heartbeatMs,
    limits,
    authenticated(session) {
      const id = session.kioskId!;
      const older = sessions.get(id);
      sessions.set(id, session);
      if (older !== undefined && older !== session) {
        log.info('kiosk connected again: older connection replaced', { kioskId: id });
        older.shutdown('session.replaced', 'this kiosk connected again on another connection');
      }
    },
    closed(session) {
      all.delete(session);
      if (session.kioskId !== null && sessions.get(session.kioskId) === session) sessions.delete(session.kioskId);
    },
  };

  let clerk: ClerkHandler;
  try {
    clerk = createClerkApi({
      store,
      dataDir: options.dataDir,
      log,
      connectedKiosks: () => [...sessions.keys()],
      ...(options.clerkToken === undefined ? {} : { token: options.clerkToken }),
    });
  } catch (err) {
    store.close();
    throw err;
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/health') {
      if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { error: { code: 'http.method', message: 'GET only' } });
      return json(res, 200, { ok: !closing, endpointId: store.endpointId, regions, connected: sessions.size });
    }
    if (path === '/clerk' || path.startsWith('/clerk/')) {
      clerk(req, res).catch((err: unknown) => {
        log.error('clerk API failed', { err: messageOf(err) });
        if (!res.headersSent) json(res, 500, { error: { code: 'internal', message: 'the endpoint failed on this request' } });
        else res.destroy();
      });
      return;
    }
    json(res, 404, { error: { code: 'http.notFound', message: 'no such path (kiosks: /sync, clerks: /clerk/)' } });
  };

  let server: Server;
  try {
    server = options.tls === undefined ? createHttpServer(onRequest) : createHttpsServer({ cert: options.tls.cert, key: options.tls.key, handshakeTimeout: 10_000 }, onRequest);
  } catch (err) {
    store.close();
    throw new UsageError(`the TLS certificate and key cannot be used: ${messageOf(err)}`, 'usage.tls', { cause: err });
  }
  // A peer that opens TLS or HTTP and then says nothing is not kept forever.
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;

  const wss = new WebSocketServer({ noServer: true, maxPayload: LIMITS.maxFrameBytes, perMessageDeflate: false, clientTracking: false });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const path = (req.url ?? '/').split('?')[0];
    if (closing || path !== SYNC_PATH) {
      const status = closing ? '503 Service Unavailable' : '404 Not Found';
      socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      return;
    }
    // A flood of connections that never say hello must not starve the kiosks that do.
    let unauthenticated = 0;
    for (const s of all) if (s.unauthenticated) unauthenticated++;
    if (unauthenticated >= limits.maxUnauthenticated) {
      log.warn('too many connections without hello: refused', { unauthenticated });
      socket.end('HTTP/1.1 503 Service Unavailable\r\nretry-after: 5\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (closing) {
        ws.close(1001, 'shutdown');
        return;
      }
      const address = (req.socket as Socket).remoteAddress ?? 'unknown';
      all.add(new KioskSession(ws, sessionHost, address, socket));
    });
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  server.on('tlsClientError', (err) => log.debug('TLS handshake failed', { err: err.message }));

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    store.close();
    const code = (err as { code?: string }).code;
    throw new EnvironmentError('endpoint.listen', `cannot listen on ${host}:${options.port}: ${code ?? messageOf(err)}`, { cause: err });
  }
  server.on('error', (err) => log.error('endpoint server error', { err: err.message }));

  // Events written by another process (tongban endpoint set-status) or by the clerk API reach the kiosks here.
  let lastEventId = store.maxEventId();
  const poll = setInterval(() => {
    try {
      const max = store.maxEventId();
      if (max !== lastEventId) {
        lastEventId = max;
        for (const s of sessions.values()) s.pushEvents();
      }
      const now = performance.now();
      for (const s of all) s.tick(now);
    } catch (err) {
      log.error('event poll failed', { err: messageOf(err) });
    }
  }, options.eventPollMs ?? 200);

  const port = (server.address() as AddressInfo).port;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const secure = options.tls !== undefined;
  const httpUrl = `${secure ? 'https' : 'http'}://${urlHost}:${port}`;
  const url = `${secure ? 'wss' : 'ws'}://${urlHost}:${port}${SYNC_PATH}`;
  log.info('endpoint listening', { url, regions });

  let closed: Promise<void> | null = null;
  return {
    url,
    httpUrl,
    port,
    store,
    connectedKiosks: () => [...sessions.keys()],
    close() {
      closed ??= (async () => {
        closing = true;
        clearInterval(poll);
        const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const waiting = [...all].map((s) => s.done);
        for (const s of all) s.shutdown('shutdown', 'the endpoint is shutting down');
        // A session handles each message to completion (the store is synchronous), so once every socket
        // has closed no commit is under way; the sockets are destroyed after the grace period at worst.
        await Promise.all(waiting);
        server.closeAllConnections();
        await serverClosed;
        store.close();
        log.info('endpoint closed');
      })();
      return closed;
    },
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}
