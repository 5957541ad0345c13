/** The validating decoder of what an endpoint sends (what the kiosk accepts). */
import { LIMITS } from './constants.js';
import { content, fileSize, note, reason, resultDocs } from './common.js';
import { decodeFrame } from './frame.js';
import { ACK_OUTCOMES, ENDPOINT_STATUSES, type AckResult, type EndpointEvent, type EndpointMessage, type EndpointTextMessage } from './messages.js';
import type { RawFrame } from './text-frame.js';
import { TOKEN, array, boolean, code, cursor, fail, integer, isoTime, kioskId, object, oneOf, seq, sm3, string, uuid, type Path } from './validate.js';

const DAY_MS = 86_400_000;
export const MAX_REGIONS = 1000;
const token = (v: unknown, p: Path, max: number): string => string(v, p, { max, pattern: TOKEN, describe: 'printable ASCII without spaces' });

function ackResult(v: unknown, p: Path): AckResult {
  const o = object(v, p, ['seq', 'outcome'], ['code', 'reason', 'retryAfterMs']);
  return {
    seq: seq(o.seq, `${p}.seq`),
    outcome: oneOf(o.outcome, `${p}.outcome`, ACK_OUTCOMES),
    ...(o.code !== undefined ? { code: code(o.code, `${p}.code`) } : {}),
    ...(o.reason !== undefined ? { reason: reason(o.reason, `${p}.reason`) } : {}),
    ...(o.retryAfterMs !== undefined ? { retryAfterMs: integer(o.retryAfterMs, `${p}.retryAfterMs`, 0, DAY_MS) } : {}),
  };
}

function endpointEvent(v: unknown, p: Path): EndpointEvent {
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && (v as { kind?: unknown }).kind === 'catalog') {
    const o = object(v, p, ['cursor', 'id', 'kind', 'version', 'catalog', 'at']);
    return { cursor: cursor(o.cursor, `${p}.cursor`), id: uuid(o.id, `${p}.id`), kind: 'catalog', version: integer(o.version, `${p}.version`, 1), catalog: content(o.catalog, `${p}.catalog`), at: isoTime(o.at, `${p}.at`) };
  }
  const o = object(v, p, ['cursor', 'id', 'kind', 'caseId', 'to', 'results', 'at'], ['note']);
  oneOf(o.kind, `${p}.kind`, ['case.status', 'catalog'] as const);
  return {
    cursor: cursor(o.cursor, `${p}.cursor`),
    id: uuid(o.id, `${p}.id`),
    kind: 'case.status',
    caseId: uuid(o.caseId, `${p}.caseId`),
    to: oneOf(o.to, `${p}.to`, ENDPOINT_STATUSES),
    ...(o.note !== undefined ? { note: note(o.note, `${p}.note`) } : {}),
    results: resultDocs(o.results, `${p}.results`),
    at: isoTime(o.at, `${p}.at`),
  };
}

type Decoder = (o: Record<string, unknown>) => EndpointTextMessage;

