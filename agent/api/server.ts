/**
 * The agent's local HTTP + WebSocket API. It listens on the loopback interface only: the kiosk UI and
 * the operator's tools run on the same machine, and nothing on the hall's network may reach it. Every
 * route but /api/health wants the bearer token of DATA/api-token (the kiosk's static pages, `site`, need
 * none: they hold nothing personal); every request is checked before its
 * handler runs (route, method, token, content type, body size, JSON, the body's shape), and every
 * refusal is a JSON error `{ error: { code, message, field? } }` with a 4xx status.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { EnvironmentError, UsageError } from '../../base/errors.js';
import type { Logger } from '../../base/log.js';
import type { Check } from '../../drivers/manager/check.js';
import { ApiError, toApiError } from './errors.js';
import { bearerMatches } from './token.js';

export interface RouteRequest<B> {
  /** Path parameters by name (`/api/cases/{id}` -> `{ id }`). */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** The body, checked by the route's `body` check; undefined for routes without one. */
  readonly body: B;
}

/** The body of a `raw` route: the bytes as sent and their declared media type (lower case, no parameters). */
export interface RawBody {
  readonly bytes: Uint8Array;
  readonly type: string;
}

/** A route of any body type, as the server's list holds them (each checked by its own `body`). */
export type AnyRoute = Route<never>;

/** Types a route's handler by its body check, and erases that type for the list. */
export function route<B = undefined>(r: Route<B>): AnyRoute {
  return r as unknown as AnyRoute;
}

