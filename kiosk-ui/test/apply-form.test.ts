/**
 * 办件申请 end to end: a real `tongban start` (demo) and a real Chromium. The demo ID card -> 新生儿出生户口登记
 * -> the form pre-filled from the card (落户地址 marked 已从身份证读取) -> the baby's name typed on the pinyin
 * keyboard, a date on the date picker, a choice, a 出生医学证明编号 first typed wrong and refused with its
 * message, then right; the address replaced with a Chinese address typed in pinyin with its digits ->
 * materials (电子证照 / 待补交 / 不提供) -> review (masked applicant, 修改 back to a field) -> submit -> the
 * case in the agent holds exactly what was typed. A second item: the region picker, a phone number on the
 * keypad refused then accepted; the agent stopped at the moment of submitting: a plain Chinese fault,
 * everything still on the page, 重新提交 once the agent is back submits the same case once.
 * Screenshots and axe on each screen.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pinyin } from 'pinyin-pro';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatIso, stepDate, today } from '../src/keyboard/date';
import { AGENT_READY } from './helpers/browser.js';
import { runTongban, startDaemon, type Daemon } from './helpers/processes.js';
import { demoCatalogData } from '../../agent/catalog/demo-catalog';
import { chooseWithCard, tapChoice as tapChoiceOn } from './helpers/flows.js';
import { startKiosk, until, type Kiosk } from './helpers/kiosk.js';

/** The demo card (drivers/sim/fixtures/resident-longterm.json). */
const CARD = { name: '张示例', idNumber: '11010119900307002X', address: '北京市东城区示例路1号虚构小区2号楼3单元401室' };

let k: Kiosk;
let restarted: Daemon | undefined;

beforeAll(async () => {
  k = await startKiosk();
}, 120_000);

afterAll(async () => {
  await restarted?.stop();
  await k?.stop();
});

const text = async (testid: string): Promise<string> => (await k.page.getByTestId(testid).textContent()) ?? '';

/** Types `value` on the pinyin keyboard: each character by its syllable and its candidate (paging on), digits directly. */
async function typeChinese(value: string): Promise<void> {
  for (const ch of value) {
    if (/[0-9]/.test(ch)) {
      await k.tap(`kb-key-${ch}`);
      continue;
    }
    const syllable = pinyin(ch, { toneType: 'none' }).replace(/ü/g, 'v');
    for (const letter of syllable) await k.tap(`kb-py-${letter}`);
    for (let page = 0; ; page++) {
      const cands = k.page.locator('[data-testid^="kb-cand-"]:not([data-testid="kb-cand-prev"]):not([data-testid="kb-cand-next"])');
      const faces = await cands.allTextContents();
      const at = faces.indexOf(ch);
      if (at >= 0) {
        await k.tap(`kb-cand-${at}`);
        break;
      }
      expect(page, `${ch} among the candidates of ${syllable}`).toBeLessThan(40);
      await k.tap('kb-cand-next');
    }
  }
}

const tapChoice = (label: string): Promise<void> => tapChoiceOn(k, label);

async function identifyAndChoose(itemCode: string): Promise<void> {
  if ((await k.currentScreen()) !== 'start') await k.tap('nav-home');
  await k.waitForScreen('start');
  await chooseWithCard(k, itemCode, { formReady: 'form-editor' });
}

async function caseOf(itemCode: string): Promise<any> {
  const list = await k.api<{ cases: { id: string; itemCode: string }[] }>('GET', '/api/cases');
  const mine = list.json.cases.filter((c) => c.itemCode === itemCode);
  expect(mine).toHaveLength(1);
  return (await k.api('GET', `/api/cases/${mine[0]!.id}`)).json;
}

