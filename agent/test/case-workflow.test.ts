/** The pure parts of the case workflow: state machine, form and material checks, applicant, rating, content hash, example. */
import { describe, expect, it } from 'vitest';
import { sm3Hex } from '../../certs/sm3.js';
import { demoCatalog, requireItem } from '../catalog/index.js';
import {
  CaseValidationError,
  IllegalTransition,
  RATING_LABELS,
  RatingRefused,
  TRANSITIONS,
  applicantFromIdCard,
  applicantFromQr,
  applyTransition,
  caseContentHash,
  caseContentJson,
  checkBundle,
  draftCase,
  exampleCase,
  exampleItem,
  formProblems,
  isFinal,
  makeRating,
  needsFollowUp,
  nextStatuses,
  parseCaseInput,
  type Case,
  type CaseInput,
  type TransitionRequest,
} from '../cases/index.js';

const catalog = demoCatalog();
const T0 = '2026-11-21T08:00:00.000Z';
const ID = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CaseValidationError);
    return (err as CaseValidationError).problems.map((p) => `${p.path}: ${p.zh} / ${p.en}`);
  }
  throw new Error('expected a CaseValidationError');
}

function caseFor(code: string, edit?: (raw: any) => void): Case {
  const raw = exampleCase(requireItem(catalog, code)) as any;
  edit?.(raw);
  return draftCase(parseCaseInput(raw, catalog), catalog.version, ID, T0);
}

function illegal(fn: () => unknown): IllegalTransition {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(IllegalTransition);
    return err as IllegalTransition;
  }
  throw new Error('expected IllegalTransition');
}

const RESULT = { kind: '证明', name: '社会保险参保缴费证明', documentId: 'SB-341600-20261121-000001', sm3: sm3Hex('pdf'), template: 'social-insurance-proof' } as const;

describe('cases example', () => {
  it('is a valid case input for every item of the demo catalog', () => {
    for (const item of catalog.items) {
      const input = parseCaseInput(exampleCase(item), catalog);
      expect(input.itemCode).toBe(item.code);
    }
  });

  it('takes the first item issued on site by default, and refuses an unknown code', () => {
    expect(exampleItem(catalog).code).toBe('341600-SB-0003');
    expect(exampleItem(catalog, '341800-BDC-0004').name).toBe('不动产登记信息查询证明');
    expect(() => exampleItem(catalog, 'NOPE-0000')).toThrow('no item "NOPE-0000" in the catalog');
  });
});

describe('form validation', () => {
  const item = requireItem(catalog, '341600-GJJ-0002');

  it('names each bad field in Chinese and English', () => {
    const bad = { accountNumber: '12345', purchaseRegion: '34160', amount: 0, bankCard: 6222, phone: '12345678901', colour: 'red' };
    expect(formProblems(item.form, bad)).toEqual([
      { path: 'form.colour', zh: '表单中没有此项', en: 'is not a field of this form' },
      { path: 'form.accountNumber', zh: '公积金个人账号：格式不正确（应为12位数字）', en: 'does not have the required format' },
      { path: 'form.purchaseRegion', zh: '购房所在地：应为6位行政区划代码', en: 'must be a six-digit region code' },
      { path: 'form.amount', zh: '提取金额（元）：不能小于1', en: 'must be at least 1' },
      { path: 'form.bankCard', zh: '收款银行卡号：应为文字', en: 'must be a string' },
      { path: 'form.phone', zh: '联系电话：电话号码格式不正确', en: 'must be a mobile number (11 digits) or a landline with area code' },
    ]);
  });

  it('reports a missing required field, and lets an optional one be blank', () => {
    const jy = requireItem(catalog, '341600-YB-0001');
    expect(formProblems(jy.form, { filingType: '异地转诊', settleRegion: '310110', startDate: '2026-12-01', residenceAddress: '' })).toEqual([
      { path: 'form.phone', zh: '联系电话为必填项', en: 'is required' },
    ]);
    expect(formProblems(jy.form, { filingType: '出国', settleRegion: '310110', startDate: '2026-02-30', phone: '0551-12345678' }).map((p) => p.path)).toEqual([
      'form.filingType',
      'form.startDate',
    ]);
  });

  it('checks an ID number field: length, birth date, check digit', () => {
    const schema = { fields: [{ name: 'idNumber', label: '身份证号码', type: 'idNumber', required: true }] } as const;
    expect(formProblems(schema, { idNumber: '341602199001011235' })).toEqual([
      { path: 'form.idNumber', zh: '身份证号码：身份证号码校验位不正确', en: 'check digit does not match' },
    ]);
    expect(formProblems(schema, { idNumber: '34160219900101123' })[0]!.en).toBe('must be 17 digits and a digit or X');
    expect(formProblems(schema, { idNumber: '341602199002301234' })[0]!.en).toBe('does not hold a real birth date');
    expect(formProblems(schema, { idNumber: '341602199001011234' })).toEqual([]);
  });

  it('the case error message is the first problem, bilingual, with the count of the others', () => {
    const raw = exampleCase(item) as any;
    raw.form.amount = 'lots';
    raw.applicant.idNumber = '341602199001011235';
    try {
      parseCaseInput(raw, catalog);
      throw new Error('accepted');
    } catch (err) {
      expect(err).toBeInstanceOf(CaseValidationError);
      expect((err as Error).message).toBe('applicant.idNumber: 身份证号码校验位不正确 / check digit does not match (and 1 more)');
      expect((err as CaseValidationError).exitCode).toBe(2);
    }
  });
});

