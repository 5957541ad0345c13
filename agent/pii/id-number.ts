/**
 * Checks the form of an ID number a kiosk reads: 18 characters per GB 11643-1999 (17 digits and an
 * ISO 7064 MOD 11-2 check character, 0-9 or X: resident ID cards, 港澳台居民居住证 and the 2023
 * 外国人永久居留身份证), or the 15-character number of the older 外国人永久居留身份证 (three letters, twelve
 * digits, no check character).
 */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

export function isValidIdNumber(value: string): boolean {
  const v = value.trim().toUpperCase();
  if (/^[A-Z]{3}\d{12}$/.test(v)) return true;
  if (!/^\d{17}[\dX]$/.test(v)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(v[i]) * WEIGHTS[i]!;
  return CHECK[sum % 11] === v[17];
}
