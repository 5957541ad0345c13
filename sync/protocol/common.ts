/** Decoders of the structures both directions share: file references, result documents. */
import { LIMITS } from './constants.js';
import { MEDIA_TYPES, type FileRef, type JsonObject, type ResultDoc } from './messages.js';
import { DOCUMENT_ID, array, fail, integer, jsonObject, object, oneOf, sm3, string, type Path } from './validate.js';

/** Nesting allowed in case content and catalogs (real ones nest 3 to 6 deep). */
export const MAX_JSON_DEPTH = 32;
/** Result documents of one transition or status event. */
export const MAX_RESULTS = 64;
/** Free text: a note to the applicant, a reason. */
export const MAX_NOTE_CHARS = 2000;
export const MAX_REASON_CHARS = 1000;
export const MAX_TITLE_CHARS = 200;

/** A file's size or an offset into it: 0..maxFileBytes (a larger file is `protocol.tooBig`). */
export function fileSize(v: unknown, p: Path): number {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v > LIMITS.maxFileBytes) fail('protocol.tooBig', p, `over ${LIMITS.maxFileBytes} bytes`);
  return integer(v, p, 0, LIMITS.maxFileBytes);
}

export function fileRef(v: unknown, p: Path): FileRef {
  const o = object(v, p, ['sm3', 'size', 'mediaType']);
  return { sm3: sm3(o.sm3, `${p}.sm3`), size: fileSize(o.size, `${p}.size`), mediaType: oneOf(o.mediaType, `${p}.mediaType`, MEDIA_TYPES) };
}

export function resultDoc(v: unknown, p: Path): ResultDoc {
  const o = object(v, p, ['sm3', 'size', 'mediaType', 'documentId', 'title']);
  return {
    sm3: sm3(o.sm3, `${p}.sm3`),
    size: fileSize(o.size, `${p}.size`),
    mediaType: oneOf(o.mediaType, `${p}.mediaType`, MEDIA_TYPES),
    documentId: string(o.documentId, `${p}.documentId`, { max: 80, pattern: DOCUMENT_ID, describe: 'a document id ([A-Za-z0-9._:-]{1,80})' }),
    title: string(o.title, `${p}.title`, { max: MAX_TITLE_CHARS }),
  };
}

export function resultDocs(v: unknown, p: Path): ResultDoc[] {
  return array(v, p, 0, MAX_RESULTS).map((r, i) => resultDoc(r, `${p}[${i}]`));
}

export function content(v: unknown, p: Path): JsonObject {
  return jsonObject(v, p, MAX_JSON_DEPTH);
}

export function note(v: unknown, p: Path): string {
  return string(v, p, { max: MAX_NOTE_CHARS });
}

export function reason(v: unknown, p: Path): string {
  return string(v, p, { max: MAX_REASON_CHARS });
}
