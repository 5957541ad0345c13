/**
 * The service catalog (政务服务事项目录) as the kiosk holds it: one versioned document of items, each
 * with its form schema, the materials it needs and the ways it can be handled (跨省通办 modes).
 * These are the types after validation (validate.ts); nothing reads a catalog without validating it.
 */

/** The three 跨省通办 handling modes (gov-services.md). */
export const HANDLING_MODES = ['全程网办', '异地代收代办', '多地联办'] as const;
export type HandlingMode = (typeof HANDLING_MODES)[number];

export const FIELD_TYPES = ['text', 'number', 'date', 'select', 'idNumber', 'phone', 'region'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** The forms a material can be handed in as. */
export const MATERIAL_FORMS = ['原件', '复印件', '电子证照'] as const;
export type MaterialForm = (typeof MATERIAL_FORMS)[number];

export interface FormField {
  /** The key in the case's form data, e.g. `settleRegion` (letters and digits, starting with a letter). */
  readonly name: string;
  /** What the kiosk shows, in Chinese. */
  readonly label: string;
  readonly type: FieldType;
  readonly required: boolean;
  /** text: fewest characters; number: smallest value. */
  readonly min?: number;
  /** text: most characters; number: largest value. */
  readonly max?: number;
  /** text: a regular expression the whole value must match. */
  readonly pattern?: string;
  /** Says in Chinese what the pattern wants (shown with the error), e.g. "12位数字". */
  readonly patternHint?: string;
  /** select: the choices. */
  readonly options?: readonly string[];
  /** A fictional value that passes this field's checks (used by `tongban cases example`; checked at load). */
  readonly example?: string | number;
}

export interface FormSchema {
  readonly fields: readonly FormField[];
}

export interface MaterialSpec {
  /** Stable id within the item, e.g. `purchase-contract`. */
  readonly id: string;
  readonly name: string;
  readonly required: boolean;
  /** The form the department asks for. */
  readonly form: MaterialForm;
  /** Other forms accepted instead (e.g. 电子证照 for a 复印件: 免证办). */
  readonly alternatives?: readonly MaterialForm[];
}

export interface CatalogItem {
  /** 事项编码 (the implementation list's code): 4-40 of A-Z, 0-9 and "-". */
  readonly code: string;
  readonly name: string;
  /** The department that decides. */
  readonly department: string;
  /** The region whose implementation list offers the item here (6-digit code). */
  readonly region: string;
  /** The region of the deciding department (differs from `region` for 异地代收代办). */
  readonly targetRegion: string;
  readonly modes: readonly HandlingMode[];
  readonly form: FormSchema;
  readonly materials: readonly MaterialSpec[];
  /** The certs template the kiosk issues the result with on site (证明开具), when it can. */
  readonly issuable?: string;
  /** Statutory time limit in working days; 0 = 即办 (done at once). */
  readonly timeLimitDays: number;
  /** E.g. 社会保险, 医疗保障. */
  readonly category: string;
  /** Pinyin initials of the name, lower case, for the search keyboard (长三角异地就医备案 -> csjydjyba). */
  readonly initials: string;
}

/** 一件事一次办: several items applied for together, with one bundle id over their cases. */
export interface CatalogBundle {
  readonly code: string;
  readonly name: string;
  /** Item codes, each in the catalog, at least two. */
  readonly items: readonly string[];
}

/**
 * 智能导办: a few questions that lead a citizen who does not know the item's name to the right one. One
 * question at a time; each choice leads to another question of the same guide or to an item, with a short
 * reason the kiosk shows. validate.ts checks the graph: every leaf names an item of the catalog, every
 * question is reachable from `start`, there are no cycles, and depth and size are bounded.
 */
export interface GuideChoice {
  /** What the citizen touches, e.g. 长期住在外地（随子女养老）. */
  readonly label: string;
  /** The id of the next question (exactly one of `next` and `item`). */
  readonly next?: string;
  /** The item code this choice leads to. */
  readonly item?: string;
  /** With `item`: why this item, in a sentence (shown with the result). */
  readonly reason?: string;
}

export interface GuideQuestion {
  /** Unique within its guide: lower-case letters, digits and "-". */
  readonly id: string;
  readonly text: string;
  readonly choices: readonly GuideChoice[];
}

export interface CatalogGuide {
  /** Unique among the guides: as an item code (4-40 of A-Z, 0-9 and "-"). */
  readonly code: string;
  /** The guide's button, e.g. 我要开证明. */
  readonly name: string;
  /** A line under the name, e.g. 社保缴费证明、房产证明. */
  readonly summary?: string;
  /** The id of the first question. */
  readonly start: string;
  readonly questions: readonly GuideQuestion[];
}

export interface Catalog {
  /** Increases with every update the endpoint publishes; an update must carry a higher one. */
  readonly version: number;
  /** When it was published (ISO 8601). */
  readonly publishedAt: string;
  readonly items: readonly CatalogItem[];
  readonly bundles: readonly CatalogBundle[];
  /** 智能导办 (absent in catalogs that have none: their documents stay as they were). */
  readonly guides?: readonly CatalogGuide[];
}
