/**
 * The kiosk shell: the agent in this process and one kiosk window on its pages, the whole of what the
 * Electron main process does (main.ts only loads Electron and calls runShell). Typed against
 * electron-api.ts, so it builds without the `electron` package; every decision it applies is a plain
 * function of policy.ts.
 *
 * - One instance: a second start focuses the first one's window and leaves.
 * - The window: kiosk (full screen, no frame, no menu), sandboxed renderer without Node, no preload and
 *   no IPC (the pages use the agent's loopback API); devtools only outside production.
 * - Every web contents: navigation only within the agent's /kiosk/ pages, no new windows, no <webview>;
 *   the session: every permission and device chooser denied, no downloads, the CSP on every answer.
 * - The display kept awake (powerSaveBlocker 'prevent-display-sleep').
 * - A renderer that crashes or hangs is brought back (relaunchDelayMs); a window closed (Alt+F4 through
 *   the window manager) is refused or, if gone, opened again; shortcuts that would leave are swallowed.
 * - Quitting: from staff mode (POST /api/staff/quit calls the agent's shell hook) or when the system
 *   asks (SIGTERM at shutdown): the agent stops cleanly (every acknowledged write on disk), then exit.
 * - Updates (packaged app only, updates.ts): checked in the background once the window is open,
 *   installed by electron-updater at the next quit.
 */
import { createLogger, stderrSink, type Logger } from '../../base/log.js';
import { startAgent, type AgentOptions, type RunningAgent } from '../agent.js';
import { kioskUrl } from '../api/ui-routes.js';
import type { BrowserWindow, ElectronMain, Session, WebContents } from './electron-api.js';
import { startUpdates, type RunningUpdates, type UpdateOptions, type Updater } from './updates.js';
import { appOrigin, blockedShortcut, navigationAllowed, openWindowDecision, permissionAllowed, relaunchDelayMs, webPreferencesFor, withCsp } from './policy.js';

export interface ShellOptions {
  /** How the agent is started (its data directory, configuration); the shell adds its quit hook. */
  readonly agent: Omit<AgentOptions, 'shell'>;
  /** Production (a packaged app): no developer tools. */
  readonly production: boolean;
  /** Milliseconds a hung renderer is given before it is restarted (default 30 s). */
  readonly unresponsiveMs?: number;
  /** Fleet updates (the packaged app): how to load electron-updater's autoUpdater, and the channel. */
  readonly updates?: { readonly load: () => Promise<Updater>; readonly options?: UpdateOptions };
  /** The process whose SIGTERM/SIGINT quit the kiosk cleanly (default: this one). */
  readonly signals?: SignalSource;
}

/** Where SIGTERM and SIGINT come from (the process; an EventEmitter in tests). */
export interface SignalSource {
  on(signal: 'SIGTERM' | 'SIGINT', listener: (signal: NodeJS.Signals) => void): unknown;
  off(signal: 'SIGTERM' | 'SIGINT', listener: (signal: NodeJS.Signals) => void): unknown;
}

export interface RunningShell {
  readonly agent: RunningAgent;
  /** The kiosk window now (a new one after the old was closed). */
  window(): BrowserWindow | undefined;
  /** Resolves once the agent has stopped and the app was told to exit. */
  readonly stopped: Promise<void>;
}

const UNRESPONSIVE_MS = 30_000;

/**
 * Runs the shell; resolves once the window is opening, or with undefined when another instance is
 * already running (this one then quits at once, before starting anything).
 */
