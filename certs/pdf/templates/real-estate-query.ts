/**
 * 不动产登记信息查询结果证明: what a real estate registration centre prints after searching the
 * register (不动产登记簿) for the properties of a person or organisation within a region, for example
 * for a home purchase eligibility check. It lists each registered property with its certificate
 * number, location, area, use, rights holder and whether it is mortgaged or seized, or says that
 * nothing was found (未查询到).
 */
import { area, numericDateClock, numericDateTime } from './chinese.js';
import { FieldError, array, boolean, citizenId, decimal, isoDateTime, object, oneOf, optional, regionCode, text } from './fields.js';
import type { Block, Cell } from './layout.js';
import { documentFields, noteBlocks, type DocumentFields, type TemplateDefinition } from './types.js';

export const ID_TYPES = ['居民身份证', '护照', '港澳居民来往内地通行证', '台湾居民来往大陆通行证', '外国人永久居留身份证', '统一社会信用代码'] as const;

export interface RealEstateQueryData extends DocumentFields {
  /** The person or organisation searched for (查询主体). */
  subject: { name: string; idType: (typeof ID_TYPES)[number]; idNumber: string };
  /** The region searched (查询范围). */
  scope: { regionCode: string; regionName: string };
  /** Why (查询目的), e.g. 办理购房资格审核. */
  purpose: string;
  /** When the register was searched, local time YYYY-MM-DDTHH:mm. */
  queriedAt: string;
  /** What was found; empty when nothing was. */
  properties: {
    certificateNo: string;
    location: string;
    /** Floor area in square metres. */
    area: number;
    use: string;
    rightsHolder: string;
    mortgaged: boolean;
    seized: boolean;
  }[];
  notes?: string[];
}

const idNumberOther = text({ max: 30, min: 5, pattern: /^[0-9A-Za-z()（）-]+$/, patternHint: 'letters, digits, brackets and -' });
const citizen = citizenId();

const check = object<RealEstateQueryData>({
  ...documentFields,
  subject: object({ name: text({ max: 60 }), idType: oneOf(ID_TYPES), idNumber: text({ max: 30 }) }),
  scope: object({ regionCode: regionCode(), regionName: text({ max: 30 }) }),
  purpose: text({ max: 40 }),
  queriedAt: isoDateTime(),
  properties: array(
    object({
      certificateNo: text({ max: 40 }),
      location: text({ max: 80 }),
      area: decimal(1_000_000),
      use: text({ max: 12 }),
      rightsHolder: text({ max: 60 }),
      mortgaged: boolean(),
      seized: boolean(),
    }),
    { min: 0, max: 200 },
  ),
  notes: optional(array(text({ max: 200 }), { min: 1, max: 6 })),
});

function validate(input: unknown): RealEstateQueryData {
  const d = check(input, '');
  d.subject.idNumber = d.subject.idType === '居民身份证' ? citizen(d.subject.idNumber, 'subject.idNumber') : idNumberOther(d.subject.idNumber, 'subject.idNumber');
  if (d.queriedAt.slice(0, 10) > d.issueDate) throw new FieldError('queriedAt', 'is after issueDate');
  return d;
}

const DEFAULT_NOTES = [
  '本证明仅反映查询时点不动产登记簿记载的信息，不包括已注销的不动产权利。',
  '查询结果以不动产登记簿为准；“抵押”“查封”栏为查询时点的登记状态。',
  '本证明仅供查询目的所述用途使用，自出具之日起三十日内有效。',
];

function compose(d: RealEstateQueryData): ReturnType<TemplateDefinition<RealEstateQueryData>['compose']> {
  const s = d.subject;
  const label = (text: string): Cell => ({ text, bold: true, align: 'center' });
  const when = numericDateTime(d.queriedAt);
  const scope = `${d.scope.regionName}（${d.scope.regionCode}）行政区域内`;
  const blocks: Block[] = [
    { kind: 'paragraph', text: `根据申请人的申请，经于${when}查询不动产登记簿，现将查询结果证明如下：` },
    { kind: 'heading', text: '一、查询信息' },
    {
      kind: 'table',
      size: 'body',
      widths: [1.1, 1.7, 1.0, 1.7],
      rows: [
        [label('查询主体'), s.name, label('证件类型'), s.idType],
        [label('证件号码'), { text: s.idNumber, span: 3 }],
        [label('查询范围'), { text: scope, span: 3 }],
        [label('查询目的'), d.purpose, label('查询时间'), numericDateClock(d.queriedAt)],
      ],
    },
    { kind: 'heading', text: '二、查询结果' },
  ];
  if (d.properties.length) {
    blocks.push(
      { kind: 'paragraph', text: `经查询，截至${when}，查询主体在上述查询范围内登记有下列不动产，共${d.properties.length}处：` },
      {
        kind: 'table',
        widths: [30, 96, 110, 50, 36, 60, 30, 30],
        align: ['center', 'left', 'left', 'right', 'center', 'left', 'center', 'center'],
        header: [['序号', '不动产权证号', '坐落', '面积（㎡）', '用途', '权利人', '抵押', '查封']],
        rows: d.properties.map((p, i) => [
          String(i + 1),
          p.certificateNo,
          p.location,
          area(p.area),
          p.use,
          p.rightsHolder,
          p.mortgaged ? '有' : '无',
          p.seized ? '有' : '无',
        ]),
      },
    );
  } else {
    blocks.push({ kind: 'paragraph', text: `经查询，截至${when}，在上述查询范围内未查询到查询主体名下已登记的不动产信息。` });
  }
  return { blocks, closing: '特此证明。', signers: [d.issuer], noun: '证明', notes: noteBlocks('说明：', d.notes ?? DEFAULT_NOTES) };
}

function example(): RealEstateQueryData {
  return {
    documentId: 'BDC-310110-20261121-000045',
    fileNo: '沪杨不动产查〔2026〕第045号',
    issuer: '上海市杨浦区不动产登记事务中心',
    issueDate: '2026-11-21',
    subject: { name: '李四', idType: '居民身份证', idNumber: '310110198507150022' },
    scope: { regionCode: '310110', regionName: '上海市杨浦区' },
    purpose: '办理购房资格审核',
    queriedAt: '2026-11-21T09:42',
    properties: [
      {
        certificateNo: '沪（2019）杨字不动产权第012345号',
        location: '杨浦区示例路100弄8号1203室',
        area: 89.52,
        use: '住宅',
        rightsHolder: '李四',
        mortgaged: true,
        seized: false,
      },
      {
        certificateNo: '沪（2023）杨字不动产权第067890号',
        location: '杨浦区样板街道演示路25号地下一层B-117车位',
        area: 13.2,
        use: '车位',
        rightsHolder: '李四、王某某（共同共有）',
        mortgaged: false,
        seized: false,
      },
    ],
  };
}

export const realEstateQuery: TemplateDefinition<RealEstateQueryData> = {
  name: 'real-estate-query',
  title: '不动产登记信息查询结果证明',
  description: 'the registered properties of a person or organisation in a region, or that none were found',
  validate,
  example,
  compose,
};
