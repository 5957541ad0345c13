/**
 * The kiosk's pages (issue 7), served by the agent's API server from dist/kiosk-ui (built by
 * `npm run build`): `GET /` and `GET /kiosk` redirect to `/kiosk/`, `/kiosk/` is index.html, `/kiosk/<file>`
 * its hashed bundle. No token is needed: the files hold nothing personal (the page takes the token from
 * its URL fragment, which the browser never sends). Every answer carries a strict Content-Security-Policy:
 * scripts and styles only from these files, connections only to this agent, nothing framed or embedded.
 * Only plain names below dist/kiosk-ui are served (no dot files, no `..`), whatever the escapes.
 */
import { readFile, realpath } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, sep } from 'node:path';
import { packageInfo } from '../../base/package-info.js';
import { ApiError } from './errors.js';

export const KIOSK_PATH = '/kiosk/';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self' ws:",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "object-src 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** One path segment the site serves: letters, digits, `_`, `-`, `.` not first (no dot files, no `..`). */
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

export interface KioskSite {
  /** The directory served (dist/kiosk-ui of the package). */
  readonly dir: string;
  /** Answers a request for `/`, `/kiosk` or `/kiosk/...`: true when it did; false for any other path (the API's). */
  serve(method: string | undefined, pathname: string, res: ServerResponse): Promise<boolean>;
}

export function kioskSite(dir: string = join(packageInfo().root, 'dist', 'kiosk-ui')): KioskSite {
  return {
    dir,
    async serve(method, pathname, res) {
      const isRoot = pathname === '/' || pathname === '/kiosk';
      if (!isRoot && !pathname.startsWith(KIOSK_PATH)) return false;
      if (method !== 'GET' && method !== 'HEAD') {
        res.setHeader('allow', 'GET, HEAD');
        throw new ApiError(405, 'methodNotAllowed', `${method ?? '?'} is not allowed on ${pathname}`);
      }
      if (isRoot) {
        res.writeHead(302, { location: KIOSK_PATH, 'content-length': 0, 'cache-control': 'no-store' });
        res.end();
        return true;
      }
      const rest = pathname.slice(KIOSK_PATH.length);
      const segments = rest === '' ? ['index.html'] : rest.split('/').map(decodeSegment);
      if (segments.some((s) => s === undefined || !SEGMENT.test(s))) throw notFound(pathname);
      const file = join(dir, ...(segments as string[]));
      const type = TYPES[extname(file).toLowerCase()];
      if (!type) throw notFound(pathname);
      let bytes: Buffer;
      try {
        // A symbolic link out of the directory is refused like any other name outside it.
        const real = await realpath(file);
        const root = await realpath(dir);
        if (!real.startsWith(root + sep)) throw notFound(pathname);
        bytes = await readFile(real);
      } catch (err) {
        if (err instanceof ApiError) throw err;
        if (rest === '') throw new ApiError(503, 'ui.notBuilt', `the kiosk pages are not built (${dir} is missing): run npm run build`);
        throw notFound(pathname);
      }
      const html = type.startsWith('text/html');
      res.writeHead(200, {
        'content-type': type,
        'content-length': bytes.length,
        // index.html names the hashed bundle: always fresh; the bundle's names change with its content.
        'cache-control': html ? 'no-store' : 'public, max-age=31536000, immutable',
        'content-security-policy': CONTENT_SECURITY_POLICY,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'x-frame-options': 'DENY',
        'cross-origin-opener-policy': 'same-origin',
      });
      res.end(method === 'HEAD' ? undefined : bytes);
      return true;
    },
  };
}

/** The page's address with the API token in its fragment (http://127.0.0.1:PORT/kiosk/#token=...). */
export function kioskUrl(agentUrl: string, token: string): string {
  return `${new URL(KIOSK_PATH, agentUrl).href}#token=${encodeURIComponent(token)}`;
}

function decodeSegment(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

function notFound(pathname: string): ApiError {
  return new ApiError(404, 'notFound', `no such file: ${pathname}`);
}
