/** The validating decoder of what a kiosk sends (what the endpoint accepts). */
import { LIMITS } from './constants.js';
import { content, fileSize, note, resultDocs } from './common.js';
import { decodeFrame } from './frame.js';
import {
  CASE_STATUSES,
  ENTRY_KINDS,
  MEDIA_TYPES,
  type AuditHead,
  type CaseEntry,
  type DeviceHealth,
  type KioskMessage,
  type KioskTextMessage,
  type QueueSizes,
} from './messages.js';
import type { RawFrame } from './text-frame.js';
import { TOKEN, array, cursor, fail, integer, isoTime, kioskId, object, oneOf, region, seq, sm3, string, uuid, type Path } from './validate.js';

export const MAX_DEVICES = 64;
const token = (v: unknown, p: Path, max: number): string => string(v, p, { max, pattern: TOKEN, describe: 'printable ASCII without spaces' });

function caseEntry(v: unknown, p: Path): CaseEntry {
  const o = object(v, p, ['seq', 'caseId', 'region', 'kind', 'payload']);
  const base = { seq: seq(o.seq, `${p}.seq`), caseId: uuid(o.caseId, `${p}.caseId`), region: region(o.region, `${p}.region`) };
  const kind = oneOf(o.kind, `${p}.kind`, ENTRY_KINDS);
  const pp = `${p}.payload`;
  switch (kind) {
    case 'case.submitted': {
      const q = object(o.payload, pp, ['serial', 'contentHash', 'content']);
      return { ...base, kind, payload: { serial: token(q.serial, `${pp}.serial`, 64), contentHash: sm3(q.contentHash, `${pp}.contentHash`), content: content(q.content, `${pp}.content`) } };
    }
    case 'case.transition': {
      const q = object(o.payload, pp, ['from', 'to', 'at', 'contentHash', 'results'], ['note', 'content']);
      return {
        ...base,
        kind,
        payload: {
          from: oneOf(q.from, `${pp}.from`, CASE_STATUSES),
          to: oneOf(q.to, `${pp}.to`, CASE_STATUSES),
          at: isoTime(q.at, `${pp}.at`),
          contentHash: sm3(q.contentHash, `${pp}.contentHash`),
          ...(q.note !== undefined ? { note: note(q.note, `${pp}.note`) } : {}),
          ...(q.content !== undefined ? { content: content(q.content, `${pp}.content`) } : {}),
          results: resultDocs(q.results, `${pp}.results`),
        },
      };
    }
    case 'case.contentChanged': {
      const q = object(o.payload, pp, ['contentHash', 'content']);
      return { ...base, kind, payload: { contentHash: sm3(q.contentHash, `${pp}.contentHash`), content: content(q.content, `${pp}.content`) } };
    }
  }
}

function device(v: unknown, p: Path): DeviceHealth {
  const o = object(v, p, ['device', 'state'], ['detail']);
  return {
    device: string(o.device, `${p}.device`, { max: 64 }),
    state: string(o.state, `${p}.state`, { max: 64 }),
    ...(o.detail !== undefined ? { detail: string(o.detail, `${p}.detail`, { max: 500, min: 0 }) } : {}),
  };
}

function queue(v: unknown, p: Path): QueueSizes {
  const o = object(v, p, ['pending', 'quarantined', 'unrouted', 'inboxUnapplied']);
  return {
    pending: integer(o.pending, `${p}.pending`, 0),
    quarantined: integer(o.quarantined, `${p}.quarantined`, 0),
    unrouted: integer(o.unrouted, `${p}.unrouted`, 0),
    inboxUnapplied: integer(o.inboxUnapplied, `${p}.inboxUnapplied`, 0),
  };
}

function auditHead(v: unknown, p: Path): AuditHead | null {
  if (v === null) return null;
  const o = object(v, p, ['seq', 'hash']);
  return { seq: integer(o.seq, `${p}.seq`, 0), hash: sm3(o.hash, `${p}.hash`) };
}

