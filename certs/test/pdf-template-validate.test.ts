/**
 * Template data is checked where it enters: every bad field gives an InputError (exit 2) naming the
 * template and the field, and never repeating the personal value.
 */
import { describe, expect, it } from 'vitest';
import { ExitCode, InputError } from '../../base/errors.js';
import { exampleData, listTemplates, renderTemplate, validateData } from '../pdf/templates/index.js';

type Json = Record<string, any>;

function example(name: string): Json {
  return structuredClone(exampleData(name)) as Json;
}

/** The InputError message for `data`, or fails. */
function problem(name: string, data: unknown): string {
  try {
    validateData(name, data);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).exitCode).toBe(ExitCode.usage);
    expect((err as InputError).code).toBe('certs.templateData');
    return (err as Error).message;
  }
  throw new Error('the data was accepted');
}

describe('validateData', () => {
  it('accepts every example, returns it trimmed, and the examples are distinct documents', () => {
    const ids = new Set<string>();
    for (const { name } of listTemplates()) {
      const data = example(name);
      expect(validateData(name, data)).toEqual(data);
      ids.add(data.documentId);
      const padded = { ...data, issuer: `  ${data.issuer} ` };
      expect((validateData(name, padded) as Json).issuer).toBe(data.issuer);
    }
    expect(ids.size).toBe(3);
  });

  it('names a missing field, top-level or nested', () => {
    const d = example('social-insurance-proof');
    delete d.documentId;
    expect(problem('social-insurance-proof', d)).toBe('social-insurance-proof: documentId is missing');
    const e = example('case-receipt');
    delete e.applicant.idNumber;
    expect(problem('case-receipt', e)).toBe('case-receipt: applicant.idNumber is missing');
  });

  it('names a field of the wrong type, with its index inside arrays', () => {
    const d = example('social-insurance-proof');
    d.person.name = 5;
    expect(problem('social-insurance-proof', d)).toBe('social-insurance-proof: person.name must be a string, not a number');
    const e = example('social-insurance-proof');
    e.contributions[1].base = '6300';
    expect(problem('social-insurance-proof', e)).toBe('social-insurance-proof: contributions[1].base must be a number, not a string');
    const f = example('real-estate-query');
    f.properties[0].mortgaged = 'yes';
    expect(problem('real-estate-query', f)).toBe('real-estate-query: properties[0].mortgaged must be true or false, not a string');
    const g = example('case-receipt');
    g.materials = {};
    expect(problem('case-receipt', g)).toBe('case-receipt: materials must be an array, not an object');
  });

  it('refuses data that is not an object', () => {
    for (const bad of [null, [], 'text', 42, undefined]) {
      expect(problem('case-receipt', bad)).toMatch(/^case-receipt: the data (is missing|must be an object, not (null|an array|a string|a number))$/);
    }
  });

  it('refuses overlong text, saying the limit and the length', () => {
    const d = example('real-estate-query');
    d.issuer = '上海市杨浦区不动产登记事务中心'.repeat(3);
    expect(problem('real-estate-query', d)).toBe('real-estate-query: issuer is longer than 30 characters (it has 45)');
    const e = example('case-receipt');
    e.materials[2].name = '材'.repeat(61);
    expect(problem('case-receipt', e)).toBe('case-receipt: materials[2].name is longer than 60 characters (it has 61)');
  });

  it('refuses unknown fields (a misspelt optional field would vanish from an official document)', () => {
    const d = example('social-insurance-proof');
    d.purpose = undefined;
    d.purpse = '办理子女入学';
    expect(problem('social-insurance-proof', d)).toBe('social-insurance-proof: purpse is not a known field');
    const e = example('case-receipt');
    e.applicant.mobile = '13800000000';
    expect(problem('case-receipt', e)).toBe('case-receipt: applicant.mobile is not a known field');
  });

  it('checks citizen ID numbers (GB 11643) without repeating them', () => {
    const d = example('social-insurance-proof');
    d.person.idNumber = '341602199001011235';
    const msg = problem('social-insurance-proof', d);
    expect(msg).toBe('social-insurance-proof: person.idNumber has a check character that does not match (GB 11643)');
    expect(msg).not.toContain('34160219900101123');
    d.person.idNumber = '341602199002301234';
    expect(problem('social-insurance-proof', d)).toBe('social-insurance-proof: person.idNumber does not hold a real birth date');
    d.person.idNumber = '3416021990010112';
    expect(problem('social-insurance-proof', d)).toBe('social-insurance-proof: person.idNumber is shorter than 18 characters');
    // A lower-case x is read as X.
    const e = example('real-estate-query');
    e.subject.idNumber = '11010519491231002x';
    expect((validateData('real-estate-query', e) as Json).subject.idNumber).toBe('11010519491231002X');
    // Other kinds of ID are not held to the citizen ID rules.
    e.subject.idType = '护照';
    e.subject.idNumber = 'E12345678';
    expect(() => validateData('real-estate-query', e)).not.toThrow();
  });

  it('checks dates, months, times, codes and choices', () => {
    const cases: [string, (d: Json) => void, string][] = [
      ['social-insurance-proof', (d) => (d.issueDate = '2026-02-30'), 'issueDate is not a real date'],
      ['social-insurance-proof', (d) => (d.issueDate = '21.11.2026'), 'issueDate must be a date like 2026-11-21'],
      ['social-insurance-proof', (d) => (d.period.to = '2026-13'), 'period.to must be a year and month like 2026-10'],
      ['case-receipt', (d) => (d.acceptedAt = '2026-11-21 10:05'), 'acceptedAt must be a local date and time like 2026-11-21T10:05'],
      ['case-receipt', (d) => (d.acceptedAt = '2026-11-21T24:05'), 'acceptedAt is not a real time of day'],
      ['social-insurance-proof', (d) => (d.region.code = '34160'), 'region.code is shorter than 6 characters'],
      ['social-insurance-proof', (d) => (d.region.code = '941600'), 'region.code must be a six-digit region code like 341600'],
      ['social-insurance-proof', (d) => (d.person.gender = 'M'), 'person.gender must be one of 男, 女'],
      ['case-receipt', (d) => (d.handlingMode = '跨省通办'), 'handlingMode must be one of 窗口办理, 全程网办, 异地代收代办, 多地联办'],
      ['case-receipt', (d) => (d.applicant.phone = '12345'), 'applicant.phone is shorter than 7 characters'],
      ['case-receipt', (d) => (d.applicant.phone = '2345678901'), 'applicant.phone must be a mobile number (11 digits) or a landline like 0558-1234567'],
      ['case-receipt', (d) => (d.promisedWorkingDays = 0), 'promisedWorkingDays must be from 1 to 365'],
      ['case-receipt', (d) => (d.promisedWorkingDays = 1.5), 'promisedWorkingDays must be a whole number'],
      ['case-receipt', (d) => (d.materials = []), 'materials must have at least one entry'],
      ['case-receipt', (d) => (d.documentId = 'sl-341600-1'), 'documentId must be 6-40 characters of A-Z, 0-9 and -, like SB-341600-20261121-000123'],
      ['real-estate-query', (d) => (d.properties[1].area = 13.255), 'properties[1].area must have at most 2 decimal places'],
      ['real-estate-query', (d) => (d.properties[1].area = -1), 'properties[1].area must be from 0 to 1000000'],
      ['real-estate-query', (d) => (d.subject.name = '   '), 'subject.name is empty'],
      ['real-estate-query', (d) => (d.subject.name = '李\u0007四'), 'subject.name contains a control character'],
      ['real-estate-query', (d) => (d.subject.name = '李\uE000四'), 'subject.name has a character the document font cannot print (character 2, U+E000)'],
      ['real-estate-query', (d) => (d.properties = Array.from({ length: 201 }, () => d.properties[0])), 'properties has more than 200 entries (it has 201)'],
    ];
    for (const [name, change, message] of cases) {
      const d = example(name);
      change(d);
      expect(problem(name, d)).toBe(`${name}: ${message}`);
    }
  });

  it('checks fields against each other', () => {
    const cases: [string, (d: Json) => void, string][] = [
      ['social-insurance-proof', (d) => (d.period = { from: '2026-10', to: '2025-01' }), 'period.from is after period.to'],
      ['social-insurance-proof', (d) => (d.contributions[0].from = '2024-12'), 'contributions[0] lies outside period'],
      ['social-insurance-proof', (d) => (d.contributions[0].to = '2024-12'), 'contributions[0].from is after contributions[0].to'],
      ['social-insurance-proof', (d) => (d.contributions[0].months = 13), 'contributions[0].months is more than the months from contributions[0].from to contributions[0].to'],
      ['social-insurance-proof', (d) => (d.contributions[5].type = '生育保险'), 'contributions[5].type is not one of the insurances listed'],
      ['social-insurance-proof', (d) => d.insurances.push({ ...d.insurances[0] }), 'insurances[4].type is listed twice'],
      ['real-estate-query', (d) => (d.queriedAt = '2026-11-22T09:00'), 'queriedAt is after issueDate'],
      ['case-receipt', (d) => (d.coIssuer = d.issuer), 'coIssuer is the same office as issuer'],
    ];
    for (const [name, change, message] of cases) {
      const d = example(name);
      change(d);
      expect(problem(name, d)).toBe(`${name}: ${message}`);
    }
  });

  it('names the known templates when asked for an unknown one', () => {
    expect(() => validateData('birth-certificate', {})).toThrow(
      new InputError('certs.unknownTemplate', 'unknown template "birth-certificate" (known: social-insurance-proof, real-estate-query, case-receipt)'),
    );
    expect(() => exampleData('nope')).toThrow(InputError);
  });

  it('renderTemplate refuses bad data the same way, before drawing anything', async () => {
    const d = example('case-receipt');
    d.applicant.idNumber = '341621199203154410';
    await expect(renderTemplate('case-receipt', d)).rejects.toThrow('case-receipt: applicant.idNumber has a check character that does not match (GB 11643)');
    await expect(renderTemplate('nope', {})).rejects.toThrow(InputError);
  });
});
