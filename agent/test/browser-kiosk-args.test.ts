import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { ExitCode } from '../../base/errors.js';
import {
  CHROMIUM_CANDIDATES,
  findChromium,
  kioskChromiumArgs,
  kioskProfilePreferences,
  launchPageHtml,
  parseWindowSize,
} from '../browser/chromium-kiosk.js';

const TOKEN = 'tok_abc-DEF_123';

/** The little of the page's globals used here (this project's Node tsconfig has no DOM types). */
interface PageGlobals {
  navigator: { geolocation: { getCurrentPosition(ok: () => void, fail: (e: { code: number }) => void): void } };
}

describe('browser kiosk: which Chromium', () => {
  it('takes the one named when it exists, else the first candidate that does; none: an environment failure (exit 3) saying what to do', () => {
    expect(findChromium('/opt/x/chrome', (p) => p === '/opt/x/chrome')).toBe('/opt/x/chrome');
    expect(() => findChromium('/opt/x/chrome', () => false)).toThrow(/\/opt\/x\/chrome does not exist/);
    expect(findChromium(undefined, (p) => p === '/usr/bin/google-chrome' || p === '/usr/bin/chromium-browser')).toBe('/usr/bin/chromium-browser');
    expect(CHROMIUM_CANDIDATES[0]).toBe('/usr/bin/chromium');
    let err: unknown;
    try {
      findChromium(undefined, () => false);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ exitCode: ExitCode.failure, code: 'browser.notFound' });
    expect(String(err)).toMatch(/apt install chromium.*--browser-path/);
  });

  it('window sizes are WIDTHxHEIGHT', () => {
    expect(parseWindowSize('1080x1920')).toEqual({ width: 1080, height: 1920 });
    expect(() => parseWindowSize('1080*1920')).toThrow(/WIDTHxHEIGHT/);
    expect(() => parseWindowSize('x1920')).toThrow(/WIDTHxHEIGHT/);
  });
});

describe('browser kiosk: the command line', () => {
  const base = { origin: 'http://127.0.0.1:4321', launchUrl: 'file:///data/run/browser-1/launch.html', userDataDir: '/data/run/browser-1', noSandbox: false };

  it('kiosk, a throwaway profile, no first run, extensions, sync, background networking, translate or prompts; the launch page last', () => {
    const args = kioskChromiumArgs(base);
    for (const flag of [
      '--kiosk',
      '--user-data-dir=/data/run/browser-1',
      '--no-first-run',
      '--incognito',
      '--disable-extensions',
      '--disable-sync',
      '--disable-background-networking',
      '--disable-component-update',
      '--deny-permission-prompts',
      '--password-store=basic',
      '--overscroll-history-navigation=0',
    ]) {
      expect(args).toContain(flag);
    }
    expect(args.find((a) => a.startsWith('--disable-features='))?.split('=')[1]?.split(',')).toContain('Translate');
    expect(args.at(-1)).toBe(base.launchUrl);
    // One --disable-features only: Chromium keeps the last of several.
    expect(args.filter((a) => a.startsWith('--disable-features=')).length).toBe(1);
  });

  it('never remote debugging, never the token, the sandbox off only when asked (root), the window placed only when sized', () => {
    const args = kioskChromiumArgs(base);
    expect(args.some((a) => /remote-debugging|remote-allow-origins|enable-automation/.test(a))).toBe(false);
    expect(args.join(' ')).not.toContain('token');
    expect(args).not.toContain('--no-sandbox');
    expect(kioskChromiumArgs({ ...base, noSandbox: true })).toContain('--no-sandbox');
    expect(args.some((a) => a.startsWith('--window-'))).toBe(false);
    const sized = kioskChromiumArgs({ ...base, window: { width: 1080, height: 1920 } });
    expect(sized).toContain('--window-position=0,0');
    expect(sized).toContain('--window-size=1080,1920');
  });

  it('only the agent\'s host:port bypasses the dead proxy; names do not resolve but the agent\'s host', () => {
    const args = kioskChromiumArgs(base);
    expect(args).toContain('--proxy-bypass-list=<-loopback>;127.0.0.1:4321');
    expect(args).toContain('--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1');
    expect(args.find((a) => a.startsWith('--proxy-server='))).toMatch(/\.invalid:/);
    expect(() => kioskChromiumArgs({ ...base, origin: 'http://192.168.1.5:4321' })).toThrow(/loopback/);
    expect(() => kioskChromiumArgs({ ...base, origin: 'https://127.0.0.1:4321' })).toThrow(/loopback/);
  });

  it('the launch page goes on to the kiosk pages, the address escaped; not to another host', () => {
    const html = launchPageHtml(`http://127.0.0.1:4321/kiosk/#token=${TOKEN}&x="<b>`);
    expect(html).toContain(`content="0;url=http://127.0.0.1:4321/kiosk/#token=${TOKEN}&amp;x=%22%3Cb%3E"`);
    expect(html).not.toContain('<b>');
    expect(() => launchPageHtml('http://example.com/kiosk/')).toThrow(/loopback/);
  });

  it('the profile\'s preferences turn translate, the password manager and autofill off, and block notifications, location, camera, microphone', () => {
    const p = kioskProfilePreferences() as {
      translate: { enabled: boolean };
      credentials_enable_service: boolean;
      autofill: { profile_enabled: boolean; credit_card_enabled: boolean };
      profile: { password_manager_enabled: boolean; default_content_setting_values: Record<string, number> };
    };
    expect(p.translate.enabled).toBe(false);
    expect(p.credentials_enable_service).toBe(false);
    expect(p.profile.password_manager_enabled).toBe(false);
    expect(p.autofill).toMatchObject({ profile_enabled: false, credit_card_enabled: false });
    expect(p.profile.default_content_setting_values).toEqual({ notifications: 2, geolocation: 2, media_stream_camera: 2, media_stream_mic: 2 });
  });
});

