/**
 * The kiosk shell's security policy (agent/electron/policy.ts), as plain functions: the window's
 * settings, where it may navigate (the URL parser decides, not string prefixes), new windows,
 * permissions, the Content-Security-Policy on answers, the shortcuts it swallows, the relaunch back-off.
 */
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../api/ui-routes.js';
import {
  RELAUNCH_MAX_DELAY_MS,
  appOrigin,
  blockedShortcut,
  navigationAllowed,
  openWindowDecision,
  permissionAllowed,
  relaunchDelayMs,
  webPreferencesFor,
  withCsp,
  type KeyInput,
} from '../electron/policy.js';

const AGENT = 'http://127.0.0.1:47101/';
const ORIGIN = 'http://127.0.0.1:47101';

describe('appOrigin', () => {
  it('is the agent’s loopback origin', () => {
    expect(appOrigin(AGENT)).toBe(ORIGIN);
    expect(appOrigin('http://[::1]:8080/')).toBe('http://[::1]:8080');
    expect(appOrigin('http://localhost:8080/')).toBe('http://localhost:8080');
  });
  it('refuses anything but plain http on a loopback host with a port', () => {
    for (const bad of ['https://127.0.0.1:47101/', 'http://10.0.0.5:47101/', 'http://127.0.0.1/', 'file:///opt/tongban/index.html', 'http://user:pw@127.0.0.1:1/', 'http://127.0.0.1.evil.example:47101/', 'not a url']) {
      expect(() => appOrigin(bad), bad).toThrow(/loopback/);
    }
  });
});

describe('navigationAllowed', () => {
  it('lets the window stay on the kiosk pages of the agent (fragment and query changes, a reload)', () => {
    for (const ok of [`${ORIGIN}/kiosk/`, `${ORIGIN}/kiosk/#token=abc`, `${ORIGIN}/kiosk/?x=1#token=abc`, `${ORIGIN}/kiosk/index.html`, 'HTTP://127.0.0.1:47101/kiosk/']) {
      expect(navigationAllowed(ok, ORIGIN), ok).toBe(true);
    }
  });
  it('refuses other origins, other schemes, lookalike hosts, credentials, the API and unparsable URLs', () => {
    const refused = [
      'https://www.gov.cn/',
      `http://127.0.0.1:47102/kiosk/`, // another port is another origin
      'http://localhost:47101/kiosk/', // same machine, another origin
      'http://127.0.0.1.nip.io:47101/kiosk/',
      'http://127.0.0.1:47101@evil.example/kiosk/',
      `http://user@127.0.0.1:47101/kiosk/`,
      `https://127.0.0.1:47101/kiosk/`,
      'file:///etc/passwd',
      'javascript:alert(1)',
      'data:text/html,<h1>hi</h1>',
      'chrome://settings',
      'devtools://devtools/bundled/inspector.html',
      `${ORIGIN}/api/cases`,
      `${ORIGIN}/`,
      `${ORIGIN}/kiosk`, // the redirect to /kiosk/ happens on the server; the window itself goes to /kiosk/
      `${ORIGIN}/kiosk-evil/`,
      `${ORIGIN}/kiosk/../api/cases`, // the parser resolves the dots: /api/cases
      '',
      'not a url',
    ];
    for (const bad of refused) expect(navigationAllowed(bad, ORIGIN), bad).toBe(false);
  });
});

describe('new windows and permissions', () => {
  it('denies every new window', () => {
    expect(openWindowDecision()).toEqual({ action: 'deny' });
  });
  it('denies every permission, also to the app’s own origin (speech synthesis needs none)', () => {
    for (const p of ['media', 'geolocation', 'notifications', 'midi', 'midiSysex', 'pointerLock', 'fullscreen', 'openExternal', 'clipboard-read', 'clipboard-sanitized-write', 'hid', 'serial', 'usb', 'idle-detection', 'window-management', 'unknown']) {
      expect(permissionAllowed(p, `${ORIGIN}/kiosk/`, ORIGIN), p).toBe(false);
    }
  });
});

