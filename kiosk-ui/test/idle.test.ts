/**
 * Idle safety: with ui.idleSeconds / ui.countdownSeconds short, a citizen who walks away from a form
 * pre-filled from their ID card gets a countdown (继续办理 keeps everything), then the kiosk goes back to
 * the start screen and NOTHING personal survives in the browser: not on screen, not in localStorage,
 * sessionStorage (only the API token), IndexedDB, cookies or Cache Storage, and not anywhere in the page's
 * JavaScript heap (a heap snapshot after a full garbage collection, searched for the card's name, ID
 * number and address). The same after a sealed certificate was previewed (its picture's object URL
 * revoked) and after 取件打印 listed the person's cases.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyForCertificateToReview, chooseWithCard, openCertificate, submitReview } from './helpers/flows.js';
import { startKiosk, type Kiosk } from './helpers/kiosk.js';

/** The demo card (drivers/sim/fixtures/resident-longterm.json). */
const CARD = { name: '张示例', idNumber: '11010119900307002X', address: '北京市东城区示例路1号虚构小区2号楼3单元401室' };
/** 新生儿出生户口登记: its household address is pre-filled from the card. */
const ITEM = '340802-GA-0006';
const IDLE_SECONDS = 6;
/** The certificate picture's object URL the test loads after it was revoked (Chromium logs the failed load). */
let probedRevoked: string | undefined;
const COUNTDOWN_SECONDS = 4;

let k: Kiosk;
beforeAll(async () => {
  k = await startKiosk({ idleSeconds: IDLE_SECONDS, countdownSeconds: COUNTDOWN_SECONDS });
});
afterAll(async () => {
  await k?.stop();
});

const text = async (testid: string): Promise<string> => (await k.page.getByTestId(testid).textContent()) ?? '';
const pageText = (): Promise<string> => k.page.evaluate(() => document.body.innerText);
/** Whether an image URL still loads in the page (the CSP lets images, not fetch, read blob: URLs). */
const loads = (src: string): Promise<boolean> =>
  k.page.evaluate(
    (u) =>
      new Promise<boolean>((resolve) => {
        const img = new Image();
        img.onload = () => resolve(img.naturalWidth > 0);
        img.onerror = () => resolve(false);
        img.src = u;
      }),
    src,
  );

async function toPrefilledForm(): Promise<void> {
  await k.waitForScreen('start');
  await chooseWithCard(k, ITEM, { formReady: 'form-field-householdAddress-prefilled' });
}

