/**
 * 适老化 measurements on the page as it is now: the size of every visible text, and every control a
 * finger can touch measured with Playwright's boundingBox (CSS pixels at the kiosk's 1080x1920 viewport).
 */
import type { Page } from 'playwright-core';

/** Everything a citizen can touch or focus to act. */
export const CLICKABLE =
  'button, a[href], input:not([type="hidden"]), select, textarea, summary, [role="button"], [role="link"], [role="tab"], [role="checkbox"], [role="radio"], [role="switch"], [role="option"], [role="menuitem"], [tabindex]:not([tabindex="-1"])';

export interface TextSize {
  /** The text (first 30 characters). */
  text: string;
  px: number;
  /** The nearest data-testid (or the tag). */
  where: string;
}

/** Every visible text node's computed font size (of its parent element). */
export function textSizes(page: Page): Promise<TextSize[]> {
  return page.evaluate(() => {
    const out: { text: string; px: number; where: string }[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      const text = n.textContent?.trim();
      if (!el || !text || !el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
      // Text a screen reader gets but nobody sees (visually hidden) is not read by eye.
      const r = el.getBoundingClientRect();
      if (r.width <= 1 || r.height <= 1) continue;
      out.push({ text: text.slice(0, 30), px: parseFloat(getComputedStyle(el).fontSize), where: el.closest('[data-testid]')?.getAttribute('data-testid') ?? el.tagName.toLowerCase() });
    }
    return out;
  });
}

/** Text smaller than `minPx`, described for an assertion message. */
export async function smallText(page: Page, minPx: number): Promise<string[]> {
  return (await textSizes(page)).filter((t) => t.px < minPx).map((t) => `${t.px}px "${t.text}" in ${t.where}`);
}

/** The body text size (computed font-size of <body>). */
export async function bodyFontPx(page: Page): Promise<number> {
  return page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
}

/** Visible controls whose box is smaller than `minPx` x `minPx`, described for an assertion message. */
export async function smallTargets(page: Page, minPx = 60): Promise<string[]> {
  const small: string[] = [];
  const controls = page.locator(CLICKABLE);
  const count = await controls.count();
  for (let i = 0; i < count; i++) {
    const c = controls.nth(i);
    if (!(await c.isVisible())) continue;
    const box = await c.boundingBox();
    if (!box || (box.width >= minPx && box.height >= minPx)) continue;
    const what = await c.evaluate((el) => {
      const id = el.getAttribute('data-testid') ?? el.closest('[data-testid]')?.getAttribute('data-testid');
      return `${el.tagName.toLowerCase()}${id ? `[${id}]` : ''} "${(el.textContent ?? el.getAttribute('aria-label') ?? '').trim().slice(0, 20)}"`;
    });
    small.push(`${what} ${Math.round(box.width)}x${Math.round(box.height)}`);
  }
  return small;
}
