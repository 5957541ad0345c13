/**
 * 智能导办 in the catalog: the demo guides, the checks of validateCatalog on a guide's graph (every leaf an
 * item of the catalog, every question reachable, no cycles, bounded depth and size), a catalog without
 * guides kept as it was, and GET /api/catalog giving the guides and the items' pinyin initials.
 */
import { describe, expect, it } from 'vitest';
import { catalogRoutes } from '../api/routes.js';
import { ISSUABLE_TEMPLATES, demoCatalog, findItem } from '../catalog/catalog.js';
import { demoCatalogData } from '../catalog/demo-catalog.js';
import type { CatalogGuide } from '../catalog/types.js';
import { GUIDE_LIMITS, decideCatalogUpdate, validateCatalog } from '../catalog/validate.js';

type Raw = Record<string, any>;
const base = (): Raw => structuredClone(demoCatalogData) as Raw;
const withGuide = (guide: Raw): Raw => ({ ...base(), guides: [guide] });
const problem = (raw: unknown): string => {
  try {
    validateCatalog(raw, { templates: ISSUABLE_TEMPLATES });
  } catch (err) {
    return (err as Error).message;
  }
  return 'valid';
};
const q = (id: string, ...choices: Raw[]): Raw => ({ id, text: `问题${id}`, choices });
const toItem = (label: string, item = '341600-SB-0003'): Raw => ({ label, item, reason: '理由' });
const toNext = (label: string, next: string): Raw => ({ label, next });

/** Every way through a guide: the labels chosen and the item reached. */
function ways(g: CatalogGuide): { labels: string[]; item: string }[] {
  const out: { labels: string[]; item: string }[] = [];
  const walk = (id: string, labels: string[]): void => {
    for (const c of g.questions.find((x) => x.id === id)!.choices) {
      if (c.item) out.push({ labels: [...labels, c.label], item: c.item });
      else walk(c.next!, [...labels, c.label]);
    }
  };
  walk(g.start, []);
  return out;
}

describe('the demo catalog’s guides', () => {
  it('three guides; every way ends at an item of the catalog with a reason; the certificates lead where they should', () => {
    const c = demoCatalog();
    expect(c.guides!.map((g) => g.name)).toEqual(['我要开证明', '异地就医、养老、公积金', '家里添了宝宝']);
    for (const g of c.guides!) for (const w of ways(g)) expect(findItem(c, w.item), `${g.name}: ${w.labels.join(' > ')}`).toBeDefined();
    const proof = ways(c.guides![0]!);
    expect(proof).toContainEqual({ labels: ['社保缴费情况', '在亳州参保'], item: '341600-SB-0003' });
    expect(proof).toContainEqual({ labels: ['名下有没有房产'], item: '341800-BDC-0004' });
    const remote = ways(c.guides![1]!);
    expect(remote).toContainEqual({ labels: ['在外地看病、住院报销', '长期住在外地（随子女、异地养老）'], item: '341600-YB-0001' });
    expect(remote).toContainEqual({ labels: ['在外地买房，提取公积金'], item: '341600-GJJ-0002' });
    expect(remote).toContainEqual({ labels: ['换了城市工作，养老保险要转过去'], item: '310117-SB-0005' });
  });
});