describe('idle safety', () => {
  it('the start screen in its plain mode has nothing to clear: no countdown however long it waits', async () => {
    await k.waitForScreen('start');
    await k.page.waitForTimeout((IDLE_SECONDS + 1) * 1000);
    expect(await k.page.getByTestId('idle-countdown').count()).toBe(0);
  });

  it('a form left alone: the countdown, and 继续办理 keeps everything entered', async () => {
    await toPrefilledForm();
    expect(await text('form-field-householdAddress-value')).toBe(CARD.address);
    const countdown = k.page.getByTestId('idle-countdown');
    await countdown.waitFor({ timeout: (IDLE_SECONDS + 5) * 1000 });
    const first = Number(await text('idle-seconds'));
    expect(first).toBeGreaterThanOrEqual(1);
    expect(first).toBeLessThanOrEqual(COUNTDOWN_SECONDS);
    expect(await text('idle-countdown')).toContain('秒后将自动退出');
    await k.screenshot('countdown');
    await k.checkA11y('the idle countdown');
    // it counts down
    await expect.poll(async () => Number(await text('idle-seconds')), { timeout: 5000 }).toBeLessThan(first);
    await k.tap('idle-continue');
    await countdown.waitFor({ state: 'detached' });
    expect(await k.currentScreen()).toBe('form');
    expect(await text('form-field-householdAddress-value')).toBe(CARD.address);
  });

  it('the countdown run out: the start screen, and nothing personal left on screen, in storage or in the heap', async () => {
    expect(await k.currentScreen()).toBe('form');
    // personal data is on the page now (the test would prove nothing otherwise)
    expect(await k.heapContains([CARD.idNumber, CARD.address])).toEqual([CARD.idNumber, CARD.address]);

    await k.page.getByTestId('idle-countdown').waitFor({ timeout: (IDLE_SECONDS + 5) * 1000 });
    await k.waitForScreen('start', (COUNTDOWN_SECONDS + 5) * 1000);
    await k.page.getByTestId('idle-countdown').waitFor({ state: 'detached' });
    await k.screenshot('after-idle');
    expect(await k.page.evaluate(() => document.documentElement.classList.contains('elder'))).toBe(false);

    const onScreen = await pageText();
    for (const s of [CARD.name, CARD.name.slice(0, 1) + '*', CARD.idNumber, CARD.idNumber.slice(0, 4), CARD.idNumber.slice(-4), CARD.address.slice(0, 6)]) {
      expect(onScreen, s).not.toContain(s);
    }

    const stored = await k.browserStorage();
    expect(stored).toEqual({ localStorage: {}, sessionStorage: { 'tongban.token': k.token }, indexedDB: {}, cookies: [], caches: {} });

    expect(await k.heapContains([CARD.name, CARD.idNumber, CARD.address, CARD.address.slice(0, 10)])).toEqual([]);
  });

  it('a sealed certificate previewed and left: after the countdown its picture is gone from the browser (object URL revoked) and nothing of the card is in the heap', async () => {
    await applyForCertificateToReview(k);
    await submitReview(k);
    await openCertificate(k);
    const preview = k.page.getByTestId('cert-preview');
    await preview.waitFor({ timeout: 30_000 });
    const src = (await preview.getAttribute('src'))!;
    expect(src.startsWith('blob:')).toBe(true);
    // the picture (the certificate with the applicant's name and ID number) is readable while shown
    expect(await loads(src)).toBe(true);

    await k.page.getByTestId('idle-countdown').waitFor({ timeout: (IDLE_SECONDS + 5) * 1000 });
    await k.waitForScreen('start', (COUNTDOWN_SECONDS + 5) * 1000);
    expect(await k.page.locator('img[src^="blob:"]').count()).toBe(0);
    expect(await loads(src), 'the certificate picture revoked').toBe(false);
    probedRevoked = src;
    expect(await k.heapContains([CARD.name, CARD.idNumber, CARD.address])).toEqual([]);
  });

  it('取件打印 left alone: the person’s cases gone, nothing of the card in the heap', async () => {
    await k.waitForScreen('start');
    await k.tap('start-pickup');
    await k.waitForScreen('identify');
    await k.insertCard();
    await k.waitForScreen('pickup');
    await k.page.locator('[data-testid^="pickup-case-"]').first().waitFor({ timeout: 15_000 });
    await k.removeCard();
    await k.page.getByTestId('idle-countdown').waitFor({ timeout: (IDLE_SECONDS + 5) * 1000 });
    await k.waitForScreen('start', (COUNTDOWN_SECONDS + 5) * 1000);
    expect(await k.page.locator('[data-testid^="pickup-case-"]').count()).toBe(0);
    expect(await pageText()).not.toContain('申办流水号');
    expect(await k.heapContains([CARD.name, CARD.idNumber, CARD.address])).toEqual([]);
  });

  it('elder mode switched on and left: the countdown too, then the start screen in its plain mode', async () => {
    await k.tap('start-elder');
    expect(await k.page.evaluate(() => document.documentElement.classList.contains('elder'))).toBe(true);
    await k.page.getByTestId('idle-countdown').waitFor({ timeout: (IDLE_SECONDS + 5) * 1000 });
    await k.page.getByTestId('idle-countdown').waitFor({ state: 'detached', timeout: (COUNTDOWN_SECONDS + 5) * 1000 });
    await expect.poll(() => k.page.evaluate(() => document.documentElement.classList.contains('elder'))).toBe(false);
    expect(await k.currentScreen()).toBe('start');
  });

  it('no script error on the way (but Chromium\'s own line about the revoked picture this test tried to load)', () => {
    expect(k.pageErrors.filter((e) => !(probedRevoked && e.includes(probedRevoked) && e.includes('ERR_FILE_NOT_FOUND')))).toEqual([]);
  });
});