type Decoder = (o: Record<string, unknown>) => KioskTextMessage;

const DECODERS: Record<KioskTextMessage['type'], Decoder> = {
  enroll: (o) => {
    object(o, 'enroll', ['v', 'type', 'token', 'agentVersion']);
    return { v: o.v as number, type: 'enroll', token: token(o.token, 'enroll.token', 256), agentVersion: token(o.agentVersion, 'enroll.agentVersion', 64) };
  },
  hello: (o) => {
    object(o, 'hello', ['v', 'type', 'kioskId', 'secret', 'agentVersion', 'caseFormat', 'cursor']);
    return {
      v: o.v as number,
      type: 'hello',
      kioskId: kioskId(o.kioskId, 'hello.kioskId'),
      secret: token(o.secret, 'hello.secret', 256),
      agentVersion: token(o.agentVersion, 'hello.agentVersion', 64),
      caseFormat: integer(o.caseFormat, 'hello.caseFormat', 1, 1) as 1,
      cursor: o.cursor === null ? null : cursor(o.cursor, 'hello.cursor'),
    };
  },
  cases: (o) => {
    object(o, 'cases', ['v', 'type', 'batch']);
    const batch = array(o.batch, 'cases.batch', 1, LIMITS.maxBatch).map((e, i) => caseEntry(e, `cases.batch[${i}]`));
    for (let i = 1; i < batch.length; i++) {
      if (batch[i]!.seq <= batch[i - 1]!.seq) fail('protocol.badValue', `cases.batch[${i}].seq`, 'not ascending');
    }
    return { v: o.v as number, type: 'cases', batch };
  },
  'file.offer': (o) => {
    object(o, 'file.offer', ['v', 'type', 'sm3', 'size', 'mediaType']);
    return { v: o.v as number, type: 'file.offer', sm3: sm3(o.sm3, 'file.offer.sm3'), size: fileSize(o.size, 'file.offer.size'), mediaType: oneOf(o.mediaType, 'file.offer.mediaType', MEDIA_TYPES) };
  },
  'file.get': (o) => {
    object(o, 'file.get', ['v', 'type', 'sm3', 'offset']);
    return { v: o.v as number, type: 'file.get', sm3: sm3(o.sm3, 'file.get.sm3'), offset: fileSize(o.offset, 'file.get.offset') };
  },
  'events.ack': (o) => {
    object(o, 'events.ack', ['v', 'type', 'cursor']);
    return { v: o.v as number, type: 'events.ack', cursor: cursor(o.cursor, 'events.ack.cursor') };
  },
  heartbeat: (o) => {
    object(o, 'heartbeat', ['v', 'type', 'devices', 'queue', 'auditHead']);
    return {
      v: o.v as number,
      type: 'heartbeat',
      devices: array(o.devices, 'heartbeat.devices', 0, MAX_DEVICES).map((d, i) => device(d, `heartbeat.devices[${i}]`)),
      queue: queue(o.queue, 'heartbeat.queue'),
      auditHead: auditHead(o.auditHead, 'heartbeat.auditHead'),
    };
  },
};

/** The types a kiosk sends as text. */
export const KIOSK_TEXT_TYPES = Object.keys(DECODERS) as KioskTextMessage['type'][];

/** Validates an already parsed text message (v checked) by its type; undefined when the type is not a kiosk's. */
export function kioskTextDecoder(type: string): Decoder | undefined {
  return Object.hasOwn(DECODERS, type) ? DECODERS[type as KioskTextMessage['type']] : undefined;
}

/**
 * What the endpoint accepts: a text frame (JSON message) or a binary frame (file.chunk). Throws
 * ProtocolError on anything malformed, unknown, oversize or with unknown keys.
 */
export function decodeKioskMessage(frame: RawFrame, isBinary: boolean): KioskMessage {
  return decodeFrame(frame, isBinary, kioskTextDecoder, 'a kiosk');
}
