/**
 * The certificate templates rendered for real and read back by outside tools: poppler's pdftotext
 * for the text and its order, pdftoppm for pixels (PNG files, and grey images to prove the glyphs
 * print), and the PDF's own objects for metadata, the embedded subset fonts and the QR code.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument } from 'pdf-lib';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { fontFace } from '../pdf/fonts.js';
import { readQrMatrix } from '../pdf/qr.js';
import {
  dataHashOf,
  exampleData,
  listTemplates,
  parseVerificationReference,
  renderTemplate,
  validateData,
  type RenderedDocument,
} from '../pdf/templates/index.js';
import { CONTENT, PAGE } from '../pdf/templates/layout.js';
import { compactText, embeddedFonts, inkIn, pdfText, qrModulesOnPage, renderGray, tempDir, wordBoxes } from './pdf-template-helpers.js';

const CREATED = new Date('2026-11-21T02:00:00Z');
const NAMES = ['social-insurance-proof', 'real-estate-query', 'case-receipt'] as const;
type Name = (typeof NAMES)[number];

const rendered = new Map<Name, RenderedDocument>();

beforeAll(async () => {
  for (const name of NAMES) rendered.set(name, await renderTemplate(name, exampleData(name), { creationDate: CREATED }));
});

function doc(name: Name): RenderedDocument {
  return rendered.get(name)!;
}

/** Asserts that the parts occur in the text in this order. */
function expectInOrder(text: string, parts: readonly string[]): void {
  let at = 0;
  for (const part of parts) {
    const i = text.indexOf(part, at);
    expect(i, `"${part}" after position ${at} in: ${text.slice(at, at + 120)}…`).toBeGreaterThanOrEqual(0);
    at = i + part.length;
  }
}

const KEY_FIELDS: Record<Name, readonly string[]> = {
  'social-insurance-proof': [
    '社会保险参保缴费证明',
    '编号：SB-341600-20261121-000123',
    '兹证明张三（性别：男，公民身份号码：341602199001011234）在亳州市（341600）参加社会保险',
    '现参保单位为亳州市示例科技有限公司',
    '2025年01月至2026年10月期间参保缴费情况如下：',
    '序号缴费期间缴费单位',
    '企业职工基本养老保险参保缴费首次参保：2016年07月累计缴费：124个月',
    '12025.01—2025.12亳州市示例科技有限公司6,000.005,760.0012',
    '22026.01—2026.10亳州市示例科技有限公司6,300.005,040.0010',
    '职工基本医疗保险',
    '失业保险',
    '工伤保险参保缴费首次参保：2016年07月累计缴费：124个月（本期无个人缴费）',
    '个人缴费合计14,175.00',
    '本证明用于办理子女入学。',
    '特此证明。',
    '亳州市社会保险事业管理中心',
    '二〇二六年十一月二十一日',
    '核验说明：本证明加盖符合GB/T38540的电子印章',
    '第1页共2页',
    '说明：',
    '3.本证明自出具之日起三个月内有效。',
    '第2页共2页',
  ],
  'real-estate-query': [
    '不动产登记信息查询结果证明',
    '沪杨不动产查〔2026〕第045号',
    '编号：BDC-310110-20261121-000045',
    '经于2026年11月21日9时42分查询不动产登记簿',
    '查询主体李四证件类型居民身份证',
    '证件号码310110198507150022',
    '查询范围上海市杨浦区（310110）行政区域内',
    '查询目的办理购房资格审核查询时间2026年11月21日09:42',
    '二、查询结果',
    '查询主体在上述查询范围内登记有下列不动产，共2处：',
    '序号不动产权证号坐落',
    '89.52住宅李四有无',
    '13.20车位',
    '特此证明。',
    '上海市杨浦区不动产登记事务中心',
    '二〇二六年十一月二十一日',
  ],
  'case-receipt': [
    '受理回执',
    '编号：SL-341600-20261121-000318',
    '王五：',
    '您于2026年11月21日10时05分申请办理的“基本养老保险关系转移接续申请”事项',
    '申请材料齐全、符合法定形式，现予受理。',
    '本件按“异地代收代办”方式办理',
    '转交上海市杨浦区社会保险事业管理中心审核办理，承诺办结时限为15个工作日。',
    '申办流水号3416002611210318办理方式异地代收代办',
    '事项编码000201013000-3101100001承诺时限15个工作日',
    '申请人王五证件号码341621199203154419',
    '联系电话13800000000受理时间2026年11月21日10:05',
    '受理地点亳州市政务服务中心跨省通办专窗（自助终端BZ-0012）',
    '承办单位上海市杨浦区社会保险事业管理中心（310110上海市杨浦区）',
    '二、已收取材料清单',
    '1基本养老保险关系转移接续申请表原件1',
    '2居民身份证电子证照—经申请人授权调取',
    '特此回执。',
    '亳州市政务服务中心',
    '二〇二六年十一月二十一日',
    '温馨提示：',
    '进度查询：凭申办流水号3416002611210318查询办理进度',
    '拨打12345政务服务便民热线',
  ],
};

