/**
 * `tongban start --browser` for real: the agent starts the system Chromium as a kiosk on a private X
 * server (Xvfb, its screen kept in a file), and the test looks at that screen. The kiosk window is
 * compared with the start screen as a headless Chromium renders it from the same URL (and with a wrong
 * token, which shows a fault instead): the kiosk shows the start screen the agent answered with the
 * token, full screen, nothing over it. Then the browser is killed (it comes back) and the agent is
 * stopped (the browser goes with it, its profiles too).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tongban, tongbanDaemon } from '../../test/helpers/cli.js';
import { startXvfb, writePng, type Screen, type Xvfb } from './helpers/xvfb.js';

const WIDTH = 1080;
const HEIGHT = 1920;
const CELL = 20; // the screens are compared as grids of 20x20 px averages
const SHOTS = join(ROOT, 'test-results', 'browser-kiosk');

/** The processes whose command line holds `needle` (the browser and all its children name the profile). */
function processesWith(needle: string): { pid: number; args: string[] }[] {
  const found: { pid: number; args: string[] }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let args: string[];
    try {
      args = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').filter(Boolean);
    } catch {
      continue; // gone meanwhile
    }
    if (args.some((a) => a.includes(needle))) found.push({ pid: Number(name), args });
  }
  return found;
}

/** Every process's command line, as one text (to look for the token). */
function allCommandLines(): string {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map((n) => {
      try {
        return readFileSync(`/proc/${n}/cmdline`, 'utf8');
      } catch {
        return '';
      }
    })
    .join('\n');
}

/** Mean RGB of each CELL x CELL block. */
function grid(rgb: Uint8Array | Uint8ClampedArray, width: number, height: number, channels: number): number[] {
  const out: number[] = [];
  for (let gy = 0; gy < Math.floor(height / CELL); gy++) {
    for (let gx = 0; gx < Math.floor(width / CELL); gx++) {
      const sum = [0, 0, 0];
      for (let y = gy * CELL; y < (gy + 1) * CELL; y++) {
        for (let x = gx * CELL; x < (gx + 1) * CELL; x++) {
          const o = (y * width + x) * channels;
          sum[0]! += rgb[o]!;
          sum[1]! += rgb[o + 1]!;
          sum[2]! += rgb[o + 2]!;
        }
      }
      out.push(...sum.map((s) => s / (CELL * CELL)));
    }
  }
  return out;
}

const COLUMNS = Math.floor(WIDTH / CELL);
/** The page's header band (its title), in grid rows: the top 100 px. */
const HEADER_ROWS = 5;

/** Mean absolute difference of two grids, 0..255, over their first `rows` grid rows (default all). */
function difference(a: number[], b: number[], rows?: number): number {
  const n = rows === undefined ? a.length : rows * COLUMNS * 3;
  let d = 0;
  for (let i = 0; i < n; i++) d += Math.abs(a[i]! - b[i]!);
  return d / n;
}

/** The page as headless Chromium renders it at the kiosk's size, as a grid (decoded by the page itself). */
async function reference(url: string): Promise<number[]> {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
  try {
    const page = await browser.newPage({ viewport: { width: WIDTH, height: HEIGHT }, deviceScaleFactor: 1, locale: 'zh-CN' });
    await page.goto(url);
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(500); // fonts and the first data settle
    const png = (await page.screenshot({ type: 'png' })).toString('base64');
    // The screenshot's pixels, read back through a canvas in a blank page and averaged there (as grid() does).
    const blank = await browser.newPage();
    return await blank.evaluate(
      async ([data, w, h, cell]) => {
        const g = globalThis as unknown as CanvasGlobals;
        const img = new g.Image();
        img.src = `data:image/png;base64,${data}`;
        await img.decode();
        const canvas = g.document.createElement('canvas');
        canvas.width = w;
        canvas.height = h;
        const ctx = canvas.getContext('2d');
        ctx.drawImage(img, 0, 0);
        const px = ctx.getImageData(0, 0, w, h).data;
        const out: number[] = [];
        for (let gy = 0; gy < Math.floor(h / cell); gy++) {
          for (let gx = 0; gx < Math.floor(w / cell); gx++) {
            const sum = [0, 0, 0];
            for (let y = gy * cell; y < (gy + 1) * cell; y++) {
              for (let x = gx * cell; x < (gx + 1) * cell; x++) {
                const o = (y * w + x) * 4;
                sum[0]! += px[o]!;
                sum[1]! += px[o + 1]!;
                sum[2]! += px[o + 2]!;
              }
            }
            out.push(...sum.map((v) => v / (cell * cell)));
          }
        }
        return out;
      },
      [png, WIDTH, HEIGHT, CELL] as const,
    );
  } finally {
    await browser.close();
  }
}