const DECODERS: Record<EndpointTextMessage['type'], Decoder> = {
  enrolled: (o) => {
    object(o, 'enrolled', ['v', 'type', 'kioskId', 'secret']);
    return { v: o.v as number, type: 'enrolled', kioskId: kioskId(o.kioskId, 'enrolled.kioskId'), secret: token(o.secret, 'enrolled.secret', 256) };
  },
  welcome: (o) => {
    object(o, 'welcome', ['v', 'type', 'endpointId', 'regions', 'heartbeatMs', 'window', 'highestSeq']);
    const w = object(o.window, 'welcome.window', ['entries', 'chunks']);
    return {
      v: o.v as number,
      type: 'welcome',
      endpointId: token(o.endpointId, 'welcome.endpointId', 80),
      regions: array(o.regions, 'welcome.regions', 1, MAX_REGIONS).map((r, i) =>
        string(r, `welcome.regions[${i}]`, { max: 6, pattern: /^(\*|[0-9]{6})$/, describe: "'*' or a 6-digit region code" }),
      ),
      heartbeatMs: integer(o.heartbeatMs, 'welcome.heartbeatMs', 1, DAY_MS),
      window: { entries: integer(w.entries, 'welcome.window.entries', 1, 100_000), chunks: integer(w.chunks, 'welcome.window.chunks', 1, 1024) },
      highestSeq: integer(o.highestSeq, 'welcome.highestSeq', 0),
    };
  },
  ack: (o) => {
    object(o, 'ack', ['v', 'type', 'results']);
    const results = array(o.results, 'ack.results', 1, LIMITS.maxBatch).map((r, i) => ackResult(r, `ack.results[${i}]`));
    for (let i = 1; i < results.length; i++) {
      if (results[i]!.seq <= results[i - 1]!.seq) fail('protocol.badValue', `ack.results[${i}].seq`, 'not ascending');
    }
    return { v: o.v as number, type: 'ack', results };
  },
  'file.status': (o) => {
    object(o, 'file.status', ['v', 'type', 'sm3', 'committed', 'complete']);
    return { v: o.v as number, type: 'file.status', sm3: sm3(o.sm3, 'file.status.sm3'), committed: fileSize(o.committed, 'file.status.committed'), complete: boolean(o.complete, 'file.status.complete') };
  },
  'file.ack': (o) => {
    object(o, 'file.ack', ['v', 'type', 'sm3', 'committed', 'complete']);
    return { v: o.v as number, type: 'file.ack', sm3: sm3(o.sm3, 'file.ack.sm3'), committed: fileSize(o.committed, 'file.ack.committed'), complete: boolean(o.complete, 'file.ack.complete') };
  },
  'file.rejected': (o) => {
    object(o, 'file.rejected', ['v', 'type', 'sm3', 'code', 'reason']);
    return { v: o.v as number, type: 'file.rejected', sm3: sm3(o.sm3, 'file.rejected.sm3'), code: code(o.code, 'file.rejected.code'), reason: reason(o.reason, 'file.rejected.reason') };
  },
  events: (o) => {
    object(o, 'events', ['v', 'type', 'events']);
    const events = array(o.events, 'events.events', 1, LIMITS.maxEventsPerMessage).map((e, i) => endpointEvent(e, `events.events[${i}]`));
    for (let i = 1; i < events.length; i++) {
      if (BigInt(events[i]!.cursor) <= BigInt(events[i - 1]!.cursor)) fail('protocol.badValue', `events.events[${i}].cursor`, 'not ascending');
    }
    return { v: o.v as number, type: 'events', events };
  },
  'heartbeat.request': (o) => {
    object(o, 'heartbeat.request', ['v', 'type']);
    return { v: o.v as number, type: 'heartbeat.request' };
  },
  error: (o) => {
    object(o, 'error', ['v', 'type', 'code', 'message', 'fatal'], ['retryAfterMs']);
    return {
      v: o.v as number,
      type: 'error',
      code: code(o.code, 'error.code'),
      message: reason(o.message, 'error.message'),
      fatal: boolean(o.fatal, 'error.fatal'),
      ...(o.retryAfterMs !== undefined ? { retryAfterMs: integer(o.retryAfterMs, 'error.retryAfterMs', 0, DAY_MS) } : {}),
    };
  },
};

/** The types an endpoint sends as text. */
export const ENDPOINT_TEXT_TYPES = Object.keys(DECODERS) as EndpointTextMessage['type'][];

/** Validates an already parsed text message (v checked) by its type; undefined when the type is not an endpoint's. */
export function endpointTextDecoder(type: string): Decoder | undefined {
  return Object.hasOwn(DECODERS, type) ? DECODERS[type as EndpointTextMessage['type']] : undefined;
}


/**
 * What the kiosk accepts: a text frame (JSON message) or a binary frame (file.chunk, the answer to
 * file.get). Throws ProtocolError on anything malformed, unknown, oversize or with unknown keys.
 */
export function decodeEndpointMessage(frame: RawFrame, isBinary: boolean): EndpointMessage {
  return decodeFrame(frame, isBinary, endpointTextDecoder, 'an endpoint');
}
