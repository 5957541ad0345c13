/**
 * The pure parts of choosing an item (kiosk-ui/src/catalog, src/identify): search by pinyin initials or a
 * piece of the name, the letters the keyboard leaves lit, grouping by department and by theme, the tile's
 * 当场出证, walking a guide, the applicant from a card or a code and its masks. The catalog is the demo's,
 * as GET /api/catalog gives it (the route's own handler).
 */
import { describe, expect, it } from 'vitest';
import { catalogRoutes } from '../../agent/api/routes.js';
import { demoCatalog } from '../../agent/catalog/catalog.js';
import { groupItems, outcomeLabel } from '../src/catalog/group';
import { chosenLabels, guideBack, guideState } from '../src/catalog/guide';
import { isInitialsQuery, nextLetters, searchItems } from '../src/catalog/search';
import type { CatalogList, Guide } from '../src/catalog/types';
import { applicantFromCard, applicantFromCode, maskIdNumber, maskName } from '../src/identify/applicant';
import { deviceFault } from '../src/identify/faults';

const list = catalogRoutes(() => demoCatalog()).find((r) => r.path === '/api/catalog')!;
// The route answers synchronously (a RouteResult, not a promise).
const catalog = (list.handler({ params: {}, query: new URLSearchParams(), body: undefined as never }) as { body: CatalogList }).body;
const codes = (items: { code: string }[]): string[] => items.map((i) => i.code);
const guide = (name: string): Guide => catalog.guides.find((g) => g.name === name)!;

describe('search', () => {
  it('letters are pinyin initials: YDJY finds 长三角异地就医备案 (inside), CSJ it (at the start), any case, spaces ignored', () => {
    expect(codes(searchItems(catalog.items, 'YDJY'))).toEqual(['341600-YB-0001']);
    expect(codes(searchItems(catalog.items, 'csj'))).toEqual(['341600-YB-0001']);
    expect(codes(searchItems(catalog.items, 'c s j'))).toEqual(['341600-YB-0001']);
    expect(isInitialsQuery('YdJy')).toBe(true);
    expect(isInitialsQuery('异地')).toBe(false);
  });

  it('initials that start the name rank before those inside it, catalog order within a rank', () => {
    // xse: 新生儿… (three items, at the start); zm: …证明 inside two names
    expect(codes(searchItems(catalog.items, 'xse'))).toEqual(['340802-GA-0006', '340802-YB-0007', '340802-SB-0008']);
    expect(codes(searchItems(catalog.items, 'zm'))).toEqual(['341600-SB-0003', '341800-BDC-0004']);
    // x: 新生儿… start with it, 社会保险…/不动产…信息…/…关系… have it inside
    expect(codes(searchItems(catalog.items, 'X'))).toEqual(['340802-GA-0006', '340802-YB-0007', '340802-SB-0008', '341600-SB-0003', '341800-BDC-0004', '310117-SB-0005']);
  });

  it('letters are also whole syllables, mixed with initials, the last one begun; a polyphone by any reading', () => {
    expect(codes(searchItems(catalog.items, 'yidi'))).toEqual(['341600-YB-0001', '341600-GJJ-0002']);
    expect(codes(searchItems(catalog.items, 'YIDIJIUYI'))).toEqual(['341600-YB-0001']);
    expect(codes(searchItems(catalog.items, 'ydjiuy'))).toEqual(['341600-YB-0001']);
    expect(codes(searchItems(catalog.items, 'yidijiu'))).toEqual(['341600-YB-0001']);
    expect(codes(searchItems(catalog.items, 'zhengming'))).toEqual(['341600-SB-0003', '341800-BDC-0004']);
    // 长 is chang (and zhang): 长三角… by its full reading, from the start
    expect(codes(searchItems(catalog.items, 'changsanjiao'))).toEqual(['341600-YB-0001']);
    expect(codes(searchItems(catalog.items, 'xinsheng'))).toEqual(['340802-GA-0006', '340802-YB-0007', '340802-SB-0008']);
    expect(searchItems(catalog.items, 'yidiq')).toEqual([]);
  });

  it('a piece of the name (or department, theme) matches; names that start with it come first', () => {
    expect(codes(searchItems(catalog.items, '证明'))).toEqual(['341600-SB-0003', '341800-BDC-0004']);
    expect(codes(searchItems(catalog.items, '新生儿')).slice(0, 3)).toEqual(['340802-GA-0006', '340802-YB-0007', '340802-SB-0008']);
    expect(codes(searchItems(catalog.items, '市场主体登记'))).toEqual(['310110-SC-0009', '341500-SC-0010']);
    expect(searchItems(catalog.items, '没有这种事项')).toEqual([]);
    expect(searchItems(catalog.items, '  ')).toHaveLength(catalog.items.length);
  });

  it('the keyboard lights only the letters that lead somewhere', () => {
    const first = nextLetters(catalog.items, '');
    for (const item of catalog.items) expect(first.has(item.initials[0]!.toUpperCase())).toBe(true);
    // after YDJ: Y (医) or I (就 as jiu…)
    expect(nextLetters(catalog.items, 'YDJ')).toEqual(new Set(['Y', 'I']));
    expect(nextLetters(catalog.items, 'YDJY')).toEqual(new Set(['B', 'I']));
    expect(nextLetters(catalog.items, 'csjydjyba')).toEqual(new Set(['N'])); // …备案 as ba-n
    expect(nextLetters(catalog.items, 'csjydjyban')).toEqual(new Set());
    expect(nextLetters(catalog.items, 'qqq')).toEqual(new Set());
  });
});

