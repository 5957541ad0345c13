/**
 * Long documents: tables and text that run onto further pages. Rows stay whole, table headers repeat,
 * every page says which document it belongs to and its number of pages, and the closing line stays on
 * the page of the seal.
 */
import { describe, expect, it } from 'vitest';
import { exampleData, renderTemplate, type RenderedDocument } from '../pdf/templates/index.js';
import { PAGE } from '../pdf/templates/layout.js';
import { compactText, qrModulesOnPage, renderGray, inkIn, wordBoxes } from './pdf-template-helpers.js';

type Json = Record<string, any>;
const CREATED = new Date('2026-11-21T02:00:00Z');

function example(name: string): Json {
  return structuredClone(exampleData(name)) as Json;
}

function month(i: number): string {
  return `${2021 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
}

function pages(r: RenderedDocument): string[] {
  return Array.from({ length: r.pageCount }, (_, i) => compactText(r.pdf, i + 1));
}

/** Every page carries the running header (after the first), its number and the document's page count. */
function expectPageFurniture(r: RenderedDocument, title: string, texts: string[]): void {
  texts.forEach((t, i) => {
    expect(t, `page ${i + 1}`).toContain(`第${i + 1}页共${r.pageCount}页`);
    expect(t).toContain('核验说明：');
    if (i > 0) expect(t.startsWith(`${title}（续）编号：${r.documentId}`), `page ${i + 1} starts with the running header`).toBe(true);
  });
}

describe('documents longer than a page', () => {
  it('a social insurance proof with 60 contribution periods: rows whole, header repeated, seal after the table', async () => {
    const d = example('social-insurance-proof');
    d.period = { from: '2021-01', to: '2026-10' };
    d.contributions = Array.from({ length: 60 }, (_, i) => ({
      from: month(i),
      to: month(i),
      type: '企业职工基本养老保险',
      unit: i < 30 ? '亳州市示例科技有限公司' : '合肥市演示数据服务有限公司',
      base: 5000 + i * 10,
      personal: (5000 + i * 10) * 0.08,
      months: 1,
    }));
    const r = await renderTemplate('social-insurance-proof', d, { creationDate: CREATED });
    expect(r.pageCount).toBeGreaterThanOrEqual(3);
    const texts = pages(r);
    expectPageFurniture(r, '社会保险参保缴费证明', texts);
    // Each row whole on one page, in order across the pages.
    let page = 0;
    for (let i = 0; i < 60; i++) {
      const p = month(i).replace('-', '.');
      const base = (5000 + i * 10).toLocaleString('en-US', { minimumFractionDigits: 2 });
      const row = `${i + 1}${p}—${p}${i < 30 ? '亳州市示例科技有限公司' : '合肥市演示数据服务有限公司'}${base}`;
      while (page < texts.length && !texts[page]!.includes(row)) page++;
      expect(page, `row ${i + 1} (${row}) whole, after row ${i}`).toBeLessThan(texts.length);
    }
    // Pages the table runs onto start with its header again.
    const tablePages = texts.map((t, i) => ({ t, i })).filter(({ t }) => /\d{4}\.\d{2}—\d{4}\.\d{2}/.test(t));
    expect(tablePages.length).toBeGreaterThanOrEqual(2);
    for (const { t, i } of tablePages.slice(1)) expect(t, `page ${i + 1}`).toMatch(/缴费基数个人缴费序号缴费期间缴费单位月数（元）（元）/);
    const total = d.contributions.reduce((s: number, c: Json) => s + Math.round(c.personal * 100), 0) / 100;
    const all = texts.join('');
    expect(all.indexOf(`个人缴费合计${total.toLocaleString('en-US', { minimumFractionDigits: 2 })}`)).toBeGreaterThan(all.indexOf('60 2025.12'.replace(' ', '')));
    const last = texts[r.sealSpot.page]!;
    // The seal page has the closing line, the issuer and the date; no page after it has the table.
    expect(last).toContain('特此证明。');
    expect(last).toContain('亳州市社会保险事业管理中心');
    expect(last).toContain('二〇二六年十一月二十一日');
    for (const t of texts.slice(r.sealSpot.page + 1)) expect(t).not.toMatch(/\d{4}\.\d{2}—\d{4}\.\d{2}/);
    expect(await qrModulesOnPage(r.pdf, r.sealSpot.page)).toBeDefined();
  });

  it('a query result with 30 properties: the table runs over pages, every certificate number printed', async () => {
    const d = example('real-estate-query');
    d.properties = Array.from({ length: 30 }, (_, i) => ({
      certificateNo: `沪杨${String(10000 + i)}号`,
      location: `杨浦区示例路${i + 1}号`,
      area: 50 + i,
      use: i % 5 === 0 ? '车位' : '住宅',
      rightsHolder: '李四',
      mortgaged: i % 3 === 0,
      seized: i === 7,
    }));
    const r = await renderTemplate('real-estate-query', d, { creationDate: CREATED });
    expect(r.pageCount).toBeGreaterThanOrEqual(2);
    const texts = pages(r);
    expectPageFurniture(r, '不动产登记信息查询结果证明', texts);
    const all = texts.join('');
    expect(all).toContain('共30处');
    let at = 0;
    for (let i = 0; i < 30; i++) {
      const row = `${i + 1}沪杨${10000 + i}号杨浦区示例路${i + 1}号${(50 + i).toFixed(2)}${i % 5 === 0 ? '车位' : '住宅'}李四${i % 3 === 0 ? '有' : '无'}${i === 7 ? '有' : '无'}`;
      const found = all.indexOf(row, at);
      expect(found, `row ${i + 1}`).toBeGreaterThan(at - 1);
      at = found + row.length;
    }
    expect(texts[1]).toContain('序号不动产权证号坐落');
    expect(texts[r.sealSpot.page]).toContain('特此证明。');
  });

  it('a receipt with 40 materials and long notes: the notes follow the date and run on', async () => {
    const d = example('case-receipt');
    d.materials = Array.from({ length: 40 }, (_, i) => ({ name: `申请材料第${i + 1}项（示例）`, form: i % 2 ? '复印件' : '原件', copies: 1 + (i % 3) }));
    d.notes = Array.from({ length: 6 }, (_, i) => `第${i + 1}条提示：${'请妥善保管本回执，办结前不得遗失；'.repeat(10)}`);
    const r = await renderTemplate('case-receipt', d, { creationDate: CREATED });
    const texts = pages(r);
    expectPageFurniture(r, '受理回执', texts);
    const all = texts.join('');
    for (let i = 0; i < 40; i++) expect(all).toContain(`${i + 1}申请材料第${i + 1}项（示例）${i % 2 ? '复印件' : '原件'}${1 + (i % 3)}`);
    const seal = texts[r.sealSpot.page]!;
    expect(seal).toContain('特此回执。');
    // The notes come after the date (附注), and the last of them on a later page than the seal.
    expect(all.indexOf('温馨提示：')).toBeGreaterThan(all.indexOf('二〇二六年十一月二十一日'));
    expect(r.pageCount - 1).toBeGreaterThan(r.sealSpot.page);
    expect(texts[r.pageCount - 1]).toContain('9.第6条提示：');
    // A label is never left alone at the foot of a page.
    for (const t of texts) if (t.includes('温馨提示：')) expect(t).toMatch(/温馨提示：1\./);
  });

  it('a receipt sealed by two offices (多地联办): two spots side by side, neither seal touching the other', async () => {
    const d = example('case-receipt');
    d.handlingMode = '多地联办';
    d.coIssuer = '上海市杨浦区人力资源和社会保障局';
    const r = await renderTemplate('case-receipt', d, { creationDate: CREATED });
    expect(r.sealSpots).toHaveLength(2);
    const [main, co] = r.sealSpots as [RenderedDocument['sealSpot'], RenderedDocument['sealSpot']];
    expect(co.page).toBe(main.page);
    expect(co.y).toBe(main.y);
    expect(main.x - co.x).toBeGreaterThan(main.sizePt); // GB/T 9704: 互不相交或相切
    const words = wordBoxes(r.pdf, main.page + 1);
    // The co-issuer's long name wraps under its own seal; the main issuer and the date sit under the other.
    const coLines = words.filter((w) => w.word === '上海市杨浦区人力资源' || w.word === '和社会保障局');
    expect(coLines).toHaveLength(2);
    for (const w of coLines) expect((w.xMin + w.xMax) / 2).toBeCloseTo(co.x, 0);
    const mainName = words.find((w) => w.word === '亳州市政务服务中心')!;
    expect((mainName.xMin + mainName.xMax) / 2).toBeCloseTo(main.x, 0);
    expect(compactText(r.pdf)).toContain('本件按“多地联办”方式办理，由受理地与上海市杨浦区社会保险事业管理中心协同审核办理');
  });

  it('a long issuer name wraps over the date and stays under the seal', async () => {
    const d = example('real-estate-query');
    d.issuer = '上海市杨浦区规划和自然资源局不动产登记事务中心示例分中心';
    const r = await renderTemplate('real-estate-query', d, { creationDate: CREATED });
    const words = wordBoxes(r.pdf, r.sealSpot.page + 1);
    const date = words.find((w) => w.word === '二〇二六年十一月二十一日')!;
    const names = words.filter((w) => d.issuer.includes(w.word) && w.word.length > 3 && w.yMax < date.yMin);
    expect(names.map((w) => w.word).join('')).toBe(d.issuer);
    expect(names.length).toBe(2);
    for (const w of names) {
      expect((w.xMin + w.xMax) / 2).toBeCloseTo(r.sealSpot.x, 0);
      expect(Math.abs(PAGE.height - (w.yMin + w.yMax) / 2 - r.sealSpot.y)).toBeLessThan(r.sealSpot.sizePt / 2);
    }
    // The text really prints (ink under both name lines).
    const img = renderGray(r.pdf, r.sealSpot.page + 1, 72);
    for (const w of names) expect(inkIn(img, { x1: w.xMin, y1: w.yMin, x2: w.xMax, y2: w.yMax })).toBeGreaterThan(100);
  });
});
