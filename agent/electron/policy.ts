/**
 * The kiosk shell's security decisions, as plain functions of URLs and objects (Electron's checklist,
 * ../shared/reference/electron-kiosk.md): unit-tested without the Electron binary, and applied by
 * shell.ts to the one kiosk window. The window shows only the agent's own pages on the loopback
 * interface (http://127.0.0.1:PORT/kiosk/); they reach the agent through its HTTP API with the token in
 * the URL fragment, so the renderer needs no Node, no preload and no IPC.
 */
import { CONTENT_SECURITY_POLICY, KIOSK_PATH } from '../api/ui-routes.js';

/** The loopback hosts the agent listens on (its URL as startAgent reports it). */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * The origin of the agent's pages (`http://127.0.0.1:PORT`), from the agent's URL. Anything but plain
 * http on a loopback host with an explicit port is refused: the shell never shows a remote page.
 */
export function appOrigin(agentUrl: string): string {
  const u = parse(agentUrl);
  if (!u || u.protocol !== 'http:' || !LOOPBACK_HOSTS.has(u.hostname) || u.port === '' || u.username !== '' || u.password !== '') {
    throw new Error(`the kiosk shell shows only the agent's pages on a loopback address, not ${agentUrl}`);
  }
  return u.origin;
}

/**
 * Whether the window may navigate (will-navigate, will-redirect, will-frame-navigate) to `target`: only
 * to the agent's own origin (scheme, host and port compared by the URL parser, never by string prefix)
 * and only to the kiosk pages under /kiosk/ (a reload or a fragment change stays there; the API's JSON
 * routes are no pages to show). Anything unparsable is refused.
 */
export function navigationAllowed(target: string, origin: string): boolean {
  const u = parse(target);
  if (!u) return false;
  if (u.origin !== origin || u.username !== '' || u.password !== '') return false;
  return u.pathname === KIOSK_PATH || u.pathname.startsWith(KIOSK_PATH);
}

/** setWindowOpenHandler's answer: no new window, ever (window.open, target=_blank, middle click). */
export function openWindowDecision(): { action: 'deny' } {
  return { action: 'deny' };
}

/**
 * setPermissionRequestHandler / setPermissionCheckHandler: Electron grants every permission by default;
 * the kiosk pages need none (speech synthesis asks for no permission; the camera, microphone, the
 * card reader and the printers are the agent's, not the page's), so every request is denied.
 */
export function permissionAllowed(_permission: string, _requestingUrl: string, _origin: string): boolean {
  return false;
}

/**
 * The response headers with the kiosk's Content-Security-Policy on every answer of the agent's origin
 * (the agent already sends it on its pages; this keeps one on anything else the window might load,
 * e.g. an error page). Answers of other origins are left as they are: the window never loads them.
 */
export function withCsp(url: string, headers: Readonly<Record<string, readonly string[] | string>> | undefined, origin: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) out[name] = Array.isArray(value) ? [...(value as readonly string[])] : [value as string];
  const u = parse(url);
  if (!u || u.origin !== origin) return out;
  for (const name of Object.keys(out)) if (name.toLowerCase() === 'content-security-policy') delete out[name];
  out['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY];
  return out;
}

/** The webPreferences the shell's window is created with, whatever the caller passes. */
export interface KioskWebPreferences {
  readonly contextIsolation: true;
  readonly sandbox: true;
  readonly nodeIntegration: false;
  readonly nodeIntegrationInWorker: false;
  readonly nodeIntegrationInSubFrames: false;
  readonly webSecurity: true;
  readonly allowRunningInsecureContent: false;
  readonly experimentalFeatures: false;
  readonly webviewTag: false;
  readonly navigateOnDragDrop: false;
  readonly safeDialogs: true;
  readonly spellcheck: false;
  readonly devTools: boolean;
  /** Middle click (auxclick) opens nothing: no window is made behind the page's back. */
  readonly disableBlinkFeatures: 'Auxclick';
  /** The kiosk speaks (适老化) without a tap first. */
  readonly autoplayPolicy: 'no-user-gesture-required';
}