describe('grouping and tiles', () => {
  it('by department and by theme, in catalog order, every item once', () => {
    const byDept = groupItems(catalog.items, 'department');
    expect(byDept[0]).toEqual({ name: '亳州市医疗保障局', items: [catalog.items[0]] });
    expect(byDept.flatMap((g) => g.items)).toHaveLength(catalog.items.length);
    const byTheme = groupItems(catalog.items, 'category');
    expect(byTheme.map((g) => g.name)).toEqual(['医疗保障', '住房公积金', '社会保险', '不动产登记', '户籍管理', '市场主体登记']);
    expect(codes(byTheme.find((g) => g.name === '社会保险')!.items)).toEqual(['341600-SB-0003', '310117-SB-0005', '340802-SB-0008']);
  });

  it('an issuable item is 当场出证; otherwise 即办 or the time limit', () => {
    const item = (code: string) => catalog.items.find((i) => i.code === code)!;
    expect(outcomeLabel(item('341600-SB-0003'))).toBe('当场出证');
    expect(outcomeLabel(item('341600-GJJ-0002'))).toBe('5个工作日内办结');
    expect(outcomeLabel({ ...item('341600-GJJ-0002'), timeLimitDays: 0 })).toBe('即办');
  });
});

describe('walking a guide', () => {
  it('我要开证明 › 社保缴费情况 › 在亳州参保 leads to 社会保险参保缴费证明开具 with its reason; back goes one question up', () => {
    const g = guide('我要开证明');
    const first = guideState(g, []);
    expect(first).toMatchObject({ kind: 'question', step: 0, question: { text: '您要证明哪方面的情况？' } });
    const second = guideState(g, [0]);
    expect(second).toMatchObject({ kind: 'question', step: 1, question: { text: '您在哪里参加社保？' } });
    const end = guideState(g, [0, 0]);
    expect(end).toMatchObject({ kind: 'result', item: '341600-SB-0003', label: '在亳州参保', step: 2 });
    expect((end as { reason: string }).reason).toContain('当场出证');
    expect(chosenLabels(g, [0, 0])).toEqual(['社保缴费情况', '在亳州参保']);
    expect(guideBack([0, 0])).toEqual([0]);
    expect(guideBack([])).toEqual([]);
    expect(guideState(g, [1])).toMatchObject({ kind: 'result', item: '341800-BDC-0004' });
  });

  it('choices that do not fit the guide are broken, not a crash', () => {
    const g = guide('我要开证明');
    expect(guideState(g, [7])).toEqual({ kind: 'broken' });
    expect(guideState(g, [1, 0])).toEqual({ kind: 'broken' }); // past an answer
    expect(guideState({ ...g, start: 'nowhere' }, [])).toEqual({ kind: 'broken' });
  });

  it('every way through every demo guide ends at an item the summary lists', () => {
    const walk = (g: Guide, choices: number[]): void => {
      const s = guideState(g, choices);
      if (s.kind === 'result') return void expect(codes(catalog.items)).toContain(s.item);
      expect(s.kind).toBe('question');
      if (s.kind === 'question') s.question.choices.forEach((_, i) => walk(g, [...choices, i]));
    };
    for (const g of catalog.guides) walk(g, []);
  });
});

describe('the applicant', () => {
  const card = { cardType: 'resident', name: '张示例', sex: '男', nation: '汉', birthDate: '1990-03-07', address: '北京市东城区示例路1号', idNumber: '11010119900307002X', issuer: '北京市公安局东城分局', validTo: '长期', photo: 'AAAA' };

  it('from a card read: the fields the session keeps (not the photo), or nothing for a bad read', () => {
    expect(applicantFromCard(card)).toEqual({ name: '张示例', idNumber: '11010119900307002X', gender: '男', nation: '汉', birthDate: '1990-03-07', address: '北京市东城区示例路1号', issuer: '北京市公安局东城分局', validUntil: '长期', source: 'idcard' });
    expect(applicantFromCard({ ...card, name: ' ' })).toBeUndefined();
    expect(applicantFromCard({ name: '张示例' })).toBeUndefined();
    expect(applicantFromCard(undefined)).toBeUndefined();
  });

  it('from the agent’s answer to a personal code', () => {
    expect(applicantFromCode({ applicant: { name: '张示例', idNumber: '11010119900307002X', source: 'code' } })).toEqual({ name: '张示例', idNumber: '11010119900307002X', source: 'code' });
    expect(applicantFromCode({})).toBeUndefined();
  });

  it('masked as the screens show it: 张*三, 3416**********1234', () => {
    expect(maskName('张小三')).toBe('张*三');
    expect(maskName('张三')).toBe('张*');
    expect(maskName('欧阳娜娜')).toBe('欧**娜');
    expect(maskName('张')).toBe('*');
    expect(maskIdNumber('341602199001011234')).toBe('3416**********1234');
    expect(maskIdNumber('1234')).toBe('****');
  });

  it('device failures say what happened and what to do, per device', () => {
    expect(deviceFault('card', { completionCode: 'commandErrorCode', payload: { errorCode: 'idcard.readFailed' } })).toMatch(/^未能读取身份证。请取下身份证/);
    expect(deviceFault('card', { completionCode: 'deviceNotReady', payload: {} })).toMatch(/身份证阅读器暂时无法使用。您可以扫描/);
    expect(deviceFault('scan', { completionCode: 'deviceNotReady', payload: {} })).toMatch(/扫码器暂时无法使用。您可以刷身份证/);
    expect(deviceFault('card', { completionCode: 'timeOut', payload: {} })).toMatch(/等待超时/);
    expect(deviceFault('card', { completionCode: 'hardwareError', payload: { errorCode: 'device.garbled' } })).toMatch(/^未能读取身份证/);
  });
});
