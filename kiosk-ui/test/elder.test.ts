/**
 * 适老化 on every screen a citizen reaches without identifying, in both modes: the mode switched on and
 * off with one touch; body text at least 18 px in the plain mode and larger in the elder mode, no text
 * below 18 px anywhere; every control at least 60x60 px (Playwright's boundingBox); contrast at least
 * 4.5:1 (axe's color-contrast rule, WCAG AA); spoken prompts in Chinese in the elder mode only (the
 * page's calls to speechSynthesis.speak recorded, then passed on).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, formatViolations, startKiosk, type Kiosk } from './helpers/kiosk.js';
import { bodyFontPx, smallTargets, smallText } from './helpers/layout.js';

let k: Kiosk;
beforeAll(async () => {
  k = await startKiosk({ open: false });
  // Records what the page asks the speech synthesiser to say, then lets it speak.
  await k.context.addInitScript(() => {
    const spoken: { text: string; lang: string }[] = [];
    (window as unknown as { __spoken: typeof spoken }).__spoken = spoken;
    if (!('speechSynthesis' in window)) return;
    const speak = window.speechSynthesis.speak.bind(window.speechSynthesis);
    window.speechSynthesis.speak = (u: SpeechSynthesisUtterance) => {
      spoken.push({ text: u.text, lang: u.lang });
      speak(u);
    };
  });
  await k.open();
});
afterAll(async () => {
  await k?.stop();
});

const spoken = (): Promise<{ text: string; lang: string }[]> => k.page.evaluate(() => (window as unknown as { __spoken: { text: string; lang: string }[] }).__spoken);
const elderOn = (): Promise<boolean> => k.page.evaluate(() => document.documentElement.classList.contains('elder'));

/** The screens reachable from the start screen without identifying, and how to get there. */
const SCREENS: { name: string; id: string; reach: () => Promise<void> }[] = [
  { name: 'start', id: 'start', reach: async () => {} },
  { name: 'identify', id: 'identify', reach: () => k.tap('start-idcard') },
  {
    name: 'items',
    id: 'items',
    reach: async () => {
      await k.tap('start-items');
      await k.page.getByTestId('items-panel').waitFor();
    },
  },
  { name: 'identify-pickup', id: 'identify', reach: () => k.tap('start-pickup') },
];

async function goStart(): Promise<void> {
  if ((await k.currentScreen()) !== 'start') await k.tap('nav-home');
  await k.waitForScreen('start');
}

const bodyPx: Record<'plain' | 'elder', number> = { plain: 0, elder: 0 };

describe('适老模式', () => {
  it('one touch on the start screen switches it on; the header toggle on any screen switches it off and on', async () => {
    expect(await elderOn()).toBe(false);
    bodyPx.plain = await bodyFontPx(k.page);
    await k.tap('start-elder');
    expect(await elderOn()).toBe(true);
    bodyPx.elder = await bodyFontPx(k.page);
    await k.tap('start-idcard');
    await k.waitForScreen('identify');
    await expect.poll(() => k.page.getByTestId('nav-elder').getAttribute('aria-pressed')).toBe('true');
    await k.tap('nav-elder');
    expect(await elderOn()).toBe(false);
    await expect.poll(() => k.page.getByTestId('nav-elder').getAttribute('aria-pressed')).toBe('false');
    await k.tap('nav-elder');
    expect(await elderOn()).toBe(true);
    await k.tap('nav-home');
    await k.waitForScreen('start');
    // 回首页 keeps the mode the person standing there chose.
    expect(await elderOn()).toBe(true);
    await k.tap('nav-elder');
    expect(await elderOn()).toBe(false);
  });

  it('body text is at least 18 px in the plain mode and larger in the elder mode', () => {
    expect(bodyPx.plain).toBeGreaterThanOrEqual(18);
    expect(bodyPx.elder).toBeGreaterThan(bodyPx.plain);
  });

  for (const mode of ['plain', 'elder'] as const) {
    for (const screen of SCREENS) {
      it(`${screen.name}, ${mode} mode: no text under 18 px, every control at least 60x60 px, contrast at least 4.5:1`, async () => {
        await goStart();
        if ((await elderOn()) !== (mode === 'elder')) await k.tap('nav-elder');
        expect(await elderOn()).toBe(mode === 'elder');
        await screen.reach();
        await k.waitForScreen(screen.id);
        await k.screenshot(`${screen.name}-${mode}`);
        expect(await bodyFontPx(k.page)).toBe(bodyPx[mode]);
        expect(await smallText(k.page, 18)).toEqual([]);
        if (mode === 'elder') expect(await smallText(k.page, bodyPx.elder * 0.9)).toEqual([]);
        expect(await smallTargets(k.page, 60)).toEqual([]);
        const contrast = await axeViolations(k.page, { rules: ['color-contrast'] });
        expect(contrast, formatViolations(contrast)).toEqual([]);
      });
    }
  }

  it('speaks the screens in Chinese in the elder mode, and says nothing in the plain mode', async () => {
    await goStart();
    if (await elderOn()) await k.tap('start-elder');
    const before = (await spoken()).length;
    await k.tap('start-idcard');
    await k.waitForScreen('identify');
    await k.tap('nav-home');
    await k.waitForScreen('start');
    expect((await spoken()).slice(before)).toEqual([]);

    await k.tap('start-elder');
    await k.tap('start-idcard');
    await k.waitForScreen('identify');
    await expect.poll(async () => (await spoken()).slice(before)).toContainEqual({ text: expect.stringMatching(/[\u4e00-\u9fff]{2}/), lang: 'zh-CN' });
  });
});