export interface RouteResult {
  readonly status: number;
  readonly body: unknown;
  /** A binary answer (a sealed PDF): `body` is its bytes, sent as they are with this type. */
  readonly contentType?: string;
  /** Further headers of a binary answer (e.g. a preview's page count). */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface Route<B = unknown> {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** OpenAPI-style template: `/api/cases/{id}`. */
  readonly path: string;
  /** Served without the token (only /api/health). */
  readonly public?: boolean;
  /** The request body's check; a route without one refuses a body. */
  readonly body?: Check<B>;
  /**
   * A binary body (an uploaded file) instead of JSON: the media types taken and its own size limit. The
   * handler gets `{ bytes, type }` as its body (B must be RawBody).
   */
  readonly raw?: { readonly accepts: (type: string) => boolean; readonly maxBytes: number; readonly types: string };
  handler(req: RouteRequest<B>): Promise<RouteResult> | RouteResult;
}

/** A WebSocket endpoint: `path` as for routes; `accept` is called once the socket is open. */
export interface SocketRoute {
  readonly path: string;
  /** Refuses an unknown parameter (e.g. a device that is not configured) before the upgrade. */
  check?(params: Readonly<Record<string, string>>): ApiError | undefined;
  accept(socket: WebSocket, params: Readonly<Record<string, string>>): void;
}

export interface ApiServerOptions {
  readonly host: string;
  readonly port: number;
  readonly token: string;
  readonly routes: readonly AnyRoute[];
  readonly sockets?: readonly SocketRoute[];
  readonly maxBodyBytes: number;
  readonly log: Logger;
  /** Static pages outside /api (the kiosk UI, ui-routes.ts): answers its own paths without the token, true when it did. */
  readonly site?: { serve(method: string | undefined, pathname: string, res: ServerResponse): Promise<boolean> };
}

export interface ApiServer {
  readonly url: string;
  readonly port: number;
  /** What it serves (WebSocket endpoints as GET), for the OpenAPI test and tools. */
  readonly served: readonly { readonly method: string; readonly path: string }[];
  /** Stops accepting, lets requests under way finish (bounded), closes the WebSockets. */
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
/** The subprotocol prefix a browser uses to carry the token (it cannot set headers on a WebSocket). */
export const WS_TOKEN_PROTOCOL = 'bearer.';
/** Largest WebSocket message: the manager's own bound on a command (12 MiB) plus framing. */
const WS_MAX_PAYLOAD = 13 * 1024 * 1024;
const CLOSE_GRACE_MS = 5000;

interface Compiled<T> {
  readonly route: T;
  readonly pattern: RegExp;
  readonly names: string[];
}

function compile<T extends { path: string }>(route: T): Compiled<T> {
  const names: string[] = [];
  const source = route.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { route, pattern: new RegExp(`^${source}$`), names };
}

function match<T>(list: readonly Compiled<T>[], path: string): { route: T; params: Record<string, string> }[] {
  const found: { route: T; params: Record<string, string> }[] = [];
  for (const c of list) {
    const m = c.pattern.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    try {
      c.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1]!)));
    } catch {
      continue; // a malformed %-escape matches nothing
    }
    found.push({ route: c.route, params });
  }
  return found;
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const { host, port, token, log, maxBodyBytes } = options;
  if (!LOOPBACK.has(host)) throw new UsageError(`the local API listens on loopback only, not on ${host}`, 'usage.host');
  const routes = options.routes.map((r) => compile(r as Route<unknown>));
  const socketRoutes = (options.sockets ?? []).map((r) => compile(r));
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: WS_MAX_PAYLOAD,
    handleProtocols: (protocols) => (protocols.has('tongban') ? 'tongban' : false),
  });

  const server: Server = createServer((req, res) => {
    void handle(req, res);
  });
  server.keepAliveTimeout = 30_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      if (options.site && (await options.site.serve(req.method, url.pathname, res))) return;
      const candidates = match(routes, url.pathname);
      if (candidates.length === 0) throw new ApiError(404, 'notFound', `no such route: ${url.pathname}`);
      const found = candidates.find((c) => c.route.method === req.method);
      if (!found) {
        res.setHeader('allow', [...new Set(candidates.map((c) => c.route.method))].join(', '));
        throw new ApiError(405, 'methodNotAllowed', `${req.method ?? '?'} is not allowed on ${url.pathname}`);
      }
      const { route, params } = found;
      if (!route.public && !bearerMatches(req.headers.authorization, token)) {
        res.setHeader('www-authenticate', 'Bearer realm="tongban"');
        throw new ApiError(401, 'unauthorized', 'a valid bearer token is required (Authorization: Bearer <DATA/api-token>)');
      }
      const body = await readBody(req, route, maxBodyBytes);
      const result = await route.handler({ params, query: url.searchParams, body });
      if (result.contentType !== undefined && result.body instanceof Uint8Array) sendBytes(res, result.status, result.contentType, result.body, result.headers);
      else send(res, result.status, result.body);
    } catch (err) {
      const apiError = toApiError(err);
      if (apiError) {
        // The body may still be arriving (too large, refused early): do not keep reading it.
        if (!req.complete) res.setHeader('connection', 'close');
        send(res, apiError.status, apiError.body);
        return;
      }
      log.error('api handler failed', { method: req.method, path: url.pathname, err });
      send(res, 500, { error: { code: 'internal', message: 'internal error (logged)' } });
    }
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const refuse = (e: ApiError): void => {
      const text = JSON.stringify(e.body);
      socket.end(
        `HTTP/1.1 ${e.status} ${e.code}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`,
      );
    };
    const found = match(socketRoutes, url.pathname)[0];
    if (!found) return refuse(new ApiError(404, 'notFound', `no such WebSocket endpoint: ${url.pathname}`));
    const protocols = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim());
    const fromProtocol = protocols.find((p) => p.startsWith(WS_TOKEN_PROTOCOL))?.slice(WS_TOKEN_PROTOCOL.length);
    if (!bearerMatches(req.headers.authorization ?? (fromProtocol !== undefined ? `Bearer ${fromProtocol}` : undefined), token)) {
      return refuse(new ApiError(401, 'unauthorized', 'a valid bearer token is required'));
    }
    const problem = found.route.check?.(found.params);
    if (problem) return refuse(problem);
    wss.handleUpgrade(req, socket, head, (ws) => found.route.accept(ws, found.params));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new EnvironmentError('env.portInUse', `port ${port} on ${host} is already in use (choose another with --port)`)
          : new EnvironmentError('env.listen', `cannot listen on ${host}:${port}: ${err.code ?? err.message}`),
      );
    });
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${shownHost}:${addr.port}/`,
    port: addr.port,
    served: [...options.routes.map((r) => ({ method: r.method, path: r.path })), ...(options.sockets ?? []).map((s) => ({ method: 'GET', path: s.path }))],
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.close(1001, 'agent stopping');
        const force = setTimeout(() => {
          server.closeAllConnections();
          for (const ws of wss.clients) ws.terminate();
        }, CLOSE_GRACE_MS);
        server.close(() => {
          clearTimeout(force);
          wss.close(() => resolve());
        });
        server.closeIdleConnections();
      }),
  };
}

async function readBody(req: IncomingMessage, route: Route<unknown>, limit: number): Promise<unknown> {
  const length = req.headers['content-length'];
  const chunked = req.headers['transfer-encoding'] !== undefined;
  const hasBody = chunked || (length !== undefined && length !== '0');
  if (route.raw) return readRaw(req, route.raw, hasBody);
  if (!route.body) {
    if (hasBody) throw new ApiError(400, 'unexpectedBody', `${route.method} ${route.path} takes no body`);
    return undefined;
  }
  if (!hasBody) throw new ApiError(400, 'invalid', 'the request needs a JSON body', 'body');
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw new ApiError(415, 'unsupportedMediaType', 'the body must be application/json');
  if (length !== undefined && Number(length) > limit) throw new ApiError(413, 'tooLarge', `the body is larger than ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new ApiError(413, 'tooLarge', `the body is larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new ApiError(400, 'badJson', 'the body is not valid JSON');
  }
  return route.body(json, '');
}

async function readRaw(req: IncomingMessage, raw: NonNullable<Route['raw']>, hasBody: boolean): Promise<RawBody> {
  if (!hasBody) throw new ApiError(400, 'invalid', 'the request needs a body (the file)', 'body');
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (!raw.accepts(type)) throw new ApiError(415, 'unsupportedMediaType', `the body must be ${raw.types}`);
  const length = req.headers['content-length'];
  if (length !== undefined && Number(length) > raw.maxBytes) throw new ApiError(413, 'tooLarge', `the body is larger than ${raw.maxBytes} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > raw.maxBytes) throw new ApiError(413, 'tooLarge', `the body is larger than ${raw.maxBytes} bytes`);
    chunks.push(chunk);
  }
  return { bytes: new Uint8Array(Buffer.concat(chunks)), type };
}

function sendBytes(res: ServerResponse, status: number, contentType: string, bytes: Uint8Array, headers: Readonly<Record<string, string>> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { ...headers, 'content-type': contentType, 'content-length': bytes.length, 'cache-control': 'no-store' });
  res.end(bytes);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}
