/**
 * 取件打印 and 好差评 end to end: a real `tongban start` (demo) with its embedded reference endpoint and a
 * real Chromium. A case is submitted over the API for the demo card's person, syncs to the endpoint, a
 * clerk completes it there with a result PDF (`tongban endpoint set-status completed --result`, the real
 * CLI); a second case of theirs is only accepted, a third refused with a note. In the browser: 取件打印 ->
 * the card -> the cases with their status in plain words, the refusal's note, and the result -> 打印 ->
 * the very PDF reaches the A4 printer (the demo IPP printer keeps what it printed). The A4 printer out of paper: a plain Chinese fault, nothing lost, and
 * 重新打印 after the refill prints the kept job once. Then 完成 -> 好差评: 不满意 with reasons and typed
 * words, stored with the case (GET /api/cases/{id}); thanks; back to the start with the session gone; a
 * second rating is thanked without replacing the first. Another person with nothing to pick up sees
 * 暂无可领取的结果. Last, the agent stopped: 打印 says so and keeps 重新打印. Screenshots and axe on each screen.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleCase } from '../../agent/cases/example.js';
import { demoCatalog } from '../../agent/catalog/catalog.js';
import { startKiosk, until, type Kiosk } from './helpers/kiosk.js';
import { runTongban } from './helpers/processes.js';

/** The demo card on the reader (drivers/sim/fixtures/resident-longterm.json). */
const CARD_PERSON = { source: 'idCard', idType: 'resident', idNumber: '11010119900307002X', name: '张示例' } as const;
/** A card whose person has no case at this kiosk. */
const OTHER_CARD = 'resident-dated.json';
const ITEM = '341600-YB-0001';
const RESULT_TITLE = '异地就医备案结果通知书';
const RESULT_PDF = Buffer.from(`%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n% ${RESULT_TITLE}\n%%EOF\n`, 'utf8');
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

let k: Kiosk;
let completed: { id: string; serial: string; documentId: string };
let underWay: { id: string; serial: string };
let refused: { id: string; serial: string };
const REFUSAL = '申请人已在外省办理备案，无需重复申请';

async function submit(code: string): Promise<{ id: string; serial: string }> {
  const item = demoCatalog().items.find((i) => i.code === code)!;
  const r = await k.api('POST', '/api/cases', { ...(exampleCase(item) as object), applicant: { ...CARD_PERSON } });
  expect(r.status, JSON.stringify(r.json)).toBe(201);
  return { id: r.json.case.id, serial: r.json.case.serial };
}

async function endpointSetStatus(caseId: string, ...args: string[]): Promise<void> {
  const r = await runTongban(['endpoint', 'set-status', '--data', join(k.dataDir, 'endpoint'), caseId, ...args]);
  expect(r.code, r.stderr).toBe(0);
}

const statusAtKiosk = async (id: string, status: string): Promise<any> =>
  until(`case ${id} ${status} at the kiosk`, async () => {
    const c = (await k.api('GET', `/api/cases/${id}`)).json;
    return c.status === status ? c : undefined;
  });

/** What the demo A4 printer (an IPP printer simulator) printed so far: GET /api/demo/documents lists the PDFs it kept. */
async function a4Printed(): Promise<Buffer[]> {
  const r = await k.api<{ documents: { path: string }[] }>('GET', '/api/demo/documents');
  expect(r.status).toBe(200);
  return r.json.documents.map((d) => readFileSync(d.path));
}

beforeAll(async () => {
  k = await startKiosk();
  const a = await submit(ITEM);
  const b = await submit(ITEM);
  const c = await submit(ITEM);
  // All reach the endpoint; a clerk accepts two and completes the first with its result PDF, and refuses the third.
  await statusAtKiosk(a.id, 'uploaded');
  await statusAtKiosk(b.id, 'uploaded');
  await statusAtKiosk(c.id, 'uploaded');
  await endpointSetStatus(c.id, 'refused', '--note', REFUSAL);
  const pdf = join(k.dataDir, '..', 'result.pdf');
  writeFileSync(pdf, RESULT_PDF);
  await endpointSetStatus(a.id, 'accepted');
  await endpointSetStatus(b.id, 'accepted');
  await endpointSetStatus(a.id, 'completed', '--result', pdf, '--title', RESULT_TITLE);
  const done = await statusAtKiosk(a.id, 'completed');
  await statusAtKiosk(b.id, 'accepted');
  await statusAtKiosk(c.id, 'refused');
  completed = { ...a, documentId: done.results[0].documentId };
  underWay = b;
  refused = c;
}, 120_000);

afterAll(async () => {
  await k?.stop();
});

