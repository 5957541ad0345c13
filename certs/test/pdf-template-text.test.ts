/**
 * The pure parts of the templates: Chinese line breaking (避头尾), Chinese dates and amounts, the
 * verification reference with its canonical data hash, and the QR matrix reader.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../base/errors.js';
import { sm3Hex } from '../sm3.js';
import { darkRuns, qrBlocks, qrMatrix, readQrMatrix, QrReadError, type QrErrorLevel } from '../pdf/qr.js';
import { chineseDate, money, numericDateClock, numericDateTime, yearMonth } from '../pdf/templates/chinese.js';
import { breakLines, NO_LINE_END, NO_LINE_START } from '../pdf/templates/line-break.js';
import { canonicalJson, dataHashOf, formatVerificationReference, parseVerificationReference } from '../pdf/templates/reference.js';
import { idCheckCharacter } from '../pdf/templates/fields.js';

/** Every character 1 unit wide, Latin 0.5: enough to reason about breaks exactly. */
const charWidth = (cp: number): number => (cp < 0x80 ? 0.5 : 1);
const lines = (text: string, maxWidth: number, firstLineIndent = 0): string[] =>
  breakLines(text, { maxWidth, firstLineIndent, charWidth }).map((l) => l.text);

describe('Chinese line breaking', () => {
  it('breaks between any two CJK characters, filling each line', () => {
    expect(lines('社会保险参保缴费证明', 4)).toEqual(['社会保险', '参保缴费', '证明']);
  });

  it('narrows the first line by the indent', () => {
    expect(lines('兹证明张三参加社会保险', 5, 2)).toEqual(['兹证明', '张三参加社', '会保险']);
  });

  it('never starts a line with closing punctuation: the previous character comes down with it (避头)', () => {
    // Without the rule: ['参加社会', '，缴费…']
    const got = lines('参加社会，缴费月数。', 4);
    expect(got).toEqual(['参加社', '会，缴费', '月数。']);
    for (const text of ['一二三四。五六', '一二三四、五六', '一二三四）五六', '一二三四”五六', '一二三四！五六', '一二三四；五六', '一二三四：五六']) {
      for (const line of lines(text, 4).slice(1)) expect(NO_LINE_START.has([...line][0]!), `${text} -> ${line}`).toBe(false);
    }
  });

  it('never ends a line with opening punctuation: it goes down with the next character (避尾)', () => {
    expect(lines('一二三（四五）', 4)).toEqual(['一二三', '（四五）']);
    for (const text of ['一二三“四五”', '一二三《四五》', '一二三【四五】']) {
      for (const line of lines(text, 4)) expect(NO_LINE_END.has([...line].pop()!), `${text} -> ${line}`).toBe(false);
    }
  });

  it('keeps a run of Latin letters and digits whole (an ID number, an amount)', () => {
    // 18 digits are 9 units: they do not fit after 公民身份号码：, so they start the next line whole.
    expect(lines('公民身份号码：341602199001011234。', 12)).toEqual(['公民身份号码：', '341602199001011234。']);
    expect(lines('金额5,760.00元', 5)).toEqual(['金额', '5,760.00元']);
  });

  it('cuts a Latin run by character only when it alone is wider than a line', () => {
    expect(lines('ABCDEFGHIJ', 2)).toEqual(['ABCD', 'EFGH', 'IJ']);
  });

  it('drops spaces at line ends and starts, and breaks at newlines without justifying', () => {
    const got = breakLines('tongban certs verify\n第二行', { maxWidth: 6, charWidth });
    expect(got.map((l) => l.text)).toEqual(['tongban', 'certs verify', '第二行']);
    expect(got.map((l) => l.wrapped)).toEqual([true, false, false]);
    expect(got[0]!.width).toBe(3.5);
  });

  it('marks wrapped lines (justified) apart from the last line of a paragraph', () => {
    expect(breakLines('一二三四五六七', { maxWidth: 3, charWidth }).map((l) => l.wrapped)).toEqual([true, true, false]);
  });
});

