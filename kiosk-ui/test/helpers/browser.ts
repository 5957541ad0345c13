/**
 * The browser the kiosk pages are tested in: the system Chromium (/usr/bin/chromium) through
 * playwright-core, never a downloaded one (`npx playwright install` is not used), sized and set up as
 * the kiosk's portrait touch screen. No DOM code here: bench/ (checked without the DOM library) uses it.
 */
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
/** A kiosk's portrait touch screen. */
export const VIEWPORT = { width: 1080, height: 1920 };

/** Launches the system Chromium headless (the kiosk's pages also run in Electron's Chromium). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** A browser context as the kiosk's screen is: portrait 1080x1920, touch, zh-CN, Beijing time. */
export function kioskContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ viewport: VIEWPORT, hasTouch: true, isMobile: false, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', deviceScaleFactor: 1 });
}

/** The agent's ready line (`tongban start`) and the kiosk page's line it prints with the token. */
export const AGENT_READY = /tongban agent ready: (http:\/\/127\.0\.0\.1:(\d+)\/)/;
export const KIOSK_LINE = /自助终端页面: (http:\/\/127\.0\.0\.1:\d+\/kiosk\/#token=\S+)/;
