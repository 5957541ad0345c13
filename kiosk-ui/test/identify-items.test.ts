/**
 * Identify and choose an item, end to end: a real `tongban start` (demo) and a real Chromium. The card
 * on the simulated reader binds the applicant, shown masked, then the items; the items by department and
 * by theme, found by pinyin initials on the on-screen keyboard and by a piece of the name; 智能导办 leads
 * to the right item and starts it; personal QR codes through the simulated scanner: a good one binds its
 * holder, garbage, an expired and a forged one each get their plain Chinese fault and the scanner keeps
 * listening; leaving the screen cancels the device commands. Screenshots and axe on each screen.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKiosk, until, type Kiosk } from './helpers/kiosk.js';

/** drivers/sim/fixtures/resident-longterm.json, the demo card. */
const CARD = { name: '张示例', idNumber: '11010119900307002X', masked: { name: '张*例', id: '1101**********002X' } };
/** drivers/sim/fixtures/gat-j.json */
const GAT = { name: '陈样本', idNumber: '810000199506150025', masked: { name: '陈*本', id: '8100**********0025' } };

let k: Kiosk;
beforeAll(async () => {
  k = await startKiosk();
});
afterAll(async () => {
  await k?.stop();
});

const busy = async (device: 'idcard' | 'scanner'): Promise<boolean> => Boolean((await k.api('GET', `/api/devices/${device}`)).json.busy);
/** The page's BarcodeReader.Read is running in the agent (a code scanned before would be dropped). */
const scannerListening = (): Promise<true> => until('the page listens on the scanner', async () => ((await busy('scanner')) ? true : undefined));
const text = async (testid: string): Promise<string> => (await k.page.getByTestId(testid).textContent()) ?? '';
const screenText = async (): Promise<string> => (await k.page.locator('main').textContent()) ?? '';
async function personalCode(body: Record<string, unknown> = {}): Promise<string> {
  const r = await k.api('POST', '/api/demo/personal-code', body);
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  return r.json.text as string;
}
async function home(): Promise<void> {
  await k.tap('nav-home');
  await k.waitForScreen('start');
}