interface CanvasGlobals {
  Image: new () => { src: string; decode(): Promise<void> };
  document: {
    createElement(tag: 'canvas'): {
      width: number;
      height: number;
      getContext(kind: '2d'): { drawImage(img: unknown, x: number, y: number): void; getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
    };
  };
}

interface Seen {
  screen: Screen;
  /** From the start screen with the token, over the whole screen and over the header. */
  whole: number;
  header: number;
  /** From the start screen with a wrong token (the default title), over the header. */
  headerWrong: number;
}

/** Waits until the screen shows the start screen with the token's title, or fails with a screenshot. */
async function screenShowing(x: Xvfb, good: number[], wrong: number[], timeoutMs = 30_000): Promise<Seen> {
  const until = Date.now() + timeoutMs;
  const look = (): Seen => {
    const screen = x.screen();
    const g = grid(screen.rgb, screen.width, screen.height, 3);
    return { screen, whole: difference(g, good), header: difference(g, good, HEADER_ROWS), headerWrong: difference(g, wrong, HEADER_ROWS) };
  };
  for (;;) {
    const seen = look();
    if (seen.whole <= WHOLE_LIMIT && seen.header * 3 < seen.headerWrong) {
      // Once more after a moment: the page may still have been drawing.
      await new Promise((r) => setTimeout(r, 1000));
      return look();
    }
    if (Date.now() > until) {
      writePng(join(SHOTS, 'timeout.png'), seen.screen);
      throw new Error(`the kiosk screen never showed the start screen: ${JSON.stringify({ ...seen, screen: undefined })} (test-results/browser-kiosk/timeout.png)`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Mean difference allowed over the whole screen (0..255): fonts are drawn a little differently headless. */
const WHOLE_LIMIT = 3;
const KIOSK_NAME = '浦东新区政务服务中心';

describe('tongban start --browser', () => {
  let xvfb: Xvfb;
  let base: string;
  let data: string;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    xvfb = await startXvfb(WIDTH, HEIGHT);
    base = mkdtempSync(join(tmpdir(), 'tongban-start-browser-'));
    data = join(base, 'data');
    writeFileSync(join(base, 'config.json'), JSON.stringify({ ui: { kioskName: KIOSK_NAME } }));
  });

  afterAll(async () => {
    await xvfb?.stop();
    rmSync(base, { recursive: true, force: true });
  });

  it('refuses a browser that is not there before starting anything (exit 3), and the browser options without --browser (exit 2)', () => {
    const empty = mkdtempSync(join(tmpdir(), 'tongban-start-browser-none-'));
    try {
      const r = tongban(['start', '--data', empty, '--port', '0', '--browser', '--browser-path', '/nonexistent/chromium']);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/\/nonexistent\/chromium does not exist/);
      expect(r.stdout).not.toContain('tongban agent ready');
      const w = tongban(['start', '--data', empty, '--port', '0', '--browser-window', '1080x1920']);
      expect(w.code).toBe(2);
      expect(w.stderr).toMatch(/--browser-window goes with --browser/);
      const b = tongban(['start', '--data', empty, '--port', '0', '--browser', '--browser-window', 'big']);
      expect(b.code).toBe(2);
      expect(b.stderr).toMatch(/WIDTHxHEIGHT/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('opens the kiosk pages full screen in the system Chromium with the kiosk flags; a killed browser comes back; stopping the agent closes it', { timeout: 120_000 }, async () => {
    const d = await tongbanDaemon(
      ['start', '--data', data, '--config', join(base, 'config.json'), '--port', '0', '--browser', '--browser-window', `${WIDTH}x${HEIGHT}`],
      /kiosk browser: (\S+) \(pid (\d+)\)\n/,
      { env: { DISPLAY: xvfb.display, TONGBAN_BROWSER: '' }, timeoutMs: 20_000 },
    );
    let exited = false;
    try {
      const token = readFileSync(join(data, 'api-token'), 'utf8').trim();
      const url = /自助终端页面: (\S+)\n/.exec(d.stdout())![1]!;
      expect(d.match[1]).toBe('/usr/bin/chromium');
      const pid = Number(d.match[2]);
      const profiles = `--user-data-dir=${join(data, 'run', 'browser-')}`;

      // The browser process: its own profile under DATA/run/, the kiosk flags, no debugging port, no token.
      const main = processesWith(profiles).find((p) => p.pid === pid);
      expect(main, 'the browser process names its profile under DATA/run/').toBeDefined();
      for (const flag of ['--kiosk', '--incognito', '--no-first-run', '--disable-extensions', '--disable-sync', '--disable-background-networking', '--deny-permission-prompts']) {
        expect(main!.args).toContain(flag);
      }
      expect(main!.args.at(-1)).toMatch(new RegExp(`^file://${join(data, 'run', 'browser-')}\\w+/launch\\.html$`));
      expect(main!.args.some((a) => a.includes('remote-debugging'))).toBe(false);

      // What the kiosk shows: the start screen titled with the configured name, which the page gets from
      // GET /api/kiosk with the token (a wrong token leaves the default title), over the whole screen.
      const good = await reference(url);
      const wrong = await reference(url.replace(/#token=.*/, '#token=wrong'));
      expect(difference(good, wrong, HEADER_ROWS), 'the two titles differ').toBeGreaterThan(1);
      const first = await screenShowing(xvfb, good, wrong);
      writePng(join(SHOTS, 'kiosk.png'), first.screen);
      expect(first.whole).toBeLessThanOrEqual(WHOLE_LIMIT);
      expect(first.header * 3).toBeLessThan(first.headerWrong);
      console.log('kiosk screen vs the start screen: whole', first.whole.toFixed(2), 'header', first.header.toFixed(2), 'header vs wrong token', first.headerWrong.toFixed(2));
      // Full screen: the window reaches every edge (without a window manager Chromium leaves the last pixel
      // row and column of --window-size to the X root's black; the page covers the rest).
      const s = first.screen;
      const black = (x: number, y: number) => s.rgb[(y * s.width + x) * 3]! + s.rgb[(y * s.width + x) * 3 + 1]! + s.rgb[(y * s.width + x) * 3 + 2]! === 0;
      expect([black(0, 0), black(WIDTH - 2, 0), black(0, HEIGHT - 2), black(WIDTH - 2, HEIGHT - 2), black(WIDTH / 2, HEIGHT - 2)]).toEqual([false, false, false, false, false]);
      // The token is on no command line (other local users can read those), only in the launch page (0600).
      expect(allCommandLines()).not.toContain(token);
      const profileDir = /^file:\/\/(.*)\/launch\.html$/.exec(main!.args.at(-1)!)![1]!;
      expect(readFileSync(join(profileDir, 'launch.html'), 'utf8')).toContain(`#token=${token}`);

      // The browser dies: it is started again, on a new profile, and shows the start screen again.
      process.kill(pid, 'SIGKILL');
      const until = Date.now() + 20_000;
      let next: { pid: number; args: string[] } | undefined;
      while (!next && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 250));
        next = processesWith(profiles).find((p) => p.pid !== pid && p.args.includes('--kiosk'));
      }
      expect(next, 'a new browser was started').toBeDefined();
      expect(next!.args.at(-1)).not.toBe(main!.args.at(-1));
      expect(existsSync(profileDir), 'the dead browser\'s profile is removed').toBe(false);
      const second = await screenShowing(xvfb, good, wrong);
      writePng(join(SHOTS, 'kiosk-restarted.png'), second.screen);
      expect(d.stderr()).toMatch(/kiosk browser ended: starting it again/);

      // The agent stops: the browser and every child of it end, its profile is removed.
      d.child.kill('SIGTERM');
      expect(await d.exited).toBe(0);
      exited = true;
      expect(processesWith(profiles)).toEqual([]);
      expect(readdirSync(join(data, 'run')).filter((n) => n.startsWith('browser-'))).toEqual([]);
      const log = readFileSync(join(data, 'logs', 'agent.log'), 'utf8');
      expect(log).toContain('kiosk browser stopped');
      expect(log).not.toContain(token);
    } finally {
      if (!exited) {
        d.child.kill('SIGKILL');
        await d.exited;
        for (const p of processesWith(`--user-data-dir=${join(data, 'run', 'browser-')}`)) process.kill(p.pid, 'SIGKILL');
      }
    }
  });
});
