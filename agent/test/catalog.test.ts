import { describe, expect, it } from 'vitest';
import { templateNames } from '../../certs/pdf/templates/index.js';
import { CatalogError, ISSUABLE_TEMPLATES, decideCatalogUpdate, demoCatalog, searchCatalog, validateCatalog } from '../catalog/index.js';
import { demoCatalogData } from '../catalog/demo-catalog.js';

const clone = (): Record<string, any> => structuredClone(demoCatalogData) as Record<string, any>;

function refusal(raw: unknown, current?: ReturnType<typeof demoCatalog>): CatalogError {
  try {
    if (current) decideCatalogUpdate(current, raw, { templates: ISSUABLE_TEMPLATES });
    else validateCatalog(raw, { templates: ISSUABLE_TEMPLATES });
  } catch (err) {
    expect(err).toBeInstanceOf(CatalogError);
    return err as CatalogError;
  }
  throw new Error('expected a refusal');
}

describe('demo catalog', () => {
  const catalog = demoCatalog();

  it('holds 8-12 items from the regions of gov-services.md, with the required ones', () => {
    expect(catalog.items.length).toBeGreaterThanOrEqual(8);
    expect(catalog.items.length).toBeLessThanOrEqual(12);
    const regions = new Set(catalog.items.map((it) => it.region));
    for (const r of ['341600', '341500', '341800', '340802', '310110', '310117']) expect(regions).toContain(r);
    const names = catalog.items.map((it) => it.name);
    for (const n of ['长三角异地就医备案', '住房公积金异地购房提取', '社会保险参保缴费证明开具', '不动产登记信息查询证明', '基本养老保险关系转移接续']) expect(names).toContain(n);
    const modes = new Set(catalog.items.flatMap((it) => it.modes));
    expect([...modes].sort()).toEqual(['全程网办', '多地联办', '异地代收代办'].sort());
  });

  it('issues on site with templates certs really has', () => {
    expect([...ISSUABLE_TEMPLATES].every((t) => templateNames().includes(t))).toBe(true);
    const issuable = Object.fromEntries(catalog.items.filter((it) => it.issuable).map((it) => [it.name, it.issuable]));
    expect(issuable).toEqual({ 社会保险参保缴费证明开具: 'social-insurance-proof', 不动产登记信息查询证明: 'real-estate-query' });
  });

  it('has the 新生儿出生一件事 bundle over three items of the catalog', () => {
    const b = catalog.bundles.find((b) => b.name === '新生儿出生一件事')!;
    expect(b.items).toHaveLength(3);
    for (const code of b.items) expect(catalog.items.some((it) => it.code === code)).toBe(true);
  });

  it('is found by name, code, category and pinyin initials', () => {
    expect(searchCatalog(catalog, 'csjydjyba').map((it) => it.name)).toEqual(['长三角异地就医备案']);
    expect(searchCatalog(catalog, 'GJJ').map((it) => it.name)).toEqual(['住房公积金异地购房提取']);
    expect(searchCatalog(catalog, '新生儿')).toHaveLength(3);
    expect(searchCatalog(catalog, '社会保险 证明').map((it) => it.code)).toEqual(['341600-SB-0003']);
    expect(searchCatalog(catalog, '不存在的事项')).toEqual([]);
  });
});

describe('catalog validation', () => {
  it('names the path of the first problem', () => {
    const bad = clone();
    bad.items[2].form.fields[0].type = 'colour';
    expect(refusal(bad).message).toBe('catalog.items[2].form.fields[0].type: must be one of text, number, date, select, idNumber, phone, region');
  });

  it.each([
    ['a duplicate item code', (c: any) => (c.items[1].code = c.items[0].code), 'catalog.items[1].code: repeats the item code'],
    ['a select without options', (c: any) => delete c.items[0].form.fields[0].options, 'catalog.items[0].form.fields[0].options: must be an array'],
    ['an example that fails its field', (c: any) => (c.items[1].form.fields[0].example = '12'), 'catalog.items[1].form.fields[0].example: does not pass its own field'],
    ['an unknown key', (c: any) => (c.items[0].colour = 'red'), 'catalog.items[0].colour: is not a known key'],
    ['an unknown template', (c: any) => (c.items[2].issuable = 'marriage-certificate'), 'catalog.items[2].issuable: names no certs template'],
    ['a bad region', (c: any) => (c.items[0].region = '34160'), 'catalog.items[0].region: must be a six-digit region code'],
    ['an unknown mode', (c: any) => (c.items[0].modes = ['线下办']), 'catalog.items[0].modes[0]: must be one of 全程网办, 异地代收代办, 多地联办'],
    ['a bad material form', (c: any) => (c.items[0].materials[0].form = '扫描件'), 'catalog.items[0].materials[0].form: must be one of 原件, 复印件, 电子证照'],
    ['a bundle of an unknown item', (c: any) => (c.bundles[0].items[0] = '999999-XX-0000'), 'catalog.bundles[0].items[0]: names no item of this catalog'],
    ['a broken pattern', (c: any) => (c.items[1].form.fields[0].pattern = '(\\d'), 'catalog.items[1].form.fields[0].pattern: is not a valid regular expression'],
    ['a version of 0', (c: any) => (c.version = 0), 'catalog.version: must be from 1'],
    ['a bad time', (c: any) => (c.publishedAt = 'yesterday'), 'catalog.publishedAt: must be an ISO 8601 time'],
  ])('refuses %s', (_, edit, message) => {
    const c = clone();
    edit(c);
    expect(refusal(c).message).toContain(message);
  });

  it('refuses what is not an object', () => {
    expect(refusal(null).message).toBe('catalog: must be an object, not null');
    expect(refusal([]).message).toBe('catalog: must be an object, not an array');
  });
});

describe('catalog updates', () => {
  const current = demoCatalog();

  it('a higher version replaces the catalog', () => {
    const next = clone();
    next.version = 2;
    next.items = next.items.slice(0, 9);
    const d = decideCatalogUpdate(current, next, { templates: ISSUABLE_TEMPLATES });
    expect(d.action).toBe('replace');
    expect(d.catalog.version).toBe(2);
    expect(d.catalog.items).toHaveLength(9);
  });

  it('the first catalog is taken whatever its version', () => {
    expect(decideCatalogUpdate(undefined, clone()).action).toBe('replace');
  });

  it('the same document again is unchanged; the same version with other content is refused', () => {
    expect(decideCatalogUpdate(current, clone()).action).toBe('unchanged');
    const other = clone();
    other.items[0].name = '长三角异地就医备案（新）';
    const err = refusal(other, current);
    expect(err.code).toBe('catalog.staleVersion');
    expect(err.message).toBe('catalog.version: 1 has the version of the catalog held but other content; an update must carry a higher version');
  });

  it('an older version is refused with the version held', () => {
    const v5 = validateCatalog({ ...clone(), version: 5 });
    const err = refusal(clone(), v5);
    expect(err.code).toBe('catalog.staleVersion');
    expect(err.message).toBe('catalog.version: 1 is older than the catalog held (version 5); an update must carry a higher version');
  });

  it('a malformed update is refused as invalid, whatever its version', () => {
    const bad = clone();
    bad.version = 9;
    bad.items = [];
    const err = refusal(bad, current);
    expect(err.code).toBe('catalog.invalid');
    expect(err.message).toBe('catalog.items: must have at least 1 entry');
  });
});
