/**
 * Every screen, in both modes, held to the same rules as a citizen walks through them: axe-core finds no
 * serious or critical violation, every character has a glyph, no text is under 18 px, every control is at
 * least 60x60 px. The walks: the items and 智能导办, an application with materials (新生儿社会保障卡申领:
 * identify, the form on the pinyin keyboard, materials, review, done, rating), an item issued on site
 * (社会保险参保缴费证明开具: done, 当场出证), 取件打印 (identify, pickup, rating) and staff mode.
 * Screenshots of each under test-results/kiosk-ui/a11y/<mode>-<screen>.png. Failures are collected per
 * screen (expect.soft), so one run lists every screen that breaks a rule.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CERTIFICATE_ITEM, fillCertificateForm, openCertificate, submitReview } from './helpers/flows.js';
import { startKiosk, type Kiosk } from './helpers/kiosk.js';
import { smallTargets, smallText } from './helpers/layout.js';

let k: Kiosk;
beforeAll(async () => {
  k = await startKiosk();
});
afterAll(async () => {
  await k?.stop();
});

type Mode = 'plain' | 'elder';
const elderOn = (): Promise<boolean> => k.page.evaluate(() => document.documentElement.classList.contains('elder'));

/** Every rule on the screen showing now. */
async function check(mode: Mode, screen: string): Promise<void> {
  await k.screenshot(`${mode}-${screen}`);
  const label = `${screen} (${mode})`;
  await k.checkA11y(label).catch((err: Error) => expect.soft(err.message, label).toBe(''));
  expect.soft(await k.missingGlyphs(), `${label}: missing glyphs`).toEqual([]);
  expect.soft(await smallText(k.page, 18), `${label}: text under 18 px`).toEqual([]);
  expect.soft(await smallTargets(k.page, 60), `${label}: controls under 60x60 px`).toEqual([]);
}

async function start(mode: Mode): Promise<void> {
  if ((await k.currentScreen()) !== 'start') await k.tap('nav-home');
  await k.waitForScreen('start');
  if ((await elderOn()) !== (mode === 'elder')) await k.tap('nav-elder');
  expect(await elderOn()).toBe(mode === 'elder');
}

async function identifyWithCard(): Promise<void> {
  await k.waitForScreen('identify');
  await k.insertCard();
}

for (const mode of ['plain', 'elder'] as const) {
  describe(`every screen, ${mode} mode`, () => {
    it('start, items, 智能导办', async () => {
      await start(mode);
      await check(mode, 'start');
      await k.tap('start-items');
      await k.waitForScreen('items');
      await k.page.getByTestId('items-panel').waitFor();
      await check(mode, 'items');
      await k.tap('items-guide');
      await k.waitForScreen('guide');
      await k.page.locator('[data-testid^="guide-ZNDB-"]').first().waitFor();
      await check(mode, 'guide');
      await k.page.locator('[data-testid^="guide-ZNDB-"]').first().tap();
      await k.page.getByTestId('guide-question').waitFor();
      await check(mode, 'guide-question');
    });

    it('an application with materials: identify, form, materials, review, done, rating', async () => {
      await start(mode);
      await k.tap('start-idcard');
      await k.waitForScreen('identify');
      await check(mode, 'identify');
      // a fault as the citizen sees it
      await k.scan('%%@@!!#garbage#!!@@%%');
      await k.page.getByTestId('fault').waitFor();
      await check(mode, 'identify-fault');
      await k.tap('fault-retry');
      await expect.poll(() => k.page.getByTestId('fault').count()).toBe(0);
      await identifyWithCard();
      await k.waitForScreen('items');
      await k.page.getByTestId('items-panel').waitFor();
      await k.tap('item-340802-SB-0008');
      await k.waitForScreen('form');
      await k.removeCard();
      await k.page.getByTestId('form-editor').waitFor();
      await check(mode, 'form');
      // 新生儿姓名: 王 on the pinyin keyboard
      for (const l of 'wang') await k.tap(`kb-py-${l}`);
      await check(mode, 'form-pinyin');
      await k.tap('kb-cand-0');
      await k.tap('form-next');
      await k.page.getByTestId('kb-choices').waitFor();
      await k.tap('choice-0');
      await k.tap('form-done');
      await k.waitForScreen('materials');
      await k.page.getByTestId('materials-next').waitFor();
      await k.page.locator('[data-testid^="material-"][data-testid$="-status"]').first().waitFor();
      await check(mode, 'materials');
      await k.tap('materials-next');
      await k.waitForScreen('review');
      await check(mode, 'review');
      await k.tap('review-submit');
      await k.waitForScreen('done');
      await k.page.getByTestId('done-receipt-printed').waitFor({ timeout: 30_000 });
      await check(mode, 'done');
      await k.tap('done-rate');
      await k.waitForScreen('rating');
      await check(mode, 'rating');
      await k.tap('rating-score-2');
      await k.page.getByTestId('rating-reason-1').waitFor();
      await check(mode, 'rating-bad');
      await k.tap('rating-submit');
      await k.page.getByTestId('rating-thanks').waitFor();
      await check(mode, 'rating-thanks');
      await k.tap('rating-finish');
      await k.waitForScreen('start');
    });

    it('an item issued on site: 当场出证', async () => {
      await start(mode);
      await k.tap('start-idcard');
      await identifyWithCard();
      await k.waitForScreen('items');
      await k.page.getByTestId('items-panel').waitFor();
      await k.tap(`item-${CERTIFICATE_ITEM}`);
      await k.waitForScreen('form');
      await k.removeCard();
      await fillCertificateForm(k);
      await submitReview(k);
      await openCertificate(k);
      await k.page.getByTestId('cert-preview').waitFor({ timeout: 30_000 });
      await check(mode, 'certificate');
      await k.tap('cert-finish');
      await k.waitForScreen('start');
    });

    it('取件打印: identify, the person’s cases, rating', async () => {
      await start(mode);
      await k.tap('start-pickup');
      await identifyWithCard();
      await k.waitForScreen('pickup');
      await k.page.locator('[data-testid^="pickup-case-"]').first().waitFor({ timeout: 15_000 });
      await k.removeCard();
      await check(mode, 'pickup');
      await k.tap('pickup-finish');
      await k.waitForScreen('rating');
      await k.tap('rating-skip');
      await k.waitForScreen('start');
    });

    it('staff mode', async () => {
      await start(mode);
      for (let i = 0; i < 5; i++) await k.page.getByTestId('staff-corner').tap();
      await k.page.getByTestId('staff-pin').waitFor();
      await check(mode, 'staff-pin');
      for (const d of '246810') await k.tap(`staff-key-${d}`);
      await k.tap('staff-pin-ok');
      await k.waitForScreen('staff');
      await k.page.getByTestId('staff-backlog').waitFor();
      await check(mode, 'staff');
      await k.tap('staff-exit');
      await k.waitForScreen('start');
    });
  });
}

describe('all of it', () => {
  it('no script error on the way (the garbage codes\' refusals aside, which Chromium logs as failed requests)', () => {
    expect(k.pageErrors.filter((e) => !/status of 422 .*\/api\/identify\/code\)$/.test(e))).toEqual([]);
  });
});
