import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WedgeDetector, type WedgeKeyEvent, type WedgeResult } from '../scanner/wedge.js';

/** Key events for `text` then Enter, starting at `t0`, with the given gaps (ms) between keys. */
function keys(text: string, t0: number, gap: (i: number) => number, enter = true): WedgeKeyEvent[] {
  const out: WedgeKeyEvent[] = [];
  let t = t0;
  [...text].forEach((key, i) => {
    if (i > 0) t += gap(i);
    out.push({ key, timeStamp: t });
  });
  if (enter) out.push({ key: 'Enter', timeStamp: t + gap(text.length) });
  return out;
}

const feedAll = (w: WedgeDetector, events: WedgeKeyEvent[]): WedgeResult[] => events.flatMap((e) => w.feed(e));
const typed = (rs: WedgeResult[]): string => rs.map((r) => (r.type === 'typing' ? r.keys.map((k) => (k.length === 1 ? k : `<${k}>`)).join('') : `[scan:${r.text}]`)).join('');

// A small deterministic jitter, so the sequences are not perfectly regular.
const jitter = (base: number, spread: number) => (i: number) => base + ((i * 7919) % (spread + 1));

describe('WedgeDetector', () => {
  it('a scanner burst (8-14 ms between keys, Enter at the end) is one scan', () => {
    const w = new WedgeDetector();
    const code = 'https://wst.ahzwfw.gov.cn/q?c=8F3A';
    const rs = feedAll(w, keys(code, 1000, jitter(8, 6)));
    expect(rs).toEqual([{ type: 'scan', text: code, at: expect.any(Number) }]);
  });

  it('Shift presses of a scanner sending capitals do not break the scan', () => {
    const w = new WedgeDetector();
    const events: WedgeKeyEvent[] = [];
    let t = 0;
    for (const ch of 'AB12cd') {
      if (ch >= 'A' && ch <= 'Z') events.push({ key: 'Shift', timeStamp: (t += 3) });
      events.push({ key: ch, timeStamp: (t += 6) });
    }
    events.push({ key: 'Enter', timeStamp: (t += 6) });
    expect(feedAll(w, events)).toEqual([{ type: 'scan', text: 'AB12cd', at: t }]);
  });

  it('a fast typist (70-140 ms between keys) is typing, Enter included', () => {
    const w = new WedgeDetector();
    const rs = feedAll(w, keys('zhangsan2026', 0, jitter(70, 70)));
    expect(rs.every((r) => r.type === 'typing')).toBe(true);
    expect(typed(rs)).toBe('zhangsan2026<Enter>');
  });

  it('a very fast typist with a few quick digraphs (25 ms) is still typing: the slow gaps break it up', () => {
    const w = new WedgeDetector();
    const gaps = [25, 90, 30, 110, 28, 85, 95, 26];
    const rs = feedAll(w, keys('password9', 0, (i) => gaps[(i - 1) % gaps.length]!));
    expect(rs.some((r) => r.type === 'scan')).toBe(false);
    expect(typed(rs)).toBe('password9<Enter>');
  });

  it('a human key just before a scan stays typing, and the scan is clean', () => {
    const w = new WedgeDetector();
    const events = [{ key: 'x', timeStamp: 0 }, ...keys('6901234567892', 180, () => 9)];
    expect(typed(feedAll(w, events))).toBe('x[scan:6901234567892]');
  });

  it('a scan broken off mid-burst, then human keys and Enter: all typing, never a scan', () => {
    const w = new WedgeDetector();
    const burst = keys('ABCDEF', 0, () => 8, false); // the scanner stops (pulled, or a bad read)
    const human = keys('gh', 400, () => 120); // a person types and presses Enter
    const rs = feedAll(w, [...burst, ...human]);
    expect(rs.some((r) => r.type === 'scan')).toBe(false);
    expect(typed(rs)).toBe('ABCDEFgh<Enter>');
  });

  it('a scan interrupted by a human key after a pause: the parts come back as typing, in order', () => {
    const w = new WedgeDetector();
    const events = [...keys('1234567', 0, () => 10, false), { key: 'q', timeStamp: 250 }, ...keys('890', 258, () => 10)];
    const rs = feedAll(w, events);
    expect(rs.some((r) => r.type === 'scan')).toBe(false);
    expect(typed(rs)).toBe('1234567q890<Enter>');
  });

  it('a scan interrupted by a human Tab (focus moves): nothing is a scan', () => {
    const w = new WedgeDetector();
    const events = [...keys('6901234', 0, () => 9, false), { key: 'Tab', timeStamp: 66 }, ...keys('5678', 72, () => 9)];
    const rs = feedAll(w, events);
    expect(typed(rs)).toBe('6901234<Tab>5678<Enter>');
    expect(rs[0]).toEqual({ type: 'typing', keys: [...'6901234', 'Tab'] });
  });

  it('too short a burst (under minLength) is typing; minLength and maxGapMs are configurable', () => {
    expect(typed(feedAll(new WedgeDetector(), keys('12345', 0, () => 5)))).toBe('12345<Enter>');
    expect(typed(feedAll(new WedgeDetector(), keys('123456', 0, () => 5)))).toBe('[scan:123456]');
    expect(typed(feedAll(new WedgeDetector({ minLength: 2 }), keys('12', 0, () => 5)))).toBe('[scan:12]');
    expect(typed(feedAll(new WedgeDetector({ maxGapMs: 50 }), keys('ABCDEF', 0, () => 45)))).toBe('[scan:ABCDEF]');
    expect(typed(feedAll(new WedgeDetector({ maxGapMs: 30 }), keys('ABCDEF', 0, () => 45)))).toBe('ABCDEF<Enter>');
  });

  it('named keys (Backspace, Tab) release held keys as typing', () => {
    const w = new WedgeDetector();
    const rs = feedAll(w, [
      { key: 'a', timeStamp: 0 },
      { key: 'b', timeStamp: 5 },
      { key: 'Backspace', timeStamp: 10 },
    ]);
    expect(rs).toEqual([{ type: 'typing', keys: ['a', 'b', 'Backspace'] }]);
  });

  it('flush releases a lone typed key once the gap has passed, not before', () => {
    const w = new WedgeDetector();
    expect(w.feed({ key: '5', timeStamp: 100 })).toEqual([]);
    expect(w.pending).toBe(1);
    expect(w.flush(120)).toEqual([]);
    expect(w.flush(200)).toEqual([{ type: 'typing', keys: ['5'] }]);
    expect(w.pending).toBe(0);
  });

  it('a burst beyond maxLength is handed back as typing (bounded)', () => {
    const w = new WedgeDetector({ maxLength: 10 });
    const rs = feedAll(w, keys('X'.repeat(25), 0, () => 5));
    expect(rs.some((r) => r.type === 'scan')).toBe(false);
    expect(rs.every((r) => r.type === 'typing' && r.keys.length <= 11)).toBe(true);
    expect(typed(rs)).toBe('X'.repeat(25) + '<Enter>');
  });

  it('is browser-safe: the module imports nothing', () => {
    const source = readFileSync(new URL('../scanner/wedge.ts', import.meta.url), 'utf8');
    expect(source).not.toMatch(/^\s*import\s/m);
    expect(source).not.toMatch(/\brequire\(|process\.|Buffer\b/);
  });
});
