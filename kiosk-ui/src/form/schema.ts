/**
 * A catalog item as GET /api/catalog/{code} gives it (agent/catalog/types.ts is its source; the page may
 * not import agent/ code, so the shape it reads is written here).
 */
export type FieldType = 'text' | 'number' | 'date' | 'select' | 'idNumber' | 'phone' | 'region';
export type MaterialForm = '原件' | '复印件' | '电子证照';

export interface FormField {
  readonly name: string;
  readonly label: string;
  readonly type: FieldType;
  readonly required: boolean;
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: string;
  readonly patternHint?: string;
  readonly options?: readonly string[];
  readonly example?: string | number;
}

export interface MaterialSpec {
  readonly id: string;
  readonly name: string;
  readonly required: boolean;
  readonly form: MaterialForm;
  readonly alternatives?: readonly MaterialForm[];
}

export interface CatalogItem {
  readonly code: string;
  readonly name: string;
  readonly department: string;
  readonly region: string;
  readonly targetRegion: string;
  readonly modes: readonly string[];
  readonly form: { readonly fields: readonly FormField[] };
  readonly materials: readonly MaterialSpec[];
  readonly issuable?: string;
  readonly timeLimitDays: number;
  readonly category: string;
  readonly initials: string;
}

/** A region of GET /api/regions. */
export interface Region {
  readonly code: string;
  readonly name: string;
  readonly parent: string | null;
}
