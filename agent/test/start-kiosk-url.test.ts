import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tongbanDaemon } from '../../test/helpers/cli.js';

describe('tongban start: the kiosk pages', () => {
  it('prints the page URL with the token in its fragment (stdout only, never the log); the page loads from it without the token', async () => {
    const data = mkdtempSync(join(tmpdir(), 'tongban-start-kiosk-'));
    const d = await tongbanDaemon(['start', '--data', data, '--port', '0'], /自助终端页面: (\S+)\n/);
    try {
      const token = readFileSync(join(data, 'api-token'), 'utf8').trim();
      const url = new URL(d.match[1]!);
      expect(url.hostname).toBe('127.0.0.1');
      expect(url.pathname).toBe('/kiosk/');
      expect(url.hash).toBe(`#token=${token}`);
      expect(d.stdout()).toMatch(/^tongban agent ready: http:\/\/127\.0\.0\.1:\d+\/ .*\n自助终端页面: http:\/\/127\.0\.0\.1:\d+\/kiosk\/#token=/);
      // The page itself (built by npm run build) needs no token; the fragment never reaches the server.
      const page = await fetch(new URL('/kiosk/', url));
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
      const html = await page.text();
      const script = /src="\.\/(app-[\w-]+\.js)"/.exec(html)?.[1];
      expect(script).toBeDefined();
      expect((await fetch(new URL(`/kiosk/${script}`, url))).status).toBe(200);
      const root = await fetch(new URL('/', url), { redirect: 'manual' });
      expect(root.status).toBe(302);
      expect(root.headers.get('location')).toBe('/kiosk/');
    } finally {
      d.child.kill('SIGTERM');
      expect(await d.exited).toBe(0);
    }
    const log = readFileSync(join(data, 'logs', 'agent.log'), 'utf8');
    expect(log).toContain('agent ready');
    expect(log).not.toContain(readFileSync(join(data, 'api-token'), 'utf8').trim());
    expect(d.stderr()).not.toContain(readFileSync(join(data, 'api-token'), 'utf8').trim());
  });
});
