/**
 * 受理回执: given to an applicant when a service window or kiosk accepts a case (办件). It names
 * the case serial number (申办流水号), the service item and its code, the applicant, the materials
 * received, how the case is handled (e.g. 异地代收代办: accepted here, decided by a department in
 * another province), where it was accepted, the promised time limit, and how to follow the case and
 * collect the result. With a co-issuer (多地联办) it carries two signatures and two seal spots.
 */
import { numericDateClock, numericDateTime } from './chinese.js';
import { FieldError, array, citizenId, integer, isoDateTime, object, oneOf, optional, regionCode, text } from './fields.js';
import type { Block, Cell } from './layout.js';
import { documentFields, noteBlocks, type DocumentFields, type TemplateDefinition } from './types.js';

export const HANDLING_MODES = ['窗口办理', '全程网办', '异地代收代办', '多地联办'] as const;
export const MATERIAL_FORMS = ['原件', '复印件', '原件及复印件', '电子证照', '电子材料'] as const;

export interface CaseReceiptData extends DocumentFields {
  /** 申办流水号. */
  caseSerialNo: string;
  /** The service item (政务服务事项) and its code (事项编码). */
  item: { name: string; code: string };
  applicant: { name: string; idNumber: string; phone?: string };
  handlingMode: (typeof HANDLING_MODES)[number];
  /** The window or kiosk that accepted the case (受理地点). */
  acceptingPlace: string;
  /** The department that decides the case (承办单位) and its region. */
  responsibleDept: { name: string; regionCode: string; regionName: string };
  /** A second office signing the receipt (多地联办), sealed after the issuer. */
  coIssuer?: string;
  /** When the case was accepted, local time YYYY-MM-DDTHH:mm. */
  acceptedAt: string;
  /** Promised time limit in working days (承诺办结时限). */
  promisedWorkingDays: number;
  materials: { name: string; form: (typeof MATERIAL_FORMS)[number]; copies: number; note?: string }[];
  /** Ways to follow the case (进度查询), one line each. */
  progressQuery: string[];
  /** How the result reaches the applicant (结果领取). */
  resultDelivery: string;
  notes?: string[];
}

const check = object<CaseReceiptData>({
  ...documentFields,
  caseSerialNo: text({ max: 32, min: 8, pattern: /^[0-9A-Z-]+$/, patternHint: 'digits, capital letters and -' }),
  item: object({ name: text({ max: 60 }), code: text({ max: 40, min: 4, pattern: /^[0-9A-Za-z-]+$/, patternHint: 'letters, digits and -' }) }),
  applicant: object({
    name: text({ max: 30 }),
    idNumber: citizenId(),
    phone: optional(text({ max: 13, min: 7, pattern: /^(1\d{10}|0\d{2,3}-?\d{7,8})$/, patternHint: 'a mobile number (11 digits) or a landline like 0558-1234567' })),
  }),
  handlingMode: oneOf(HANDLING_MODES),
  acceptingPlace: text({ max: 60 }),
  responsibleDept: object({ name: text({ max: 40 }), regionCode: regionCode(), regionName: text({ max: 30 }) }),
  coIssuer: optional(text({ max: 30 })),
  acceptedAt: isoDateTime(),
  promisedWorkingDays: integer(1, 365),
  materials: array(
    object({ name: text({ max: 60 }), form: oneOf(MATERIAL_FORMS), copies: integer(0, 99), note: optional(text({ max: 30 })) }),
    { min: 1, max: 60 },
  ),
  progressQuery: array(text({ max: 80 }), { min: 1, max: 4 }),
  resultDelivery: text({ max: 120 }),
  notes: optional(array(text({ max: 200 }), { min: 1, max: 6 })),
});

function validate(input: unknown): CaseReceiptData {
  const d = check(input, '');
  if (d.acceptedAt.slice(0, 10) > d.issueDate) throw new FieldError('acceptedAt', 'is after issueDate');
  if (d.coIssuer !== undefined && d.coIssuer === d.issuer) throw new FieldError('coIssuer', 'is the same office as issuer');
  return d;
}

const MODE_SENTENCE: Record<CaseReceiptData['handlingMode'], (d: CaseReceiptData) => string> = {
  窗口办理: (d) => `本件由${d.responsibleDept.name}审核办理`,
  全程网办: (d) => `本件全程网上办理，由${d.responsibleDept.name}在线审核`,
  异地代收代办: (d) => `本件按“异地代收代办”方式办理，本窗口已核验身份、收取材料，将于1个工作日内转交${d.responsibleDept.name}审核办理`,
  多地联办: (d) => `本件按“多地联办”方式办理，由受理地与${d.responsibleDept.name}协同审核办理`,
};

