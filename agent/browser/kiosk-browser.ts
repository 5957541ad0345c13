/**
 * The browser kiosk fallback's process: the system Chromium on the kiosk pages, kept running. Each
 * launch gets a fresh throwaway profile under DATA/run/ (removed when that browser ends); a browser
 * that dies is started again (after 1 s, then more slowly while it keeps dying); stop() ends it and its
 * children. Its output is not kept: Chromium's chatter could carry the page's address and token.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../base/log.js';
import { kioskChromiumArgs, kioskProfilePreferences, launchPageHtml, type WindowSize } from './chromium-kiosk.js';

export const PROFILE_PREFIX = 'browser-';

export interface KioskBrowserOptions {
  /** The Chromium executable (findChromium). */
  readonly executable: string;
  /** The kiosk pages' URL with the token in its fragment. */
  readonly kioskUrl: string;
  /** DATA/run: the profiles go here. */
  readonly runDir: string;
  readonly window?: WindowSize;
  readonly log: Logger;
  /** The browser's environment (DISPLAY, ...): default this process's. */
  readonly env?: NodeJS.ProcessEnv;
  /** First restart delay; doubles while the browser keeps dying, up to 30 s. Default 1 s. */
  readonly restartDelayMs?: number;
}

export interface KioskBrowser {
  /** The running browser's process id (undefined between a death and its restart). */
  readonly pid: number | undefined;
  /** How many times it has been started. */
  readonly launches: number;
  stop(): Promise<void>;
}

/** A browser that ran this long before dying is restarted at once again. */
const STABLE_MS = 60_000;
const MAX_DELAY_MS = 30_000;
const STOP_GRACE_MS = 5_000;

export function startKioskBrowser(o: KioskBrowserOptions): KioskBrowser {
  const log = o.log;
  const firstDelay = o.restartDelayMs ?? 1_000;
  mkdirSync(o.runDir, { recursive: true, mode: 0o700 });
  // Profiles left by a browser that outlived a killed agent: nothing in them is needed.
  for (const name of readdirSync(o.runDir)) if (name.startsWith(PROFILE_PREFIX)) rmSync(join(o.runDir, name), { recursive: true, force: true });

  const env = o.env ?? process.env;
  // Chromium dies at once without a screen, and would be restarted over and over: say why up front.
  if (process.platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) log.warn('kiosk browser: neither DISPLAY nor WAYLAND_DISPLAY is set, it has no screen to open on');
  const noSandbox = process.getuid?.() === 0;
  if (noSandbox) log.warn('kiosk browser runs as root: its sandbox is off (run the kiosk as an ordinary user)');
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let launches = 0;
  let delay = firstDelay;
  let timer: NodeJS.Timeout | undefined;
  let stopping = false;

  const launch = (): void => {
    timer = undefined;
    if (stopping) return;
    const profile = mkdtempSync(join(o.runDir, PROFILE_PREFIX));
    mkdirSync(join(profile, 'Default'), { mode: 0o700 });
    writeFileSync(join(profile, 'Default', 'Preferences'), JSON.stringify(kioskProfilePreferences()), { mode: 0o600 });
    const launchPage = join(profile, 'launch.html');
    writeFileSync(launchPage, launchPageHtml(o.kioskUrl), { mode: 0o600 });
    const args = kioskChromiumArgs({
      origin: new URL(o.kioskUrl).origin,
      launchUrl: `file://${launchPage}`,
      userDataDir: profile,
      noSandbox,
      ...(o.window ? { window: o.window } : {}),
    });
    const startedAt = Date.now();
    // Its own process group, so that stop() ends the browser's children (renderers, GPU, zygote) too.
    const c = spawn(o.executable, args, { stdio: 'ignore', detached: true, env });
    child = c;
    launches++;
    exited = new Promise<void>((resolve) => {
      let done = false;
      const ended = (code: number | null, signal: NodeJS.Signals | null): void => {
        if (done) return;
        done = true;
        if (child === c) child = undefined;
        killGroup(c, 'SIGKILL'); // whatever of it is left
        rmSync(profile, { recursive: true, force: true });
        resolve();
        if (stopping) return;
        const ran = Date.now() - startedAt;
        if (ran >= STABLE_MS) delay = firstDelay;
        log.warn('kiosk browser ended: starting it again', { code, signal, ranMs: ran, inMs: delay });
        timer = setTimeout(launch, delay);
        delay = Math.min(delay * 2, MAX_DELAY_MS);
      };
      c.once('error', (err) => {
        log.error('kiosk browser could not start', { executable: o.executable, err });
        ended(null, null);
      });
      c.once('close', ended);
    });
    log.info('kiosk browser started', { executable: o.executable, pid: c.pid ?? null, launch: launches });
  };
  launch();

  return {
    get pid() {
      return child?.pid;
    },
    get launches() {
      return launches;
    },
    async stop() {
      stopping = true;
      if (timer) clearTimeout(timer);
      const c = child;
      if (c) {
        killGroup(c, 'SIGTERM');
        const grace = setTimeout(() => killGroup(c, 'SIGKILL'), STOP_GRACE_MS);
        await exited;
        clearTimeout(grace);
      }
      log.info('kiosk browser stopped');
    },
  };
}

function killGroup(c: ChildProcess, signal: NodeJS.Signals): void {
  if (c.pid === undefined) return;
  try {
    process.kill(-c.pid, signal);
  } catch {
    // the group is gone already
  }
}
