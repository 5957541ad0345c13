import { describe, expect, it } from 'vitest';
import { demoCatalog } from '../../agent/catalog/catalog';
import { daysInMonth, formatIso, parseIso, spokenDate, stepDate, today } from '../src/keyboard/date';
import { keyboardFor, patternAlphabet } from '../src/keyboard/field-keyboard';
import type { FormField } from '../src/form/schema';

const text = (pattern?: string): FormField => ({ name: 'f', label: '字段', type: 'text', required: true, ...(pattern ? { pattern } : {}) });
const field = (name: string): FormField => {
  for (const item of demoCatalog().items) for (const f of item.form.fields) if (f.name === name) return f;
  throw new Error(`no field ${name}`);
};

describe('the keyboard that fits a field', () => {
  it('reads the characters a pattern allows', () => {
    expect([...(patternAlphabet('\\d{12}') as Set<string>)].sort().join('')).toBe('0123456789');
    expect([...(patternAlphabet('\\d{4}-(0[1-9]|1[0-2])') as Set<string>)].sort().join('')).toBe('-0123456789');
    expect(patternAlphabet('[A-Z]\\d{9}')).toEqual(new Set([...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789']));
    expect(patternAlphabet('.{2,}')).toBe('any');
    expect(patternAlphabet('[^0-9]+')).toBe('any');
    expect(patternAlphabet('\\S+')).toBe('any');
  });

  it('gives each demo catalog field its input', () => {
    expect(keyboardFor(field('accountNumber'))).toEqual({ kind: 'keypad', extras: [] });
    expect(keyboardFor(field('periodFrom'))).toEqual({ kind: 'keypad', extras: ['-'] });
    expect(keyboardFor(field('birthCertNumber'))).toEqual({ kind: 'letters', digits: true });
    expect(keyboardFor(field('creditCode'))).toEqual({ kind: 'letters', digits: true });
    expect(keyboardFor(field('residenceAddress'))).toEqual({ kind: 'pinyin' });
    expect(keyboardFor(field('amount'))).toEqual({ kind: 'keypad', extras: ['.'] });
    expect(keyboardFor(field('phone'))).toEqual({ kind: 'keypad', extras: ['-'] });
    expect(keyboardFor(field('startDate'))).toEqual({ kind: 'date' });
    expect(keyboardFor(field('settleRegion'))).toEqual({ kind: 'region' });
    expect(keyboardFor(field('babySex'))).toEqual({ kind: 'select', options: ['男', '女'] });
    expect(keyboardFor({ name: 'id', label: '身份证号', type: 'idNumber', required: true })).toEqual({ kind: 'keypad', extras: ['X'] });
    expect(keyboardFor({ name: 'n', label: '温度', type: 'number', required: true, min: -40 })).toEqual({ kind: 'keypad', extras: ['.', '-'] });
    expect(keyboardFor(text('[\\u4e00-\\u9fa5]{2,4}'))).toEqual({ kind: 'pinyin' });
  });

  it('every character each demo field\'s example needs is on its keyboard', () => {
    const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
    for (const item of demoCatalog().items) {
      for (const f of item.form.fields) {
        const k = keyboardFor(f as FormField);
        const example = String(f.example ?? '');
        if (k.kind === 'keypad') for (const c of example) expect('0123456789'.includes(c) || k.extras.includes(c), `${f.name}: ${c}`).toBe(true);
        if (k.kind === 'letters') for (const c of example) expect(letters.includes(c) || (k.digits && '0123456789'.includes(c)), `${f.name}: ${c}`).toBe(true);
      }
    }
  });
});

describe('the date picker', () => {
  it('parses and formats YYYY-MM-DD, refusing dates that do not exist', () => {
    expect(parseIso('2026-02-28')).toEqual({ year: 2026, month: 2, day: 28 });
    expect(parseIso('2026-02-29')).toBeUndefined();
    expect(parseIso('2024-02-29')).toEqual({ year: 2024, month: 2, day: 29 });
    expect(parseIso('1899-12-31')).toBeUndefined();
    expect(formatIso({ year: 2026, month: 1, day: 5 })).toBe('2026-01-05');
    expect(daysInMonth(2026, 2)).toBe(28);
    expect(daysInMonth(2024, 2)).toBe(29);
    expect(spokenDate('2026-12-01')).toBe('2026年12月1日');
  });

  it('steps years, months and days, keeping the day valid', () => {
    const jan31 = { year: 2024, month: 1, day: 31 };
    expect(stepDate(jan31, 'month', 1)).toEqual({ year: 2024, month: 2, day: 29 });
    expect(stepDate(jan31, 'month', -1)).toEqual({ year: 2024, month: 12, day: 31 });
    expect(stepDate({ year: 2024, month: 2, day: 29 }, 'year', 1)).toEqual({ year: 2025, month: 2, day: 28 });
    expect(stepDate(jan31, 'day', 1)).toEqual({ year: 2024, month: 1, day: 1 });
    expect(stepDate({ year: 2024, month: 1, day: 1 }, 'day', -1)).toEqual({ year: 2024, month: 1, day: 31 });
    expect(stepDate({ year: 2100, month: 6, day: 1 }, 'year', 1).year).toBe(2100);
    expect(stepDate({ year: 1900, month: 6, day: 1 }, 'year', -1).year).toBe(1900);
    expect(today(new Date(2026, 10, 22, 9))).toEqual({ year: 2026, month: 11, day: 22 });
  });
});