describe('case input', () => {
  it('refuses an unknown item, key, bad ids', () => {
    expect(problemsOf(() => parseCaseInput({ ...(exampleCase(catalog.items[0]!) as object), itemCode: 'X-000' }, catalog))).toEqual([
      'itemCode: 目录中没有此事项 / names no item of the catalog (version 1)',
    ]);
    expect(problemsOf(() => parseCaseInput({ ...(exampleCase(catalog.items[0]!) as object), id: 'ABC', extra: 1 }, catalog))).toEqual([
      'extra: 不是办件的字段 / is not a key of a case',
      'id: 办件标识格式不正确 / must be a lower-case UUID',
    ]);
    expect(problemsOf(() => parseCaseInput('case', catalog))).toEqual(['case: 办件应为对象 / must be a JSON object']);
  });

  it('requires every required material, as handed in or marked later', () => {
    const raw = exampleCase(requireItem(catalog, '341600-GJJ-0002')) as any;
    raw.materials = raw.materials.filter((m: { id: string }) => m.id !== 'purchase-contract');
    expect(problemsOf(() => parseCaseInput(raw, catalog))).toEqual([
      'materials: 缺少必需材料：购房合同（可选择后补） / misses the required material purchase-contract (it may be marked later)',
    ]);
  });

  it('checks each material against the item: known, once, a form it accepts, a well-formed file', () => {
    const raw = exampleCase(requireItem(catalog, '341600-GJJ-0002')) as any;
    raw.materials = [
      { id: 'purchase-contract', provision: 'electronic', licenceRef: 'X1' },
      { id: 'purchase-invoice', provision: 'attached', form: '原件', sm3: 'AB', size: 0, mediaType: 'text/plain' },
      { id: 'purchase-invoice', provision: 'later' },
      { id: 'passport', provision: 'later' },
    ];
    expect(problemsOf(() => parseCaseInput(raw, catalog)).map((p) => p.split(': ')[0])).toEqual([
      'materials[0].provision',
      'materials[1].form',
      'materials[1].sm3',
      'materials[1].size',
      'materials[1].mediaType',
      'materials[2].id',
      'materials[3].id',
    ]);
  });

  it('normalizes: an ID number with a lower-case x is stored upper-case, blanks are left out', () => {
    const raw = exampleCase(requireItem(catalog, '341600-YB-0001')) as any;
    raw.applicant = { source: 'qr', idType: 'resident', idNumber: '11010519491231002x', name: '李示例', qrIssuer: '皖事通' };
    raw.form.residenceAddress = '';
    const input = parseCaseInput(raw, catalog);
    expect(input.applicant.idNumber).toBe('11010519491231002X');
    expect('residenceAddress' in input.form).toBe(false);
  });
});