describe('withCsp', () => {
  it('puts the kiosk’s policy on every answer of the agent’s origin, replacing a weaker one', () => {
    const h = withCsp(`${ORIGIN}/kiosk/`, { 'content-type': ['text/html'], 'content-security-policy': ["default-src *; script-src 'unsafe-inline'"] }, ORIGIN);
    expect(h['Content-Security-Policy']).toEqual([CONTENT_SECURITY_POLICY]);
    expect(Object.keys(h).filter((k) => k.toLowerCase() === 'content-security-policy')).toEqual(['Content-Security-Policy']);
    expect(h['content-type']).toEqual(['text/html']);
    expect(withCsp(`${ORIGIN}/api/health`, undefined, ORIGIN)['Content-Security-Policy']).toEqual([CONTENT_SECURITY_POLICY]);
  });
  it('the policy allows no inline or remote script, no framing, no plugins', () => {
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-(inline|eval)/);
    expect(CONTENT_SECURITY_POLICY).toContain("object-src 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
  });
  it('leaves other origins’ headers alone (copied, not shared)', () => {
    const original = { 'x-a': ['1'] };
    const h = withCsp('https://example.org/', original, ORIGIN);
    expect(h).toEqual({ 'x-a': ['1'] });
    h['x-a']!.push('2');
    expect(original['x-a']).toEqual(['1']);
  });
});

describe('webPreferencesFor', () => {
  it('isolates and sandboxes the renderer, without Node anywhere, whatever the mode', () => {
    for (const production of [true, false]) {
      const p = webPreferencesFor({ production });
      expect(p).toMatchObject({
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
        disableBlinkFeatures: 'Auxclick',
      });
      // no preload: the pages use the agent's loopback API only
      expect(p).not.toHaveProperty('preload');
      expect(p).not.toHaveProperty('enableBlinkFeatures');
    }
  });
  it('has the developer tools only outside production', () => {
    expect(webPreferencesFor({ production: true }).devTools).toBe(false);
    expect(webPreferencesFor({ production: false }).devTools).toBe(true);
  });
});

describe('blockedShortcut', () => {
  const key = (k: string, mods: Partial<KeyInput> = {}): KeyInput => ({ type: 'keyDown', key: k, ...mods });
  it('swallows the browser’s ways out and in: reload, devtools, close, quit, full screen, zoom, print, history', () => {
    const blocked: KeyInput[] = [
      key('F5'),
      key('F11'),
      key('F12'),
      key('F1'),
      key('r', { control: true }),
      key('R', { control: true, shift: true }),
      key('I', { control: true, shift: true }),
      key('J', { control: true, shift: true }),
      key('C', { control: true, shift: true }),
      key('T', { control: true, shift: true }),
      key('w', { control: true }),
      key('q', { control: true }),
      key('q', { meta: true }),
      key('F4', { alt: true }),
      key('+', { control: true }),
      key('-', { control: true }),
      key('0', { control: true }),
      key('p', { control: true }),
      key('s', { control: true }),
      key('u', { control: true }),
      key('n', { control: true }),
      key('t', { control: true }),
      key('f', { control: true }),
      key('ArrowLeft', { alt: true }),
      key('ArrowRight', { alt: true }),
      key('BrowserBack'),
      key('BrowserRefresh'),
      key('ContextMenu'),
      { type: 'rawKeyDown', key: 'F12' },
    ];
    for (const i of blocked) expect(blockedShortcut(i), JSON.stringify(i)).toBe(true);
  });
  it('lets typing, a keyboard-mode scanner and field editing through', () => {
    const passed: KeyInput[] = [
      key('a'),
      key('A', { shift: true }),
      key('7'),
      key('Enter'),
      key('Backspace'),
      key('Tab'),
      key('ArrowLeft'),
      key(' '),
      key('c', { control: true }),
      key('v', { control: true }),
      key('x', { control: true }),
      key('z', { control: true }),
      key('a', { control: true }),
      key('Control', { control: true }),
      key('ArrowLeft', { control: true, shift: true }),
      key('Z', { control: true, shift: true }),
      { type: 'keyUp', key: 'F5' },
      { type: 'char', key: 'r', control: true },
    ];
    for (const i of passed) expect(blockedShortcut(i), JSON.stringify(i)).toBe(false);
  });
});

describe('relaunchDelayMs', () => {
  it('at once the first time, then doubling while the page keeps dying, capped; a quiet minute resets it', () => {
    const now = 10_000_000;
    expect(relaunchDelayMs([now], now)).toBe(0);
    expect(relaunchDelayMs([now - 5000, now], now)).toBe(1000);
    expect(relaunchDelayMs([now - 6000, now - 5000, now], now)).toBe(2000);
    expect(relaunchDelayMs([now - 9000, now - 6000, now - 5000, now], now)).toBe(4000);
    const many = Array.from({ length: 15 }, (_, i) => now - i * 1000);
    expect(relaunchDelayMs(many, now)).toBe(RELAUNCH_MAX_DELAY_MS);
    expect(relaunchDelayMs([now - 120_000, now - 90_000, now - 61_000, now], now)).toBe(0);
  });
});