/**
 * The flags in the system Chromium (driven here through playwright-core, headless): what the kiosk
 * page can reach. The agent's origin is a loopback server; "elsewhere" is another loopback server on
 * another port, which a browser without these flags would reach.
 */
describe('browser kiosk: the flags in the real Chromium', () => {
  let agentSite: Server;
  let elsewhere: Server;
  let agentOrigin: string;
  let elsewhereOrigin: string;
  let dir: string;
  const hits: string[] = [];

  const listen = (s: Server): Promise<string> =>
    new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)));

  beforeAll(async () => {
    agentSite = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>kiosk</title><p>kiosk page</p>');
    });
    new WebSocketServer({ server: agentSite });
    elsewhere = createServer((req, res) => {
      hits.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'text/html', 'access-control-allow-origin': '*' });
      res.end('<!doctype html><p>elsewhere</p>');
    });
    new WebSocketServer({ server: elsewhere });
    agentOrigin = await listen(agentSite);
    elsewhereOrigin = await listen(elsewhere);
    dir = mkdtempSync(join(tmpdir(), 'tongban-browser-args-'));
  });

  afterAll(async () => {
    await new Promise((r) => agentSite.close(r));
    await new Promise((r) => elsewhere.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('the launch page lands on the kiosk page with the token; other hosts, other loopback ports and names fail, for navigation, fetch and WebSocket; permission prompts denied', async () => {
    const profile = join(dir, 'profile');
    mkdirSync(join(profile, 'Default'), { recursive: true });
    writeFileSync(join(profile, 'Default', 'Preferences'), JSON.stringify(kioskProfilePreferences()));
    const launchPage = join(profile, 'launch.html');
    writeFileSync(launchPage, launchPageHtml(`${agentOrigin}/kiosk/#token=${TOKEN}`));
    const args = kioskChromiumArgs({ origin: agentOrigin, launchUrl: `file://${launchPage}`, userDataDir: profile, noSandbox: true })
      // playwright-core names the profile itself and opens its own page; incognito is its context anyway.
      .filter((a) => !a.startsWith('--user-data-dir=') && a !== '--incognito' && !a.startsWith('file://'));
    const context = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', headless: true, args: [...args, '--disable-gpu'] });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      await page.goto(`file://${launchPage}`);
      await page.waitForURL(`${agentOrigin}/kiosk/#token=${TOKEN}`);
      expect(await page.textContent('p')).toBe('kiosk page');

      // From the kiosk page: its own origin answers, nothing else does.
      const reach = (url: string) =>
        page.evaluate(async (u) => {
          try {
            return (await fetch(u)).status;
          } catch {
            return 'failed';
          }
        }, url);
      expect(await reach(`${agentOrigin}/api/kiosk`)).toBe(200);
      expect(await reach(`${elsewhereOrigin}/x`)).toBe('failed');
      expect(await reach(`http://localhost:${new URL(agentOrigin).port}/x`)).toBe('failed');
      expect(await reach('http://example.com/')).toBe('failed');
      const socket = (url: string) =>
        page.evaluate(
          (u) =>
            new Promise<string>((resolve) => {
              const ws = new WebSocket(u);
              ws.onopen = () => (ws.close(), resolve('open'));
              ws.onerror = () => resolve('failed');
            }),
          url,
        );
      expect(await socket(`${agentOrigin.replace('http', 'ws')}/api/ws`)).toBe('open');
      expect(await socket(`${elsewhereOrigin.replace('http', 'ws')}/api/ws`)).toBe('failed');
      // A permission the page asks for is refused without a prompt (code 1: PERMISSION_DENIED). Headless
      // Chromium refuses it without the flag too, so this only holds the kiosk to it; the headed e2e cannot ask.
      const geolocation = await page.evaluate(
        () =>
          new Promise<number | string>((resolve) =>
            (globalThis as unknown as PageGlobals).navigator.geolocation.getCurrentPosition(() => resolve('granted'), (e) => resolve(e.code)),
          ),
      );
      expect(geolocation).toBe(1);

      // Navigating away fails and shows Chromium's error page, never the other site.
      for (const url of [`${elsewhereOrigin}/page`, 'http://example.com/', 'http://10.1.2.3/']) {
        await expect(page.goto(url)).rejects.toThrow(/ERR_PROXY_CONNECTION_FAILED|ERR_NAME_NOT_RESOLVED/);
      }
      expect(hits).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