/**
 * The renderer's settings: context isolation and the sandbox on, Node off everywhere (workers and
 * frames too), web security on, no <webview>, no dropped file opened as a page, no middle click
 * (auxclick); the developer tools
 * only outside production (`production: false` is for a developer's machine, never a hall).
 */
export function webPreferencesFor(options: { readonly production: boolean }): KioskWebPreferences {
  return {
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
    devTools: !options.production,
    disableBlinkFeatures: 'Auxclick',
    autoplayPolicy: 'no-user-gesture-required',
  };
}

/** The fields of Electron's before-input-event Input that the shortcut policy reads. */
export interface KeyInput {
  readonly type: string;
  readonly key: string;
  readonly code?: string;
  readonly control?: boolean;
  readonly meta?: boolean;
  readonly alt?: boolean;
  readonly shift?: boolean;
}

/**
 * Keys the window swallows before the page sees them: the browser's own shortcuts that would leave the
 * kiosk or show its insides — reload (F5, Ctrl+R: the citizen's session would survive in nothing but
 * would be cut), the developer tools (F12, Ctrl+Shift+I/J/C), close and quit (Ctrl+W, Ctrl+Q, Alt+F4),
 * full screen (F11), zoom (Ctrl with +, -, 0: the page has its own 适老模式), print and save (Ctrl+P,
 * Ctrl+S), find, view source (Ctrl+U), history navigation (Alt+Left/Right), new windows (Ctrl+N/T).
 * The letters, digits and editing keys of a keyboard (or a USB scanner in keyboard mode) pass.
 */
export function blockedShortcut(input: KeyInput): boolean {
  if (input.type !== 'keyDown' && input.type !== 'rawKeyDown') return false;
  const key = input.key.length === 1 ? input.key.toLowerCase() : input.key;
  if (/^F\d{1,2}$/.test(key)) return true; // F1-F24: help, reload, devtools, full screen, caret browsing
  if (key === 'BrowserBack' || key === 'BrowserForward' || key === 'BrowserRefresh' || key === 'BrowserHome' || key === 'ContextMenu') return true;
  const ctrl = input.control === true || input.meta === true;
  if (input.alt === true && (key === 'ArrowLeft' || key === 'ArrowRight' || key === 'Home' || key === 'F4')) return true;
  if (!ctrl) return false;
  // Ctrl+Shift: the inspector (I, J, C), hard reload, reopen a tab; only selection and redo pass.
  if (input.shift === true) return !['ArrowLeft', 'ArrowRight', 'Home', 'End', 'z', 'Shift', 'Control', 'Meta'].includes(key);
  // Ctrl with a letter, digit or sign: the browser's commands (Ctrl+A/C/V/X/Z/Y edit the field and pass).
  return !['a', 'c', 'v', 'x', 'z', 'y', 'Backspace', 'Delete', 'ArrowLeft', 'ArrowRight', 'Home', 'End', 'Shift', 'Control', 'Meta', 'Alt'].includes(key);
}

/**
 * How long to wait before the page is loaded again after its renderer went away (crashed, killed, out
 * of memory): at once the first time, then doubling from one second up to half a minute while it keeps
 * dying (crashes within the last minute counted), so a page that crashes at every load does not spin
 * the CPU the card reader and printers share.
 */
export function relaunchDelayMs(crashTimes: readonly number[], now: number): number {
  const recent = crashTimes.filter((t) => now - t < RELAUNCH_WINDOW_MS).length;
  if (recent <= 1) return 0;
  return Math.min(RELAUNCH_MAX_DELAY_MS, 1000 * 2 ** (recent - 2));
}

export const RELAUNCH_WINDOW_MS = 60_000;
export const RELAUNCH_MAX_DELAY_MS = 30_000;

function parse(s: string): URL | undefined {
  try {
    return new URL(s);
  } catch {
    return undefined;
  }
}
