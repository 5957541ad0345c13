/**
 * sync/protocol: a table of malformed frames, each refused by the validating decoders with the expected
 * ProtocolError code, and an error message that names the path but never echoes a value.
 */
import { describe, expect, it } from 'vitest';
import { LIMITS, ProtocolError, decodeEndpointMessage, decodeKioskMessage, encodeChunk, type ProtocolErrorCode } from '../protocol/index.js';
import { CASE_ID, CONTENT, ENDPOINT_SAMPLES, KIOSK_SAMPLES, SM3_A } from './helpers/protocol-samples.js';

type Json = any;
const clone = <T>(v: T): T => structuredClone(v);
const sample = (type: string, nth = 0): Json => clone([...KIOSK_SAMPLES, ...ENDPOINT_SAMPLES].filter((m) => m.type === type)[nth]);

/** A copy of `msg` with the value at `path` ('a.b[2].c') set, or deleted when `value` is DELETE. */
const DELETE = Symbol('delete');
function edit(msg: Json, path: string, value: unknown): Json {
  const out = clone(msg);
  const keys = path.split(/\.|\[|\]\.?/).filter((k) => k !== '');
  let at = out;
  for (const k of keys.slice(0, -1)) at = at[k];
  const last = keys[keys.length - 1]!;
  if (value === DELETE) delete at[last];
  else at[last] = value;
  return out;
}
const text = (msg: unknown): string => JSON.stringify(msg);

const hello = sample('hello');
const cases = sample('cases');
const entry = cases.batch[0];
const heartbeat = sample('heartbeat');
const fileGet = sample('file.get');
const offer = sample('file.offer');
const welcome = sample('welcome');
const ack = sample('ack');
const events = sample('events');

function batchOf(n: number): Json {
  return { v: 1, type: 'cases', batch: Array.from({ length: n }, (_, i) => ({ ...clone(entry), seq: i + 1 })) };
}
function deep(depth: number): Json {
  let v: Json = 'x';
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}
/** A binary frame with an arbitrary header object and data. */
function chunkFrame(header: unknown, data: Buffer = Buffer.from('abc'), headerLength?: number): Buffer {
  const json = Buffer.isBuffer(header) ? header : Buffer.from(typeof header === 'string' ? header : JSON.stringify(header));
  const len = Buffer.alloc(4);
  len.writeUInt32BE(headerLength ?? json.length);
  return Buffer.concat([len, json, data]);
}
const chunkHeader = { v: 1, type: 'file.chunk', sm3: SM3_A, offset: 0, last: false };

interface Row {
  name: string;
  to: 'endpoint' | 'kiosk';
  frame: string | Buffer;
  binary?: boolean;
  code: ProtocolErrorCode;
}

