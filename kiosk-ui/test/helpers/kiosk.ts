/**
 * The e2e harness of the kiosk pages: a real `tongban start` (the compiled CLI from dist/, demo mode, a
 * fresh temp data dir, a free port on 127.0.0.1) and a real Chromium (/usr/bin/chromium through
 * playwright-core: headless, portrait 1080x1920, touch, zh-CN) at the kiosk URL with the #token
 * fragment. Optionally an external `tongban endpoint` process the test can stop and start, and a
 * private CUPS with an A4 queue as the kiosk's `document` printer.
 *
 *   const k = await startKiosk();                 // in beforeAll
 *   await k.page.getByTestId('start-idcard').tap();
 *   await k.insertCard();
 *   await k.screenshot('identify');
 *   await k.checkA11y('identify');
 *   await k.stop();                               // in afterAll
 *
 * Run `npm run build` first: the agent and the kiosk bundle are both taken from dist/.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { PrivateCups, type PdfQueue } from '../../../drivers/test/helpers/cups.js';
import { ROOT } from '../../../test/helpers/cli.js';
import { checkA11y as axeCheck, type AxeOptions } from './a11y.js';
import { AGENT_READY, KIOSK_LINE, kioskContext, launchChromium } from './browser.js';
import { startExternalEndpoint, type ExternalEndpoint } from './endpoint.js';
import { startDaemon, until, type Daemon } from './processes.js';

export { until } from './processes.js';
export { axeViolations, checkA11y, formatViolations, type AxeViolation } from './a11y.js';
export { CHROMIUM, CHROMIUM_ARGS, VIEWPORT, kioskContext, launchChromium } from './browser.js';

export interface KioskOptions {
  /** 'external': a separate `tongban endpoint` process (see Kiosk.endpoint); default: the embedded one. */
  endpoint?: 'embedded' | 'external';
  /** A private CUPS with a cups-pdf A4 queue configured as the kiosk's `document` printer (needs root). */
  cups?: boolean;
  /** ui.idleSeconds / ui.countdownSeconds / ui.staffPin of the configuration (default: the agent's defaults). */
  idleSeconds?: number;
  countdownSeconds?: number;
  staffPin?: string;
  /** The demo card on the reader when none is named (a fixture in drivers/sim/fixtures/). */
  card?: string;
  /** Where screenshots go: test-results/kiosk-ui/<name>/ (default: the test file's name without .test.ts). */
  name?: string;
  /** Open the page at once (default true); false: call kiosk.open() yourself (the bench times it). */
  open?: boolean;
}

/** A receipt the simulated printer printed: its text lines and the QR codes' contents, decoded. */
export interface Receipt {
  lines: string[];
  qr: string[];
}

/** What the browser keeps: everything that could outlive the page's memory. */
export interface BrowserStorage {
  localStorage: Record<string, string>;
  sessionStorage: Record<string, string>;
  /** database name -> object store name -> its records (structured clones, as JSON). */
  indexedDB: Record<string, Record<string, unknown[]>>;
  cookies: { name: string; value: string }[];
  /** Cache Storage: cache name -> the request URLs it holds. */
  caches: Record<string, string[]>;
}

export interface Kiosk {
  /** The agent's base URL, http://127.0.0.1:PORT/ */
  readonly url: string;
  /** The kiosk page's URL with the #token fragment, as `tongban start` prints it. */
  readonly kioskUrl: string;
  readonly token: string;
  readonly dataDir: string;
  readonly agent: Daemon;
  readonly browser: Browser;
  readonly context: BrowserContext;
  /** The kiosk page (after open()). */
  readonly page: Page;
  /** Uncaught page errors and console errors seen so far. */
  readonly pageErrors: string[];
  /** Present with { endpoint: 'external' }. */
  readonly endpoint?: ExternalEndpoint;
  /** Present with { cups: true }: the private CUPS and its A4 queue (the PDFs it printed). */
  readonly cups?: { server: string; queue: PdfQueue };