describe('identify by ID card', () => {
  it('刷身份证: the reader waits (drawn card), the card binds the applicant shown masked, then the items', async () => {
    await k.tap('start-idcard');
    await k.waitForScreen('identify');
    await k.page.getByTestId('identify-card-art').waitFor();
    await until('the page waits on the card reader', async () => ((await busy('idcard')) ? true : undefined));
    expect(await text('identify-prompt')).toContain('请将身份证放在感应区');
    await k.screenshot('identify-waiting');
    await k.checkA11y('identify: waiting');
    expect(await k.missingGlyphs()).toEqual([]);

    await k.insertCard();
    await k.page.getByTestId('identify-applicant').waitFor();
    expect(await text('identify-name')).toBe(CARD.masked.name);
    expect(await text('identify-id')).toBe(CARD.masked.id);
    const shown = await screenText();
    expect(shown).not.toContain(CARD.name);
    expect(shown).not.toContain(CARD.idNumber);
    await k.screenshot('identify-bound');
    // no item chosen yet: on to the items by itself
    await k.waitForScreen('items');
    // the applicant is in the page's memory only: the browser keeps nothing but the token
    const kept = await k.browserStorage();
    expect(kept.sessionStorage).toEqual({ 'tongban.token': k.token });
    expect(kept.localStorage).toEqual({});
    expect(kept.cookies).toEqual([]);
    expect(k.pageErrors).toEqual([]);
  });

  it('the items: by department, by theme; each tile says its department and whether it ends here', async () => {
    await k.page.getByTestId('item-341600-SB-0003').waitFor();
    expect(await text('items-group-0')).toContain('亳州市医疗保障局');
    const tile = await text('item-341600-SB-0003');
    expect(tile).toContain('社会保险参保缴费证明开具');
    expect(tile).toContain('亳州市社会保险中心');
    expect(await text('item-outcome-341600-SB-0003')).toBe('当场出证');
    expect(await text('item-outcome-341600-GJJ-0002')).toBe('5个工作日内办结');
    expect(await k.page.getByTestId('items-tab-department').getAttribute('aria-selected')).toBe('true');
    await k.screenshot('items-department');
    await k.checkA11y('items: by department');
    expect(await k.missingGlyphs()).toEqual([]);

    await k.tap('items-tab-category');
    expect(await k.page.getByTestId('items-tab-category').getAttribute('aria-selected')).toBe('true');
    const groups = await k.page.locator('.items-group-name').allTextContents();
    expect(groups.map((g) => g.replace(/\d+ 项$/, ''))).toEqual(['医疗保障', '住房公积金', '社会保险', '不动产登记', '户籍管理', '市场主体登记']);
    await k.screenshot('items-category');
    await k.checkA11y('items: by theme');
  });

  it('search by pinyin (initials or syllables) on the letter keyboard (only letters that lead somewhere are lit), and by name', async () => {
    for (const l of 'YDJY') await k.tap(`items-key-${l}`);
    expect(await k.page.getByTestId('items-query').inputValue()).toBe('YDJY');
    await k.page.getByTestId('items-results').waitFor();
    expect(await k.page.locator('[data-testid^="item-3"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')))).toEqual(['item-341600-YB-0001']);
    expect(await text('items-results')).toContain('长三角异地就医备案');
    // after YDJY: B (…备案) or I (医 as yi) can follow
    expect(await k.page.getByTestId('items-key-B').isEnabled()).toBe(true);
    expect(await k.page.getByTestId('items-key-I').isEnabled()).toBe(true);
    expect(await k.page.getByTestId('items-key-Q').isEnabled()).toBe(false);
    await k.screenshot('items-search-initials');
    await k.checkA11y('items: search by initials');

    await k.tap('items-key-back');
    expect(await k.page.getByTestId('items-query').inputValue()).toBe('YDJ');
    await k.tap('items-key-clear');
    // whole syllables too: YIDI (异地)
    for (const l of 'YIDI') await k.tap(`items-key-${l}`);
    await expect
      .poll(() => k.page.locator('[data-testid^="item-3"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid'))))
      .toEqual(['item-341600-YB-0001', 'item-341600-GJJ-0002']);
    await k.tap('items-key-clear');
    await k.page.getByTestId('items-query').fill('证明');
    await expect
      .poll(() => k.page.locator('[data-testid^="item-3"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid'))))
      .toEqual(['item-341600-SB-0003', 'item-341800-BDC-0004']);
    await k.page.getByTestId('items-query').fill('没有这种事项');
    await k.page.getByTestId('items-empty').waitFor();
  });

  it('适老模式: the letter keyboard is asked for, not shown at once (a simpler screen)', async () => {
    await k.page.getByTestId('items-query').fill('');
    await k.tap('nav-elder');
    await k.page.getByTestId('items-show-keyboard').waitFor();
    expect(await k.page.getByTestId('items-key-A').count()).toBe(0);
    await k.screenshot('items-elder');
    await k.checkA11y('items: 适老模式');
    await k.tap('items-show-keyboard');
    await k.page.getByTestId('items-key-A').waitFor();
    await k.tap('nav-elder');
  });

  it('choosing an item with the applicant bound goes to the form; 回首页 clears the session', async () => {
    await k.page.getByTestId('items-query').fill('证明');
    await k.tap('item-341600-SB-0003');
    await k.waitForScreen('form');
    await home();
    await k.removeCard();
  });

  it('a card that will not read: a plain Chinese fault with 重试, and 重试 reads it', async () => {
    expect((await k.api('PUT', '/api/demo/card-reader', { fault: 'unreadable' })).status).toBe(200);
    await k.tap('start-idcard');
    await k.waitForScreen('identify');
    await k.insertCard();
    await k.page.getByTestId('fault').waitFor();
    expect(await text('fault')).toContain('未能读取身份证。请取下身份证，擦拭干净后平放在感应区，再点“重试”');
    await k.screenshot('identify-fault-card');
    await k.checkA11y('identify: a card that will not read');
    await k.tap('fault-retry');
    await k.page.getByTestId('identify-applicant').waitFor();
    expect(await text('identify-name')).toBe(CARD.masked.name);
    await k.waitForScreen('items');
    await home();
    await k.removeCard();
  });
});

describe('智能导办', () => {
  it('我要开证明 › 社保缴费情况 › 在亳州参保 finds 社会保险参保缴费证明开具 with its reason; 上一步 goes back; 开始办理 -> identify -> the form', async () => {
    await k.tap('start-items');
    await k.waitForScreen('items');
    await k.tap('items-guide');
    await k.waitForScreen('guide');
    await k.page.getByTestId('guide-ZNDB-0001').waitFor();
    await k.screenshot('guide-list');
    await k.checkA11y('guide: the guides');

    await k.tap('guide-ZNDB-0001');
    expect(await text('guide-question')).toContain('您要证明哪方面的情况？');
    await k.tap('guide-choice-0');
    expect(await text('guide-question')).toContain('您在哪里参加社保？');
    expect(await text('guide-path')).toContain('社保缴费情况');
    await k.screenshot('guide-question');
    await k.checkA11y('guide: a question');
    await k.tap('guide-back');
    expect(await text('guide-question')).toContain('您要证明哪方面的情况？');
    await k.tap('guide-choice-0');
    await k.tap('guide-choice-0');
    expect(await text('guide-result-name')).toBe('社会保险参保缴费证明开具');
    expect(await text('guide-reason')).toContain('参保和缴费记录');
    expect(await text('guide-result')).toContain('当场出证');
    await expect.poll(() => text('guide-materials')).toContain('无需提交材料');
    await k.screenshot('guide-result');
    await k.checkA11y('guide: the result');
    expect(await k.missingGlyphs()).toEqual([]);

    await k.tap('guide-start');
    await k.waitForScreen('identify');
    await k.insertCard();
    // an item was chosen first: on to its form at once (pre-filled, it shows who applies)
    await k.waitForScreen('form');
    await home();
    await k.removeCard();
  });

  it('异地就医、养老、公积金 › 在外地看病 › 长期住在外地 finds 长三角异地就医备案; 在外地买房 finds the 公积金 item', async () => {
    await k.tap('start-items');
    await k.waitForScreen('items');
    await k.tap('items-guide');
    await k.tap('guide-ZNDB-0002');
    await k.tap('guide-choice-0');
    await k.tap('guide-choice-0');
    expect(await text('guide-result-name')).toBe('长三角异地就医备案');
    expect(await text('guide-reason')).toContain('异地就医备案');
    // what to bring, from the item itself
    await expect.poll(() => text('guide-materials')).toContain('个人承诺书（原件）');
    await k.tap('guide-restart');
    await k.tap('guide-choice-2');
    expect(await text('guide-result-name')).toBe('住房公积金异地购房提取');
    await expect.poll(() => text('guide-materials')).toContain('购房发票（复印件或电子证照）');
    expect(await text('guide-materials')).toContain('不动产权证书（电子证照或复印件），可选');
    await home();
  });
});

