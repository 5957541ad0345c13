import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { MAX_SYLLABLE, SYLLABLES, candidates, isPinyinPrefix, nextLetters } from '../src/ime/pinyin';
import { PINYIN_TABLE } from '../src/ime/pinyin-table';
import { applyKey, candidatePage, CANDIDATES_PER_PAGE, type EditState, type Key } from '../src/keyboard/editing';

const empty: EditState = { value: '', pinyin: '', page: 0 };
const press = (keys: Key[], start: EditState = empty, max?: number): EditState => keys.reduce((s, k) => applyKey(s, k, max === undefined ? {} : { max }), start);
const letters = (text: string): Key[] => [...text].map((letter) => ({ type: 'pinyin', letter }));

describe('pinyin table', () => {
  it('holds every GB2312 level-1 character and the address characters', () => {
    const all = new Set(Object.values(PINYIN_TABLE).join(''));
    for (let hi = 0xb0; hi <= 0xd7; hi++) {
      for (let lo = 0xa1; lo <= 0xfe; lo++) {
        if (hi === 0xd7 && lo > 0xf9) break;
        const c = iconv.decode(Buffer.from([hi, lo]), 'gb2312');
        expect(all.has(c), c).toBe(true);
      }
    }
    for (const c of '号弄路栋室幢楼巷街道镇乡村区县市省浜亳谯') expect(all.has(c), c).toBe(true);
  });

  it('is what the generator makes from pinyin-pro (committed module up to date)', () => {
    execFileSync(process.execPath, ['--import', 'tsx', 'scripts/gen-kiosk-pinyin.ts', '--check'], { stdio: 'pipe' });
  });

  it('is small: under 20 KB gzipped', () => {
    const bytes = readFileSync(new URL('../src/ime/pinyin-table.ts', import.meta.url));
    expect(gzipSync(bytes, { level: 9 }).length).toBeLessThan(20 * 1024);
  });
});

describe('pinyin lookup', () => {
  it('offers address characters first where addresses want them', () => {
    expect(candidates('hao')[0]).toBe('号');
    expect(candidates('lu')[0]).toBe('路');
    expect(candidates('shi').slice(0, 2)).toEqual(['市', '室']);
    expect(candidates('nong')[0]).toBe('弄');
    expect(candidates('long')).toContain('弄'); // Shanghai's 弄 is read long
    expect(candidates('bo')).toContain('亳');
  });

  it('puts exact syllables first, then longer ones that begin with the letters', () => {
    const h = candidates('h');
    expect(h.slice(0, 3)).toEqual([...PINYIN_TABLE.ha!].slice(0, 3));
    const zhan = candidates('zhan');
    expect(zhan.slice(0, [...PINYIN_TABLE.zhan!].length).join('')).toBe(PINYIN_TABLE.zhan);
    expect(zhan).toContain([...PINYIN_TABLE.zhang!][0]);
    expect(new Set(zhan).size).toBe(zhan.length);
    expect(candidates('')).toEqual([]);
    expect(candidates('xyz')).toEqual([]);
  });

  it('types ü as v', () => {
    expect(candidates('lv')[0]).toBeDefined();
    expect(candidates('lv')).toContain('绿');
    expect(candidates('nv')).toContain('女');
  });

  it('knows which letters can follow', () => {
    expect(isPinyinPrefix('zhu')).toBe(true);
    expect(isPinyinPrefix('zx')).toBe(false);
    expect(nextLetters('zh').has('u')).toBe(true);
    expect(nextLetters('zh').has('z')).toBe(false);
    expect(MAX_SYLLABLE).toBe(6);
    expect(SYLLABLES.length).toBeGreaterThan(380);
  });
});

describe('editing with the on-screen keys', () => {
  it('types pinyin, picks a character, types digits', () => {
    let s = press(letters('an'));
    expect(s).toEqual({ value: '', pinyin: 'an', page: 0 });
    s = applyKey(s, { type: 'pick', char: '安' });
    expect(s).toEqual({ value: '安', pinyin: '', page: 0 });
    s = press([{ type: 'char', char: '1' }, { type: 'char', char: '0' }, ...letters('hao'), { type: 'pick', char: '号' }], s);
    expect(s.value).toBe('安10号');
  });

  it('refuses letters that lead to no syllable and keeps syllables short', () => {
    expect(press(letters('zx')).pinyin).toBe('z');
    expect(press(letters('zhuangg')).pinyin).toBe('zhuang');
  });

  it('backspace removes a pinyin letter first, then a character', () => {
    let s = press([{ type: 'char', char: '路' }, ...letters('ha')]);
    s = applyKey(s, { type: 'backspace' });
    expect(s).toMatchObject({ value: '路', pinyin: 'h' });
    s = applyKey(applyKey(s, { type: 'backspace' }), { type: 'backspace' });
    expect(s).toMatchObject({ value: '', pinyin: '' });
    expect(applyKey(s, { type: 'backspace' })).toEqual(s);
  });

  it('keeps to the field\'s max length, counting characters not UTF-16 units', () => {
    const s = press([{ type: 'char', char: '号' }, { type: 'char', char: '1' }, { type: 'char', char: '2' }], empty, 2);
    expect(s.value).toBe('号1');
    const picked = applyKey({ value: '号1', pinyin: 'lu', page: 0 }, { type: 'pick', char: '路' }, { max: 2 });
    expect(picked).toEqual({ value: '号1', pinyin: 'lu', page: 0 });
  });

  it('pages through the candidates', () => {
    let s = press(letters('shi'));
    const first = candidatePage(s);
    expect(first.list).toHaveLength(CANDIDATES_PER_PAGE);
    expect(first.hasPrev).toBe(false);
    expect(first.hasNext).toBe(true);
    s = applyKey(s, { type: 'page', delta: 1 });
    const second = candidatePage(s);
    expect(second.hasPrev).toBe(true);
    expect(second.list[0]).toBe(candidates('shi')[CANDIDATES_PER_PAGE]);
    expect(applyKey(s, { type: 'page', delta: -5 }).page).toBe(0);
    expect(applyKey(s, { type: 'page', delta: 999 }).page).toBe(Math.ceil(candidates('shi').length / CANDIDATES_PER_PAGE) - 1);
    expect(applyKey(s, { type: 'clear' })).toEqual(empty);
  });
});
