/**
 * The date picker's arithmetic: a date held as YYYY-MM-DD (the form's value), moved a year, a month or a
 * day at a time with big +/- buttons (no native date input: it is tiny and differs between runtimes).
 * A day past the end of the new month is pulled back to its last day (31 January + 1 month = 28/29 February).
 */
export type DatePart = 'year' | 'month' | 'day';

export const MIN_YEAR = 1900;
export const MAX_YEAR = 2100;

export interface YMD {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

export function formatIso(d: YMD): string {
  return `${pad(d.year, 4)}-${pad(d.month, 2)}-${pad(d.day, 2)}`;
}

/** The date `text` holds, or undefined when it is not a YYYY-MM-DD date in range. */
export function parseIso(text: string): YMD | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const d = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  if (d.year < MIN_YEAR || d.year > MAX_YEAR || d.month < 1 || d.month > 12 || d.day < 1 || d.day > daysInMonth(d.year, d.month)) return undefined;
  return d;
}

/** Today on the kiosk's clock (its local date: the kiosk stands where the citizen is). */
export function today(now: Date = new Date()): YMD {
  return { year: now.getFullYear(), month: now.getMonth() + 1, day: now.getDate() };
}

/** `d` with one part moved by `delta`: years clamp to the range, months and days wrap within their unit. */
export function stepDate(d: YMD, part: DatePart, delta: number): YMD {
  if (part === 'year') {
    const year = Math.min(MAX_YEAR, Math.max(MIN_YEAR, d.year + delta));
    return { year, month: d.month, day: Math.min(d.day, daysInMonth(year, d.month)) };
  }
  if (part === 'month') {
    const month = ((((d.month - 1 + delta) % 12) + 12) % 12) + 1;
    return { year: d.year, month, day: Math.min(d.day, daysInMonth(d.year, month)) };
  }
  const n = daysInMonth(d.year, d.month);
  return { year: d.year, month: d.month, day: ((((d.day - 1 + delta) % n) + n) % n) + 1 };
}

/** 2026年12月1日 (how the date reads aloud and on the review screen). */
export function spokenDate(text: string): string {
  const d = parseIso(text);
  return d ? `${d.year}年${d.month}月${d.day}日` : text;
}
