/**
 * The receipt document (what a kiosk prints: a 受理回执 slip, a queue ticket), its validation where it
 * enters (CLI file, agent API), and its rendering to ESC/POS bytes for a 58 or 80 mm printer.
 *
 * The simple form is that of `tongban print receipt --in RECEIPT.json`:
 *   { "title": "...", "lines": ["..."], "qr": "...optional...", "footer": "...optional..." }
 * Richer forms: `rows` (key-value pairs printed key left, value right), line objects with alignment, bold
 * and double size, "---" as a rule, `qrSize`, `cut`.
 */
import { InputError } from '../../base/errors.js';
import { EscPosBuilder } from './builder.js';
import { QR_MAX_BYTES, type Align } from './commands.js';
import { COLUMNS, keyValue, wrap, type PaperWidth } from './text.js';

export interface ReceiptLine {
  readonly text: string;
  readonly align?: Align;
  readonly bold?: boolean;
  /** Double width and height (half the columns). */
  readonly large?: boolean;
}

export interface Receipt {
  readonly title: string;
  readonly lines: readonly (string | ReceiptLine)[];
  readonly rows?: readonly { readonly key: string; readonly value: string }[];
  readonly qr?: string;
  /** QR module size in dots, 1..16 (default 6). */
  readonly qrSize?: number;
  readonly footer?: string;
  readonly cut?: 'full' | 'partial';
}

export const RECEIPT_LIMITS = { title: 64, line: 512, lines: 200, rows: 50, key: 32, value: 256, qr: 1024, footer: 512 } as const;

/** C0 and C1 control characters and DEL: bytes that would become printer commands. Tabs become spaces. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/g;

export function cleanText(s: string): string {
  return s.replace(/\t/g, ' ').replace(CONTROL, '');
}

function str(value: unknown, field: string, max: number, required: boolean): string | undefined {
  if (value === undefined || value === null) {
    if (required) throw new InputError('input.receipt', `receipt: "${field}" is required`);
    return undefined;
  }
  if (typeof value !== 'string') throw new InputError('input.receipt', `receipt: "${field}" must be a string`);
  const s = cleanText(value);
  if ([...s].length > max) throw new InputError('input.receipt', `receipt: "${field}" is longer than ${max} characters`);
  return s;
}

function bool(value: unknown, field: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw new InputError('input.receipt', `receipt: "${field}" must be true or false`);
  return value;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function onlyKeys(obj: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const k of Object.keys(obj)) if (!allowed.includes(k)) throw new InputError('input.receipt', `receipt: unknown field "${where}${k}"`);
}

/** Validates untrusted JSON (already parsed) into a Receipt, naming the first bad field. */
export function parseReceipt(value: unknown): Receipt {
  if (!isRecord(value)) throw new InputError('input.receipt', 'receipt: expected a JSON object { "title": ..., "lines": [...] }');
  onlyKeys(value, ['title', 'lines', 'rows', 'qr', 'qrSize', 'footer', 'cut'], '');
  const title = str(value['title'], 'title', RECEIPT_LIMITS.title, true) as string;
  const rawLines = value['lines'] ?? [];
  if (!Array.isArray(rawLines)) throw new InputError('input.receipt', 'receipt: "lines" must be an array of strings');
  if (rawLines.length > RECEIPT_LIMITS.lines) throw new InputError('input.receipt', `receipt: "lines" has more than ${RECEIPT_LIMITS.lines} entries`);
  const lines = rawLines.map((l: unknown, i): string | ReceiptLine => {
    const f = `lines[${i}]`;
    if (typeof l === 'string') return str(l, f, RECEIPT_LIMITS.line, true) as string;
    if (!isRecord(l)) throw new InputError('input.receipt', `receipt: "${f}" must be a string or { "text": ... }`);
    onlyKeys(l, ['text', 'align', 'bold', 'large'], `${f}.`);
    const align = l['align'];
    if (align !== undefined && align !== 'left' && align !== 'center' && align !== 'right') {
      throw new InputError('input.receipt', `receipt: "${f}.align" must be left, center or right`);
    }
    const line: ReceiptLine = { text: str(l['text'], `${f}.text`, RECEIPT_LIMITS.line, true) as string };
    return { ...line, ...(align ? { align } : {}), ...pick('bold', bool(l['bold'], `${f}.bold`)), ...pick('large', bool(l['large'], `${f}.large`)) };
  });
  let rows: { key: string; value: string }[] | undefined;
  if (value['rows'] !== undefined) {
    const r = value['rows'];
    if (!Array.isArray(r)) throw new InputError('input.receipt', 'receipt: "rows" must be an array of { "key": ..., "value": ... }');
    if (r.length > RECEIPT_LIMITS.rows) throw new InputError('input.receipt', `receipt: "rows" has more than ${RECEIPT_LIMITS.rows} entries`);
    rows = r.map((row: unknown, i) => {
      if (!isRecord(row)) throw new InputError('input.receipt', `receipt: "rows[${i}]" must be { "key": ..., "value": ... }`);
      onlyKeys(row, ['key', 'value'], `rows[${i}].`);
      return { key: str(row['key'], `rows[${i}].key`, RECEIPT_LIMITS.key, true) as string, value: str(row['value'], `rows[${i}].value`, RECEIPT_LIMITS.value, true) as string };
    });
  }
  const qr = str(value['qr'], 'qr', RECEIPT_LIMITS.qr, false);
  if (qr !== undefined && (qr.length === 0 || new TextEncoder().encode(qr).length > QR_MAX_BYTES)) throw new InputError('input.receipt', 'receipt: "qr" must not be empty');
  const qrSize = value['qrSize'];
  if (qrSize !== undefined && !(Number.isInteger(qrSize) && (qrSize as number) >= 1 && (qrSize as number) <= 16)) {
    throw new InputError('input.receipt', 'receipt: "qrSize" must be an integer 1..16');
  }
  const cut = value['cut'];
  if (cut !== undefined && cut !== 'full' && cut !== 'partial') throw new InputError('input.receipt', 'receipt: "cut" must be "full" or "partial"');
  const footer = str(value['footer'], 'footer', RECEIPT_LIMITS.footer, false);
  return {
    title,
    lines,
    ...(rows ? { rows } : {}),
    ...(qr !== undefined ? { qr } : {}),
    ...(qrSize !== undefined ? { qrSize: qrSize as number } : {}),
    ...(footer !== undefined ? { footer } : {}),
    ...(cut !== undefined ? { cut: cut as 'full' | 'partial' } : {}),
  };
}