  /** Opens (or reopens) the kiosk page at kioskUrl and waits for the start screen. */
  open(): Promise<Page>;
  /** A JSON call to the agent's API with the bearer token. */
  api<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }>;
  /** Demo: puts the default card (or the named fixture) on the reader. */
  insertCard(fixture?: string): Promise<void>;
  removeCard(): Promise<void>;
  /** Demo: the scanner reads `text`. */
  scan(text: string): Promise<void>;
  /** Demo: the receipt printer's paper. */
  paper(state: 'ok' | 'nearEnd' | 'out'): Promise<void>;
  /** Demo: every receipt printed so far, decoded (text lines and QR contents). */
  receipts(): Promise<Receipt[]>;
  /** Waits for screen `id` (data-testid screen-<id>) to be visible. */
  waitForScreen(id: string, timeoutMs?: number): Promise<void>;
  /** The screen showing now (from the screen root's data-testid), undefined if none. */
  currentScreen(): Promise<string | undefined>;
  /** Taps (touch) the element with this data-testid. */
  tap(testid: string): Promise<void>;
  /** test-results/kiosk-ui/<name>/: where this kiosk's screenshots (and other artefacts of the test) go. */
  readonly screenshotDir: string;
  /** A full-page screenshot into test-results/kiosk-ui/<name>/<shot>.png; returns its path. */
  screenshot(shot: string): Promise<string>;
  /** axe-core on the page as it is now: throws on serious/critical violations, listed readably. */
  checkA11y(label?: string, options?: AxeOptions): Promise<void>;
  /** localStorage, sessionStorage, IndexedDB, cookies and Cache Storage of the kiosk's origin. */
  browserStorage(): Promise<BrowserStorage>;
  /** Which of `needles` occur in any string of the page's JavaScript heap (after a full GC). */
  heapContains(needles: readonly string[]): Promise<string[]>;
  /**
   * Characters on screen that no installed font can draw (shown as empty boxes, "tofu"): each visible
   * text's characters drawn on a canvas in its element's font and compared with an unassigned code point.
   */
  missingGlyphs(): Promise<string[]>;
  /** Closes the browser, stops every process, removes the temp dirs. */
  stop(): Promise<void>;
}

function shotDir(options: KioskOptions): string {
  const testPath = expect.getState().testPath;
  const name = options.name ?? (testPath ? basename(testPath).replace(/\.test\.ts$/, '') : 'kiosk');
  return join(ROOT, 'test-results', 'kiosk-ui', name);
}