describe('applicant', () => {
  it('is bound from an ID card read or a QR identity', () => {
    expect(applicantFromIdCard({ cardType: 'resident', idNumber: '11010519491231002x', name: '李示例' })).toEqual({
      source: 'idCard',
      idType: 'resident',
      idNumber: '11010519491231002X',
      name: '李示例',
    });
    expect(applicantFromQr({ issuer: '随申办', idNumber: '341602199001011234', name: '王演示' })).toEqual({
      source: 'qr',
      idType: 'resident',
      idNumber: '341602199001011234',
      name: '王演示',
      qrIssuer: '随申办',
    });
  });

  it('refuses a QR identity without its app, and a card identity with one', () => {
    const raw = exampleCase(catalog.items[0]!) as any;
    raw.applicant = { source: 'qr', idType: 'resident', idNumber: '341602199001011234', name: '王演示' };
    expect(problemsOf(() => parseCaseInput(raw, catalog))).toEqual(['applicant.qrIssuer: 缺少亮码平台 / must name the app that issued the code']);
    raw.applicant = { source: 'idCard', idType: 'resident', idNumber: '341602199001011234', name: '王演示', qrIssuer: '皖事通' };
    expect(problemsOf(() => parseCaseInput(raw, catalog))).toEqual(['applicant.qrIssuer: 读卡身份不应有亮码平台 / applies to a QR identity only']);
  });
});

describe('state machine', () => {
  const remote = requireItem(catalog, '341600-GJJ-0002');
  const onSite = requireItem(catalog, '341600-SB-0003');
  const go = (c: Case, item: typeof remote, r: TransitionRequest) => applyTransition(c, item, r, T0);

  it('walks draft -> submitted -> uploaded -> accepted -> completed with results, recording history', () => {
    let c = caseFor(remote.code);
    c = go(c, remote, { to: 'submitted', actor: 'kiosk' });
    c = go(c, remote, { to: 'uploaded', actor: 'kiosk' });
    c = go(c, remote, { to: 'accepted', actor: 'endpoint' });
    c = go(c, remote, { to: 'completed', actor: 'staff', results: [RESULT] });
    expect(c.status).toBe('completed');
    expect(c.results).toEqual([RESULT]);
    expect(c.history.map((h) => `${h.from}>${h.to}:${h.actor}`)).toEqual(['draft>submitted:kiosk', 'submitted>uploaded:kiosk', 'uploaded>accepted:endpoint', 'accepted>completed:staff']);
    expect(isFinal('completed')).toBe(true);
  });

  it('goes round a correction: correctionRequested -> submitted again', () => {
    let c = caseFor(remote.code);
    for (const r of [
      { to: 'submitted', actor: 'kiosk' },
      { to: 'uploaded', actor: 'kiosk' },
      { to: 'correctionRequested', actor: 'staff', note: '购房合同页不全' },
      { to: 'submitted', actor: 'kiosk' },
    ] as const) c = go(c, remote, r);
    expect(c.status).toBe('submitted');
    expect(c.history[2]!.note).toBe('购房合同页不全');
  });

  it('refuses what the table does not allow, saying why', () => {
    const c = caseFor(remote.code);
    expect(illegal(() => go(c, remote, { to: 'accepted', actor: 'endpoint' })).message).toBe('case cannot go from draft to accepted by endpoint: from draft a case goes only to submitted');
    const s = go(c, remote, { to: 'submitted', actor: 'kiosk' });
    const u = go(s, remote, { to: 'uploaded', actor: 'kiosk' });
    expect(illegal(() => go(u, remote, { to: 'accepted', actor: 'kiosk' })).message).toBe('case cannot go from uploaded to accepted by kiosk: only endpoint or staff may');
    expect(illegal(() => go(u, remote, { to: 'refused', actor: 'staff' })).message).toBe('case cannot go from uploaded to refused by staff: a reason (note) is required');
    const a = go(u, remote, { to: 'accepted', actor: 'endpoint' });
    expect(illegal(() => go(a, remote, { to: 'completed', actor: 'endpoint' })).message).toBe('case cannot go from accepted to completed by endpoint: completion needs at least one result document');
    const done = go(a, remote, { to: 'completed', actor: 'endpoint', results: [RESULT] });
    const err = illegal(() => go(done, remote, { to: 'submitted', actor: 'kiosk' }));
    expect(err.message).toBe('case cannot go from completed to submitted by kiosk: completed is final');
    expect(err.code).toBe('case.illegalTransition');
    expect([err.from, err.to, err.actor]).toEqual(['completed', 'submitted', 'kiosk']);
    expect(() => go(done, remote, { to: 'archived' as never, actor: 'kiosk' })).toThrow('unknown case status "archived"');
    expect(() => go(done, remote, { to: 'submitted', actor: 'robot' as never })).toThrow('unknown actor "robot"');
  });

  it('lets the kiosk accept and complete only items it issues on site, with the certificate', () => {
    const remoteCase = go(caseFor(remote.code), remote, { to: 'submitted', actor: 'kiosk' });
    expect(illegal(() => go(remoteCase, remote, { to: 'accepted', actor: 'kiosk' })).message).toBe(
      'case cannot go from submitted to accepted by kiosk: the kiosk decides only items it issues on site',
    );
    let c = go(caseFor(onSite.code), onSite, { to: 'submitted', actor: 'kiosk' });
    expect(nextStatuses('submitted', 'kiosk', onSite)).toEqual(['uploaded', 'accepted']);
    expect(nextStatuses('submitted', 'kiosk', remote)).toEqual(['uploaded']);
    c = go(c, onSite, { to: 'accepted', actor: 'kiosk' });
    expect(illegal(() => go(c, onSite, { to: 'completed', actor: 'kiosk' })).message).toContain('completion needs at least one result document');
    c = go(c, onSite, { to: 'completed', actor: 'kiosk', results: [RESULT] });
    expect(c.status).toBe('completed');
  });

  it('on site, refuses acceptance while a required material is still to be handed in', () => {
    const item = { ...requireItem(catalog, '341600-SB-0003'), materials: [{ id: 'commitment', name: '个人承诺书', required: true, form: '原件' as const }] };
    const c: Case = { ...caseFor('341600-SB-0003'), status: 'submitted', materials: [{ id: 'commitment', provision: 'later' }] };
    expect(illegal(() => go(c, item, { to: 'accepted', actor: 'kiosk' })).message).toBe(
      'case cannot go from submitted to accepted by kiosk: required materials not handed in: commitment',
    );
  });

  it('result documents come only with completion and are checked', () => {
    const s = go(caseFor(remote.code), remote, { to: 'submitted', actor: 'kiosk' });
    expect(illegal(() => go(s, remote, { to: 'uploaded', actor: 'kiosk', results: [RESULT] })).message).toContain('result documents come only with completion');
    const a: Case = { ...s, status: 'accepted' };
    expect(() => go(a, remote, { to: 'completed', actor: 'staff', results: [{ ...RESULT, sm3: 'zz' }] })).toThrow('results[0].sm3 must be 64 lower-case hexadecimal digits');
  });

  it('the table has every status reachable from draft', () => {
    const reached = new Set(['draft']);
    for (let i = 0; i < TRANSITIONS.length; i++) for (const r of TRANSITIONS) if (reached.has(r.from)) reached.add(r.to);
    expect([...reached].sort()).toEqual(['accepted', 'completed', 'correctionRequested', 'draft', 'refused', 'submitted', 'uploaded']);
  });
});

