/**
 * Chinese forms of dates, times and amounts as official documents print them. Pure functions over the
 * ISO strings the template data carries (validated before they get here).
 */

const DIGITS = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/** 2026 -> 二〇二六 (a year is read digit by digit). */
function yearInChinese(year: string): string {
  return [...year].map((d) => DIGITS[Number(d)]!).join('');
}

/** 1..31 -> 一 .. 三十一 (months and days are read as numbers). */
function smallNumber(n: number): string {
  if (n < 10) return DIGITS[n]!;
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  return `${tens === 1 ? '' : DIGITS[tens]!}十${ones ? DIGITS[ones]! : ''}`;
}

/**
 * The date of an official document (成文日期, GB/T 9704-2012 7.3.5.1): "2026-11-21" -> 二〇二六年十一月二十一日,
 * with the year in full and no leading zeros.
 */
export function chineseDate(isoDate: string): string {
  const [y, m, d] = isoDate.split('-');
  return `${yearInChinese(y!)}年${smallNumber(Number(m))}月${smallNumber(Number(d))}日`;
}

/** "2026-11-21" -> 2026年11月21日 (Arabic numerals, for dates inside text and tables). */
export function numericDate(isoDate: string): string {
  const [y, m, d] = isoDate.split('-');
  return `${y}年${Number(m)}月${Number(d)}日`;
}

/** "2026-11-21T10:05" -> 2026年11月21日10时05分. */
export function numericDateTime(isoDateTime: string): string {
  const [date, time] = isoDateTime.split('T');
  const [h, min] = time!.split(':');
  return `${numericDate(date!)}${Number(h)}时${min}分`;
}

/** "2026-11-21T10:05" -> 2026年11月21日 10:05 (compact, for table cells). */
export function numericDateClock(isoDateTime: string): string {
  const [date, time] = isoDateTime.split('T');
  return `${numericDate(date!)} ${time!}`;
}

/** "2016-07" -> 2016年07月. */
export function yearMonth(ym: string): string {
  const [y, m] = ym.split('-');
  return `${y}年${m}月`;
}

/** "2016-07" -> 2016.07 (compact, for table cells). */
export function yearMonthDotted(ym: string): string {
  return ym.replace('-', '.');
}

/** 12345.6 -> "12,345.60" (yuan with two decimals and thousands separators). */
export function money(amount: number): string {
  const [int, frac] = amount.toFixed(2).split('.');
  return `${int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${frac!}`;
}

/** 89.5 -> "89.50" (areas in square metres, two decimals as registers print them). */
export function area(squareMetres: number): string {
  return squareMetres.toFixed(2);
}