describe('validateCatalog on guides', () => {
  const good = { code: 'ZNDB-9001', name: '测试导办', start: 'a', questions: [q('a', toNext('去b', 'b'), toItem('直接')), q('b', toItem('一'), toItem('二', '341800-BDC-0004'))] };

  it('a good guide is kept as written; a catalog without guides stays without the key (its document unchanged)', () => {
    expect(validateCatalog(withGuide(good)).guides).toEqual([good]);
    const { guides: _none, ...old } = base();
    expect(Object.keys(validateCatalog(old))).toEqual(['version', 'publishedAt', 'items', 'bundles']);
    expect(validateCatalog({ ...old, guides: [] }).guides).toEqual([]);
  });

  it('a leaf naming no item of the catalog, a choice with both or neither of next and item, an item without a reason', () => {
    expect(problem(withGuide({ ...good, questions: [q('a', toItem('x', '999999-XX-0000'), toItem('y'))] }))).toMatch(/^catalog\.guides\[0\]\.questions\[0\]\.choices\[0\]\.item: names no item of this catalog \("999999-XX-0000"\)/);
    expect(problem(withGuide({ ...good, questions: [q('a', { label: 'x', next: 'a', item: '341600-SB-0003', reason: 'r' }, toItem('y'))] }))).toMatch(/choices\[0\]: must have exactly one of next/);
    expect(problem(withGuide({ ...good, questions: [q('a', { label: 'x' }, toItem('y'))] }))).toMatch(/choices\[0\]: must have exactly one of next/);
    expect(problem(withGuide({ ...good, questions: [q('a', { label: 'x', item: '341600-SB-0003' }, toItem('y'))] }))).toMatch(/choices\[0\]\.reason: is missing/);
    expect(problem(withGuide({ ...good, questions: [q('a', { label: 'x', next: 'a', reason: 'r' }, toItem('y'))] }))).toMatch(/choices\[0\]\.reason: applies to a choice that leads to an item only/);
  });

  it('a cycle, a next naming no question, an unknown start, an unreachable question', () => {
    const cycle = { ...good, questions: [q('a', toNext('去b', 'b'), toItem('x')), q('b', toNext('回a', 'a'), toItem('y'))] };
    expect(problem(withGuide(cycle))).toMatch(/^catalog\.guides\[0\]\.questions\[0\]: leads back to itself \(a -> b -> a\)/);
    const self = { ...good, questions: [q('a', toNext('自己', 'a'), toItem('x'))] };
    expect(problem(withGuide(self))).toMatch(/leads back to itself \(a -> a\)/);
    expect(problem(withGuide({ ...good, questions: [q('a', toNext('去c', 'c'), toItem('x'))] }))).toMatch(/choices\[0\]\.next: names no question of this guide \("c"\)/);
    expect(problem(withGuide({ ...good, start: 'z' }))).toMatch(/^catalog\.guides\[0\]\.start: names no question/);
    const orphan = { ...good, questions: [...good.questions, q('c', toItem('一'), toItem('二'))] };
    expect(problem(withGuide(orphan))).toMatch(/^catalog\.guides\[0\]\.questions\[2\]: cannot be reached from the start/);
  });

  it('depth, choices, questions and guides are bounded; codes, ids and labels unique', () => {
    const chain = (n: number): Raw => ({
      ...good,
      start: 'q0',
      questions: Array.from({ length: n }, (_, i) => (i < n - 1 ? q(`q${i}`, toNext('下一步', `q${i + 1}`), toItem('到此')) : q(`q${i}`, toItem('一'), toItem('二')))),
    });
    expect(problem(withGuide(chain(GUIDE_LIMITS.depth)))).toBe('valid');
    expect(problem(withGuide(chain(GUIDE_LIMITS.depth + 1)))).toMatch(/start: leads through 7 questions; at most 6/);
    // shared questions (a diamond) are fine and walked once
    const diamond = { ...good, questions: [q('a', toNext('左', 'b'), toNext('右', 'c')), q('b', toNext('下', 'd'), toItem('x')), q('c', toNext('下', 'd'), toItem('x')), q('d', toItem('一'), toItem('二'))] };
    expect(problem(withGuide(diamond))).toBe('valid');
    const many = q('a', ...Array.from({ length: GUIDE_LIMITS.choices + 1 }, (_, i) => toItem(`选${i}`)));
    expect(problem(withGuide({ ...good, questions: [many] }))).toMatch(/choices: must have at most 8 entries/);
    expect(problem(withGuide({ ...good, questions: [q('a', toItem('唯一'))] }))).toMatch(/choices: must have at least 2 entries/);
    expect(problem(withGuide({ ...good, questions: [q('a', toItem('同'), toItem('同'))] }))).toMatch(/choices\[1\]\.label: repeats the label "同"/);
    expect(problem(withGuide({ ...good, questions: [...good.questions, q('a', toItem('一'), toItem('二'))] }))).toMatch(/questions\[2\]\.id: repeats the question id "a"/);
    expect(problem({ ...base(), guides: [good, good] })).toMatch(/^catalog\.guides\[1\]\.code: repeats the guide code "ZNDB-9001"/);
    expect(problem({ ...base(), guides: Array.from({ length: GUIDE_LIMITS.guides + 1 }, (_, i) => ({ ...good, code: `ZNDB-${1000 + i}` })) })).toMatch(/catalog\.guides: must have at most 50/);
    expect(problem(withGuide({ ...good, unknown: 1 }))).toMatch(/catalog\.guides\[0\]\.unknown: is not a known key/);
  });

  it('an update with guides replaces the catalog held, and the same document again is unchanged', () => {
    const held = validateCatalog(base(), { templates: ISSUABLE_TEMPLATES });
    const next = { ...base(), version: 2, guides: [good] };
    const d = decideCatalogUpdate(held, next, { templates: ISSUABLE_TEMPLATES });
    expect(d.action).toBe('replace');
    expect(decideCatalogUpdate(d.catalog, JSON.parse(JSON.stringify(d.catalog)), { templates: ISSUABLE_TEMPLATES }).action).toBe('unchanged');
  });
});

describe('GET /api/catalog', () => {
  it('gives each item’s pinyin initials and the guides whole', async () => {
    const list = catalogRoutes(() => demoCatalog()).find((r) => r.path === '/api/catalog')!;
    const res = (await list.handler({ params: {}, query: new URLSearchParams(), body: undefined as never })) as { body: Raw };
    expect(res.body.items.find((i: Raw) => i.code === '341600-YB-0001')).toMatchObject({ initials: 'csjydjyba', department: '亳州市医疗保障局', category: '医疗保障' });
    expect(res.body.guides).toEqual(demoCatalog().guides);
  });
});