describe('取件打印 in the browser', () => {
  it('取件打印 -> the card -> the person’s cases with their status in plain words and the result to print', async () => {
    await k.tap('start-pickup');
    await k.waitForScreen('identify');
    await k.insertCard();
    await k.waitForScreen('pickup');
    const page = k.page;
    await page.getByTestId(`pickup-case-${completed.id}`).waitFor();
    await expect.poll(() => page.getByTestId(`pickup-status-${completed.id}`).textContent()).toBe('已办结');
    await expect.poll(() => page.getByTestId(`pickup-status-${underWay.id}`).textContent()).toBe('已受理');
    const card = page.getByTestId(`pickup-case-${completed.id}`);
    expect(await card.textContent()).toContain(completed.serial);
    expect(await card.textContent()).toContain(demoCatalog().items.find((i) => i.code === ITEM)!.name);
    expect(await page.getByTestId(`pickup-document-${completed.documentId}`).textContent()).toContain(RESULT_TITLE);
    // the case under way says what happens next and has nothing to print
    const other = page.getByTestId(`pickup-case-${underWay.id}`);
    expect(await other.textContent()).toContain('正在办理中');
    expect(await other.getByRole('button').count()).toBe(0);
    // the refused one says why, in the clerk's words
    await expect.poll(() => page.getByTestId(`pickup-status-${refused.id}`).textContent()).toBe('不予受理');
    expect(await page.getByTestId(`pickup-note-${refused.id}`).textContent()).toBe(`原因：${REFUSAL}`);
    // the greeting shows the name masked, never whole; the ID number is not on the screen
    const text = (await page.getByTestId('screen-pickup').textContent()) ?? '';
    expect(text).toContain('张**，您好');
    expect(text).not.toContain(CARD_PERSON.name);
    expect(text).not.toContain(CARD_PERSON.idNumber);
    await k.screenshot('pickup-cases');
    await k.checkA11y('pickup: the cases');
  });

  it('打印 -> the result PDF reaches the A4 printer, byte for byte, and the document shows as printed', async () => {
    const before = (await a4Printed()).length;
    await k.tap(`pickup-print-${completed.documentId}`);
    await k.page.getByTestId(`pickup-done-${completed.documentId}`).waitFor({ timeout: 30_000 });
    expect(await k.page.getByTestId(`pickup-done-${completed.documentId}`).textContent()).toContain('已打印完成');
    const printed = await until('the PDF at the A4 printer', async () => {
      const all = await a4Printed();
      return all.length > before ? all : undefined;
    });
    expect(printed.length).toBe(before + 1);
    expect(sha256(printed.at(-1)!)).toBe(sha256(RESULT_PDF));
    await k.page.getByTestId(`pickup-printed-${completed.documentId}`).waitFor();
    await k.screenshot('pickup-printed');
    await k.checkA11y('pickup: printed');
    // The agent knows it too: a new look-up says printed.
    const again = await k.api('POST', '/api/pickup', { idNumber: CARD_PERSON.idNumber });
    expect(again.json.cases.find((c: any) => c.id === completed.id).documents).toEqual([{ id: completed.documentId, title: RESULT_TITLE, kind: 'result', printed: true }]);
  });

  it('the A4 printer out of paper: a plain Chinese fault, nothing lost; 重新打印 after the refill prints the kept job once', async () => {
    const before = (await a4Printed()).length;
    const paper = await k.api('PUT', '/api/demo/paper', { paper: 'out', printer: 'a4' });
    expect(paper.status, JSON.stringify(paper.json)).toBe(200);
    await k.tap(`pickup-print-${completed.documentId}`);
    const fault = k.page.getByTestId('fault');
    await fault.waitFor({ timeout: 30_000 });
    const said = (await fault.textContent()) ?? '';
    expect(said).toContain('缺纸');
    expect(said).toContain('不会丢失');
    expect(said).not.toMatch(/[A-Za-z]{4,}/); // no English, no codes
    expect(await a4Printed()).toHaveLength(before);
    await k.screenshot('pickup-paper-out');
    await k.checkA11y('pickup: paper out');
    // still on the screen, the cases still there
    expect(await k.currentScreen()).toBe('pickup');
    await k.page.getByTestId(`pickup-case-${underWay.id}`).waitFor();

    expect((await k.api('PUT', '/api/demo/paper', { paper: 'ok', printer: 'a4' })).status).toBe(200);
    await k.tap('fault-retry');
    await k.page.getByTestId(`pickup-done-${completed.documentId}`).waitFor({ timeout: 30_000 });
    const after = await until('the kept job printed', async () => {
      const all = await a4Printed();
      return all.length > before ? all : undefined;
    });
    expect(after).toHaveLength(before + 1);
    expect(sha256(after.at(-1)!)).toBe(sha256(RESULT_PDF));
    expect(await k.page.getByTestId('fault').count()).toBe(0);
  });
});

