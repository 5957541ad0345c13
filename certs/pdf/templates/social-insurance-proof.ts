/**
 * 社会保险参保缴费证明: what a social insurance agency prints for a person who needs proof of
 * insurance (school places, residence permits, home purchases): who is insured, with which employer,
 * which insurances in which state, and the contribution periods with bases and amounts.
 */
import { money, yearMonth, yearMonthDotted } from './chinese.js';
import {
  FieldError,
  array,
  citizenId,
  decimal,
  integer,
  isoYearMonth,
  monthSpan,
  object,
  oneOf,
  optional,
  regionCode,
  text,
} from './fields.js';
import type { Block, Cell } from './layout.js';
import { documentFields, noteBlocks, type DocumentFields, type TemplateDefinition } from './types.js';

export const INSURANCE_TYPES = [
  '企业职工基本养老保险',
  '机关事业单位养老保险',
  '城乡居民基本养老保险',
  '职工基本医疗保险',
  '城乡居民基本医疗保险',
  '失业保险',
  '工伤保险',
  '生育保险',
] as const;
export type InsuranceType = (typeof INSURANCE_TYPES)[number];

export const INSURANCE_STATUSES = ['参保缴费', '暂停缴费', '终止参保'] as const;

export interface SocialInsuranceProofData extends DocumentFields {
  /** Where the person is insured (参保地). */
  region: { code: string; name: string };
  person: { name: string; gender: '男' | '女'; idNumber: string; socialSecurityNumber?: string };
  /** The current insured unit (参保单位), usually the employer. */
  insuredUnit: string;
  /** The months the proof covers, YYYY-MM. */
  period: { from: string; to: string };
  insurances: { type: InsuranceType; status: (typeof INSURANCE_STATUSES)[number]; firstMonth: string; months: number }[];
  /** Contribution periods; `base` is the monthly base and `personal` the person's share over the period, in yuan. */
  contributions: { from: string; to: string; type: InsuranceType; unit: string; base: number; personal: number; months: number }[];
  /** What the proof is for (用途), printed when given. */
  purpose?: string;
  notes?: string[];
}

const check = object<SocialInsuranceProofData>({
  ...documentFields,
  region: object({ code: regionCode(), name: text({ max: 20 }) }),
  person: object({
    name: text({ max: 30 }),
    gender: oneOf(['男', '女'] as const),
    idNumber: citizenId(),
    socialSecurityNumber: optional(text({ max: 20, min: 6, pattern: /^[0-9A-Z]+$/, patternHint: 'digits and capital letters' })),
  }),
  insuredUnit: text({ max: 40 }),
  period: object({ from: isoYearMonth(), to: isoYearMonth() }),
  insurances: array(
    object({ type: oneOf(INSURANCE_TYPES), status: oneOf(INSURANCE_STATUSES), firstMonth: isoYearMonth(), months: integer(0, 1200) }),
    { min: 1, max: 8 },
  ),
  contributions: array(
    object({
      from: isoYearMonth(),
      to: isoYearMonth(),
      type: oneOf(INSURANCE_TYPES),
      unit: text({ max: 40 }),
      base: decimal(1_000_000),
      personal: decimal(100_000_000),
      months: integer(1, 1200),
    }),
    { min: 0, max: 300 },
  ),
  purpose: optional(text({ max: 40 })),
  notes: optional(array(text({ max: 200 }), { min: 1, max: 6 })),
});

function validate(input: unknown): SocialInsuranceProofData {
  const d = check(input, '');
  if (d.period.from > d.period.to) throw new FieldError('period.from', 'is after period.to');
  const types = new Set<string>();
  d.insurances.forEach((ins, i) => {
    if (types.has(ins.type)) throw new FieldError(`insurances[${i}].type`, 'is listed twice');
    types.add(ins.type);
  });
  d.contributions.forEach((c, i) => {
    const at = `contributions[${i}]`;
    if (c.from > c.to) throw new FieldError(`${at}.from`, `is after ${at}.to`);
    if (c.from < d.period.from || c.to > d.period.to) throw new FieldError(at, 'lies outside period');
    if (c.months > monthSpan(c.from, c.to)) throw new FieldError(`${at}.months`, `is more than the months from ${at}.from to ${at}.to`);
    if (!types.has(c.type)) throw new FieldError(`${at}.type`, 'is not one of the insurances listed');
  });
  return d;
}

const DEFAULT_NOTES = [
  '本证明所列信息来源于社会保险信息系统，反映截至出具之日的参保缴费记录。',
  '缴费基数为月缴费基数；个人缴费为该期间个人缴纳部分之和。',
  '本证明自出具之日起三个月内有效。',
];