const rows: Row[] = [
  // ---- text frames: envelope
  { name: 'non-JSON', to: 'endpoint', frame: 'hello there', code: 'protocol.badJson' },
  { name: 'truncated JSON', to: 'endpoint', frame: text(hello).slice(0, -3), code: 'protocol.badJson' },
  { name: 'JSON array', to: 'endpoint', frame: '[1,2]', code: 'protocol.badJson' },
  { name: 'JSON string', to: 'kiosk', frame: '"welcome"', code: 'protocol.badJson' },
  { name: 'JSON null', to: 'kiosk', frame: 'null', code: 'protocol.badJson' },
  { name: 'invalid UTF-8', to: 'endpoint', frame: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), code: 'protocol.badJson' },
  { name: 'empty text', to: 'endpoint', frame: '', code: 'protocol.badJson' },
  { name: 'missing v', to: 'endpoint', frame: text(edit(hello, 'v', DELETE)), code: 'protocol.version' },
  { name: 'v 2 (not accepted yet)', to: 'endpoint', frame: text(edit(hello, 'v', 2)), code: 'protocol.version' },
  { name: 'v 0', to: 'kiosk', frame: text(edit(welcome, 'v', 0)), code: 'protocol.version' },
  { name: 'v as a string', to: 'endpoint', frame: text(edit(hello, 'v', '1')), code: 'protocol.version' },
  { name: 'missing type', to: 'endpoint', frame: text({ v: 1 }), code: 'protocol.unknownType' },
  { name: 'type not a string', to: 'endpoint', frame: text({ v: 1, type: 7 }), code: 'protocol.unknownType' },
  { name: 'unknown type', to: 'endpoint', frame: text({ v: 1, type: 'cases.delete' }), code: 'protocol.unknownType' },
  { name: "an endpoint's type sent by a kiosk", to: 'endpoint', frame: text(welcome), code: 'protocol.unknownType' },
  { name: "a kiosk's type sent by an endpoint", to: 'kiosk', frame: text(hello), code: 'protocol.unknownType' },
  { name: 'inherited name as type', to: 'endpoint', frame: text({ v: 1, type: 'constructor' }), code: 'protocol.unknownType' },
  { name: 'file.chunk in a text frame', to: 'endpoint', frame: text(chunkHeader), code: 'protocol.badFrame' },
  { name: 'oversize text (1 MiB + 1)', to: 'endpoint', frame: 'x'.repeat(LIMITS.maxTextBytes + 1), code: 'protocol.tooBig' },
  { name: 'oversize text as bytes', to: 'kiosk', frame: Buffer.alloc(LIMITS.maxTextBytes + 1, 0x20), code: 'protocol.tooBig' },
  { name: 'oversize text in UTF-8 only', to: 'endpoint', frame: `{"v":1,"type":"enroll","token":"${'中'.repeat(400_000)}"}`, code: 'protocol.tooBig' },
  // ---- strict keys
  { name: 'extra key on hello', to: 'endpoint', frame: text({ ...hello, admin: true }), code: 'protocol.unknownKey' },
  { name: '__proto__ key', to: 'endpoint', frame: text(hello).replace('{', '{"__proto__":{"x":1},'), code: 'protocol.unknownKey' },
  { name: 'extra key on a batch entry', to: 'endpoint', frame: text(edit(cases, 'batch[0].extra', 1)), code: 'protocol.unknownKey' },
  { name: 'extra key in a payload', to: 'endpoint', frame: text(edit(cases, 'batch[0].payload.status', 'accepted')), code: 'protocol.unknownKey' },
  { name: 'extra key in heartbeat.queue', to: 'endpoint', frame: text(edit(heartbeat, 'queue.other', 1)), code: 'protocol.unknownKey' },
  { name: 'extra key on heartbeat.request', to: 'kiosk', frame: text({ v: 1, type: 'heartbeat.request', x: 1 }), code: 'protocol.unknownKey' },
  { name: 'extra key on an ack result', to: 'kiosk', frame: text(edit(ack, 'results[0].caseId', CASE_ID)), code: 'protocol.unknownKey' },
  { name: 'extra key on a catalog event', to: 'kiosk', frame: text(edit(events, 'events[3].caseId', CASE_ID)), code: 'protocol.unknownKey' },
  { name: 'extra key on a result document', to: 'kiosk', frame: text(edit(events, 'events[2].results[0].path', '/etc/passwd')), code: 'protocol.unknownKey' },
  { name: 'hello without cursor', to: 'endpoint', frame: text(edit(hello, 'cursor', DELETE)), code: 'protocol.missingKey' },
  { name: 'submitted without content', to: 'endpoint', frame: text(edit(cases, 'batch[0].payload.content', DELETE)), code: 'protocol.missingKey' },
  { name: 'transition without results', to: 'endpoint', frame: text(edit(cases, 'batch[2].payload.results', DELETE)), code: 'protocol.missingKey' },
  { name: 'welcome without window', to: 'kiosk', frame: text(edit(welcome, 'window', DELETE)), code: 'protocol.missingKey' },
  { name: 'file.status without complete', to: 'kiosk', frame: text({ v: 1, type: 'file.status', sm3: SM3_A, committed: 0 }), code: 'protocol.missingKey' },
  // ---- wrong types
  { name: 'kioskId a number', to: 'endpoint', frame: text(edit(hello, 'kioskId', 12)), code: 'protocol.badValue' },
  { name: 'kioskId with a slash', to: 'endpoint', frame: text(edit(hello, 'kioskId', '../k1')), code: 'protocol.badValue' },
  { name: 'empty secret', to: 'endpoint', frame: text(edit(hello, 'secret', '')), code: 'protocol.badValue' },
  { name: 'token with a space', to: 'endpoint', frame: text({ v: 1, type: 'enroll', token: 'a b', agentVersion: '1' }), code: 'protocol.badValue' },
  { name: 'token over 256 characters', to: 'endpoint', frame: text({ v: 1, type: 'enroll', token: 't'.repeat(257), agentVersion: '1' }), code: 'protocol.badValue' },
  { name: 'caseFormat 2', to: 'endpoint', frame: text(edit(hello, 'caseFormat', 2)), code: 'protocol.badValue' },
  { name: 'cursor a number', to: 'endpoint', frame: text(edit(hello, 'cursor', 42)), code: 'protocol.badValue' },
  { name: 'batch an object', to: 'endpoint', frame: text(edit(cases, 'batch', { 0: entry })), code: 'protocol.badValue' },
  { name: 'payload null', to: 'endpoint', frame: text(edit(cases, 'batch[0].payload', null)), code: 'protocol.badValue' },
  { name: 'content an array', to: 'endpoint', frame: text(edit(cases, 'batch[0].payload.content', [CONTENT])), code: 'protocol.badValue' },
  { name: 'content nested 40 deep', to: 'endpoint', frame: text(edit(cases, 'batch[0].payload.content', deep(40))), code: 'protocol.badValue' },
  { name: 'devices an object', to: 'endpoint', frame: text(edit(heartbeat, 'devices', {})), code: 'protocol.badValue' },
  { name: 'auditHead a string', to: 'endpoint', frame: text(edit(heartbeat, 'auditHead', 'none')), code: 'protocol.badValue' },
  { name: 'queue size negative', to: 'endpoint', frame: text(edit(heartbeat, 'queue.pending', -1)), code: 'protocol.badValue' },
  { name: 'fatal a string', to: 'kiosk', frame: text({ v: 1, type: 'error', code: 'x', message: 'm', fatal: 'yes' }), code: 'protocol.badValue' },
  { name: 'complete a number', to: 'kiosk', frame: text({ v: 1, type: 'file.ack', sm3: SM3_A, committed: 3, complete: 1 }), code: 'protocol.badValue' },
  // ---- formats and ranges
  { name: 'unknown entry kind', to: 'endpoint', frame: text(edit(cases, 'batch[0].kind', 'case.deleted')), code: 'protocol.badValue' },
  { name: 'transition to draft', to: 'endpoint', frame: text(edit(cases, 'batch[2].payload.to', 'draft')), code: 'protocol.badValue' },
  { name: 'transition at not ISO', to: 'endpoint', frame: text(edit(cases, 'batch[2].payload.at', '21/11/2026')), code: 'protocol.badValue' },
  { name: 'empty note', to: 'endpoint', frame: text(edit(cases, 'batch[3].payload.note', '')), code: 'protocol.badValue' },
  { name: 'note over 2000 characters', to: 'endpoint', frame: text(edit(cases, 'batch[3].payload.note', '补'.repeat(2001))), code: 'protocol.badValue' },
  { name: 'upper-case sm3', to: 'endpoint', frame: text(edit(cases, 'batch[0].payload.contentHash', SM3_A.toUpperCase())), code: 'protocol.badValue' },
  { name: 'sm3 of 63 digits', to: 'endpoint', frame: text(edit(offer, 'sm3', SM3_A.slice(1))), code: 'protocol.badValue' },
  { name: 'sm3 not hex', to: 'kiosk', frame: text({ v: 1, type: 'file.status', sm3: 'g'.repeat(64), committed: 0, complete: false }), code: 'protocol.badValue' },
  { name: 'upper-case caseId', to: 'endpoint', frame: text(edit(cases, 'batch[0].caseId', CASE_ID.toUpperCase())), code: 'protocol.badValue' },
  { name: 'caseId not a UUID', to: 'endpoint', frame: text(edit(cases, 'batch[0].caseId', 'case-1')), code: 'protocol.badValue' },
  { name: 'region of 5 digits', to: 'endpoint', frame: text(edit(cases, 'batch[0].region', '31000')), code: 'protocol.badValue' },
  { name: 'seq 0', to: 'endpoint', frame: text(edit(cases, 'batch[0].seq', 0)), code: 'protocol.badValue' },
  { name: 'seq negative', to: 'endpoint', frame: text(edit(cases, 'batch[0].seq', -1)), code: 'protocol.badValue' },
  { name: 'seq fractional', to: 'endpoint', frame: text(edit(cases, 'batch[0].seq', 1.5)), code: 'protocol.badValue' },
  { name: 'seq beyond safe integers', to: 'endpoint', frame: text(edit(cases, 'batch[0].seq', 2 ** 53)), code: 'protocol.badValue' },
  { name: 'seq a string', to: 'endpoint', frame: text(edit(cases, 'batch[0].seq', '1')), code: 'protocol.badValue' },
  { name: 'batch seq not ascending', to: 'endpoint', frame: text(edit(cases, 'batch[1].seq', 1)), code: 'protocol.badValue' },
  { name: 'empty batch', to: 'endpoint', frame: text({ v: 1, type: 'cases', batch: [] }), code: 'protocol.badValue' },
  { name: 'too many batch entries', to: 'endpoint', frame: text(batchOf(LIMITS.maxBatch + 1)), code: 'protocol.tooMany' },
  { name: 'too many devices', to: 'endpoint', frame: text(edit(heartbeat, 'devices', Array.from({ length: 65 }, () => ({ device: 'd', state: 'ok' })))), code: 'protocol.tooMany' },
  { name: 'cursor 0', to: 'endpoint', frame: text({ v: 1, type: 'events.ack', cursor: '0' }), code: 'protocol.badValue' },
  { name: 'cursor with a leading zero', to: 'endpoint', frame: text({ v: 1, type: 'events.ack', cursor: '07' }), code: 'protocol.badValue' },
  { name: 'cursor negative', to: 'endpoint', frame: text(edit(hello, 'cursor', '-1')), code: 'protocol.badValue' },
  { name: 'negative offset', to: 'endpoint', frame: text(edit(fileGet, 'offset', -1)), code: 'protocol.badValue' },
  { name: 'fractional offset', to: 'endpoint', frame: text(edit(fileGet, 'offset', 0.5)), code: 'protocol.badValue' },
  { name: 'file size over maxFileBytes', to: 'endpoint', frame: text(edit(offer, 'size', LIMITS.maxFileBytes + 1)), code: 'protocol.tooBig' },
  { name: 'negative file size', to: 'endpoint', frame: text(edit(offer, 'size', -5)), code: 'protocol.badValue' },
  { name: 'media type not allowed', to: 'endpoint', frame: text(edit(offer, 'mediaType', 'text/html')), code: 'protocol.badValue' },
  { name: 'welcome region of 2 digits', to: 'kiosk', frame: text(edit(welcome, 'regions', ['31'])), code: 'protocol.badValue' },
  { name: 'welcome without regions', to: 'kiosk', frame: text(edit(welcome, 'regions', [])), code: 'protocol.badValue' },
  { name: 'welcome window of 0 chunks', to: 'kiosk', frame: text(edit(welcome, 'window.chunks', 0)), code: 'protocol.badValue' },
  { name: 'ack outcome unknown', to: 'kiosk', frame: text(edit(ack, 'results[0].outcome', 'ok')), code: 'protocol.badValue' },
  { name: 'ack results not ascending', to: 'kiosk', frame: text(edit(ack, 'results[1].seq', 1)), code: 'protocol.badValue' },
  { name: 'ack retryAfterMs negative', to: 'kiosk', frame: text(edit(ack, 'results[3].retryAfterMs', -1)), code: 'protocol.badValue' },
  { name: 'ack code with spaces', to: 'kiosk', frame: text(edit(ack, 'results[2].code', 'case hash')), code: 'protocol.badValue' },
  { name: 'too many ack results', to: 'kiosk', frame: text({ v: 1, type: 'ack', results: Array.from({ length: 201 }, (_, i) => ({ seq: i + 1, outcome: 'committed' })) }), code: 'protocol.tooMany' },
  { name: 'event status submitted', to: 'kiosk', frame: text(edit(events, 'events[0].to', 'submitted')), code: 'protocol.badValue' },
  { name: 'event kind unknown', to: 'kiosk', frame: text(edit(events, 'events[0].kind', 'case.deleted')), code: 'protocol.badValue' },
  { name: 'event id upper-case', to: 'kiosk', frame: text(edit(events, 'events[0].id', CASE_ID.toUpperCase())), code: 'protocol.badValue' },
  { name: 'event cursors not ascending', to: 'kiosk', frame: text(edit(events, 'events[1].cursor', '7')), code: 'protocol.badValue' },
  { name: 'catalog version 0', to: 'kiosk', frame: text(edit(events, 'events[3].version', 0)), code: 'protocol.badValue' },
  { name: 'result documentId with a space', to: 'kiosk', frame: text(edit(events, 'events[2].results[0].documentId', 'a b')), code: 'protocol.badValue' },
  { name: 'empty events', to: 'kiosk', frame: text({ v: 1, type: 'events', events: [] }), code: 'protocol.badValue' },
  {
    name: 'too many events',
    to: 'kiosk',
    frame: text({ v: 1, type: 'events', events: Array.from({ length: 201 }, (_, i) => ({ ...events.events[0], cursor: String(i + 1) })) }),
    code: 'protocol.tooMany',
  },
  // ---- binary frames
  { name: 'empty binary frame', to: 'endpoint', frame: Buffer.alloc(0), binary: true, code: 'protocol.badFrame' },
  { name: 'truncated binary (3 bytes)', to: 'endpoint', frame: Buffer.from([0, 0, 0]), binary: true, code: 'protocol.badFrame' },
  { name: 'header length 1', to: 'endpoint', frame: chunkFrame(chunkHeader, undefined, 1), binary: true, code: 'protocol.badFrame' },
  { name: 'header length over 4096', to: 'kiosk', frame: chunkFrame(chunkHeader, Buffer.alloc(5000), 4097), binary: true, code: 'protocol.badFrame' },
  { name: 'header length lies (beyond the frame)', to: 'endpoint', frame: chunkFrame(chunkHeader, Buffer.alloc(0), 200), binary: true, code: 'protocol.badFrame' },
  { name: 'header length lies (cuts the JSON)', to: 'endpoint', frame: chunkFrame(chunkHeader, undefined, 30), binary: true, code: 'protocol.badJson' },
  { name: 'truncated chunk frame', to: 'endpoint', frame: encodeChunk({ sm3: SM3_A, offset: 0, last: true }, Buffer.from('data')).subarray(0, 40), binary: true, code: 'protocol.badFrame' },
  { name: 'a JSON text sent as binary', to: 'endpoint', frame: Buffer.from(text(hello)), binary: true, code: 'protocol.badFrame' },
  { name: 'a binary frame given as a string', to: 'endpoint', frame: 'abcd', binary: true, code: 'protocol.badFrame' },
  { name: 'chunk header not JSON', to: 'endpoint', frame: chunkFrame('{nope}'), binary: true, code: 'protocol.badJson' },
  { name: 'chunk header not UTF-8', to: 'endpoint', frame: chunkFrame(Buffer.from([0x7b, 0xff, 0x7d])), binary: true, code: 'protocol.badFrame' },
  { name: 'chunk header of another type', to: 'endpoint', frame: chunkFrame({ ...chunkHeader, type: 'hello' }), binary: true, code: 'protocol.badFrame' },
  { name: 'chunk header v 2', to: 'kiosk', frame: chunkFrame({ ...chunkHeader, v: 2 }), binary: true, code: 'protocol.version' },
  { name: 'chunk header extra key', to: 'endpoint', frame: chunkFrame({ ...chunkHeader, size: 3 }), binary: true, code: 'protocol.unknownKey' },
  { name: 'chunk header without last', to: 'endpoint', frame: chunkFrame({ v: 1, type: 'file.chunk', sm3: SM3_A, offset: 0 }), binary: true, code: 'protocol.missingKey' },
  { name: 'chunk negative offset', to: 'endpoint', frame: chunkFrame({ ...chunkHeader, offset: -3 }), binary: true, code: 'protocol.badValue' },
  { name: 'chunk bad sm3', to: 'kiosk', frame: chunkFrame({ ...chunkHeader, sm3: 'x' }), binary: true, code: 'protocol.badValue' },
  { name: 'chunk last as a string', to: 'endpoint', frame: chunkFrame({ ...chunkHeader, last: 'true' }), binary: true, code: 'protocol.badValue' },
  { name: 'chunk data over maxChunkBytes', to: 'endpoint', frame: chunkFrame(chunkHeader, Buffer.alloc(LIMITS.maxChunkBytes + 1)), binary: true, code: 'protocol.tooBig' },
  { name: 'frame over maxFrameBytes', to: 'endpoint', frame: chunkFrame(chunkHeader, Buffer.alloc(LIMITS.maxFrameBytes)), binary: true, code: 'protocol.tooBig' },
  { name: 'empty chunk that is not last', to: 'endpoint', frame: chunkFrame(chunkHeader, Buffer.alloc(0)), binary: true, code: 'protocol.badValue' },
  { name: 'empty last chunk at an offset', to: 'endpoint', frame: chunkFrame({ ...chunkHeader, offset: 10, last: true }, Buffer.alloc(0)), binary: true, code: 'protocol.badValue' },
  { name: 'chunk beyond maxFileBytes', to: 'kiosk', frame: chunkFrame({ ...chunkHeader, offset: LIMITS.maxFileBytes - 1 }, Buffer.alloc(2)), binary: true, code: 'protocol.tooBig' },
];

