/**
 * The kiosk shell's wiring (agent/electron/shell.ts) with the real agent in-process and a stand-in for
 * Electron's API (test/helpers/electron-stand-in.ts; no Electron binary can exist on these machines):
 * one instance, the window's settings, the guards on every web contents and on the session, the display
 * kept awake, a closed window refused or reopened, a crashed or hung renderer brought back, and the
 * quit — from staff mode through the agent's API, or asked by the system — stopping the agent cleanly.
 */
import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/config.js';
import { RUNTIME_FILE } from '../data-dir.js';
import { CONTENT_SECURITY_POLICY, kioskUrl } from '../api/ui-routes.js';
import { argValue, runShell, type RunningShell } from '../electron/shell.js';
import { webPreferencesFor } from '../electron/policy.js';
import type { Updater } from '../electron/updates.js';
import { ROOT } from '../../test/helpers/cli.js';
import { apiCall } from './helpers/api.js';
import { StandInElectron, type StandInWindow } from './helpers/electron-stand-in.js';

const PIN = '86420';
const config = parseConfig({ sync: { endpoints: [] }, ui: { staffPin: PIN } });
const until = async (ok: () => boolean, what: string, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

/** What the shell asks of electron-updater's autoUpdater (updates.ts drives the real one in its own test). */
function updaterStandIn(): Updater & { checks: number; events: string[] } {
  const u = {
    autoDownload: false,
    autoInstallOnAppQuit: false,
    autoRunAppAfterInstall: false,
    allowDowngrade: true,
    allowPrerelease: true,
    fullChangelog: true,
    channel: null as string | null,
    logger: null as unknown,
    checks: 0,
    events: [] as string[],
    on(event: string) {
      u.events.push(event);
      return u;
    },
    checkForUpdates() {
      u.checks++;
      return Promise.resolve(null);
    },
  };
  return u as unknown as Updater & { checks: number; events: string[] };
}

describe('a second instance', () => {
  it('quits at once without starting an agent or touching the data directory', async () => {
    const electron = new StandInElectron();
    electron.app.lock = false;
    const dataDir = join(mkdtempSync(join(tmpdir(), 'tongban-shell-second-')), 'data');
    expect(await runShell(electron, { agent: { dataDir, port: 0, config }, production: true })).toBeUndefined();
    expect(electron.app.quitCalls).toBe(1);
    expect(electron.windows).toEqual([]);
    expect(existsSync(dataDir)).toBe(false);
  });
});

describe('the kiosk shell (production)', () => {
  const electron = new StandInElectron();
  const signals = new EventEmitter();
  const updater = updaterStandIn();
  let shell: RunningShell;
  let dataDir = '';
  let url = '';
  const win = (): StandInWindow => shell.window() as StandInWindow;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tongban-shell-'));
    shell = (await runShell(electron, { agent: { dataDir, port: 0, logLevel: 'info', config }, production: true, unresponsiveMs: 50, signals, updates: { load: () => Promise.resolve(updater) } }))!;
    url = kioskUrl(shell.agent.url, shell.agent.token);
  });
  afterAll(async () => {
    if (electron.app.exitCode === undefined) {
      electron.app.quit();
      await shell?.stopped;
    }
  });

  it('sandboxes every renderer, has no application menu, and keeps the display awake', () => {
    expect(electron.app.sandboxEnabled).toBe(true);
    expect(electron.applicationMenu).toBeNull();
    expect([...electron.blockers.values()]).toEqual(['prevent-display-sleep']);
  });

  it('opens one kiosk window with the policy’s webPreferences on the agent’s kiosk page (token in the fragment)', async () => {
    expect(electron.open()).toHaveLength(1);
    const w = win();
    expect(w.options).toMatchObject({ kiosk: true, fullscreen: true, frame: false, show: false });
    expect(w.options.webPreferences).toEqual(webPreferencesFor({ production: true }));
    expect(w.menuRemoved).toBe(true);
    expect(w.webContents.loaded).toEqual([url]);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/kiosk\/#token=/);
    await until(() => w.shown, 'ready-to-show');
    // What the window loads is the agent's page, with its CSP (the fragment never leaves the browser).
    const page = await fetch(url.split('#')[0]!);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(await page.text()).toContain('<script');
    expect((await apiCall(shell.agent, 'GET', '/api/kiosk')).json.canQuit).toBe(true);
  });

  it('keeps every web contents on the kiosk pages: other navigation, new windows and <webview> refused', () => {
    const c = win().webContents;
    expect(c.willNavigate('https://www.gov.cn/')).toBe(true);
    expect(c.willNavigate(`${shell.agent.url}api/cases`)).toBe(true);
    expect(c.willNavigate('file:///etc/passwd')).toBe(true);
    expect(c.willNavigate(url)).toBe(false);
    expect(c.emitCancellable('will-redirect', 'http://example.org/')).toBe(true);
    expect(c.windowOpen!({ url: `${shell.agent.url}kiosk/` })).toEqual({ action: 'deny' });
    expect(c.emitCancellable('will-attach-webview')).toBe(true);
  });

  it('denies every permission and device chooser, downloads, and puts the CSP on the agent’s answers', () => {
    const s = electron.defaultSession;
    const answers: boolean[] = [];
    for (const p of ['media', 'geolocation', 'notifications', 'fullscreen', 'clipboard-read']) s.permissionRequest!(win().webContents, p, (g) => answers.push(g), { requestingUrl: url });
    expect(answers).toEqual([false, false, false, false, false]);
    expect(s.permissionCheck!(win().webContents, 'media', new URL(url).origin)).toBe(false);
    expect(s.devicePermission!({ deviceType: 'hid', origin: new URL(url).origin })).toBe(false);
    const chosen: (string | undefined)[] = [];
    expect(s.emitCancellable('select-serial-port', {}, (id?: string) => chosen.push(id))).toBe(true);
    expect(s.emitCancellable('select-hid-device', {}, (id?: string) => chosen.push(id))).toBe(true);
    expect(chosen).toEqual(['', undefined]);
    expect(s.emitCancellable('will-download')).toBe(true);
    let headers: Record<string, string[]> = {};
    s.headersReceived!({ url: `${shell.agent.url}kiosk/`, responseHeaders: { 'content-type': ['text/html'] } }, (r) => (headers = r.responseHeaders));
    expect(headers['Content-Security-Policy']).toEqual([CONTENT_SECURITY_POLICY]);
  });

  it('swallows the shortcuts that would leave the page, not typing; closes the devtools if they open', () => {
    const c = win().webContents;
    expect(c.input({ key: 'F5' })).toBe(true);
    expect(c.input({ key: 'I', control: true, shift: true })).toBe(true);
    expect(c.input({ key: 'w', control: true })).toBe(true);
    expect(c.input({ key: 'a' })).toBe(false);
    expect(c.input({ key: 'Enter' })).toBe(false);
    c.emit('devtools-opened');
    expect(c.devToolsClosed).toBe(1);
  });

  it('a second start focuses the window', () => {
    const before = win().focused;
    electron.app.emit('second-instance');
    expect(win().focused).toBe(before + 1);
  });

  it('refuses to close the window (Alt+F4); a window destroyed anyway is opened again on the kiosk page', async () => {
    const w = win();
    w.close();
    expect(w.destroyed).toBe(false);
    expect(win()).toBe(w);
    w.destroy();
    expect(win()).not.toBe(w);
    expect(electron.open()).toHaveLength(1);
    expect(win().webContents.loaded).toEqual([url]);
    expect(win().options.webPreferences).toEqual(webPreferencesFor({ production: true }));
    // the new window's contents are guarded like the first's
    expect(win().webContents.willNavigate('https://www.gov.cn/')).toBe(true);
  });

  it('loads the page again after the renderer crashed, and restarts a renderer that hangs', async () => {
    const c = win().webContents;
    c.renderProcessGone({ reason: 'crashed', exitCode: 139 });
    await until(() => c.loaded.length === 2, 'the reload after a crash');
    expect(c.loaded[1]).toBe(url);
    win().emit('unresponsive');
    await until(() => c.loaded.length === 3, 'the reload after a hang (50 ms here)');
    // a hang that ends in time changes nothing
    win().emit('unresponsive');
    win().emit('responsive');
    await new Promise((r) => setTimeout(r, 150));
    expect(c.loaded).toHaveLength(3);
  });

  it('checks for updates once the window is open: downloaded in the background, installed at the next quit, never a downgrade', () => {
    expect(updater.checks).toBe(1);
    expect(updater).toMatchObject({ autoDownload: true, autoInstallOnAppQuit: true, allowDowngrade: false });
    expect(updater.events).toContain('update-downloaded');
  });

  it('quits from staff mode: the answer first, then the window closes, the agent stops cleanly and the app exits 0', async () => {
    const refused = await apiCall(shell.agent, 'POST', '/api/staff/quit', { session: 'f'.repeat(32) });
    expect(refused.status).toBe(401);
    expect(electron.app.quitCalls).toBe(0);
    const session = (await apiCall(shell.agent, 'POST', '/api/staff/session', { pin: PIN })).json.session as string;
    const r = await apiCall(shell.agent, 'POST', '/api/staff/quit', { session });
    expect(r.status).toBe(202);
    expect(await electron.app.exited).toBe(0);
    await shell.stopped;
    expect(electron.open()).toEqual([]);
    expect(electron.blockers.size).toBe(0);
    expect(existsSync(join(dataDir, RUNTIME_FILE))).toBe(false);
    await expect(fetch(new URL('api/health', shell.agent.url))).rejects.toThrow();
    const log = readFileSync(join(dataDir, 'logs', 'agent.log'), 'utf8');
    expect(log).toContain('staff quit the kiosk');
    expect(log).toContain('agent stopped');
    // the refused navigation and new window were logged, the token never (it rides in the URL's fragment)
    expect(log).toContain('navigation refused');
    expect(log).not.toContain(shell.agent.token);
    // the signal handlers are gone with the shell
    expect(signals.listenerCount('SIGTERM') + signals.listenerCount('SIGINT')).toBe(0);
  });
});

