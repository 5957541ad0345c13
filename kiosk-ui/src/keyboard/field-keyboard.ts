/**
 * Which on-screen input fits a form field: the keypad for numbers, phone and ID numbers (with X) and for
 * text whose pattern wants only digits (with '-' where the pattern has one, as in 2024-01); letters and
 * digits where the pattern wants Latin letters (出生医学证明编号 Q340000001, 统一社会信用代码); the pinyin
 * keyboard for free Chinese text; the date picker, big choice buttons and the region picker for those
 * types. Decided from the catalog's schema alone, so every item's form gets a keyboard without UI work.
 */
import type { FormField } from '../form/schema';

export type KeyboardSpec =
  | { readonly kind: 'keypad'; readonly extras: readonly string[] }
  | { readonly kind: 'letters'; readonly digits: boolean }
  | { readonly kind: 'pinyin' }
  | { readonly kind: 'date' }
  | { readonly kind: 'select'; readonly options: readonly string[] }
  | { readonly kind: 'region' };

const DIGITS = '0123456789';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = UPPER.toLowerCase();

/**
 * The characters a whole-value pattern can consist of, or 'any' when it admits more than a keyboard of
 * digits, Latin letters and a few signs can offer (a '.', a negated class, \w with CJK, a literal CJK).
 * A small reading of the regex syntax the catalog uses: escapes, classes with ranges, groups, quantifiers.
 */
export function patternAlphabet(pattern: string): Set<string> | 'any' {
  const out = new Set<string>();
  const addRange = (from: string, to: string): void => {
    for (let c = from.charCodeAt(0); c <= to.charCodeAt(0); c++) out.add(String.fromCharCode(c));
  };
  const escape = (c: string): boolean => {
    if (c === 'd') for (const d of DIGITS) out.add(d);
    else if (c === 'w') for (const d of DIGITS + UPPER + LOWER + '_') out.add(d);
    else if (/[sSDWbBuxpPc]/.test(c)) return false; // classes and code-point escapes may mean CJK
    else out.add(c);
    return true;
  };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      if (!escape(pattern[++i] ?? '')) return 'any';
    } else if (c === '[') {
      if (pattern[i + 1] === '^') return 'any';
      i++;
      while (i < pattern.length && pattern[i] !== ']') {
        const from = pattern[i]!;
        if (from === '\\') {
          if (!escape(pattern[++i] ?? '')) return 'any';
          i++;
          continue;
        }
        if (pattern[i + 1] === '-' && pattern[i + 2] !== undefined && pattern[i + 2] !== ']') {
          addRange(from, pattern[i + 2]!);
          i += 3;
        } else {
          out.add(from);
          i++;
        }
      }
    } else if (c === '{') {
      while (i < pattern.length && pattern[i] !== '}') i++;
    } else if (c === '.') {
      return 'any';
    } else if (!'()|?*+^$'.includes(c)) {
      out.add(c);
    }
  }
  return out;
}

export function keyboardFor(field: FormField): KeyboardSpec {
  switch (field.type) {
    case 'number':
      return { kind: 'keypad', extras: field.min !== undefined && field.min < 0 ? ['.', '-'] : ['.'] };
    case 'phone':
      return { kind: 'keypad', extras: ['-'] };
    case 'idNumber':
      return { kind: 'keypad', extras: ['X'] };
    case 'date':
      return { kind: 'date' };
    case 'select':
      return { kind: 'select', options: field.options ?? [] };
    case 'region':
      return { kind: 'region' };
    case 'text': {
      if (field.pattern === undefined) return { kind: 'pinyin' };
      const alphabet = patternAlphabet(field.pattern);
      if (alphabet === 'any') return { kind: 'pinyin' };
      const chars = [...alphabet];
      if (chars.some((c) => c.charCodeAt(0) > 0x7e)) return { kind: 'pinyin' };
      const signs = chars.filter((c) => !DIGITS.includes(c) && !UPPER.includes(c) && !LOWER.includes(c));
      if (chars.every((c) => DIGITS.includes(c) || signs.includes(c)) && signs.length <= 2) return { kind: 'keypad', extras: signs.sort() };
      return { kind: 'letters', digits: chars.some((c) => DIGITS.includes(c)) };
    }
  }
}