describe('Chinese dates and amounts', () => {
  it('writes the date of a document with Chinese numerals (GB/T 9704 成文日期)', () => {
    expect(chineseDate('2026-11-21')).toBe('二〇二六年十一月二十一日');
    expect(chineseDate('2020-01-10')).toBe('二〇二〇年一月十日');
    expect(chineseDate('2019-10-30')).toBe('二〇一九年十月三十日');
    expect(chineseDate('2008-02-09')).toBe('二〇〇八年二月九日');
    expect(chineseDate('2031-12-31')).toBe('二〇三一年十二月三十一日');
  });

  it('writes dates, times and months in Arabic numerals inside text and tables', () => {
    expect(numericDateTime('2026-11-21T09:42')).toBe('2026年11月21日9时42分');
    expect(numericDateClock('2026-11-21T09:42')).toBe('2026年11月21日 09:42');
    expect(yearMonth('2016-07')).toBe('2016年07月');
  });

  it('writes yuan with two decimals and thousands separators', () => {
    expect(money(0)).toBe('0.00');
    expect(money(315)).toBe('315.00');
    expect(money(14175)).toBe('14,175.00');
    expect(money(1234567.5)).toBe('1,234,567.50');
  });

  it('computes the GB 11643 check character of citizen ID numbers', () => {
    // The standard's own example: 11010519491231002X.
    expect(idCheckCharacter('11010519491231002')).toBe('X');
    expect(idCheckCharacter('34160219900101123')).toBe('4');
  });
});

describe('the verification reference (TBV1)', () => {
  const hash = 'b0ca5a70ed70b6b89e936a5f5a2829257e42b8db1633ffea7a56daa4b6575e19';

  it('formats as TBV1:<documentId>:<HASH> and parses back', () => {
    const text = formatVerificationReference({ documentId: 'SB-341600-20261121-000123', dataHash: hash });
    expect(text).toBe(`TBV1:SB-341600-20261121-000123:${hash.toUpperCase()}`);
    expect(parseVerificationReference(text)).toEqual({ documentId: 'SB-341600-20261121-000123', dataHash: hash });
    expect(parseVerificationReference(`  ${text.toLowerCase().replace('tbv1', 'TBV1').replace('sb-', 'SB-')}\n`).dataHash).toBe(hash);
  });

  it('uses only QR alphanumeric characters, so the code stays small (version 5 at level M)', () => {
    const text = formatVerificationReference({ documentId: 'SB-341600-20261121-000123', dataHash: hash });
    expect(text).toMatch(/^[0-9A-Z $%*+\-./:]+$/);
    expect(qrMatrix(text, 'M').version).toBe(5);
  });

  it('refuses malformed references with InputError saying what is wrong', () => {
    const bad: [string, RegExp][] = [
      ['https://example.org/x', /must start with TBV1:/],
      [`TBV2:SB-341600:${hash}`, /must start with TBV1:/],
      [`TBV1:SB-341600-1:${hash}:extra`, /has 3 parts.*this one has 4/],
      [`TBV1:sb-lower-case:${hash}`, /document id/],
      [`TBV1:A:${hash}`, /document id/],
      ['TBV1:SB-341600-20261121-000123:ABC', /64 hexadecimal digits/],
    ];
    for (const [text, message] of bad) {
      expect(() => parseVerificationReference(text), text).toThrow(InputError);
      expect(() => parseVerificationReference(text), text).toThrow(message);
    }
  });

  it('hashes the canonical JSON: sorted keys, no whitespace, so key order does not matter', () => {
    expect(canonicalJson({ b: [1, 'x', { d: true, c: null }], a: 1.5 })).toBe('{"a":1.5,"b":[1,"x",{"c":null,"d":true}]}');
    expect(canonicalJson({ 中: 1, z: 2, A: 3 })).toBe('{"A":3,"z":2,"中":1}');
    expect(dataHashOf('t', { a: 1, b: 2 })).toBe(dataHashOf('t', { b: 2, a: 1 }));
    expect(dataHashOf('t', { a: 1 })).toBe(sm3Hex('{"data":{"a":1},"template":"t"}'));
    expect(dataHashOf('t', { a: 1 })).not.toBe(dataHashOf('u', { a: 1 }));
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(RangeError);
  });
});