describe('rendered templates, read back with pdftotext', () => {
  for (const name of NAMES) {
    it(`${name}: the key fields appear, in reading order`, () => {
      expectInOrder(compactText(doc(name).pdf), KEY_FIELDS[name]);
    });
  }

  it('a query with no properties says nothing was found (未查询到)', async () => {
    const data = { ...(exampleData('real-estate-query') as object), properties: [] };
    const r = await renderTemplate('real-estate-query', data, { creationDate: CREATED });
    const text = compactText(r.pdf);
    expect(text).toContain('经查询，截至2026年11月21日9时42分，在上述查询范围内未查询到查询主体名下已登记的不动产信息。');
    expect(text).not.toContain('不动产权证号');
  });
});

describe('the PDF file', () => {
  for (const name of NAMES) {
    it(`${name}: A4 pages, document information set, no object streams, small`, async () => {
      const r = doc(name);
      const pdf = await PDFDocument.load(r.pdf, { updateMetadata: false });
      expect(pdf.getPageCount()).toBe(r.pageCount);
      for (const page of pdf.getPages()) {
        expect(page.getWidth()).toBeCloseTo(595.28, 1);
        expect(page.getHeight()).toBeCloseTo(841.89, 1);
      }
      const info = listTemplates().find((t) => t.name === name)!;
      expect(pdf.getTitle()).toBe(info.title);
      expect(pdf.getProducer()).toBe('tongban');
      expect(pdf.getCreationDate()?.toISOString()).toBe(CREATED.toISOString());
      expect(pdf.getAuthor()).toBe((exampleData(name) as { issuer: string }).issuer);
      const raw = Buffer.from(r.pdf).toString('latin1');
      expect(raw).not.toContain('/ObjStm'); // the seal helper appends incremental updates to this file
      expect(raw).not.toMatch(/\/Type\s*\/XRef/);
      expect(r.pdf.length).toBeLessThan(150 * 1024);
    });
  }

  it('is the same byte for byte for the same data and creation date, and differs with the data', async () => {
    const a = await renderTemplate('case-receipt', exampleData('case-receipt'), { creationDate: CREATED });
    expect(Buffer.from(a.pdf).equals(Buffer.from(doc('case-receipt').pdf))).toBe(true);
    const other = { ...(exampleData('case-receipt') as object), caseSerialNo: '3416002611210319' };
    const b = await renderTemplate('case-receipt', other, { creationDate: CREATED });
    expect(b.dataHash).not.toBe(a.dataHash);
    expect(Buffer.from(b.pdf).equals(Buffer.from(a.pdf))).toBe(false);
  });

  it('embeds both faces as subsets whose glyphs are exactly the original outlines', async () => {
    const fonts = await embeddedFonts(doc('case-receipt').pdf, 0);
    expect(fonts.map((f) => f.baseFont.replace(/^[A-Z]{6}\+/, '')).sort()).toEqual(['NotoSerifSC-Bold', 'NotoSerifSC-Regular']);
    for (const f of fonts) {
      expect(f.baseFont).toMatch(/^[A-Z]{6}\+NotoSerifSC-(Regular|Bold)$/);
      // A subset, not the 14.8 MB face.
      expect(f.program.length).toBeLessThan(120 * 1024);
      const original = fontFace(f.baseFont.endsWith('Bold') ? 'bold' : 'regular').font;
      const subset = fontkit.create(f.program);
      expect(f.toUnicode.size).toBeGreaterThan(50);
      for (const [cid, text] of f.toUnicode) {
        const want = original.glyphForCodePoint(text.codePointAt(0)!);
        const got = subset.getGlyph(cid);
        expect(got.path.toSVG(), `glyph of "${text}" (CID ${cid}) in ${f.baseFont}`).toBe(want.path.toSVG());
        expect(got.advanceWidth).toBe(want.advanceWidth);
      }
    }
  });

  it('prints every character of the title (each glyph leaves ink)', () => {
    const r = doc('social-insurance-proof');
    const title = wordBoxes(r.pdf, 1).find((w) => w.word === '社会保险参保缴费证明')!;
    expect(title).toBeDefined();
    const img = renderGray(r.pdf, 1, 100);
    const cell = (title.xMax - title.xMin) / 10;
    for (let i = 0; i < 10; i++) {
      const ink = inkIn(img, { x1: title.xMin + i * cell + 1, y1: title.yMin, x2: title.xMin + (i + 1) * cell - 1, y2: title.yMax });
      expect(ink, `character ${i + 1} of the title`).toBeGreaterThan(20);
    }
  });

  it('renders each first page to PNG with pdftoppm', () => {
    const { dir, cleanup } = tempDir();
    try {
      for (const name of NAMES) {
        const file = join(dir, `${name}.pdf`);
        writeFileSync(file, doc(name).pdf);
        const r = spawnSync('pdftoppm', ['-r', '60', '-png', '-f', '1', '-l', '1', '-singlefile', file, join(dir, name)], { encoding: 'utf8' });
        expect(r.status, r.stderr).toBe(0);
        const png = join(dir, `${name}.png`);
        expect(existsSync(png)).toBe(true);
        const bytes = readFileSync(png);
        expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
        // 60 dpi A4: 497 x 702 pixels (IHDR width and height).
        expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([497, 702]);
      }
    } finally {
      cleanup();
    }
  });

  it('logs nothing while rendering (the data is personal)', async () => {
    const spies = [
      vi.spyOn(process.stdout, 'write'),
      vi.spyOn(process.stderr, 'write'),
      ...(['log', 'info', 'warn', 'error', 'debug'] as const).map((m) => vi.spyOn(console, m)),
    ];
    try {
      await renderTemplate('social-insurance-proof', exampleData('social-insurance-proof'), { creationDate: CREATED });
      for (const s of spies) expect(s).not.toHaveBeenCalled();
    } finally {
      for (const s of spies) s.mockRestore();
    }
  });
});

