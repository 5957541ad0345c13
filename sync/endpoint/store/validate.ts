/**
 * Pure checks of what the kiosk sends, done by the store again (the protocol decoder checked the
 * shapes; the store answers for what it commits): the content hash recomputed over the canonical
 * JSON exactly as the kiosk computes it (agent/cases/README.md), the files a content lists.
 */
import { sm3Hex } from '../../../certs/sm3.js';
import { MEDIA_TYPES, type FileRef, type JsonObject, type MediaType, type ResultDoc } from './protocol-types.js';

export const SM3_RE = /^[0-9a-f]{64}$/;
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const KIOSK_ID_RE = /^[A-Za-z0-9._-]{1,64}$/;
export const REGION_RE = /^\d{6}$/;
export const DOCUMENT_ID_RE = /^[A-Za-z0-9._:-]{1,80}$/;

/** Whether a JSON value nests deeper than `max` (iterative: the check must not recurse on hostile depth). */
export function deeperThan(value: unknown, max: number): boolean {
  const stack: { v: unknown; depth: number }[] = [{ v: value, depth: 1 }];
  while (stack.length > 0) {
    const { v, depth } = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v as Record<string, unknown>)) {
      if (typeof child === 'object' && child !== null) stack.push({ v: child, depth: depth + 1 });
    }
  }
  return false;
}

/** A permanent (rejected) or transient (retry) problem with one entry. */
export interface Problem {
  readonly outcome: 'rejected' | 'retry';
  readonly code: string;
  readonly reason: string;
  readonly retryAfterMs?: number;
}

export const rejected = (code: string, reason: string): Problem => ({ outcome: 'rejected', code, reason });

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isMediaType(value: unknown): value is MediaType {
  return typeof value === 'string' && (MEDIA_TYPES as readonly string[]).includes(value);
}

/**
 * certs canonicalJson (keys in code-unit order, undefined members left out, no NaN or Infinity), written
 * for the endpoint's hot path: the same text, several times faster on a case's content (no entry
 * arrays, no comparator; the default sort compares code units, as canonicalJson's comparator does).
 * Throws a RangeError where canonicalJson does. Tested against canonicalJson.
 */
export function fastCanonicalJson(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'boolean' || value === null) return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError('canonical JSON has no form for NaN or Infinity');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + fastCanonicalJson(value[i]);
    return out + ']';
  }
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o);
    let sorted = true;
    for (let i = 1; i < keys.length; i++) {
      if (!(keys[i - 1]! < keys[i]!)) {
        sorted = false;
        break;
      }
    }
    if (!sorted) keys.sort();
    let out = '{';
    let first = true;
    for (const k of keys) {
      const v = o[k];
      if (v === undefined) continue;
      out += (first ? '' : ',') + JSON.stringify(k) + ':' + fastCanonicalJson(v);
      first = false;
    }
    return out + '}';
  }
  throw new RangeError(`canonical JSON has no form for a ${typeof value}`);
}

/** The canonical JSON text of `content`, or undefined when it has none (NaN, a function...). */
export function canonicalText(content: unknown): string | undefined {
  try {
    return fastCanonicalJson(content);
  } catch {
    return undefined;
  }
}

/** SM3 of the canonical JSON, or undefined when the value has no canonical form (NaN, a function...). */
export function contentHashOf(content: unknown): string | undefined {
  const text = canonicalText(content);
  return text === undefined ? undefined : sm3Hex(text);
}

/**
 * The content belongs to the case and hashes to what the kiosk says; its item is named. On success,
 * its canonical text: what the store keeps (the column the content hash is over).
 */
export function checkContent(caseId: string, content: unknown, contentHash: unknown): { readonly canonical: string } | Problem {
  if (!isObject(content)) return rejected('entry.invalid', 'the content is not an object');
  if (content.id !== caseId) return rejected('case.hashMismatch', 'the content belongs to another case (content.id differs from caseId)');
  if (typeof contentHash !== 'string' || !SM3_RE.test(contentHash)) return rejected('entry.invalid', 'the content hash is not 64 lower-case hex digits');
  const canonical = canonicalText(content);
  if (canonical === undefined || sm3Hex(canonical) !== contentHash) return rejected('case.hashMismatch', 'the SM3 of the canonical content differs from the content hash');
  if (typeof content.itemCode !== 'string' || content.itemCode.length === 0 || content.itemCode.length > 64) {
    return rejected('entry.invalid', 'the content names no item code');
  }
  return { canonical };
}

/** The files an (already hash-checked) content lists: its attached materials. */
export function filesOfContent(content: JsonObject): { sm3: string; size: number }[] | Problem {
  const materials = content.materials;
  if (materials === undefined) return [];
  if (!Array.isArray(materials)) return rejected('entry.invalid', 'content.materials is not a list');
  const files: { sm3: string; size: number }[] = [];
  for (const m of materials as unknown[]) {
    if (!isObject(m) || m.provision !== 'attached') continue;
    if (typeof m.sm3 !== 'string' || !SM3_RE.test(m.sm3) || !Number.isSafeInteger(m.size) || (m.size as number) < 0) {
      return rejected('entry.invalid', `attached material ${typeof m.id === 'string' ? m.id : '?'} has no valid sm3 and size`);
    }
    files.push({ sm3: m.sm3, size: m.size as number });
  }
  return files;
}

export function isFileRef(value: unknown): value is FileRef {
  return (
    isObject(value) &&
    typeof value.sm3 === 'string' &&
    SM3_RE.test(value.sm3) &&
    Number.isSafeInteger(value.size) &&
    (value.size as number) >= 0 &&
    isMediaType(value.mediaType)
  );
}

/** Result documents as the protocol carries them (FileRef + documentId + title), distinct ids. */
export function checkResults(results: unknown): readonly ResultDoc[] | Problem {
  if (!Array.isArray(results)) return rejected('entry.invalid', 'results is not a list');
  const seen = new Set<string>();
  for (const r of results as unknown[]) {
    if (!isFileRef(r) || !isObject(r)) return rejected('entry.invalid', 'a result is not { sm3, size, mediaType, documentId, title }');
    const { documentId, title } = r as unknown as ResultDoc;
    if (typeof documentId !== 'string' || !DOCUMENT_ID_RE.test(documentId)) return rejected('entry.invalid', 'a result has no valid documentId');
    if (typeof title !== 'string' || title.length === 0 || title.length > 200) return rejected('entry.invalid', `result ${documentId} has no title`);
    if (seen.has(documentId)) return rejected('entry.invalid', `result ${documentId} is listed twice`);
    seen.add(documentId);
  }
  return results as ResultDoc[];
}

/** The media type the bytes themselves show (PDF, JPEG, PNG magic), if any. */
export function sniffMediaType(bytes: Uint8Array): MediaType | undefined {
  const b = bytes;
  if (b.length >= 5 && b[0] === 0x25 && b[1] === 0x50 && b[2] === 0x44 && b[3] === 0x46 && b[4] === 0x2d) return 'application/pdf';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 && b[4] === 0x0d && b[5] === 0x0a && b[6] === 0x1a && b[7] === 0x0a) return 'image/png';
  return undefined;
}