describe('a quit the system asks for (shutdown, SIGTERM)', () => {
  for (const how of ['SIGTERM', 'app.quit'] as const) {
    it(`${how}: closes the window without reopening it and stops the agent before the exit`, async () => {
      const electron = new StandInElectron();
      const signals = new EventEmitter();
      const dataDir = mkdtempSync(join(tmpdir(), 'tongban-shell-term-'));
      // outside production (devtools allowed), and an updater that cannot be loaded: the kiosk runs on
      const shell = (await runShell(electron, { agent: { dataDir, port: 0, logLevel: 'warn', config }, production: false, signals, updates: { load: () => Promise.reject(new Error('no app-update.yml')) } }))!;
      expect((electron.windows[0]!.options.webPreferences as { devTools: boolean }).devTools).toBe(true);
      if (how === 'SIGTERM') signals.emit('SIGTERM', 'SIGTERM');
      else electron.app.quit();
      expect(await electron.app.exited).toBe(0);
      await shell.stopped;
      expect(electron.windows).toHaveLength(1);
      expect(existsSync(join(dataDir, RUNTIME_FILE))).toBe(false);
      expect(signals.listenerCount('SIGTERM')).toBe(0);
      // (the log is read once closed: its stream writes asynchronously)
      expect(readFileSync(join(dataDir, 'logs', 'agent.log'), 'utf8')).toContain('updates are off');
    });
  }
});

