/**
 * The browser kiosk fallback (issue 8, point 5) for machines without Electron: what the system Chromium
 * is started with. Pure functions: which executable, its command line, the throwaway profile's
 * preferences and the launch page. The restrictions Electron's shell sets in code are set here with
 * what a browser allows from outside: flags, a fresh profile's preferences, and a proxy that is not there.
 */
import { EnvironmentError, UsageError } from '../../base/errors.js';

/** Where Debian/Ubuntu (and Google's packages) put a Chromium, in the order tried. */
export const CHROMIUM_CANDIDATES: readonly string[] = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
];

/** The executable: the one named (--browser-path or $TONGBAN_BROWSER) if it exists, else the first candidate that does. */
export function findChromium(named: string | undefined, isExecutable: (path: string) => boolean): string {
  if (named !== undefined) {
    if (!isExecutable(named)) throw new EnvironmentError('browser.notFound', `the browser ${named} does not exist or cannot be run`);
    return named;
  }
  const found = CHROMIUM_CANDIDATES.find(isExecutable);
  if (!found) {
    throw new EnvironmentError(
      'browser.notFound',
      `no Chromium found (tried ${CHROMIUM_CANDIDATES.join(', ')}): install one (apt install chromium) or name it with --browser-path`,
    );
  }
  return found;
}

export interface WindowSize {
  readonly width: number;
  readonly height: number;
}

/** `WIDTHxHEIGHT`, e.g. 1080x1920. */
export function parseWindowSize(text: string): WindowSize {
  const m = /^(\d{2,5})x(\d{2,5})$/.exec(text);
  if (!m) throw new UsageError(`--browser-window takes WIDTHxHEIGHT (e.g. 1080x1920), not "${text}"`, 'usage.badValue');
  return { width: Number(m[1]), height: Number(m[2]) };
}

export interface KioskArgsOptions {
  /** The agent's origin (http://127.0.0.1:PORT): the only one the browser may reach. */
  readonly origin: string;
  /** The first page: the launch page in the profile (file://), which goes on to the kiosk pages. */
  readonly launchUrl: string;
  /** The throwaway profile (DATA/run/browser-*). */
  readonly userDataDir: string;
  /** Chromium refuses to run as root with its sandbox on: only then is it turned off. */
  readonly noSandbox: boolean;
  /** An X session without a window manager cannot make the kiosk window full screen: give its size. */
  readonly window?: WindowSize;
}

/**
 * The command line. Never a remote-debugging port, never the API token (other local users can read a
 * command line; the token reaches the page through the launch page, a file only the agent's user reads).
 */
export function kioskChromiumArgs(o: KioskArgsOptions): string[] {
  const origin = new URL(o.origin);
  if (origin.protocol !== 'http:' || !isLoopback(origin.hostname)) throw new UsageError(`the kiosk origin must be http on the loopback, not ${o.origin}`);
  const hostPort = `${origin.hostname}:${origin.port || '80'}`;
  return [
    `--user-data-dir=${o.userDataDir}`,
    // Full screen, no tabs, no address bar, no menus; no session-restore bubble, no error dialogs.
    '--kiosk',
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-session-crashed-bubble',
    '--noerrdialogs',
    '--disable-infobars',
    // Nothing the page does is kept on disk (the profile is removed anyway, but a crash would leave it).
    '--incognito',
    // No extensions (the distribution's wrapper may load some), no sync, nothing fetched in the background.
    '--disable-extensions',
    '--disable-component-extensions-with-background-pages',
    '--disable-default-apps',
    '--disable-sync',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-domain-reliability',
    '--disable-client-side-phishing-detection',
    '--disable-breakpad',
    '--no-pings',
    // No translate offer, no password or address prompts (also off in the profile's preferences).
    '--disable-features=Translate,AutofillServerCommunication,MediaRouter,OptimizationHints',
    '--password-store=basic',
    // Every permission prompt answered no (speech synthesis needs none); no notifications.
    '--deny-permission-prompts',
    '--disable-notifications',
    // No swipe back, no pinch zoom on a touch screen.
    '--overscroll-history-navigation=0',
    '--disable-pinch',
    // Navigation kept to the agent's origin as far as flags can: every other address (other hosts,
    // other loopback ports, any name) goes through a proxy that does not exist, so it fails; names
    // do not resolve either. The agent's own host:port bypasses the proxy.
    '--proxy-server=http://tongban-no-network.invalid:1',
    `--proxy-bypass-list=<-loopback>;${hostPort}`,
    `--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE ${origin.hostname}`,
    ...(o.window ? ['--window-position=0,0', `--window-size=${o.window.width},${o.window.height}`] : []),
    ...(o.noSandbox ? ['--no-sandbox'] : []),
    o.launchUrl,
  ];
}

/**
 * Default/Preferences of the fresh profile: what has no flag. The form holds names and ID numbers:
 * autofill and the password manager must neither offer nor keep them; no translate bubble over the page.
 */
export function kioskProfilePreferences(): Record<string, unknown> {
  return {
    translate: { enabled: false },
    credentials_enable_service: false,
    credentials_enable_autosignin: false,
    autofill: { enabled: false, profile_enabled: false, credit_card_enabled: false },
    profile: {
      password_manager_enabled: false,
      // 2 = block: notifications, geolocation, camera and microphone.
      default_content_setting_values: { notifications: 2, geolocation: 2, media_stream_camera: 2, media_stream_mic: 2 },
    },
    browser: { check_default_browser: false },
    search: { suggest_enabled: false },
    safebrowsing: { enabled: false },
    spellcheck: { dictionaries: [], use_spelling_service: false },
  };
}

/** The launch page: goes on to the kiosk pages at once (the token in the fragment, never sent). */
export function launchPageHtml(kioskUrl: string): string {
  const u = new URL(kioskUrl);
  if (u.protocol !== 'http:' || !isLoopback(u.hostname)) throw new UsageError(`the kiosk pages must be on the loopback, not ${u.origin}`);
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><meta http-equiv="refresh" content="0;url=${escapeAttribute(u.href)}"><title>政务服务自助终端</title></head><body style="background:#fff"></body></html>\n`;
}

function isLoopback(hostname: string): boolean {
  return hostname === '127.0.0.1' || hostname === '[::1]' || hostname === 'localhost';
}

function escapeAttribute(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
