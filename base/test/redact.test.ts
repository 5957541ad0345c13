import { describe, expect, it } from 'vitest';
import { maskAddress, maskIdNumber, maskName, maskPhone, redactText, redactValue } from '../redact.js';

describe('masking', () => {
  it('masks an ID number to its first and last four characters', () => {
    expect(maskIdNumber('34160219900101123X')).toBe('3416**********123X');
  });
  it('masks a mobile number to its first three and last four digits', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('+86 138-1234-5678')).toBe('138****5678');
  });
  it('keeps only the first character of a name', () => {
    expect(maskName('张三')).toBe('张*');
    expect(maskName('欧阳娜娜')).toBe('欧***');
    expect(maskName('李')).toBe('*');
  });
  it('keeps only the beginning of an address', () => {
    const masked = maskAddress('安徽省亳州市谯城区人民路100号3栋201室');
    expect(masked.startsWith('安徽省亳州市')).toBe(true);
    expect(masked).not.toContain('人民路');
  });
});

describe('redactText', () => {
  it('finds ID numbers and phone numbers inside free text', () => {
    const out = redactText('applicant 341602199001011234 (tel 13912345678) at /cases/341602199001011234');
    expect(out).toBe('applicant 3416**********1234 (tel 139****5678) at /cases/3416**********1234');
  });
  it('leaves numbers that are not ID numbers alone', () => {
    expect(redactText('case 1234567 took 1732190000000 ms; seq 12345678901234567890')).toBe(
      'case 1234567 took 1732190000000 ms; seq 12345678901234567890',
    );
  });
  it('masks a lower-case x check character too', () => {
    expect(redactText('id=11010519491231002x;')).toBe('id=1101**********002x;');
  });
});

describe('redactValue', () => {
  it('masks personal fields by name whatever their content', () => {
    const out = redactValue({
      name: '王小明',
      xm: '王小明',
      applicant: { idNumber: '110105194912310021', phone: '13800138000', address: '北京市朝阳区建国路88号' },
      photo: new Uint8Array(1024),
      itemCode: '11340100MB0000000X4000117000',
    }) as Record<string, any>;
    expect(out.name).toBe('王**');
    expect(out.xm).toBe('王**');
    expect(out.applicant.idNumber).toBe('1101**********0021');
    expect(out.applicant.phone).toBe('138****8000');
    expect(out.applicant.address).not.toContain('建国路');
    expect(out.photo).toBe('[redacted 1024 bytes]');
    expect(JSON.stringify(out)).not.toContain('王小明');
  });
  it('summarises binary data and survives cycles', () => {
    const a: Record<string, unknown> = { data: Buffer.from('secret') };
    a.self = a;
    expect(redactValue(a)).toEqual({ data: '[6 bytes]', self: '[circular]' });
  });
  it('flattens errors and masks their messages and stacks', () => {
    const err = new Error('no applicant 341602199001011234', { cause: new Error('phone 13812345678') });
    const out = redactValue(err) as Record<string, any>;
    expect(out.message).toBe('no applicant 3416**********1234');
    expect(out.stack).not.toContain('341602199001011234');
    expect(out.cause.message).toBe('phone 138****5678');
  });
});