describe('the QR matrix reader', () => {
  const LEVELS: QrErrorLevel[] = ['L', 'M', 'Q', 'H'];

  it("knows the same block structure as the qrcode package's tables (versions 1-10)", () => {
    const require = createRequire(import.meta.url);
    const ecc = require('qrcode/lib/core/error-correction-code.js') as {
      getBlocksCount(v: number, l: unknown): number;
      getTotalCodewordsCount(v: number, l: unknown): number;
    };
    const ecl = require('qrcode/lib/core/error-correction-level.js') as Record<QrErrorLevel, unknown>;
    const utils = require('qrcode/lib/core/utils.js') as { getSymbolTotalCodewords(v: number): number };
    for (let v = 1; v <= 10; v++) {
      for (const l of LEVELS) {
        const { dataPerBlock, ecPerBlock } = qrBlocks(v, l);
        expect(dataPerBlock.length).toBe(ecc.getBlocksCount(v, ecl[l]));
        expect(ecPerBlock * dataPerBlock.length).toBe(ecc.getTotalCodewordsCount(v, ecl[l]));
        expect(dataPerBlock.reduce((a, b) => a + b, 0) + ecPerBlock * dataPerBlock.length).toBe(utils.getSymbolTotalCodewords(v));
      }
    }
  });

  it('reads back what the encoder wrote: alphanumeric, numeric and byte segments, versions 1-10, all levels', () => {
    const texts = [
      'TBV1:SB-341600-20261121-000123:B0CA5A70ED70B6B89E936A5F5A2829257E42B8DB1633FFEA7A56DAA4B6575E19',
      '341602199001011234',
      '受理回执 3416002611210318',
      'https://zwfw.example.cn/verify?id=SL-341600-20261121-000318',
      'x'.repeat(180),
    ];
    const versions = new Set<number>();
    for (const text of texts) {
      for (const level of LEVELS) {
        const m = qrMatrix(text, level);
        if (m.version > 10) continue;
        versions.add(m.version);
        expect(readQrMatrix(m)).toEqual({ text, version: m.version, errorLevel: level });
      }
    }
    expect(versions.size).toBeGreaterThanOrEqual(6);
    expect(Math.max(...versions)).toBeGreaterThanOrEqual(7); // version information blocks exercised
  });

  it('refuses a matrix whose data no longer matches its error correction codewords', () => {
    const m = qrMatrix('TBV1:SB-341600-20261121-000123:' + 'A'.repeat(64), 'M');
    const modules = Uint8Array.from(m.modules);
    // A data module in the lower right corner (outside every function pattern).
    const i = (m.size - 1) * m.size + (m.size - 1);
    modules[i] = modules[i] ? 0 : 1;
    expect(() => readQrMatrix({ size: m.size, modules })).toThrow(QrReadError);
  });

  it('refuses sizes that are not a QR code', () => {
    expect(() => readQrMatrix({ size: 22, modules: new Uint8Array(22 * 22) })).toThrow(/cannot be 22 modules wide/);
    expect(() => readQrMatrix({ size: 21, modules: new Uint8Array(21 * 21) })).toThrow(/format information/);
  });

  it('covers exactly the dark modules with its runs', () => {
    const m = qrMatrix('TBV1:X1-23456:' + 'F'.repeat(64));
    const painted = new Uint8Array(m.size * m.size);
    for (const r of darkRuns(m)) for (let c = r.col; c < r.col + r.length; c++) painted[r.row * m.size + c]! += 1;
    expect(painted).toEqual(m.modules);
  });
});