function pick<K extends string>(key: K, v: boolean | undefined): Partial<Record<K, boolean>> {
  return v === undefined ? {} : ({ [key]: v } as Record<K, boolean>);
}

export interface RenderOptions {
  readonly width?: PaperWidth;
}

/** The receipt as ESC/POS bytes: initialise, Chinese mode, title large and centred, body, QR, footer, feed, cut. */
export function renderReceipt(receipt: Receipt, options: RenderOptions = {}): Uint8Array {
  const columns = COLUMNS[options.width ?? 58];
  const b = new EscPosBuilder().initialize().chineseMode(true);
  b.align('center').bold(true).size(2, 2);
  for (const l of wrap(receipt.title, Math.floor(columns / 2))) b.line(l);
  b.size(1, 1).bold(false).align('left');
  const rule = '-'.repeat(columns);
  b.line(rule);
  for (const entry of receipt.lines) {
    const l: ReceiptLine = typeof entry === 'string' ? { text: entry } : entry;
    if (l.text === '---') {
      b.line(rule);
      continue;
    }
    b.align(l.align ?? 'left');
    if (l.bold) b.bold(true);
    if (l.large) b.size(2, 2);
    for (const part of wrap(l.text, l.large ? Math.floor(columns / 2) : columns)) b.line(part);
    if (l.large) b.size(1, 1);
    if (l.bold) b.bold(false);
  }
  b.align('left');
  if (receipt.rows?.length) {
    b.line(rule);
    for (const row of receipt.rows) for (const l of keyValue(row.key, row.value, columns)) b.line(l);
  }
  if (receipt.qr !== undefined) {
    b.line().align('center').qr(receipt.qr, { moduleSize: receipt.qrSize ?? 6, errorLevel: 'M' }).line().align('left');
  }
  if (receipt.footer !== undefined) {
    b.line(rule).align('center');
    for (const l of wrap(receipt.footer, columns)) b.line(l);
    b.align('left');
  }
  return b.feed(4).cut(receipt.cut ?? 'full').bytes();
}
