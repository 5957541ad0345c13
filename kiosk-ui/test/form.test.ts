import { describe, expect, it } from 'vitest';
import { demoCatalog } from '../../agent/catalog/catalog';
import { fieldProblem } from '../../agent/catalog/field-check';
import { parseCaseInput } from '../../agent/cases/input';
import { REGIONS } from '../../agent/catalog/regions';
import { caseBody, idTypeOf, newCaseId } from '../src/form/case-body';
import { fieldError, formErrors, numberOf, valueProblem } from '../src/form/field-check';
import { choicesFor, defaultChoice, materialChoices, materialEntries } from '../src/form/materials';
import { prefill } from '../src/form/prefill';
import { regionLabel } from '../src/form/regions';
import type { CatalogItem, FormField } from '../src/form/schema';

const catalog = demoCatalog();
const item = (code: string): CatalogItem => catalog.items.find((i) => i.code === code)! as CatalogItem;
const RESIDENT = { name: '张示例', idNumber: '11010119900307002X', address: '北京市东城区示例路1号虚构小区2号楼3单元401室', source: 'idcard' as const };

/** Values worth trying on a field: its example, near misses, junk. */
function samples(f: FormField): string[] {
  const base = ['', ' ', 'abc', '123', '12.5', '-3', '0', '1e3', '２０', '上海市松江区示例路100弄1号', ' 上海', 'a\u0001b', '号'.repeat(101), '2024-01', '2024-13', '2026-02-29', '2024-02-29', '341600', '012345', '13800000000', '0551-12345678', '12800000000', 'Q340000001', 'q340000001', '91341500MA2UD0001X', '11010119900307002X', '11010119900307002x', '110101199003070021', '男', '其他'];
  return [...base, String(f.example ?? ''), ...(f.options ?? []), String(f.min ?? ''), String(f.max ?? ''), String((f.max ?? 0) + 1), String((f.min ?? 0) - 1)];
}

describe('the page checks a value as the agent does', () => {
  it('same verdict and same Chinese words for every demo field over many values', () => {
    let compared = 0;
    for (const it of catalog.items) {
      for (const f of it.form.fields) {
        for (const text of samples(f as FormField)) {
          if (text === '') continue;
          const value = f.type === 'number' ? (numberOf(text) ?? text) : text;
          const agent = fieldProblem(f, value)?.zh;
          // '1e3' is a number to the agent only once converted: the page's keypad cannot type it and reads it as no number.
          if (f.type === 'number' && numberOf(text) === undefined) expect(valueProblem(f as FormField, text)).toBe('应为数字');
          else expect(valueProblem(f as FormField, text), `${it.code} ${f.name} ${JSON.stringify(text)}`).toBe(agent);
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(1000);
  });

  it('says a blank required field is required, a blank optional one is fine', () => {
    const fields = item('341600-YB-0001').form.fields;
    expect(formErrors(fields, {})).toEqual({ filingType: '备案类型为必填项', settleRegion: '就医地为必填项', startDate: '备案开始日期为必填项', phone: '联系电话为必填项' });
    expect(fieldError(fields.find((f) => f.name === 'residenceAddress')!, '')).toBeUndefined();
    expect(fieldError(fields.find((f) => f.name === 'phone')!, '1380000')).toBe('电话号码格式不正确');
  });
});

describe('pre-fill from the card', () => {
  it('fills the applicant\'s own address fields, not a newborn\'s name or another place', () => {
    expect(prefill(item('340802-GA-0006').form.fields, RESIDENT)).toEqual({ householdAddress: RESIDENT.address });
    expect(prefill(item('340802-SB-0008').form.fields, RESIDENT)).toEqual({ postalAddress: RESIDENT.address });
    expect(prefill(item('341600-YB-0001').form.fields, RESIDENT)).toEqual({});
    expect(prefill(item('310110-SC-0009').form.fields, RESIDENT)).toEqual({});
  });

  it('fills ID number and name fields, keeps what is already typed, skips a value the field would refuse', () => {
    const fields: FormField[] = [
      { name: 'holderId', label: '持有人身份证号', type: 'idNumber', required: true },
      { name: 'name', label: '姓名', type: 'text', required: true, max: 20 },
      { name: 'address', label: '住址', type: 'text', required: false, max: 10 },
    ];
    expect(prefill(fields, RESIDENT)).toEqual({ holderId: RESIDENT.idNumber, name: RESIDENT.name });
    expect(prefill(fields, RESIDENT, { name: '李改过' })).toEqual({ holderId: RESIDENT.idNumber });
    expect(prefill(fields, { name: '王码', idNumber: '341602199001011234' })).toEqual({ holderId: '341602199001011234', name: '王码' });
  });
});

describe('materials', () => {
  it('offers the licence where accepted, 待补交 always, leaving out for optional ones', () => {
    const [cert, register, marriage] = item('340802-GA-0006').materials;
    expect(choicesFor(cert!)).toEqual(['electronic', 'later']);
    expect(choicesFor(register!)).toEqual(['later']);
    expect(choicesFor(marriage!)).toEqual(['electronic', 'later', 'none']);
    expect(defaultChoice(register!)).toBe('later');
    expect(defaultChoice(item('340802-SB-0008').materials[0]!)).toBe('none');
    expect(materialChoices(item('340802-GA-0006').materials, { 'birth-certificate': 'later', 'household-register': 'electronic' })).toEqual({
      'birth-certificate': 'later',
      'household-register': 'later',
      'marriage-certificate': 'electronic',
    });
    expect(materialEntries(item('340802-GA-0006').materials, { 'marriage-certificate': 'none' })).toEqual([
      { id: 'birth-certificate', provision: 'electronic', licenceRef: 'consent:birth-certificate' },
      { id: 'household-register', provision: 'later' },
    ]);
  });
});

describe('the POST /api/cases body', () => {
  it('is accepted by the agent\'s own input check for every demo item, filled from the examples', () => {
    for (const it of catalog.items) {
      const form: Record<string, string> = {};
      for (const f of it.form.fields) form[f.name] = String(f.example ?? '');
      const body = caseBody(newCaseId(), it as CatalogItem, RESIDENT, form, {});
      const parsed = parseCaseInput(body, catalog);
      expect(parsed.id).toBe(body.id);
      for (const f of it.form.fields) expect(parsed.form[f.name], `${it.code} ${f.name}`).toEqual(f.example);
    }
  });

  it('converts numbers, leaves blanks out, upper-cases ID numbers, maps a personal code to a QR identity', () => {
    const body = caseBody('00000000-0000-4000-8000-000000000000', item('341600-GJJ-0002'), { name: '王码', idNumber: '11010119900307002x', source: 'code' }, { amount: '80000.5', accountNumber: '310000123456', bankCard: '' }, {});
    expect(body.form).toEqual({ amount: 80000.5, accountNumber: '310000123456' });
    expect(body.applicant).toEqual({ source: 'qr', idType: 'resident', idNumber: '11010119900307002X', name: '王码', qrIssuer: '电子身份码' });
    expect(idTypeOf('810000199506150025')).toBe('gat');
    expect(idTypeOf('931840198801010015')).toBe('foreigner');
    expect(idTypeOf('CAN310060010201')).toBe('foreigner');
    expect(idTypeOf('11010119900307002X')).toBe('resident');
    expect(newCaseId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('names regions by their chain, a code not named by itself', () => {
    expect(regionLabel(REGIONS, '341602')).toBe('安徽省亳州市谯城区');
    expect(regionLabel(REGIONS, '310117')).toBe('上海市松江区');
    expect(regionLabel(REGIONS, '450100')).toBe('450100');
  });
});
