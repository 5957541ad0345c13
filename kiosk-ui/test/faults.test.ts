/**
 * Faults across one citizen's session, and the session's work never lost: the item chosen first, then on
 * the identify screen garbage from the scanner and a card that will not read (each a plain Chinese
 * explanation of what happened and what to do, with 重试), then the card read: the form opens for the
 * item chosen before the faults. The months typed, the receipt printer out of paper at submit: the case
 * is kept exactly as entered, the serial stays on screen, and 重新打印回执 after the refill prints it once.
 * A certificate that cannot be issued (the demo departments unreachable: PUT /api/demo/departments): a
 * plain fault with 重新开具, the case kept, and issued once they answer again.
 * Every fault screen is checked with axe and for missing glyphs, and screenshotted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyForCertificateToReview, CERTIFICATE_ITEM as ITEM, CERTIFICATE_MONTHS as MONTHS, fillCertificateForm, openCertificate, submitReview } from './helpers/flows.js';
import { startKiosk, until, type Kiosk } from './helpers/kiosk.js';

let k: Kiosk;
beforeAll(async () => {
  k = await startKiosk();
});
afterAll(async () => {
  await k?.stop();
});

const text = async (testid: string): Promise<string> => (await k.page.getByTestId(testid).textContent()) ?? '';

/** A fault the citizen can act on: plain Chinese, what happened and what to do (请… / 点…). */
async function expectPlainFault(label: string, says: string): Promise<void> {
  const fault = k.page.getByTestId('fault');
  await fault.waitFor();
  const words = (await fault.textContent()) ?? '';
  expect(words).toContain(says);
  expect(words, 'says what to do').toMatch(/请|点/);
  expect(words, 'no code or English for the citizen').not.toMatch(/[A-Za-z]{4,}|\b[a-z]+\.[a-z]+\b/);
  expect(await fault.getAttribute('role')).toBe('alert');
  await k.screenshot(label);
  await k.checkA11y(label);
  expect(await k.missingGlyphs()).toEqual([]);
}

describe('faults in one session, nothing lost', () => {
  it('the item chosen, then garbage from the scanner: a plain fault with 重试, still waiting for the card', async () => {
    await k.tap('start-items');
    await k.waitForScreen('items');
    await k.tap(`item-${ITEM}`);
    await k.waitForScreen('identify');
    await k.scan('%%@@!!#garbage#!!@@%%');
    await expectPlainFault('identify-scanner-garbage', '未能识别这个二维码');
    await k.tap('fault-retry');
    await expect.poll(() => k.page.getByTestId('fault').count()).toBe(0);
    expect(await k.currentScreen()).toBe('identify');
  });

  it('a card that will not read: a plain fault with 重试; the reader mended, 重试 reads it and the form opens for the item chosen before', async () => {
    expect((await k.api('PUT', '/api/demo/card-reader', { fault: 'unreadable' })).status).toBe(200);
    await k.insertCard();
    await expectPlainFault('identify-card-unreadable', '未能读取身份证');
    expect((await k.api('PUT', '/api/demo/card-reader', { fault: 'none' })).status).toBe(200);
    await k.tap('fault-retry');
    await k.waitForScreen('form');
    expect(await text('form-item')).toContain('社会保险参保缴费证明开具');
    await k.removeCard();
  });

  it('the receipt printer out of paper at submit: the case kept exactly as entered, the serial on screen; the refill and 重新打印回执 print it once', async () => {
    await fillCertificateForm(k);

    await k.paper('out');
    await until('the receipt printer out of paper', async () => ((await k.api('GET', '/api/devices/receipt')).json.device?.paper === 'out' ? true : undefined), 15_000);
    const receiptsBefore = (await k.receipts()).length;
    await k.tap('review-submit');
    await k.waitForScreen('done');
    await expectPlainFault('done-receipt-paper-out', '打印机缺纸');
    expect(await text('fault')).toContain('不会丢失');

    const cases = (await k.api<{ cases: { id: string; itemCode: string }[] }>('GET', '/api/cases')).json.cases.filter((c) => c.itemCode === ITEM);
    expect(cases).toHaveLength(1);
    const stored = (await k.api<{ serial: string; form: Record<string, unknown>; applicant: { idNumber: string } }>('GET', `/api/cases/${cases[0]!.id}`)).json;
    expect(Object.values(stored.form)).toEqual(expect.arrayContaining(MONTHS));
    expect(stored.applicant.idNumber).toBe('11010119900307002X');
    expect((await text('done-serial')).replace(/\s/g, '')).toBe(stored.serial);
    expect(await k.receipts()).toHaveLength(receiptsBefore);

    await k.paper('ok');
    await until('the receipt printer has paper', async () => ((await k.api('GET', '/api/devices/receipt')).json.device?.paper === 'ok' ? true : undefined), 15_000);
    await k.tap('fault-retry');
    await k.page.getByTestId('done-receipt-printed').waitFor({ timeout: 30_000 });
    // the agent may print the kept job by itself on the refill too: still once
    await new Promise((r) => setTimeout(r, 1500));
    const receipts = await k.receipts();
    expect(receipts).toHaveLength(receiptsBefore + 1);
    expect(receipts.at(-1)!.lines.join('').replace(/\s+/g, '')).toContain(stored.serial);
    await k.screenshot('done-receipt-printed');
    await k.tap('done-finish');
    await k.waitForScreen('start');
  });

  it('a certificate that cannot be issued (the departments unreachable): a plain fault with 重新开具, the case kept; reachable again, 重新开具 issues it', async () => {
    await applyForCertificateToReview(k);
    const id = (await submitReview(k))[0]!.id;

    expect((await k.api('PUT', '/api/demo/departments', { reachable: false })).status).toBe(200);
    await openCertificate(k);
    await expectPlainFault('certificate-no-record', '暂时无法从主管部门取得您的记录');
    expect(await text('fault')).toContain('不会丢失');
    expect((await k.api<{ status: string; results: unknown[] }>('GET', `/api/cases/${id}`)).json).toMatchObject({ status: 'submitted', results: [] });

    expect((await k.api('PUT', '/api/demo/departments', { reachable: true })).status).toBe(200);
    await k.tap('fault-retry');
    await k.page.getByTestId('cert-issued').waitFor({ timeout: 30_000 });
    expect((await k.api<{ status: string }>('GET', `/api/cases/${id}`)).json.status).toBe('completed');
    await k.tap('cert-finish');
    await k.waitForScreen('start');
  });

  it('no script error on the way (the refusals aside, which Chromium logs as failed requests)', () => {
    const provoked = [/status of 422 .*\/api\/identify\/code\)$/, /status of 503 .*\/api\/cases\/[0-9a-f-]+\/receipt\/print\)$/, /status of 409 .*\/api\/cases\/[0-9a-f-]+\/issue\)$/];
    expect(k.pageErrors.filter((e) => !provoked.some((re) => re.test(e)))).toEqual([]);
  });
});