describe('好差评 rating', () => {
  const completed: Case = { ...caseFor('341600-SB-0003'), status: 'completed' };

  it('has the five labels, 5 = 非常满意', () => {
    expect(RATING_LABELS).toEqual(['非常不满意', '不满意', '基本满意', '满意', '非常满意']);
    expect(makeRating(completed, { score: 5, occasion: 'completion' }, T0)).toEqual({ score: 5, label: '非常满意', occasion: 'completion', at: T0 });
    const bad = makeRating(completed, { score: 2, occasion: 'completion', comment: ' 等候太久 ' }, T0);
    expect(bad).toMatchObject({ label: '不满意', comment: '等候太久' });
    expect(needsFollowUp(bad)).toBe(true);
  });

  it('once only; on completion only once completed or refused; at the end of a visit once submitted', () => {
    const rated = { ...completed, rating: makeRating(completed, { score: 4, occasion: 'completion' }, T0) };
    expect(() => makeRating(rated, { score: 5, occasion: 'completion' }, T0)).toThrow(RatingRefused);
    expect(() => makeRating(rated, { score: 5, occasion: 'completion' }, T0)).toThrow('rated already');
    expect(() => makeRating({ status: 'uploaded' }, { score: 5, occasion: 'completion' }, T0)).toThrow('this one is uploaded');
    expect(makeRating({ status: 'uploaded' }, { score: 3, occasion: 'visit' }, T0).label).toBe('基本满意');
    expect(() => makeRating({ status: 'draft' }, { score: 3, occasion: 'visit' }, T0)).toThrow('there is no visit to rate');
    expect(() => makeRating(completed, { score: 6, occasion: 'completion' }, T0)).toThrow('from 1 (非常不满意) to 5 (非常满意)');
    expect(() => makeRating(completed, { score: 4.5, occasion: 'completion' }, T0)).toThrow(RatingRefused);
  });
});

