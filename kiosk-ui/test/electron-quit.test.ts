/**
 * Staff quit the kiosk (issue 8): the kiosk shell (agent/electron/shell.ts) runs the real agent
 * in-process; the page its window loads is opened in the system Chromium (Electron's renderer is
 * Chromium too; no Electron binary here, its main-process API is the stand-in of
 * agent/test/helpers/electron-stand-in.ts). Staff mode shows 退出自助终端 only under the shell; it asks
 * first, and the confirmed quit stops the agent and exits the app. Under `tongban start` (no shell) the
 * button is not there.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent } from '../../agent/agent.js';
import { kioskUrl } from '../../agent/api/ui-routes.js';
import { parseConfig } from '../../agent/config/config.js';
import { runShell, type RunningShell } from '../../agent/electron/shell.js';
import { StandInElectron } from '../../agent/test/helpers/electron-stand-in.js';
import { checkA11y } from './helpers/a11y.js';
import { kioskContext, launchChromium } from './helpers/browser.js';

const PIN = '246810';
const config = parseConfig({ sync: { endpoints: [] }, ui: { staffPin: PIN } });
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

async function openPage(url: string): Promise<Page> {
  const page = await (await kioskContext(browser)).newPage();
  await page.goto(url);
  await page.getByTestId('screen-start').waitFor({ state: 'visible', timeout: 15_000 });
  return page;
}

async function enterStaffMode(page: Page): Promise<void> {
  const corner = page.getByTestId('staff-corner');
  for (let i = 0; i < 5; i++) await corner.tap();
  await page.getByTestId('staff-pin').waitFor();
  for (const d of PIN) await page.getByTestId(`staff-key-${d}`).tap();
  await page.getByTestId('staff-pin-ok').tap();
  await page.getByTestId('screen-staff').waitFor({ state: 'visible' });
}

describe('under the kiosk shell', () => {
  const electron = new StandInElectron();
  let shell: RunningShell;
  let page: Page;

  beforeAll(async () => {
    shell = (await runShell(electron, { agent: { dataDir: mkdtempSync(join(tmpdir(), 'tongban-electron-quit-')), port: 0, logLevel: 'warn', config }, production: true }))!;
    // the page the shell's window loads
    page = await openPage(electron.windows[0]!.webContents.loaded[0]!);
  });
  afterAll(async () => {
    await page?.context().close();
    if (electron.app.exitCode === undefined) {
      electron.app.quit();
      await shell?.stopped;
    }
  });

  it('staff mode offers 退出自助终端 and asks first; 取消 leaves everything running', async () => {
    await enterStaffMode(page);
    await page.getByTestId('staff-quit').tap();
    await page.getByTestId('staff-quit-confirm').waitFor();
    expect(await page.getByTestId('staff-quit-confirm').textContent()).toContain('已提交的办件都已保存');
    await checkA11y(page, 'the quit confirmation');
    await page.getByTestId('staff-quit-cancel').tap();
    await page.getByTestId('staff-quit-confirm').waitFor({ state: 'detached' });
    expect(electron.app.quitCalls).toBe(0);
    expect((await fetch(new URL('api/health', shell.agent.url))).status).toBe(200);
  });

  it('确认退出 quits: the page says so, the agent stops cleanly and the app exits 0', async () => {
    await page.getByTestId('staff-quit').tap();
    await page.getByTestId('staff-quit-ok').tap();
    await page.getByTestId('staff-quitting').waitFor();
    expect(await electron.app.exited).toBe(0);
    await shell.stopped;
    expect(electron.open()).toEqual([]);
    await expect(fetch(new URL('api/health', shell.agent.url))).rejects.toThrow();
  });
});

describe('under tongban start (no shell)', () => {
  it('staff mode has no 退出自助终端', async () => {
    const agent = await startAgent({ dataDir: mkdtempSync(join(tmpdir(), 'tongban-electron-noquit-')), port: 0, logLevel: 'warn', config });
    const page = await openPage(kioskUrl(agent.url, agent.token));
    try {
      await enterStaffMode(page);
      await page.getByTestId('staff-exit').waitFor();
      expect(await page.getByTestId('staff-quit').count()).toBe(0);
    } finally {
      await page.context().close();
      await agent.stop('test over');
    }
  });
});