function compose(d: CaseReceiptData): ReturnType<TemplateDefinition<CaseReceiptData>['compose']> {
  const a = d.applicant;
  const label = (text: string): Cell => ({ text, bold: true, align: 'center' });
  const blocks: Block[] = [
    { kind: 'paragraph', indent: false, text: `${a.name}：` },
    {
      kind: 'paragraph',
      text:
        `您于${numericDateTime(d.acceptedAt)}申请办理的“${d.item.name}”事项，经审查，申请材料齐全、符合法定形式，现予受理。` +
        `${MODE_SENTENCE[d.handlingMode](d)}，承诺办结时限为${d.promisedWorkingDays}个工作日。`,
    },
    { kind: 'heading', text: '一、办件信息' },
    {
      kind: 'table',
      size: 'body',
      widths: [1.05, 1.9, 1.0, 1.55],
      rows: [
        [label('申办流水号'), d.caseSerialNo, label('办理方式'), d.handlingMode],
        [label('事项名称'), { text: d.item.name, span: 3 }],
        [label('事项编码'), d.item.code, label('承诺时限'), `${d.promisedWorkingDays}个工作日`],
        [label('申请人'), a.name, label('证件号码'), a.idNumber],
        [label('联系电话'), a.phone ?? '—', label('受理时间'), numericDateClock(d.acceptedAt)],
        [label('受理地点'), { text: d.acceptingPlace, span: 3 }],
        [label('承办单位'), { text: `${d.responsibleDept.name}（${d.responsibleDept.regionCode} ${d.responsibleDept.regionName}）`, span: 3 }],
      ],
    },
    { kind: 'heading', text: '二、已收取材料清单' },
    {
      kind: 'table',
      widths: [30, 200, 70, 36, 106],
      align: ['center', 'left', 'center', 'center', 'left'],
      header: [['序号', '材料名称', '材料形式', '份数', '备注']],
      rows: d.materials.map((m, i) => [String(i + 1), m.name, m.form, m.form === '电子证照' || m.form === '电子材料' ? '—' : String(m.copies), m.note ?? '']),
    },
  ];
  // How to follow the case and get the result: 温馨提示 after the date, as kiosk receipts print it.
  const tips = [
    `承诺办结时限自受理之日起计算，材料流转和邮寄时间不计算在内。`,
    `进度查询：凭申办流水号${d.caseSerialNo}查询办理进度，可${d.progressQuery.join('；或')}。`.replace(/。。$/, '。'),
    `结果领取：${d.resultDelivery}`.replace(/([^。！])$/, '$1。'),
    ...(d.notes ?? []),
  ];
  return {
    blocks,
    closing: '特此回执。',
    signers: d.coIssuer ? [d.issuer, d.coIssuer] : [d.issuer],
    noun: '回执',
    notes: noteBlocks('温馨提示：', tips),
    density: 'compact',
  };
}

function example(): CaseReceiptData {
  return {
    documentId: 'SL-341600-20261121-000318',
    issuer: '亳州市政务服务中心',
    issueDate: '2026-11-21',
    caseSerialNo: '3416002611210318',
    item: { name: '基本养老保险关系转移接续申请', code: '000201013000-3101100001' },
    applicant: { name: '王五', idNumber: '341621199203154419', phone: '13800000000' },
    handlingMode: '异地代收代办',
    acceptingPlace: '亳州市政务服务中心跨省通办专窗（自助终端BZ-0012）',
    responsibleDept: { name: '上海市杨浦区社会保险事业管理中心', regionCode: '310110', regionName: '上海市杨浦区' },
    acceptedAt: '2026-11-21T10:05',
    promisedWorkingDays: 15,
    materials: [
      { name: '基本养老保险关系转移接续申请表', form: '原件', copies: 1 },
      { name: '居民身份证', form: '电子证照', copies: 0, note: '经申请人授权调取' },
      { name: '参保缴费凭证（上海市杨浦区）', form: '复印件', copies: 1 },
      { name: '本人近期免冠照片', form: '原件', copies: 2, note: '二寸' },
    ],
    progressQuery: ['登录皖事通App或安徽政务服务网“我的办件”栏目', '拨打12345政务服务便民热线', '在受理地点的自助终端扫描本回执二维码'],
    resultDelivery: '办理结果由承办单位通过中国邮政EMS寄递至申请人指定地址；申请人也可于办结后凭本回执到受理地点领取',
  };
}

export const caseReceipt: TemplateDefinition<CaseReceiptData> = {
  name: 'case-receipt',
  title: '受理回执',
  description: 'receipt for an accepted case: serial number, item, applicant, materials received, handling mode, time limit, progress and result',
  validate,
  example,
  compose,
};