describe('好差评 in the browser', () => {
  it('完成 -> five worded choices; 不满意 asks for reasons and a few typed words; the rating is stored with the case; thanks; back to the start', async () => {
    await k.tap('pickup-finish');
    await k.waitForScreen('rating');
    const page = k.page;
    for (const [score, label] of [[5, '非常满意'], [4, '满意'], [3, '基本满意'], [2, '不满意'], [1, '非常不满意']] as const) {
      expect(await page.getByTestId(`rating-score-${score}`).textContent()).toBe(label);
    }
    expect(await page.getByTestId('rating-submit').isDisabled()).toBe(true);
    await k.screenshot('rating');
    await k.checkA11y('rating');

    await k.tap('rating-score-4');
    expect(await page.getByTestId('rating-reason-1').count()).toBe(0); // reasons only for a bad rating
    await k.tap('rating-score-2');
    expect(await page.getByTestId('rating-score-2').getAttribute('aria-checked')).toBe('true');
    expect(await page.getByTestId('rating-score-4').getAttribute('aria-checked')).toBe('false');
    await k.tap('rating-reason-1');
    await k.tap('rating-reason-3');
    const reasons = [await page.getByTestId('rating-reason-1').textContent(), await page.getByTestId('rating-reason-3').textContent()];
    expect(await page.getByTestId('rating-reason-1').getAttribute('aria-pressed')).toBe('true');
    await k.screenshot('rating-bad-reasons');
    await k.checkA11y('rating: reasons');
    // a few words on the on-screen pinyin keyboard: m-a-n, then the first candidate
    await k.tap('rating-comment-open');
    for (const letter of 'man') await k.tap(`kb-py-${letter}`);
    const typed = (await page.getByTestId('kb-cand-0').textContent())!.trim();
    await k.tap('kb-cand-0');
    expect(await page.getByTestId('rating-comment').textContent()).toBe(typed);
    await k.screenshot('rating-comment');
    await k.checkA11y('rating: comment keyboard');

    await k.tap('rating-submit');
    await page.getByTestId('rating-thanks').waitFor();
    expect(await page.getByTestId('rating-thanks').textContent()).toContain('感谢您的评价');
    await k.screenshot('rating-thanks');
    await k.checkA11y('rating: thanks');
    const c = (await k.api('GET', `/api/cases/${completed.id}`)).json;
    expect(c.rating).toMatchObject({ score: 2, label: '不满意', occasion: 'completion', comment: `原因：${reasons.join('、')}；补充：${typed}` });

    await k.tap('rating-finish');
    await k.waitForScreen('start');
    // nothing of the visit stays in the page's storage
    expect((await k.browserStorage()).sessionStorage).toEqual({ 'tongban.token': k.token });
  });

  it('a case rated once is not rated twice: the second visit is thanked, the first rating stands', async () => {
    await k.removeCard();
    await k.tap('start-pickup');
    await k.waitForScreen('identify');
    await k.insertCard();
    await k.waitForScreen('pickup');
    await k.page.getByTestId(`pickup-print-${completed.documentId}`).waitFor();
    await k.tap(`pickup-print-${completed.documentId}`);
    await k.page.getByTestId(`pickup-done-${completed.documentId}`).waitFor({ timeout: 30_000 });
    await k.tap('pickup-finish');
    await k.waitForScreen('rating');
    await k.tap('rating-score-5');
    await k.tap('rating-submit');
    await k.page.getByTestId('rating-thanks').waitFor();
    expect(await k.page.getByTestId('rating-thanks').textContent()).toContain('已经评价过');
    expect((await k.api('GET', `/api/cases/${completed.id}`)).json.rating).toMatchObject({ score: 2 });
    await k.tap('rating-finish');
    await k.waitForScreen('start');
  });
});

describe('nothing to pick up', () => {
  it('a person with no case here sees 暂无可领取的结果 and goes back to the start', async () => {
    await k.removeCard();
    await k.tap('start-pickup');
    await k.waitForScreen('identify');
    await k.insertCard(OTHER_CARD);
    await k.waitForScreen('pickup');
    await k.page.getByTestId('pickup-empty').waitFor();
    expect(await k.page.getByTestId('pickup-empty').textContent()).toContain('暂无可领取的结果');
    await k.screenshot('pickup-empty');
    await k.checkA11y('pickup: nothing');
    await k.tap('pickup-home');
    await k.waitForScreen('start');
    await k.removeCard();
  });

  it('no script error on the way (the refusals the page handled aside: the printer’s 503, the second rating’s 409)', () => {
    const handled = /^console\.error: Failed to load resource: the server responded with a status of (503 .*\/documents\/[^/]+\/print|409 .*\/rating)\)$/;
    expect(k.pageErrors.filter((e) => !handled.test(e))).toEqual([]);
  });
});

describe('the agent stops answering (last: the agent is not started again)', () => {
  it('打印 while the agent is down: the page says so in plain Chinese, keeps the cases on screen, and offers 重新打印', async () => {
    await k.tap('start-pickup');
    await k.waitForScreen('identify');
    await k.insertCard();
    await k.waitForScreen('pickup');
    await k.page.getByTestId(`pickup-print-${completed.documentId}`).waitFor();
    await k.agent.stop();
    await k.tap(`pickup-print-${completed.documentId}`);
    const fault = k.page.getByTestId('fault');
    await fault.waitFor({ timeout: 30_000 });
    const said = (await fault.textContent()) ?? '';
    expect(said).toContain('没有响应');
    expect(said).toContain('不会丢失');
    expect(await k.page.getByTestId('fault-retry').textContent()).toContain('重新打印');
    await k.page.getByTestId(`pickup-case-${underWay.id}`).waitFor();
    await k.screenshot('pickup-agent-down');
  });
});