describe('an agent that cannot start', () => {
  it('fails the shell (main.ts exits with its code) and leaves no signal handler behind', async () => {
    const electron = new StandInElectron();
    const signals = new EventEmitter();
    // a data directory that is a file: the agent refuses it before anything starts
    const dataDir = join(mkdtempSync(join(tmpdir(), 'tongban-shell-fail-')), 'not-a-dir');
    writeFileSync(dataDir, 'x');
    await expect(runShell(electron, { agent: { dataDir, port: 0, logLevel: 'error', config }, production: true, signals })).rejects.toThrow();
    expect(signals.listenerCount('SIGTERM') + signals.listenerCount('SIGINT')).toBe(0);
    expect(electron.windows).toEqual([]);
    expect(electron.blockers.size).toBe(0);
  });
});

describe('the Electron entry run without Electron', () => {
  it('says what it is and what to run instead, exit 3 (run `npm run build` first)', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'agent', 'electron', 'main.js')], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('Electron is not running it');
    expect(r.stderr).toContain('tongban start --browser');
  });
});

describe('argValue', () => {
  it('reads --name VALUE and --name=VALUE among Chromium’s own switches', () => {
    const argv = ['/opt/tongban/tongban-kiosk', '--no-sandbox', '--config', '/etc/tongban/config.json', '--data=/var/lib/tongban'];
    expect(argValue(argv, 'config')).toBe('/etc/tongban/config.json');
    expect(argValue(argv, 'data')).toBe('/var/lib/tongban');
    expect(argValue(argv, 'port')).toBeUndefined();
  });
});