export async function startKiosk(options: KioskOptions = {}): Promise<Kiosk> {
  const dir = mkdtempSync(join(tmpdir(), 'tongban-kiosk-ui-'));
  const dataDir = join(dir, 'data');
  const shots = shotDir(options);
  let endpoint: ExternalEndpoint | undefined;
  let cups: PrivateCups | undefined;
  let agent: Daemon | undefined;
  let browser: Browser | undefined;
  const cleanup = async (): Promise<void> => {
    await browser?.close().catch(() => undefined);
    await agent?.stop();
    await endpoint?.stop();
    await cups?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const args = ['start', '--data', dataDir, '--port', '0'];
    const config: Record<string, unknown> = {};
    const ui = {
      ...(options.idleSeconds !== undefined ? { idleSeconds: options.idleSeconds } : {}),
      ...(options.countdownSeconds !== undefined ? { countdownSeconds: options.countdownSeconds } : {}),
      ...(options.staffPin !== undefined ? { staffPin: options.staffPin } : {}),
    };
    if (Object.keys(ui).length) config.ui = ui;
    if (options.card) config.demo = { card: options.card };
    let queue: PdfQueue | undefined;
    if (options.cups) {
      cups = await PrivateCups.start();
      queue = cups.addPdfQueue('TB_A4');
      config.devices = [{ id: 'a4', kind: 'document', label: 'A4 打印机 (CUPS)', transport: { type: 'cups', queue: queue.name, server: cups.server } }];
    }
    if (Object.keys(config).length) {
      const file = join(dir, 'kiosk.json');
      writeFileSync(file, JSON.stringify(config, null, 2));
      args.push('--config', file);
    }
    if (options.endpoint === 'external') {
      endpoint = await startExternalEndpoint(dir);
      args.push('--endpoint', endpoint.url, '--enroll-token', await endpoint.enroll('kiosk-ui-test'));
    }
    // Ready once it prints the page's URL with the token (after its "ready" line): the URL the kiosk's browser opens.
    agent = await startDaemon(args, KIOSK_LINE);
    const kioskUrl = agent.match[1]!;
    const url = agent.stdout().match(AGENT_READY)![1]!;
    const token = readFileSync(join(dataDir, 'api-token'), 'utf8').trim();
    browser = await launchChromium();
    const context = await kioskContext(browser);
    const pageErrors: string[] = [];
    let page: Page | undefined;
    const kioskAgent = agent;

    const api = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> => {
      const res = await fetch(new URL(path.replace(/^\//, ''), url), {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, json: (text ? JSON.parse(text) : undefined) as T };
    };
    const demo = async (method: string, path: string, body?: unknown): Promise<any> => {
      const r = await api(method, path, body);
      if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.json)}`);
      return r.json;
    };
    const thePage = (): Page => {
      if (!page) throw new Error('the kiosk page is not open (startKiosk({ open: false }) needs kiosk.open())');
      return page;
    };

    const kiosk: Kiosk = {
      url,
      kioskUrl,
      token,
      dataDir,
      agent: kioskAgent,
      browser,
      context,
      get page() {
        return thePage();
      },
      pageErrors,
      screenshotDir: shots,
      ...(endpoint ? { endpoint } : {}),
      ...(cups && queue ? { cups: { server: cups.server, queue } } : {}),

      async open() {
        if (page) await page.close();
        page = await context.newPage();
        // A control that does not appear fails the test in seconds, not at the test's own timeout.
        page.setDefaultTimeout(10_000);
        page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
        page.on('console', (m) => {
          if (m.type() === 'error') pageErrors.push(`console.error: ${m.text()}${m.location().url ? ` (${m.location().url})` : ''}`);
        });
        await page.goto(kioskUrl);
        try {
          await page.getByTestId('screen-start').waitFor({ state: 'visible', timeout: 15_000 });
        } catch (err) {
          throw new Error(`the start screen did not show (${String(err).split('\n')[0]}); page errors: ${pageErrors.join('; ') || 'none'}; agent stderr: ${kioskAgent.stderr().slice(-2000)}`);
        }
        return page;
      },
      api,
      insertCard: async (fixture) => void (await demo('POST', '/api/demo/card', fixture ? { fixture } : {})),
      removeCard: async () => void (await demo('DELETE', '/api/demo/card')),
      scan: async (text) => void (await demo('POST', '/api/demo/scan', { text })),
      paper: async (state) => void (await demo('PUT', '/api/demo/paper', { paper: state })),
      receipts: async () => ((await demo('GET', '/api/demo/receipts')) as { receipts: Receipt[] }).receipts,
      async waitForScreen(id, timeoutMs = 15_000) {
        await thePage().getByTestId(`screen-${id}`).waitFor({ state: 'visible', timeout: timeoutMs });
      },
      async currentScreen() {
        const ids = await thePage()
          .locator('[data-testid^="screen-"]')
          .evaluateAll((els) => els.filter((e) => e.checkVisibility()).map((e) => e.getAttribute('data-testid')!));
        return ids[0]?.slice('screen-'.length);
      },
      async tap(testid) {
        await thePage().getByTestId(testid).tap();
      },
      async screenshot(shot) {
        mkdirSync(shots, { recursive: true });
        const path = join(shots, `${shot}.png`);
        await thePage().screenshot({ path, fullPage: true });
        return path;
      },
      checkA11y: (label, opts) => axeCheck(thePage(), label ?? 'the kiosk page', opts),
      async browserStorage() {
        const inPage = await thePage().evaluate(async () => {
          const dump = (s: Storage): Record<string, string> => Object.fromEntries(Array.from({ length: s.length }, (_, i) => s.key(i)!).map((k) => [k, s.getItem(k) ?? '']));
          const idb: Record<string, Record<string, unknown[]>> = {};
          for (const info of await indexedDB.databases()) {
            if (!info.name) continue;
            const db = await new Promise<IDBDatabase>((resolve, reject) => {
              const req = indexedDB.open(info.name!);
              req.onsuccess = () => resolve(req.result);
              req.onerror = () => reject(req.error);
            });
            const stores: Record<string, unknown[]> = {};
            for (const name of Array.from(db.objectStoreNames)) {
              stores[name] = await new Promise<unknown[]>((resolve, reject) => {
                const req = db.transaction(name, 'readonly').objectStore(name).getAll();
                req.onsuccess = () => resolve(req.result as unknown[]);
                req.onerror = () => reject(req.error);
              });
            }
            db.close();
            idb[info.name] = stores;
          }
          const caches: Record<string, string[]> = {};
          if (typeof window.caches !== 'undefined') {
            for (const name of await window.caches.keys()) caches[name] = (await (await window.caches.open(name)).keys()).map((r) => r.url);
          }
          return { localStorage: dump(localStorage), sessionStorage: dump(sessionStorage), indexedDB: idb, caches };
        });
        const cookies = (await context.cookies()).map((c) => ({ name: c.name, value: c.value }));
        return { ...inPage, cookies };
      },
      async heapContains(needles) {
        const cdp = await context.newCDPSession(thePage());
        try {
          await cdp.send('HeapProfiler.enable');
          await cdp.send('HeapProfiler.collectGarbage');
          const chunks: string[] = [];
          cdp.on('HeapProfiler.addHeapSnapshotChunk', (e) => chunks.push(e.chunk));
          await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
          // The snapshot's JSON escapes non-ASCII text: parse it and search its string table.
          const strings = (JSON.parse(chunks.join('')) as { strings: string[] }).strings;
          return needles.filter((n) => strings.some((s) => s.includes(n)));
        } finally {
          await cdp.detach();
        }
      },
      missingGlyphs: () => missingGlyphs(thePage()),
      async stop() {
        await cleanup();
      },
    };
    if (options.open !== false) await kiosk.open();
    return kiosk;
  } catch (err) {
    await cleanup();
    throw err;
  }
}

async function missingGlyphs(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const canvas = document.createElement('canvas');
    canvas.width = 64;
    canvas.height = 64;
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    ctx.textBaseline = 'top';
    const draw = (font: string, ch: string): string => {
      ctx.clearRect(0, 0, 64, 64);
      ctx.font = font;
      ctx.fillText(ch, 4, 4);
      return ctx.getImageData(0, 0, 64, 64).data.join(',');
    };
    const missing = new Map<string, string>();
    const tofuOf = new Map<string, string>();
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || !el.checkVisibility() || !n.textContent?.trim()) continue;
      const font = `40px ${getComputedStyle(el).fontFamily}`;
      // U+0378 is unassigned: every font draws its "missing glyph" box for it.
      if (!tofuOf.has(font)) tofuOf.set(font, draw(font, '\u0378'));
      for (const ch of new Set([...n.textContent].filter((c) => c.trim()))) {
        if (!missing.has(ch) && draw(font, ch) === tofuOf.get(font)) {
          const where = el.closest('[data-testid]')?.getAttribute('data-testid') ?? el.tagName.toLowerCase();
          missing.set(ch, `${ch} U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} in ${where}`);
        }
      }
    }
    return [...missing.values()];
  });
}

/** Waits until the agent's demo receipt printer has printed `count` receipts; returns them all. */
export async function receiptsAtLeast(kiosk: Kiosk, count: number, ms = 15_000): Promise<Receipt[]> {
  return until(`${count} receipt(s) printed`, async () => {
    const r = await kiosk.receipts();
    return r.length >= count ? r : undefined;
  }, ms);
}