describe('identify by personal QR code (电子身份码)', () => {
  it('garbage from the scanner: a plain Chinese fault with 重试, and the scanner keeps listening; a good code then binds its holder', async () => {
    await k.tap('start-scan');
    await k.waitForScreen('identify');
    await scannerListening();
    await k.scan('%%@@!!#garbage#!!@@%%');
    await k.page.getByTestId('fault').waitFor();
    expect(await text('fault')).toContain('未能识别这个二维码');
    expect(await text('fault')).toContain('请');
    await k.page.getByTestId('fault-retry').waitFor();
    await k.screenshot('identify-fault-garbage');
    await k.checkA11y('identify: a garbage scan');

    await scannerListening();
    await k.scan(await personalCode({ fixture: 'gat-j.json' }));
    await k.page.getByTestId('identify-applicant').waitFor();
    expect(await text('identify-name')).toBe(GAT.masked.name);
    expect(await text('identify-id')).toBe(GAT.masked.id);
    expect(await text('identify-applicant')).toContain('电子身份码');
    const shown = await screenText();
    expect(shown).not.toContain(GAT.name);
    expect(shown).not.toContain(GAT.idNumber);
    await k.waitForScreen('items');
    await home();
  });

  it('an expired code and a forged code are refused, each with its own plain Chinese text', async () => {
    await k.tap('start-scan');
    await k.waitForScreen('identify');
    await scannerListening();
    await k.scan(await personalCode({ validSeconds: -60 }));
    await expect.poll(() => text('fault')).toContain('电子身份码已过期');
    await k.screenshot('identify-fault-expired');

    const good = await personalCode();
    const [version, payload, tag] = good.split('.') as [string, string, string];
    const forged = `${version}.${payload}.${tag[0] === 'A' ? 'B' : 'A'}${tag.slice(1)}`;
    await scannerListening();
    await k.scan(forged);
    await expect.poll(() => text('fault')).toContain('未通过校验');
    await k.screenshot('identify-fault-forged');
    await k.checkA11y('identify: a forged code');
    // 重试 clears the fault and waits again
    await k.tap('fault-retry');
    await expect.poll(() => k.page.getByTestId('fault').count()).toBe(0);
    await scannerListening();
    await k.scan(good);
    await k.page.getByTestId('identify-applicant').waitFor();
    expect(await text('identify-name')).toBe(CARD.masked.name);
    await k.waitForScreen('items');
    await home();
  });

  it('取件打印 by personal code: on to the pick-up screen at once', async () => {
    await k.tap('start-pickup');
    await k.waitForScreen('identify');
    await scannerListening();
    await k.scan(await personalCode());
    await k.waitForScreen('pickup');
    await home();
  });

  it('leaving the identify screen cancels the card and scanner commands', async () => {
    await k.tap('start-idcard');
    await k.waitForScreen('identify');
    await until('both devices awaited', async () => ((await busy('idcard')) && (await busy('scanner')) ? true : undefined));
    await k.tap('nav-back');
    await k.waitForScreen('start');
    await until('both commands canceled', async () => (!(await busy('idcard')) && !(await busy('scanner')) ? true : undefined));
  });

  it('no script error on the way (the refused codes are the only failed requests, logged by Chromium itself)', () => {
    const refused = /^console\.error: Failed to load resource: the server responded with a status of 422 .*\/api\/identify\/code\)$/;
    expect(k.pageErrors.filter((e) => refused.test(e))).toHaveLength(3);
    expect(k.pageErrors.filter((e) => !refused.test(e))).toEqual([]);
  });
});