describe('caseContentHash', () => {
  const c = caseFor('341600-GJJ-0002');

  it('is SM3 of the documented canonical JSON', () => {
    const json = caseContentJson(c);
    expect(json).toBe(
      '{"applicant":{"idNumber":"341602199001011234","idType":"resident","name":"王演示","source":"idCard"},"catalogVersion":1,' +
        '"form":{"accountNumber":"310000123456","amount":80000,"bankCard":"6222000000000000000","phone":"13800000000","purchaseRegion":"341602"},' +
        `"format":1,"id":"${ID}","itemCode":"341600-GJJ-0002",` +
        '"materials":[{"id":"property-certificate","licenceRef":"DEMO-property-certificate","provision":"electronic"},' +
        '{"id":"purchase-contract","provision":"later"},{"id":"purchase-invoice","licenceRef":"DEMO-purchase-invoice","provision":"electronic"}]}',
    );
    expect(caseContentHash(c)).toBe(sm3Hex(new TextEncoder().encode(json)));
    expect(caseContentHash(c)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('ignores status, history, times, key order and material order; changes with any content', () => {
    const moved = applyTransition(c, requireItem(catalog, c.itemCode), { to: 'submitted', actor: 'kiosk' }, '2027-01-01T00:00:00Z');
    expect(caseContentHash(moved)).toBe(caseContentHash(c));
    expect(caseContentHash({ ...c, materials: [...c.materials].reverse(), form: Object.fromEntries(Object.entries(c.form).reverse()) })).toBe(caseContentHash(c));
    expect(caseContentHash({ ...c, form: { ...c.form, amount: 80001 } })).not.toBe(caseContentHash(c));
    expect(caseContentHash({ ...c, bundleId: ID })).not.toBe(caseContentHash(c));
    expect(caseContentHash({ ...c, applicant: { ...c.applicant, name: '王演' } })).not.toBe(caseContentHash(c));
  });
});

describe('bundles (一件事一次办)', () => {
  const bundle = catalog.bundles[0]!;
  const BUNDLE_ID = '0190a1b2-c3d4-7e5f-8a9b-000000000001';
  const inputs = (): CaseInput[] => bundle.items.map((code) => ({ ...parseCaseInput(exampleCase(requireItem(catalog, code)), catalog), bundleId: BUNDLE_ID }));

  it('accepts the cases of one applicant over the bundle items, with one bundle id', () => {
    expect(checkBundle(catalog, bundle.code, inputs()).name).toBe('新生儿出生一件事');
    expect(checkBundle(catalog, bundle.code, inputs().slice(0, 2)).code).toBe(bundle.code);
  });

  it('refuses other items, repeats, mixed ids or applicants, a single case', () => {
    const i = inputs();
    expect(() => checkBundle(catalog, 'NOPE-0001', i)).toThrow('no bundle "NOPE-0001"');
    expect(() => checkBundle(catalog, bundle.code, i.slice(0, 1))).toThrow('at least two cases');
    expect(() => checkBundle(catalog, bundle.code, [i[0]!, i[0]!])).toThrow('cases[1].itemCode repeats an item');
    expect(() => checkBundle(catalog, bundle.code, [i[0]!, { ...i[1]!, bundleId: ID }])).toThrow('cases[1].bundleId differs');
    expect(() => checkBundle(catalog, bundle.code, [i[0]!, { ...i[1]!, applicant: { ...i[1]!.applicant, idNumber: '11010519491231002X' } }])).toThrow('one applicant per bundle');
    const other = { ...parseCaseInput(exampleCase(requireItem(catalog, '341600-YB-0001')), catalog), bundleId: BUNDLE_ID };
    expect(() => checkBundle(catalog, bundle.code, [i[0]!, other])).toThrow('cases[1].itemCode is not an item of 新生儿出生一件事');
  });
});
