/**
 * The code tables and checks of the card's text: sex (GB/T 2261.1), nation (GB 3304), the ID number's
 * check digit (ISO 7064 MOD 11-2) and dates. Pure functions.
 */

export const SEX: ReadonlyMap<string, string> = new Map([
  ['0', '未知'],
  ['1', '男'],
  ['2', '女'],
  ['9', '未说明'],
]);

/** GB 3304-1991 民族 codes 01..56, 97 其他, 98 外国血统中国籍人士 (46 written 德昂 since 1985). */
export const NATION: ReadonlyMap<string, string> = new Map(
  (
    [
      '汉', '蒙古', '回', '藏', '维吾尔', '苗', '彝', '壮', '布依', '朝鲜',
      '满', '侗', '瑶', '白', '土家', '哈尼', '哈萨克', '傣', '黎', '傈僳',
      '佤', '畲', '高山', '拉祜', '水', '东乡', '纳西', '景颇', '柯尔克孜', '土',
      '达斡尔', '仫佬', '羌', '布朗', '撒拉', '毛南', '仡佬', '锡伯', '阿昌', '普米',
      '塔吉克', '怒', '乌孜别克', '俄罗斯', '鄂温克', '德昂', '保安', '裕固', '京', '塔塔尔',
      '独龙', '鄂伦春', '赫哲', '门巴', '珞巴', '基诺',
    ] as const
  )
    .map((n, i) => [String(i + 1).padStart(2, '0'), n] as [string, string])
    .concat([
      ['97', '其他'],
      ['98', '外国血统中国籍人士'],
    ]),
);

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARS = '10X98765432';

/** The check character of the first 17 digits (ISO 7064 MOD 11-2). */
export function idCheckChar(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new RangeError('an ID number starts with 17 digits');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK_CHARS[sum % 11]!;
}

/** True when `id` is 17 digits and the right check character (X upper or lower case). */
export function isValidIdNumber(id: string): boolean {
  return /^\d{17}[\dXx]$/.test(id) && idCheckChar(id.slice(0, 17)) === id[17]!.toUpperCase();
}

/** `YYYYMMDD` -> `YYYY-MM-DD` when it is a real calendar date, else undefined. */
export function cardDate(text: string): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (y < 1800 || date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return undefined;
  return `${m[1]}-${m[2]}-${m[3]}`;
}
