/**
 * The walks through the screens that several end-to-end tests share, as a citizen does them: the ID card
 * and an item up to its form, the 当场出证 item's form on the keypad, the submit from the review screen.
 * Each step waits for the screen it ends on, so a test asserts from there.
 */
import { expect } from 'vitest';
import type { Kiosk } from './kiosk.js';

/** 社会保险参保缴费证明开具 (issued on site): two month fields on the keypad, then a choice. */
export const CERTIFICATE_ITEM = '341600-SB-0003';
/** What the tests type into its two month fields. */
export const CERTIFICATE_MONTHS = ['2025-01', '2026-10'];

export interface ChooseOptions {
  /** A test id to wait for on the form before the card is taken out (e.g. a field prefilled from it). */
  formReady?: string;
}

/**
 * From the start screen: 身份证 -> the demo card read -> item `itemCode` -> its form, the card taken out.
 * Does not wait for the start screen itself (callers that set a mode first do that).
 */
export async function chooseWithCard(k: Kiosk, itemCode: string, options: ChooseOptions = {}): Promise<void> {
  await k.tap('start-idcard');
  await k.waitForScreen('identify');
  await k.insertCard();
  // identify shows the applicant bound (masked) for a moment, then goes on to the items by itself
  await k.waitForScreen('items');
  await k.tap(`item-${itemCode}`);
  await k.waitForScreen('form');
  if (options.formReady) await k.page.getByTestId(options.formReady).waitFor();
  await k.removeCard();
}

/** Taps the choice whose face reads `label` (a ✓ on the chosen one aside). */
export async function tapChoice(k: Kiosk, label: string): Promise<void> {
  await k.page.getByTestId('kb-choices').waitFor();
  const faces = await k.page.locator('[data-testid^="choice-"]').allTextContents();
  const at = faces.findIndex((f) => f.replace('✓ ', '') === label);
  expect(at, `choice ${label} in ${faces.join(' ')}`).toBeGreaterThanOrEqual(0);
  await k.tap(`choice-${at}`);
}

/**
 * On the 当场出证 item's form: the months typed on the keypad, then the choice (by its label, else the
 * first), 完成 -> the review screen.
 */
export async function fillCertificateForm(k: Kiosk, options: { choice?: string } = {}): Promise<void> {
  for (const value of CERTIFICATE_MONTHS) {
    await k.page.getByTestId('kb-keypad').waitFor();
    for (const c of value) await k.tap(`kb-key-${c}`);
    await k.tap('form-next');
  }
  if (options.choice === undefined) {
    await k.page.getByTestId('kb-choices').waitFor();
    await k.tap('choice-0');
  } else {
    await tapChoice(k, options.choice);
  }
  await k.tap('form-done');
  await k.waitForScreen('review');
}

/** Start -> card -> the 当场出证 item -> its form filled -> the review screen. */
export async function applyForCertificateToReview(k: Kiosk, options: { choice?: string } = {}): Promise<void> {
  await k.waitForScreen('start');
  await chooseWithCard(k, CERTIFICATE_ITEM);
  await fillCertificateForm(k, options);
}

/** 提交 on the review screen -> the done screen; returns the cases the submit added. */
export async function submitReview(k: Kiosk): Promise<{ id: string; itemCode: string }[]> {
  const list = async () => (await k.api<{ cases: { id: string; itemCode: string }[] }>('GET', '/api/cases')).json.cases;
  const before = new Set((await list()).map((c) => c.id));
  await k.tap('review-submit');
  await k.waitForScreen('done');
  return (await list()).filter((c) => !before.has(c.id));
}

/** 当场出证 on the done screen -> the certificate screen. */
export async function openCertificate(k: Kiosk): Promise<void> {
  await k.tap('done-certificate');
  await k.waitForScreen('certificate');
}