describe('malformed frames are refused with the expected ProtocolError code', () => {
  it.each(rows)('$name ($to) → $code', (row) => {
    const decode = row.to === 'endpoint' ? decodeKioskMessage : decodeEndpointMessage;
    let caught: unknown;
    try {
      decode(row.frame, row.binary ?? false);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ProtocolError);
    const err = caught as ProtocolError;
    expect({ code: err.code, message: err.message }).toEqual({ code: row.code, message: expect.any(String) });
    expect(err.message.length).toBeLessThan(300);
    // Never echoes the content of a message (personal data): the sample's name and ID number.
    expect(err.message).not.toContain('王演示');
    expect(err.message).not.toContain('341602199001011234');
  });

  it('the boundaries themselves are accepted: maxBatch entries, maxEventsPerMessage events, content 32 deep', () => {
    expect(decodeKioskMessage(text(batchOf(LIMITS.maxBatch)), false)).toMatchObject({ type: 'cases' });
    const many = { v: 1, type: 'events', events: Array.from({ length: LIMITS.maxEventsPerMessage }, (_, i) => ({ ...events.events[0], cursor: String(i + 1) })) };
    expect(decodeEndpointMessage(text(many), false)).toMatchObject({ type: 'events' });
    expect(decodeKioskMessage(text(edit(cases, 'batch[0].payload.content', deep(31))), false)).toMatchObject({ type: 'cases' });
  });

  it('the error names where the problem is', () => {
    expect(() => decodeKioskMessage(text(edit(cases, 'batch[1].payload.contentHash', 'X')), false)).toThrow(/^cases\.batch\[1\]\.payload\.contentHash: /);
  });
});
