/**
 * The kiosk browser's process handling (agent/browser/kiosk-browser.ts) with small real programs in
 * the browser's place: one that dies at once (the restarts and their delays), one that stays with a
 * child of its own (what it is given; stop() ends the whole group and removes the profile).
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../base/log.js';
import { startKioskBrowser } from '../browser/kiosk-browser.js';

const KIOSK_URL = 'http://127.0.0.1:4321/kiosk/#token=secret-token-123';

function capture(): { log: ReturnType<typeof createLogger>; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  return { log: createLogger({ level: 'debug', sink: { write: (l) => lines.push(JSON.parse(l) as Record<string, unknown>) } }), lines };
}

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Alive and not a zombie. */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('kiosk browser process', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tongban-kiosk-browser-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('without a screen it says so; a browser that keeps dying is started again after 1, 2, 4 ... times the first delay; stop() during a wait starts none; old profiles removed at start, nothing else', async () => {
    const runDir = join(dir, 'run-dying');
    mkdirSync(join(runDir, 'browser-left-over', 'Default'), { recursive: true });
    writeFileSync(join(runDir, 'idcard'), 'not ours');
    const dies = join(dir, 'dies.sh');
    writeFileSync(dies, '#!/bin/sh\nexit 1\n');
    chmodSync(dies, 0o755);
    const { log, lines } = capture();
    const browser = startKioskBrowser({ executable: dies, kioskUrl: KIOSK_URL, runDir, log, restartDelayMs: 40, env: { PATH: process.env.PATH } });
    expect(lines.some((l) => l.level === 'warn' && /neither DISPLAY nor WAYLAND_DISPLAY/.test(String(l.msg)))).toBe(true);
    expect(existsSync(join(runDir, 'browser-left-over'))).toBe(false);
    expect(readFileSync(join(runDir, 'idcard'), 'utf8')).toBe('not ours');
    await until(() => browser.launches >= 5);
    const waits = lines.filter((l) => l.msg === 'kiosk browser ended: starting it again').map((l) => l.inMs);
    expect(waits.slice(0, 4)).toEqual([40, 80, 160, 320]);
    await browser.stop();
    const launches = browser.launches;
    await new Promise((r) => setTimeout(r, 800)); // longer than the next delay (640 ms)
    expect(browser.launches).toBe(launches);
    expect(readdirSync(runDir).filter((n) => n.startsWith('browser-'))).toEqual([]);
    expect(lines.at(-1)?.msg).toBe('kiosk browser stopped');
  });

  it('the browser gets its profile and the launch page (the token only there, mode 0600); stop() ends it and its children and removes the profile', async () => {
    const runDir = join(dir, 'run-staying');
    const argsFile = join(dir, 'args.txt');
    const childFile = join(dir, 'child.pid');
    const stays = join(dir, 'stays.sh');
    writeFileSync(stays, `#!/bin/sh\nprintf '%s\\n' "$@" > ${argsFile}\nsleep 300 &\necho $! > ${childFile}\nwait\n`);
    chmodSync(stays, 0o755);
    const { log, lines } = capture();
    const browser = startKioskBrowser({ executable: stays, kioskUrl: KIOSK_URL, runDir, log, window: { width: 800, height: 1280 }, env: { PATH: process.env.PATH, DISPLAY: ':99' } });
    expect(lines.some((l) => /DISPLAY/.test(String(l.msg)))).toBe(false);
    await until(() => existsSync(childFile) && readFileSync(childFile, 'utf8').endsWith('\n'));
    const args = readFileSync(argsFile, 'utf8').trim().split('\n');
    const profile = args.find((a) => a.startsWith('--user-data-dir='))!.slice('--user-data-dir='.length);
    expect(profile.startsWith(join(runDir, 'browser-'))).toBe(true);
    expect(statSync(profile).mode & 0o777).toBe(0o700);
    expect(args).toContain('--kiosk');
    expect(args).toContain('--window-size=800,1280');
    expect(args).toContain('--proxy-bypass-list=<-loopback>;127.0.0.1:4321');
    expect(args.at(-1)).toBe(`file://${join(profile, 'launch.html')}`);
    expect(args.join(' ')).not.toContain('secret-token-123');
    expect(readFileSync(join(profile, 'launch.html'), 'utf8')).toContain('url=http://127.0.0.1:4321/kiosk/#token=secret-token-123');
    expect(statSync(join(profile, 'launch.html')).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(join(profile, 'Default', 'Preferences'), 'utf8'))).toMatchObject({ translate: { enabled: false }, credentials_enable_service: false });
    const child = Number(readFileSync(childFile, 'utf8'));
    const pid = browser.pid!;
    expect(alive(pid) && alive(child)).toBe(true);

    await browser.stop();
    await until(() => !alive(child), 2_000);
    expect(alive(pid)).toBe(false);
    expect(existsSync(profile)).toBe(false);
    expect(browser.launches).toBe(1);
    expect(lines.some((l) => l.msg === 'kiosk browser ended: starting it again')).toBe(false);
    expect(JSON.stringify(lines)).not.toContain('secret-token-123');
  });
});
