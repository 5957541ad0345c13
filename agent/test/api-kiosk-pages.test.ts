import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../base/log.js';
import { startApiServer, type ApiServer } from '../api/server.js';
import { CONTENT_SECURITY_POLICY, kioskSite, kioskUrl } from '../api/ui-routes.js';

const TOKEN = 'test-token-kiosk-pages';
const dir = mkdtempSync(join(tmpdir(), 'tongban-kiosk-pages-'));
const site = join(dir, 'kiosk-ui');
let server: ApiServer;

/** A raw GET: the path exactly as written (fetch and URL would normalise `..` and escapes away). */
function rawGet(path: string, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  mkdirSync(join(site, 'img'), { recursive: true });
  writeFileSync(join(site, 'index.html'), '<!doctype html><title>kiosk</title><script type="module" src="./app-ABC123.js"></script>');
  writeFileSync(join(site, 'app-ABC123.js'), 'console.log("kiosk")');
  writeFileSync(join(site, 'app-ABC123.css'), 'body{}');
  writeFileSync(join(site, 'img', 'seal.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(join(site, '.secret.js'), 'hidden');
  writeFileSync(join(site, 'notes.md'), 'no type');
  writeFileSync(join(dir, 'api-token.js'), 'outside the site');
  symlinkSync(join(dir, 'api-token.js'), join(site, 'linked.js'));
  server = await startApiServer({
    host: '127.0.0.1',
    port: 0,
    token: TOKEN,
    routes: [{ method: 'GET', path: '/api/thing', handler: () => ({ status: 200, body: { ok: true } }) }],
    maxBodyBytes: 1024,
    log: createLogger({ level: 'error' }),
    site: kioskSite(site),
  });
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the kiosk pages served by the agent (no token, strict CSP)', () => {
  it('redirects / and /kiosk to /kiosk/ and serves index.html there without the token, never cached', async () => {
    for (const path of ['/', '/kiosk']) {
      const r = await rawGet(path);
      expect(r.status, path).toBe(302);
      expect(r.headers.location).toBe('/kiosk/');
    }
    const r = await rawGet('/kiosk/');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.body).toContain('app-ABC123.js');
  });

  it('every page answer carries the strict CSP and friends', async () => {
    const r = await rawGet('/kiosk/app-ABC123.js');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(r.headers['cache-control']).toContain('immutable');
    expect(r.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    for (const directive of ["default-src 'self'", "script-src 'self'", "connect-src 'self' ws:", "img-src 'self' data: blob:", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'none'"]) {
      expect(CONTENT_SECURITY_POLICY).toContain(directive);
    }
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['referrer-policy']).toBe('no-referrer');
    expect((await rawGet('/kiosk/app-ABC123.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await rawGet('/kiosk/img/seal.svg')).headers['content-type']).toBe('image/svg+xml');
  });

  it('HEAD answers the headers without the body; other methods are 405', async () => {
    const head = await rawGet('/kiosk/app-ABC123.js', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    const post = await rawGet('/kiosk/', 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
  });

  it('refuses anything outside the site: traversal (plain and escaped), dot files, unknown types, symbolic links out', async () => {
    const paths = [
      '/kiosk/../api-token.js',
      '/kiosk/%2e%2e/api-token.js',
      '/kiosk/..%2fapi-token.js',
      '/kiosk/img/..%2f..%2fapi-token.js',
      '/kiosk/%2E%2E%5Capi-token.js',
      '/kiosk/.secret.js',
      '/kiosk/notes.md',
      '/kiosk/linked.js',
      '/kiosk/missing.js',
      '/kiosk/%E0%A4%A',
      '/kiosk//etc/passwd',
      '/kiosk/img/',
    ];
    for (const path of paths) {
      const r = await rawGet(path);
      expect([404], `${path}: ${r.status} ${r.body}`).toContain(r.status);
      expect(r.body).not.toContain('outside the site');
      expect(r.body).not.toContain('hidden');
    }
  });

  it('leaves /api to the API (the token still needed there)', async () => {
    expect((await rawGet('/api/thing')).status).toBe(401);
    expect((await rawGet('/kioskx')).status).toBe(404);
  });

  it('says the pages are not built when dist/kiosk-ui is missing', async () => {
    const bare = await startApiServer({ host: '127.0.0.1', port: 0, token: TOKEN, routes: [], maxBodyBytes: 1024, log: createLogger({ level: 'error' }), site: kioskSite(join(dir, 'nope')) });
    try {
      const res = await fetch(new URL('kiosk/', bare.url));
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('ui.notBuilt');
    } finally {
      await bare.close();
    }
  });

  it('the page URL carries the token in its fragment only', () => {
    const u = new URL(kioskUrl('http://127.0.0.1:8787/', 'abc-_DEF'));
    expect(u.pathname).toBe('/kiosk/');
    expect(u.search).toBe('');
    expect(u.hash).toBe('#token=abc-_DEF');
  });
});