function compose(d: SocialInsuranceProofData): ReturnType<TemplateDefinition<SocialInsuranceProofData>['compose']> {
  const p = d.person;
  const ssn = p.socialSecurityNumber && p.socialSecurityNumber !== p.idNumber ? `，社会保障号码：${p.socialSecurityNumber}` : '';
  const blocks: Block[] = [
    {
      kind: 'paragraph',
      text:
        `兹证明${p.name}（性别：${p.gender}，公民身份号码：${p.idNumber}${ssn}）在${d.region.name}（${d.region.code}）参加社会保险，` +
        `现参保单位为${d.insuredUnit}。经查询社会保险信息系统，其${yearMonth(d.period.from)}至${yearMonth(d.period.to)}期间参保缴费情况如下：`,
    },
  ];
  // One table grouped by insurance, as agencies print statements: a line per insurance with its
  // state, then its contribution periods.
  const rows: Cell[][] = [];
  let n = 0;
  for (const ins of d.insurances) {
    const periods = d.contributions.filter((c) => c.type === ins.type);
    const none = periods.length ? '' : '（本期无个人缴费）';
    rows.push([
      { text: `${ins.type}\u3000${ins.status}\u3000首次参保：${yearMonth(ins.firstMonth)}\u3000累计缴费：${ins.months}个月${none}`, span: 6, bold: true, align: 'left' },
    ]);
    for (const c of periods) {
      rows.push([
        { text: String(++n) },
        { text: `${yearMonthDotted(c.from)}—${yearMonthDotted(c.to)}` },
        { text: c.unit },
        { text: money(c.base) },
        { text: money(c.personal) },
        { text: String(c.months) },
      ]);
    }
  }
  const total = d.contributions.reduce((sum, c) => sum + Math.round(c.personal * 100), 0) / 100;
  rows.push([{ text: '个人缴费合计', span: 4, bold: true, align: 'center' }, { text: money(total) }, { text: '' }]);
  blocks.push({
    kind: 'table',
    widths: [30, 100, 150, 64, 64, 34],
    align: ['center', 'center', 'left', 'right', 'right', 'center'],
    header: [['序号', '缴费期间', '缴费单位', '缴费基数（元）', '个人缴费（元）', '月数']],
    rows,
  });
  if (d.purpose) blocks.push({ kind: 'paragraph', text: `本证明用于${d.purpose}。` });
  return { blocks, closing: '特此证明。', signers: [d.issuer], noun: '证明', notes: noteBlocks('说明：', d.notes ?? DEFAULT_NOTES) };
}

function example(): SocialInsuranceProofData {
  const unit = '亳州市示例科技有限公司';
  return {
    documentId: 'SB-341600-20261121-000123',
    issuer: '亳州市社会保险事业管理中心',
    issueDate: '2026-11-21',
    region: { code: '341600', name: '亳州市' },
    person: { name: '张三', gender: '男', idNumber: '341602199001011234' },
    insuredUnit: unit,
    period: { from: '2025-01', to: '2026-10' },
    insurances: [
      { type: '企业职工基本养老保险', status: '参保缴费', firstMonth: '2016-07', months: 124 },
      { type: '职工基本医疗保险', status: '参保缴费', firstMonth: '2016-07', months: 124 },
      { type: '失业保险', status: '参保缴费', firstMonth: '2016-07', months: 124 },
      { type: '工伤保险', status: '参保缴费', firstMonth: '2016-07', months: 124 },
    ],
    contributions: [
      { from: '2025-01', to: '2025-12', type: '企业职工基本养老保险', unit, base: 6000, personal: 5760, months: 12 },
      { from: '2026-01', to: '2026-10', type: '企业职工基本养老保险', unit, base: 6300, personal: 5040, months: 10 },
      { from: '2025-01', to: '2025-12', type: '职工基本医疗保险', unit, base: 6000, personal: 1440, months: 12 },
      { from: '2026-01', to: '2026-10', type: '职工基本医疗保险', unit, base: 6300, personal: 1260, months: 10 },
      { from: '2025-01', to: '2025-12', type: '失业保险', unit, base: 6000, personal: 360, months: 12 },
      { from: '2026-01', to: '2026-10', type: '失业保险', unit, base: 6300, personal: 315, months: 10 },
    ],
    purpose: '办理子女入学',
  };
}

export const socialInsuranceProof: TemplateDefinition<SocialInsuranceProofData> = {
  name: 'social-insurance-proof',
  title: '社会保险参保缴费证明',
  description: "a person's insurances, insured unit, and contribution periods with bases and amounts",
  validate,
  example,
  compose,
};
