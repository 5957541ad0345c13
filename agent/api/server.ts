/**
 * The agent's local HTTP API. It listens on the loopback interface only: the kiosk UI and the
 * operator's tools run on the same machine, and nothing on the hall's network may reach it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EnvironmentError, UsageError } from '../../base/errors.js';
import type { Logger } from '../../base/log.js';

export type RouteHandler = (req: IncomingMessage) => Promise<{ status: number; body: unknown }> | { status: number; body: unknown };

export interface Route {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  readonly handler: RouteHandler;
}

export interface ApiServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export async function startApiServer(options: { host: string; port: number; routes: readonly Route[]; log: Logger }): Promise<ApiServer> {
  const { host, port, routes, log } = options;
  if (!LOOPBACK.has(host)) throw new UsageError(`the local API listens on loopback only, not on ${host}`, 'usage.host');

  const server: Server = createServer((req, res) => {
    void handle(req, res);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const sameRoute = routes.filter((r) => r.path === url.pathname);
    const route = sameRoute.find((r) => r.method === req.method);
    try {
      if (!route) {
        if (sameRoute.length) {
          res.setHeader('allow', sameRoute.map((r) => r.method).join(', '));
          return send(res, 405, { error: 'method not allowed' });
        }
        return send(res, 404, { error: `no such route: ${url.pathname}` });
      }
      const { status, body } = await route.handler(req);
      send(res, status, body);
    } catch (err) {
      log.error('api handler failed', { method: req.method, path: url.pathname, err });
      send(res, 500, { error: 'internal error' });
    }
  }

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
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}