export async function runShell(electron: ElectronMain, options: ShellOptions): Promise<RunningShell | undefined> {
  const { app, BrowserWindow, Menu, powerSaveBlocker } = electron;
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return undefined;
  }
  // Every renderer sandboxed, whatever a window's own settings say; no application menu anywhere.
  app.enableSandbox();
  Menu.setApplicationMenu(null);

  let log: Logger = createLogger({ level: 'info', sink: stderrSink, fields: { component: 'agent.shell' } });
  let agent: RunningAgent | undefined;
  const known: { origin?: string } = {}; // the agent's origin, known once it listens; until then nothing may load
  let win: BrowserWindow | undefined;
  let quitting = false;
  let blocker: number | undefined;
  let updates: RunningUpdates | undefined;
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));
  const crashes: number[] = [];
  const guardedSessions = new WeakSet<Session>();

  const guardContents = (contents: WebContents): void => {
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler((details) => {
      log.warn('new window refused', { url: forLog(details.url) });
      return openWindowDecision();
    });
    const keepOnOrigin = (event: { preventDefault(): void }, url: string): void => {
      if (known.origin !== undefined && navigationAllowed(url, known.origin)) return;
      event.preventDefault();
      log.warn('navigation refused', { url: forLog(url) });
    };
    contents.on('will-navigate', keepOnOrigin);
    contents.on('will-redirect', keepOnOrigin);
  };

  const guardSession = (session: Session): void => {
    if (guardedSessions.has(session)) return;
    guardedSessions.add(session);
    session.setPermissionRequestHandler((_contents, permission, callback, details) => {
      const granted = known.origin !== undefined && permissionAllowed(permission, details.requestingUrl ?? '', known.origin);
      if (!granted) log.info('permission denied', { permission });
      callback(granted);
    });
    session.setPermissionCheckHandler((_contents, permission, requestingOrigin) => known.origin !== undefined && permissionAllowed(permission, requestingOrigin, known.origin));
    // WebHID, Web Serial, WebUSB: the devices are the agent's, never the page's.
    session.setDevicePermissionHandler(() => false);
    session.on('select-hid-device', (event, _details, callback) => {
      event.preventDefault();
      callback();
    });
    session.on('select-usb-device', (event, _details, callback) => {
      event.preventDefault();
      callback();
    });
    session.on('select-serial-port', (event, _details, callback) => {
      event.preventDefault();
      callback('');
    });
    session.on('will-download', (event) => event.preventDefault());
    session.webRequest.onHeadersReceived((details, callback) => {
      callback({ responseHeaders: withCsp(details.url, details.responseHeaders, known.origin ?? '') });
    });
  };

  app.on('web-contents-created', (_event, contents) => guardContents(contents));
  app.on('second-instance', () => {
    if (!win || win.isDestroyed()) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  // Closing the last window does not end the kiosk (the window comes back); only a quit does.
  app.on('window-all-closed', () => undefined);
  app.on('before-quit', () => {
    if (!quitting) log.info('quit requested by the system');
    quitting = true;
  });
  const quit = (reason: string): void => {
    if (quitting) return;
    quitting = true;
    log.info('quitting', { reason });
    // After the answer of the request that asked (the agent lets it finish before it stops).
    setImmediate(() => app.quit());
  };

  // The system's stop (shutdown, systemd, Ctrl-C in a terminal) quits as staff do: the agent stops cleanly.
  const signals: SignalSource = options.signals ?? process;
  const onSignal = (signal: NodeJS.Signals): void => quit(signal);
  signals.on('SIGTERM', onSignal);
  signals.on('SIGINT', onSignal);
  app.on('will-quit', (event) => {
    if (blocker !== undefined) powerSaveBlocker.stop(blocker);
    blocker = undefined;
    updates?.stop();
    updates = undefined;
    signals.off('SIGTERM', onSignal);
    signals.off('SIGINT', onSignal);
    if (!agent) return;
    // The agent stops first (requests under way finish, the store closes), then the process exits.
    event.preventDefault();
    const a = agent;
    agent = undefined;
    void a
      .stop('quit')
      .catch((err: unknown) => log.error('agent stop failed', { err }))
      .finally(() => {
        resolveStopped();
        app.exit(0);
      });
  });

  await app.whenReady();
  try {
    agent = await startAgent({ ...options.agent, shell: { name: 'electron', quit } });
  } catch (err) {
    signals.off('SIGTERM', onSignal);
    signals.off('SIGINT', onSignal);
    throw err;
  }
  const running = agent;
  log = agent.log.child({ component: 'agent.shell' });
  known.origin = appOrigin(agent.url);
  const origin = known.origin;
  const url = kioskUrl(agent.url, agent.token); // the token in the fragment: never logged
  blocker = powerSaveBlocker.start('prevent-display-sleep');

  const open = (): void => {
    const w = new BrowserWindow({
      kiosk: true,
      fullscreen: true,
      show: false,
      frame: false,
      autoHideMenuBar: true,
      backgroundColor: '#ffffff',
      title: 'tongban',
      // The policy's settings; the security-critical ones spelled out again so that a static audit
      // (Electronegativity, agent/test/electron-audit.test.ts) sees them at the window's creation.
      webPreferences: { ...webPreferencesFor({ production: options.production }), contextIsolation: true, sandbox: true, nodeIntegration: false, disableBlinkFeatures: 'Auxclick' },
    });
    win = w;
    const contents = w.webContents;
    w.removeMenu();
    guardSession(contents.session);
    w.on('ready-to-show', () => w.show());
    w.on('close', (event) => {
      if (quitting) return;
      event.preventDefault();
      log.warn('window close refused (quit from staff mode)');
    });
    w.on('closed', () => {
      if (win === w) win = undefined;
      if (quitting) return;
      log.warn('kiosk window was closed: opening it again');
      open();
    });
    let hung: NodeJS.Timeout | undefined;
    w.on('unresponsive', () => {
      log.warn('kiosk page unresponsive');
      hung ??= setTimeout(() => {
        hung = undefined;
        if (!w.isDestroyed() && !quitting) {
          log.warn('kiosk page still unresponsive: restarting its renderer');
          contents.forcefullyCrashRenderer();
        }
      }, options.unresponsiveMs ?? UNRESPONSIVE_MS);
    });
    w.on('responsive', () => {
      clearTimeout(hung);
      hung = undefined;
    });
    contents.on('render-process-gone', (_event, details) => {
      if (quitting || w.isDestroyed()) return;
      const now = Date.now();
      crashes.push(now);
      while (crashes.length > 20) crashes.shift();
      const delay = relaunchDelayMs(crashes, now);
      log.error('kiosk page renderer gone: loading the page again', { reason: details.reason, exitCode: details.exitCode, delayMs: delay });
      setTimeout(() => {
        if (!w.isDestroyed() && !quitting) void w.loadURL(url).catch((err: unknown) => log.error('kiosk page did not load', { err }));
      }, delay);
    });
    contents.on('before-input-event', (event, input) => {
      if (blockedShortcut(input)) event.preventDefault();
    });
    contents.on('devtools-opened', () => {
      if (options.production) contents.closeDevTools();
    });
    contents.on('did-fail-load', (_event, errorCode, errorDescription) => {
      // -3 is an aborted load (a navigation replaced it): nothing to do.
      if (errorCode === -3 || quitting) return;
      log.error('kiosk page failed to load: trying again in 2 s', { errorCode, errorDescription });
      setTimeout(() => {
        if (!w.isDestroyed() && !quitting) void w.loadURL(url).catch(() => undefined);
      }, 2000);
    });
    void w.loadURL(url).catch((err: unknown) => log.error('kiosk page did not load', { err }));
  };
  open();
  log.info('kiosk window open', { origin, production: options.production });
  if (options.updates && !quitting) {
    try {
      const updater = await options.updates.load();
      if (!quitting) updates = startUpdates(updater, log, options.updates.options);
    } catch (err) {
      // The kiosk runs on without updates (e.g. no app-update.yml in a hand-made build); said once.
      log.warn('updates are off: electron-updater could not be loaded', { error: err instanceof Error ? err.message : String(err) });
    }
  }

  return { agent: running, window: () => win, stopped };
}

/** `--name VALUE` or `--name=VALUE` among Electron's arguments (which also carry Chromium's own switches). */
export function argValue(argv: readonly string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === `--${name}`) return argv[i + 1];
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3);
  }
  return undefined;
}

/** A URL as the log may show it: no fragment (the token), no query, no credentials. */
function forLog(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(unparsable)';
  }
}
