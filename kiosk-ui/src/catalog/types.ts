/**
 * The catalog as GET /api/catalog gives it to the page: a summary of each item (no form, no materials:
 * the form screen fetches the item whole) and the 智能导办 guides. Mirrors agent/catalog/types.ts and the
 * OpenAPI schema CatalogList (the page may not import agent/catalog).
 */
export type HandlingMode = '全程网办' | '异地代收代办' | '多地联办';

export interface ItemSummary {
  code: string;
  name: string;
  department: string;
  region: string;
  targetRegion: string;
  modes: HandlingMode[];
  category: string;
  /** Statutory limit in working days; 0 = 即办. */
  timeLimitDays: number;
  /** Pinyin initials of the name, lower case (长三角异地就医备案 -> csjydjyba). */
  initials: string;
  /** The certificate the kiosk issues on the spot (当场出证), when it can. */
  issuable?: string;
}

export interface GuideChoice {
  label: string;
  /** The next question's id, or ... */
  next?: string;
  /** ... the item it leads to, with the reason shown with it. */
  item?: string;
  reason?: string;
}

export interface GuideQuestion {
  id: string;
  text: string;
  choices: GuideChoice[];
}

export interface Guide {
  code: string;
  name: string;
  summary?: string;
  start: string;
  questions: GuideQuestion[];
}

export interface CatalogList {
  version: number;
  publishedAt: string;
  items: ItemSummary[];
  bundles: { code: string; name: string; items: string[] }[];
  guides: Guide[];
}
