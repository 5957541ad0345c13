/**
 * Outbox payloads (as agent/cases writes them) into the protocol's case entries (sync/protocol), and
 * the files an entry lists — pure. The kiosk's result documents ({ kind, name, documentId, sm3 }) become
 * the protocol's ResultDoc ({ documentId, title, sm3, size, mediaType }) with the size and type of the
 * file the kiosk holds; an endpoint's ResultDoc becomes a kiosk result document.
 */
import type { CaseEntry, FileRef, MediaType, ResultDoc } from '../../sync/protocol/index.js';
import type { ResultDocument, ResultKind } from '../cases/types.js';

export const MEDIA_TYPES: readonly MediaType[] = ['application/pdf', 'image/jpeg', 'image/png'];

/** Why an outbox row cannot be sent as it is (it is quarantined at the kiosk with this). */
export class UnsendableEntry extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const HASH = /^[0-9a-f]{64}$/;

/** The attached materials of a canonical case content: the files the endpoint must hold first. */
export function contentFiles(content: Record<string, unknown>): FileRef[] {
  const materials = Array.isArray(content.materials) ? content.materials : [];
  const files: FileRef[] = [];
  for (const m of materials) {
    if (!isRecord(m) || m.provision !== 'attached') continue;
    if (typeof m.sm3 !== 'string' || !HASH.test(m.sm3) || !Number.isSafeInteger(m.size) || !MEDIA_TYPES.includes(m.mediaType as MediaType)) {
      throw new UnsendableEntry('kiosk.badEntry', `material ${String(m.id)} of the case content has no valid file reference`);
    }
    files.push({ sm3: m.sm3, size: m.size as number, mediaType: m.mediaType as MediaType });
  }
  return files;
}

/** What the kiosk knows of a file it holds, by SM3. */
export type FileLookup = (sm3: string) => { size: number; mediaType: string } | undefined;

/** A kiosk result document as the protocol sends it (the kiosk must hold its file). */
export function resultDocOf(doc: ResultDocument, file: FileLookup): ResultDoc {
  const held = file(doc.sm3);
  if (!held || !MEDIA_TYPES.includes(held.mediaType as MediaType)) throw new UnsendableEntry('kiosk.missingFile', `result document ${doc.documentId}: the kiosk does not hold its file`);
  return { documentId: doc.documentId, title: doc.name, sm3: doc.sm3, size: held.size, mediaType: held.mediaType as MediaType };
}

/** An endpoint's result document as the kiosk records it with the case. */
export function resultDocumentOf(doc: ResultDoc): ResultDocument {
  // The protocol has no kind: the title says what it is (a certificate 证明, a licence 证/照, else a decision 批文).
  const kind: ResultKind = doc.title.includes('证明') ? '证明' : /证|照/.test(doc.title) ? '证照' : '批文';
  const name = [...doc.title.trim()].slice(0, 60).join('') || doc.documentId;
  return { kind, name, documentId: doc.documentId, sm3: doc.sm3 };
}

/**
 * The protocol entry of an outbox row, with the files it lists. Throws UnsendableEntry for a row that
 * is not a case entry the protocol knows (such a row is quarantined, never dropped).
 */
export function caseEntryOf(row: { seq: number; caseId: string | null; region: string; kind: string; payload: unknown }, file: FileLookup): { entry: CaseEntry; files: FileRef[] } {
  const { seq, region, payload } = row;
  if (row.caseId === null) throw new UnsendableEntry('kiosk.badEntry', `outbox entry ${seq} belongs to no case`);
  const caseId = row.caseId;
  if (!isRecord(payload)) throw new UnsendableEntry('kiosk.erased', `outbox entry ${seq} has no payload (erased)`);
  const contentOf = (): Record<string, unknown> => {
    if (!isRecord(payload.content)) throw new UnsendableEntry('kiosk.badEntry', `outbox entry ${seq} carries no case content`);
    return payload.content;
  };
  switch (row.kind) {
    case 'case.submitted': {
      const content = contentOf();
      return { entry: { seq, caseId, region, kind: 'case.submitted', payload: { serial: String(payload.serial), contentHash: String(payload.contentHash), content } }, files: contentFiles(content) };
    }
    case 'case.contentChanged': {
      const content = contentOf();
      return { entry: { seq, caseId, region, kind: 'case.contentChanged', payload: { contentHash: String(payload.contentHash), content } }, files: contentFiles(content) };
    }
    case 'case.transition': {
      const results = (Array.isArray(payload.results) ? (payload.results as ResultDocument[]) : []).map((d) => resultDocOf(d, file));
      const content = isRecord(payload.content) ? payload.content : undefined;
      const files = [...(content ? contentFiles(content) : []), ...results.map(({ sm3, size, mediaType }) => ({ sm3, size, mediaType }))];
      return {
        entry: {
          seq,
          caseId,
          region,
          kind: 'case.transition',
          payload: {
            from: payload.from as never,
            to: payload.to as never,
            at: String(payload.at),
            contentHash: String(payload.contentHash),
            ...(typeof payload.note === 'string' ? { note: payload.note } : {}),
            ...(content ? { content } : {}),
            results,
          },
        },
        files,
      };
    }
    default:
      throw new UnsendableEntry('kiosk.badEntry', `outbox entry ${seq} is of kind ${row.kind}, which the sync protocol does not carry`);
  }
}