describe('apply: card -> item -> form -> materials -> review -> submit', () => {
  it('新生儿出生户口登记: pre-filled, typed in pinyin, a wrong value refused, the case holds exactly what was entered', async () => {
    await identifyAndChoose('340802-GA-0006');
    // Pre-filled from the card, marked.
    await k.page.getByTestId('form-field-householdAddress-prefilled').waitFor();
    expect(await text('form-field-householdAddress-value')).toBe(CARD.address);
    expect(await text('form-field-householdAddress-prefilled')).toBe('已从身份证读取');
    expect(await text('form-field-babyName-value')).toBe('未填写');
    await k.screenshot('form-prefilled');
    await k.checkA11y('form');

    // 新生儿姓名 on the pinyin keyboard: 王 is the first candidate of wang.
    for (const l of 'wang') await k.tap(`kb-py-${l}`);
    expect(await text('kb-pinyin')).toBe('wang');
    expect(await text('kb-cand-0')).toBe('王');
    await k.screenshot('form-pinyin-candidates');
    expect(await k.missingGlyphs()).toEqual([]);
    await k.tap('kb-cand-0');
    await typeChinese('小明');
    expect(await text('form-input')).toBe('王小明');
    await k.tap('form-next');

    await tapChoice('女');
    await k.tap('form-next');

    // 出生日期: the picker starts at today; two days back.
    await k.page.getByTestId('kb-date').waitFor();
    await k.tap('date-day-dec');
    await k.tap('date-day-dec');
    const birthDate = formatIso(stepDate(stepDate(today(), 'day', -1), 'day', -1));
    await k.screenshot('form-date');
    await k.tap('form-next');

    // 出生医学证明编号: nine digits are refused with the pattern's words; then the right one.
    await k.page.getByTestId('kb-letters').waitFor();
    for (const c of '340000001') await k.tap(`kb-key-${c}`);
    await k.tap('form-next');
    await k.page.getByTestId('form-error').waitFor();
    expect(await text('form-error')).toBe('格式不正确（应为1位字母加9位数字）');
    expect(await text('form-progress')).toBe('第4项，共6项');
    expect(await text('form-field-birthCertNumber-error')).toBe('格式不正确（应为1位字母加9位数字）');
    await k.screenshot('form-refused');
    await k.checkA11y('form-refused');
    await k.tap('kb-clear');
    for (const c of 'Q340000001') await k.tap(`kb-key-${c}`);
    await k.tap('form-next');
    expect(await k.page.getByTestId('form-error').count()).toBe(0);

    await tapChoice('母亲');
    await k.tap('form-next');

    // 落户地址: the card's address replaced by one typed in pinyin, with its digits.
    expect(await text('form-input')).toBe(CARD.address);
    await k.page.getByTestId('form-prefilled').waitFor();
    await k.tap('kb-clear');
    await typeChinese('安庆市迎江区示例路100号');
    expect(await text('form-input')).toBe('安庆市迎江区示例路100号');
    expect(await k.page.getByTestId('form-field-householdAddress-prefilled').count()).toBe(0);
    await k.screenshot('form-address-typed');
    await k.tap('form-done');

    // Materials: the licence where accepted, 待补交 for the paper-only one; the optional one left out.
    await k.waitForScreen('materials');
    expect(await k.page.getByTestId('material-birth-certificate-electronic').getAttribute('aria-pressed')).toBe('true');
    expect(await k.page.getByTestId('material-household-register-later').getAttribute('aria-pressed')).toBe('true');
    expect(await k.page.getByTestId('material-household-register-electronic').count()).toBe(0);
    expect(await text('material-household-register-status')).toBe('待补交：请将原件交到政务服务中心窗口');
    await k.tap('material-marriage-certificate-none');
    expect(await text('materials-summary')).toContain('已满足1项，待补交1项，不提供1项');
    await k.screenshot('materials');
    await k.checkA11y('materials');
    await k.tap('materials-next');

    // Review: masked applicant, every value, 修改 back to a field and forward again.
    await k.waitForScreen('review');
    expect(await text('review-name')).toBe('张**');
    expect(await text('review-id')).toBe('1101**********002X');
    expect(await text('review-value-babyName')).toBe('王小明');
    expect(await text('review-value-householdAddress')).toBe('安庆市迎江区示例路100号');
    expect(await text('review-material-household-register')).toContain('待补交');
    expect(await text('review-material-marriage-certificate')).toContain('不提供');
    expect(await k.page.content()).not.toContain(CARD.idNumber);
    await k.screenshot('review');
    await k.checkA11y('review');
    await k.tap('review-edit-babySex');
    await k.waitForScreen('form');
    expect(await text('form-editor-label')).toContain('新生儿性别');
    await tapChoice('男');
    await k.tap('form-done');
    await k.waitForScreen('materials');
    await k.tap('materials-next');
    await k.waitForScreen('review');
    expect(await text('review-value-babySex')).toBe('男');

    await k.tap('review-submit');
    await k.waitForScreen('done');
    // The embedded endpoint is connected: the case goes on at once, the citizen is told it is submitted.
    expect(await k.page.getByTestId('done-status').innerText()).toContain('您的申请已提交');
    const c = await caseOf('340802-GA-0006');
    expect(c.applicant).toEqual({ source: 'idCard', idType: 'resident', idNumber: CARD.idNumber, name: CARD.name });
    expect(c.form).toEqual({
      babyName: '王小明',
      babySex: '男',
      birthDate,
      birthCertNumber: 'Q340000001',
      guardianRelation: '母亲',
      householdAddress: '安庆市迎江区示例路100号',
    });
    expect(c.materials).toEqual([
      { id: 'birth-certificate', provision: 'electronic', licenceRef: 'consent:birth-certificate' },
      { id: 'household-register', provision: 'later' },
    ]);
    expect(['submitted', 'uploaded']).toContain(c.status);
    await k.screenshot('done');
  }, 180_000);

  it('长三角异地就医备案: region picker, a phone refused then accepted; the agent down at submit loses nothing and the retry submits once', async () => {
    // 回首页: nothing typed in the first application stays in the page (its memory, its storage).
    if ((await k.currentScreen()) !== 'start') await k.tap('nav-home');
    await k.waitForScreen('start');
    // (Q340000001 is not among them: it is also the catalog's example value for that field, public data the page keeps.)
    const typed = [CARD.address, '安庆市迎江区示例路100号', '王小明'];
    expect(await k.heapContains(typed)).toEqual([]);
    const stored = JSON.stringify(await k.browserStorage());
    for (const t of typed) expect(stored).not.toContain(t);
    await identifyAndChoose('341600-YB-0001');
    expect(await k.page.getByTestId('form-field-residenceAddress-prefilled').count()).toBe(0);
    await tapChoice('常驻异地工作');
    await k.tap('form-next');

    // 适老模式: one field at a time (no list), larger; the region picker still fits.
    await k.tap('nav-elder');
    expect(await k.page.getByTestId('form-list').count()).toBe(0);
    expect(await text('form-progress')).toBe('第2项，共5项');
    await k.screenshot('form-region-elder');
    await k.checkA11y('form-region-elder');
    await k.tap('nav-elder');
    await k.page.getByTestId('form-list').waitFor();

    // 就医地: 上海市 -> 松江区 on the region picker.
    await k.page.getByTestId('kb-region').waitFor();
    await k.tap('region-310000');
    await k.tap('region-310117');
    expect(await text('form-input')).toBe('上海市松江区');
    await k.screenshot('form-region');
    await k.checkA11y('form-region');
    await k.tap('form-next');
    await k.tap('date-month-inc');
    const startDate = formatIso(stepDate(today(), 'month', 1));
    await k.tap('form-next');
    await typeChinese('上海市松江区示例路8弄3号');
    await k.tap('form-next');

    // 联系电话 on the keypad: ten digits refused, eleven accepted.
    await k.page.getByTestId('kb-keypad').waitFor();
    for (const c of '1380000000') await k.tap(`kb-key-${c}`);
    await k.tap('form-done');
    expect(await text('form-error')).toBe('电话号码格式不正确');
    await k.screenshot('form-phone-refused');
    await k.tap('kb-key-9');
    await k.tap('form-done');
    await k.waitForScreen('materials');
    expect(await text('material-commitment-status')).toBe('待补交：请将原件交到政务服务中心窗口');
    await k.tap('materials-next');
    await k.waitForScreen('review');
    expect(await text('review-value-settleRegion')).toBe('上海市松江区');

    // The agent stops; 提交 tells what happened and keeps everything on the page.
    const port = new URL(k.url).port;
    await k.agent.stop();
    await k.tap('review-submit');
    await k.page.getByTestId('fault').waitFor();
    expect(await text('fault')).toContain('您填写的内容都还在本页面上，不会丢失');
    expect(await text('review-value-residenceAddress')).toBe('上海市松江区示例路8弄3号');
    expect(await text('review-value-phone')).toBe('13800000009');
    await k.screenshot('review-agent-down');
    await k.checkA11y('review-agent-down');

    // The agent back on the same data and port: 重新提交 submits the case once.
    restarted = await startDaemon(['start', '--data', k.dataDir, '--port', port], AGENT_READY);
    await k.tap('fault-retry');
    await k.waitForScreen('done', 30_000);
    const c = await caseOf('341600-YB-0001');
    expect(c.form).toEqual({ filingType: '常驻异地工作', settleRegion: '310117', startDate, residenceAddress: '上海市松江区示例路8弄3号', phone: '13800000009' });
    expect(c.materials).toEqual([{ id: 'commitment', provision: 'later' }]);
    await until('the case at the endpoint', async () => ((await k.api('GET', `/api/cases/${c.id}`)).json.status === 'uploaded' ? true : undefined));
  }, 180_000);

  it('a catalog update during the session: the agent refuses a field and the refusal shows on that field until it is changed', async () => {
    await identifyAndChoose('341600-YB-0001');
    await tapChoice('异地长期居住');
    await k.tap('form-next');
    await k.tap('region-310000');
    await k.tap('region-310117');
    await k.tap('form-next');
    await k.tap('date-confirm');
    await k.tap('form-next');
    await typeChinese('上海市松江区示例路8弄3号');
    await k.tap('form-next');
    for (const c of '13800000000') await k.tap(`kb-key-${c}`);
    await k.tap('form-done');
    await k.waitForScreen('materials');
    await k.tap('materials-next');
    await k.waitForScreen('review');

    // Meanwhile the endpoint publishes a catalog in which 异地居住地址 takes at most 10 characters.
    const catalog = structuredClone(demoCatalogData) as { version: number; items: { code: string; form: { fields: { name: string; max?: number; example?: string }[] } }[] };
    const before = (await k.api<{ version: number }>('GET', '/api/catalog')).json.version;
    catalog.version = before + 1;
    const field = catalog.items.find((i) => i.code === '341600-YB-0001')!.form.fields.find((f) => f.name === 'residenceAddress')!;
    field.max = 10;
    field.example = '松江区示例路1号'; // a catalog's examples must pass their fields
    const file = join(k.dataDir, '..', 'catalog-v2.json');
    writeFileSync(file, JSON.stringify(catalog));
    const set = await runTongban(['endpoint', 'catalog', 'set', '--data', join(k.dataDir, 'endpoint'), '--in', file]);
    expect(set.code, set.stderr).toBe(0);
    await until('the new catalog at the kiosk', async () => ((await k.api<{ version: number }>('GET', '/api/catalog')).json.version === before + 1 ? true : undefined));

    await k.tap('review-submit');
    await k.waitForScreen('form');
    expect(await text('form-editor-label')).toContain('异地居住地址');
    expect(await text('form-error')).toBe('异地居住地址：最多10个字');
    expect(await text('form-field-residenceAddress-error')).toBe('异地居住地址：最多10个字');
    await k.screenshot('form-agent-refused');
    await k.checkA11y('form-agent-refused');
    // 下一步 still refuses while the value is the one refused.
    await k.tap('form-done');
    expect(await text('form-editor-label')).toContain('异地居住地址');
    await k.tap('kb-clear');
    await typeChinese('松江区示例路8弄3号');
    expect(await k.page.getByTestId('form-error').count()).toBe(0);
    await k.tap('form-done');
    await k.waitForScreen('materials');
    await k.tap('materials-next');
    await k.waitForScreen('review');
    await k.tap('review-submit');
    await k.waitForScreen('done');
    const list = (await k.api<{ cases: { id: string; itemCode: string }[] }>('GET', '/api/cases')).json.cases.filter((c) => c.itemCode === '341600-YB-0001');
    const forms = await Promise.all(list.map(async (c) => (await k.api('GET', `/api/cases/${c.id}`)).json.form.residenceAddress));
    expect(forms).toContain('松江区示例路8弄3号');
  }, 180_000);
});