describe('the seal spot', () => {
  for (const name of NAMES) {
    it(`${name}: centred over the issuer and the date, inside the type area, clear of the QR code`, async () => {
      const r = doc(name);
      const spot = r.sealSpot;
      expect(r.sealSpots[0]).toEqual(spot);
      expect(spot.sizeMm).toBe(40);
      expect(spot.sizePt).toBeCloseTo((40 * 72) / 25.4, 6);
      const radius = spot.sizePt / 2;
      // GB/T 9704: the seal stays inside the type area.
      expect(spot.x - radius).toBeGreaterThanOrEqual(CONTENT.left);
      expect(spot.x + radius).toBeLessThanOrEqual(CONTENT.right);
      expect(spot.y - radius).toBeGreaterThanOrEqual(CONTENT.bottom - 0.01);
      expect(spot.y + radius).toBeLessThanOrEqual(CONTENT.top);
      const words = wordBoxes(r.pdf, spot.page + 1);
      const issuer = (exampleData(name) as { issuer: string }).issuer;
      const date = words.find((w) => w.word === '二〇二六年十一月二十一日')!;
      const org = words.find((w) => w.word === issuer)!;
      expect(date, 'the date is on the seal page').toBeDefined();
      expect(org, 'the issuer is on the seal page').toBeDefined();
      // Both centred on the seal, and both under it (pdftotext measures y from the top).
      expect((date.xMin + date.xMax) / 2).toBeCloseTo(spot.x, 0);
      expect((org.xMin + org.xMax) / 2).toBeCloseTo(spot.x, 0);
      for (const w of [date, org]) {
        const yMid = PAGE.height - (w.yMin + w.yMax) / 2;
        expect(Math.abs(yMid - spot.y)).toBeLessThan(radius);
      }
      // The issuer's name sits at or just above the seal's centre, the date below it.
      expect(PAGE.height - (date.yMin + date.yMax) / 2).toBeLessThan(spot.y);
      // The date ends four characters from the right edge of the type area (成文日期右空四字).
      const em = name === 'case-receipt' ? 12 : 14;
      expect(CONTENT.right - date.xMax).toBeCloseTo(4 * em, 0);
      // The QR code is on the same page, to the left, and does not touch the seal.
      const qr = await qrModulesOnPage(r.pdf, spot.page);
      expect(qr).toBeDefined();
      expect(CONTENT.left + qr!.sidePt).toBeLessThan(spot.x - radius);
      // Text above the seal: the closing line.
      const closing = words.find((w) => w.word === (name === 'case-receipt' ? '特此回执。' : '特此证明。'))!;
      expect(PAGE.height - closing.yMax).toBeGreaterThan(spot.y + radius - 1);
      expect(PAGE.height - closing.yMax - (spot.y + radius)).toBeLessThan(24); // within one line
    });
  }
});

describe('the QR code', () => {
  for (const name of NAMES) {
    it(`${name}: decodes to TBV1:<documentId>:<dataHash> and the hash is that of the data`, async () => {
      const r = doc(name);
      const qr = (await qrModulesOnPage(r.pdf, r.sealSpot.page))!;
      const read = readQrMatrix(qr);
      expect(read.text).toBe(r.verificationReference);
      expect(read.errorLevel).toBe('M');
      expect(qr.size).toBe(17 + 4 * read.version);
      const ref = parseVerificationReference(read.text);
      expect(ref.documentId).toBe(r.documentId);
      expect(ref.documentId).toBe((exampleData(name) as { documentId: string }).documentId);
      expect(ref.dataHash).toBe(r.dataHash);
      expect(ref.dataHash).toBe(dataHashOf(name, validateData(name, exampleData(name))));
      // About 24 mm wide: scannable on paper, and drawn as vectors (no image XObject in the file).
      expect(qr.sidePt).toBeCloseTo((24 * 72) / 25.4, 0);
      expect(Buffer.from(r.pdf).toString('latin1')).not.toContain('/Subtype /Image');
      // The caption under it.
      expect(pdfText(r.pdf, r.sealSpot.page + 1)).toContain('扫码核验');
    });
  }
});
