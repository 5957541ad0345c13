/**
 * The harness end to end: `tongban start` (demo) prints the kiosk page's URL, a real Chromium opens it,
 * the start screen shows its five choices, the token left the address bar, axe finds nothing serious,
 * every character has a glyph.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKiosk, type Kiosk } from './helpers/kiosk.js';

let k: Kiosk;
beforeAll(async () => {
  k = await startKiosk();
});
afterAll(async () => {
  await k?.stop();
});

describe('the kiosk page in a real browser', () => {
  it('tongban start prints the page URL with the token, and the page opens on the start screen', async () => {
    expect(k.agent.stdout()).toContain(`自助终端页面: ${k.kioskUrl}`);
    expect(k.kioskUrl).toBe(`${k.url}kiosk/#token=${k.token}`);
    await k.waitForScreen('start');
    expect(await k.currentScreen()).toBe('start');
    for (const id of ['start-idcard', 'start-scan', 'start-items', 'start-pickup', 'start-elder']) {
      await expect.poll(() => k.page.getByTestId(id).isVisible(), { message: id }).toBe(true);
    }
    // The token went from the address bar into memory (and sessionStorage, the only thing stored).
    expect(k.page.url()).toBe(`${k.url}kiosk/`);
    expect((await k.browserStorage()).sessionStorage).toEqual({ 'tongban.token': k.token });
    await k.screenshot('start');
  });

  it('the start screen has no serious or critical accessibility violation', async () => {
    await k.checkA11y('start');
  });

  it('every character on the start screen has a glyph in the installed fonts (no empty boxes)', async () => {
    expect(await k.missingGlyphs()).toEqual([]);
  });

  it('no script error on the way', () => {
    expect(k.pageErrors).toEqual([]);
  });
});
