// Hostile kiosks against the real endpoint (issue 6, point 6): hand-driven ws clients send malformed,
// oversized, out-of-order, replayed and flooding traffic, wrong and revoked credentials, or stop reading.
// Each gets a clear protocol error and a closed connection; after each, the same server still serves a
// well-behaved kiosk, and its SQLite store passes integrity_check holding exactly the expected cases.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../base/log.js';
import { canonicalJson } from '../../certs/pdf/templates/reference.js';
import { sm3Hex } from '../../certs/sm3.js';
import { startEndpoint, type RunningEndpoint } from '../endpoint/server.js';
import { CLOSE, LIMITS, encodeChunk } from '../protocol/index.js';
import { Peer, RawClient, chunkFrame } from './hostile-peer.js';

let dir: string;
let endpoint: RunningEndpoint;
/** Cases the store must hold: every committed one. */
let expectedCases = 0;
let nextSeq = 1;
const peers: Peer[] = [];
const raws: RawClient[] = [];

interface Kiosk {
  kioskId: string;
  secret: string;
}
let good: Kiosk;
let hostile: Kiosk;

function enroll(kioskId: string): Kiosk {
  const token = endpoint.store.createEnrollToken(kioskId);
  return endpoint.store.enroll(token, 'hostile-test');
}

function hello(k: Kiosk, cursor: string | null = null): object {
  return { v: 1, type: 'hello', kioskId: k.kioskId, secret: k.secret, agentVersion: 'hostile-test', caseFormat: 1, cursor };
}

/** A valid `case.submitted` entry (content hashed canonically, no attached files). */
function entry(seq: number, caseId: string = randomUUID(), note = ''): { seq: number; caseId: string; region: string; kind: 'case.submitted'; payload: object } {
  const content = {
    format: 1,
    id: caseId,
    itemCode: '341600-GJJ-0002',
    catalogVersion: 1,
    applicant: { source: 'idCard', idType: 'resident', idNumber: '341602199001011234', name: '王演示' },
    form: { purpose: `购房${note}` },
    materials: [],
  };
  return { seq, caseId, region: '341600', kind: 'case.submitted', payload: { serial: `TB${seq}`, contentHash: sm3Hex(canonicalJson(content)), content } };
}

async function open(): Promise<Peer> {
  const p = await Peer.open(endpoint.url);
  peers.push(p);
  return p;
}

async function openRaw(): Promise<RawClient> {
  const r = await RawClient.open(endpoint.url);
  raws.push(r);
  return r;
}

async function ready(k: Kiosk = hostile): Promise<Peer> {
  const p = await open();
  p.send(hello(k));
  await p.waitType('welcome');
  return p;
}

/** The peer got a fatal error with `code` and was closed with `closeCode`. */
async function expectFatal(p: Peer, code: string | RegExp, closeCode: number): Promise<void> {
  const err = await p.waitType('error');
  expect(err.fatal).toBe(true);
  if (typeof code === 'string') expect(err.code).toBe(code);
  else expect(err.code).toMatch(code);
  expect(typeof err.message).toBe('string');
  const closed = await p.waitClosed();
  expect(closed.code).toBe(closeCode);
}

/** A well-behaved kiosk is served: hello, one new case committed and acknowledged. */
async function wellBehavedKioskServed(): Promise<void> {
  const p = await ready(good);
  const e = entry(nextSeq++);
  p.send({ v: 1, type: 'cases', batch: [e] });
  const ack = await p.waitType('ack');
  expect(ack.results).toEqual([{ seq: e.seq, outcome: 'committed' }]);
  expectedCases++;
  p.ws.close(1000);
  await p.waitClosed();
}

function storeIntact(): void {
  const db = new Database(join(dir, 'endpoint.db'), { readonly: true, fileMustExist: true });
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  } finally {
    db.close();
  }
  expect(endpoint.store.cases()).toHaveLength(expectedCases);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tongban-hostile-kiosks-'));
  // The slow-reader check runs on the server's poll; a short window keeps the test quick.
  endpoint = await startEndpoint({ dataDir: dir, port: 0, log: silentLogger, eventPollMs: 50, limits: { slowReaderMs: 300, helloTimeoutMs: 800 } });
  good = enroll('good-kiosk');
  hostile = enroll('hostile-kiosk');
});

afterEach(async () => {
  for (const p of peers.splice(0)) p.terminate();
  for (const r of raws.splice(0)) r.destroy();
  await wellBehavedKioskServed();
  storeIntact();
});

afterAll(async () => {
  await endpoint?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('malformed frames', () => {
  it('text that is not JSON, before and after hello: protocol.badJson, closed 4400', async () => {
    const p = await open();
    p.send('{"v":1,"type":"hello",');
    await expectFatal(p, 'protocol.badJson', CLOSE.protocol);
    const q = await ready();
    q.send('not json at all \u0000\uffff');
    await expectFatal(q, 'protocol.badJson', CLOSE.protocol);
  });

  it('invalid UTF-8 in a text frame: the socket is closed (1007) and nothing else happens', async () => {
    const r = await openRaw();
    r.socket.write(Buffer.concat([Buffer.from([0x81, 0x84]), Buffer.from([0, 0, 0, 0]), Buffer.from([0xc3, 0x28, 0xa0, 0xa1])]));
    await r.ended();
  });

  it('binary garbage, before and after hello: a protocol error, closed 4400', async () => {
    const p = await open();
    p.send(Buffer.from([0xde, 0xad, 0xbe, 0xef, 1, 2, 3]));
    await expectFatal(p, /^protocol\./, CLOSE.protocol);
    const q = await ready();
    q.send(Buffer.from('\u0000\u0000\u0000\u0005{"v":1}garbage'));
    await expectFatal(q, /^protocol\./, CLOSE.protocol);
    const r = await ready();
    // A header length beyond the frame.
    const bad = Buffer.alloc(8);
    bad.writeUInt32BE(4000, 0);
    r.send(bad);
    await expectFatal(r, 'protocol.badFrame', CLOSE.protocol);
  });

  it('a JSON message that is valid JSON but not a message: wrong version, unknown type, unknown key, wrong types', async () => {
    for (const [msg, code] of [
      [{ v: 99, type: 'hello' }, 'protocol.version'],
      [{ v: 1, type: 'launch' }, 'protocol.unknownType'],
      [[1, 2, 3], /^protocol\./],
      [{ ...hello(hostile), extra: true }, 'protocol.unknownKey'],
      [{ ...hello(hostile), cursor: 17 }, 'protocol.badValue'],
      [{ v: 1, type: 'hello', kioskId: hostile.kioskId }, 'protocol.missingKey'],
    ] as const) {
      const p = await open();
      p.send(msg);
      await expectFatal(p, code, CLOSE.protocol);
    }
  });

  it('an unknown message type after hello: protocol.unknownType, closed 4400', async () => {
    const p = await ready();
    p.send({ v: 1, type: 'case.delete', caseId: randomUUID() });
    await expectFatal(p, 'protocol.unknownType', CLOSE.protocol);
  });

  it('a cases message with a malformed entry is refused whole: nothing of it committed', async () => {
    const p = await ready();
    const ok = entry(nextSeq++);
    const bad = { ...entry(nextSeq++), caseId: 'NOT-A-UUID' };
    p.send({ v: 1, type: 'cases', batch: [ok, bad] });
    await expectFatal(p, /^protocol\./, CLOSE.protocol);
    expect(endpoint.store.getCase(ok.caseId)).toBeUndefined();
  });
});

describe('oversized frames', () => {
  it('a text frame over the frame limit: closed by ws (1009) without the server reading it', async () => {
    const p = await ready();
    p.send('x'.repeat(LIMITS.maxFrameBytes + 1));
    const closed = await p.waitClosed();
    expect(closed.code).toBe(1009);
  });

  it('a JSON text over maxTextBytes but within the frame limit: protocol.tooBig, closed 4413', async () => {
    const p = await ready();
    const padding = 'x'.repeat(LIMITS.maxTextBytes + 16);
    p.send(`{"v":1,"type":"heartbeat","pad":"${padding}"}`);
    await expectFatal(p, 'protocol.tooBig', CLOSE.tooBig);
  });

  it('a binary frame over the frame limit: closed by ws (1009)', async () => {
    const p = await ready();
    p.send(Buffer.alloc(LIMITS.maxFrameBytes + 1, 1));
    const closed = await p.waitClosed();
    expect(closed.code).toBe(1009);
  });

  it('a chunk with more data than maxChunkBytes: protocol.tooBig, closed 4413, nothing stored', async () => {
    const p = await ready();
    const data = Buffer.alloc(LIMITS.maxChunkBytes + 1, 2);
    const sm3 = sm3Hex(data);
    p.send({ v: 1, type: 'file.offer', sm3, size: data.length, mediaType: 'application/pdf' });
    await p.waitType('file.status');
    p.send(chunkFrame({ v: 1, type: 'file.chunk', sm3, offset: 0, last: true }, data));
    await expectFatal(p, 'protocol.tooBig', CLOSE.tooBig);
    expect(endpoint.store.hasFile(sm3)).toBe(false);
  });

  it('a cases message with more than maxBatch entries: protocol.tooMany', async () => {
    const p = await ready();
    const batch = Array.from({ length: LIMITS.maxBatch + 1 }, () => entry(nextSeq++));
    p.send({ v: 1, type: 'cases', batch });
    await expectFatal(p, 'protocol.tooMany', CLOSE.protocol);
  });
});

describe('out of order', () => {
  it('cases before hello: protocol.order, closed 4400, nothing committed', async () => {
    const p = await open();
    const e = entry(nextSeq++);
    p.send({ v: 1, type: 'cases', batch: [e] });
    await expectFatal(p, 'protocol.order', CLOSE.protocol);
    expect(endpoint.store.getCase(e.caseId)).toBeUndefined();
  });

  it('a chunk before hello, and a chunk of a file never offered', async () => {
    const data = Buffer.from('%PDF-1.7 not offered');
    const sm3 = sm3Hex(data);
    const p = await open();
    p.send(encodeChunk({ v: 1, type: 'file.chunk', sm3, offset: 0, last: true }, data));
    await expectFatal(p, 'protocol.order', CLOSE.protocol);
    const q = await ready();
    q.send(encodeChunk({ v: 1, type: 'file.chunk', sm3, offset: 0, last: true }, data));
    await expectFatal(q, 'protocol.order', CLOSE.protocol);
    expect(endpoint.store.hasFile(sm3)).toBe(false);
  });

  it('a second hello: protocol.order', async () => {
    const p = await ready();
    p.send(hello(hostile));
    await expectFatal(p, 'protocol.order', CLOSE.protocol);
  });

  it('enroll after hello: protocol.order', async () => {
    const p = await ready();
    p.send({ v: 1, type: 'enroll', token: 'x'.repeat(20), agentVersion: 'hostile-test' });
    await expectFatal(p, 'protocol.order', CLOSE.protocol);
  });

  it('events.ack beyond what was sent: protocol.badAck', async () => {
    const p = await ready();
    p.send({ v: 1, type: 'events.ack', cursor: '999999' });
    await expectFatal(p, 'protocol.badAck', CLOSE.protocol);
  });

  it('a chunk at an offset other than the committed one: file.rejected, the partial discarded, the session goes on', async () => {
    const p = await ready();
    const data = Buffer.alloc(1000, 3);
    const sm3 = sm3Hex(data);
    p.send({ v: 1, type: 'file.offer', sm3, size: data.length, mediaType: 'application/pdf' });
    await p.waitType('file.status');
    p.send(encodeChunk({ v: 1, type: 'file.chunk', sm3, offset: 500, last: true }, data.subarray(500)));
    const rej = await p.waitType('file.rejected');
    expect(rej.sm3).toBe(sm3);
    expect(endpoint.store.hasFile(sm3)).toBe(false);
    // Still a working session.
    const e = entry(nextSeq++);
    p.send({ v: 1, type: 'cases', batch: [e] });
    expect((await p.waitType('ack')).results).toEqual([{ seq: e.seq, outcome: 'committed' }]);
    expectedCases++;
  });

  it('a file whose bytes do not hash to the offered SM3: rejected, never stored', async () => {
    const p = await ready();
    const data = Buffer.alloc(2000, 4);
    const claimed = sm3Hex('something else');
    p.send({ v: 1, type: 'file.offer', sm3: claimed, size: data.length, mediaType: 'application/pdf' });
    await p.waitType('file.status');
    p.send(encodeChunk({ v: 1, type: 'file.chunk', sm3: claimed, offset: 0, last: true }, data));
    await p.waitType('file.rejected');
    expect(endpoint.store.hasFile(claimed)).toBe(false);
  });
});

describe('file replays and offer floods', () => {
  it('chunks replayed after the file is complete: acknowledged as complete, the file unchanged', async () => {
    const p = await ready();
    const data = Buffer.alloc(3000, 5);
    const sm3 = sm3Hex(data);
    p.send({ v: 1, type: 'file.offer', sm3, size: data.length, mediaType: 'application/pdf' });
    await p.waitType('file.status');
    const chunk = encodeChunk({ v: 1, type: 'file.chunk', sm3, offset: 0, last: true }, data);
    p.send(chunk);
    await p.waitFor((m) => m.type === 'file.ack' && m.complete === true);
    p.send({ v: 1, type: 'file.offer', sm3, size: data.length, mediaType: 'application/pdf' });
    expect(await p.waitFor((m) => m.type === 'file.status' && m.complete === true)).toMatchObject({ committed: data.length });
    p.send(chunk);
    await p.waitFor(() => p.messages().filter((m) => m.type === 'file.ack').length === 2);
    expect(p.messages().filter((m) => m.type === 'file.ack').map((m) => [m.committed, m.complete])).toEqual([
      [data.length, true],
      [data.length, true],
    ]);
    expect(Buffer.from(endpoint.store.readFile(sm3, 0, data.length))).toEqual(data);
  });

  it('hundreds of offers of files never sent: others are served meanwhile, nothing breaks', async () => {
    const p = await ready();
    for (let i = 0; i < 300; i++) p.send({ v: 1, type: 'file.offer', sm3: sm3Hex(`phantom ${i}`), size: LIMITS.maxFileBytes, mediaType: 'application/pdf' });
    await wellBehavedKioskServed();
    await p.waitFor(() => p.messages().filter((m) => m.type === 'file.status').length === 300 || p.messages().some((m) => m.type === 'error'));
    for (let i = 0; i < 300; i++) expect(endpoint.store.hasFile(sm3Hex(`phantom ${i}`))).toBe(false);
  });
});

describe('replays', () => {
  it('a replayed batch is acknowledged as duplicate and never makes a second case', async () => {
    const p = await ready();
    const batch = [entry(nextSeq++), entry(nextSeq++), entry(nextSeq++)];
    p.send({ v: 1, type: 'cases', batch });
    await p.waitFor((m) => m.type === 'ack');
    expectedCases += 3;
    p.send({ v: 1, type: 'cases', batch });
    const acks = await p.waitFor((m) => m.type === 'ack' && p.messages().filter((x) => x.type === 'ack').length === 2);
    void acks;
    const second = p.messages().filter((m) => m.type === 'ack')[1]!;
    expect((second.results as { outcome: string }[]).map((r) => r.outcome)).toEqual(['duplicate', 'duplicate', 'duplicate']);
    // Replayed on a new connection too.
    p.ws.close(1000);
    await p.waitClosed();
    const q = await ready();
    q.send({ v: 1, type: 'cases', batch });
    expect(((await q.waitType('ack')).results as { outcome: string }[]).map((r) => r.outcome)).toEqual(['duplicate', 'duplicate', 'duplicate']);
    for (const e of batch) expect(endpoint.store.cases().filter((c) => c.id === e.caseId)).toHaveLength(1);
  });

  it('the same case under a new seq: duplicate; other content for it: rejected case.conflict', async () => {
    const p = await ready();
    const first = entry(nextSeq++);
    p.send({ v: 1, type: 'cases', batch: [first] });
    await p.waitType('ack');
    expectedCases++;
    const again = { ...first, seq: nextSeq++ };
    const other = entry(nextSeq++, first.caseId, ' (different)');
    p.send({ v: 1, type: 'cases', batch: [again, other] });
    const results = (await p.waitFor((m) => m.type === 'ack' && (m.results as unknown[]).length === 2)).results as { outcome: string; code?: string }[];
    expect(results[0]!.outcome).toBe('duplicate');
    expect(results[1]).toMatchObject({ outcome: 'rejected', code: 'case.conflict' });
  });

  it('a replayed (old) events.ack is ignored, the session goes on', async () => {
    const k = enroll('replay-kiosk');
    endpoint.store.setCatalog({ version: 2, items: [] }, 2);
    const p = await open();
    p.send(hello(k));
    const events = (await p.waitType('events')).events as { cursor: string }[];
    const cursor = events[events.length - 1]!.cursor;
    p.send({ v: 1, type: 'events.ack', cursor });
    p.send({ v: 1, type: 'events.ack', cursor });
    p.send({ v: 1, type: 'events.ack', cursor: '1' });
    const e = { ...entry(nextSeq++) };
    p.send({ v: 1, type: 'cases', batch: [e] });
    expect((await p.waitType('ack')).results).toEqual([{ seq: e.seq, outcome: 'committed' }]);
    expectedCases++;
    expect(p.messages().filter((m) => m.type === 'error')).toEqual([]);
  });
});

describe('credentials', () => {
  it('a wrong secret, an unknown kiosk, a bad enrolment token: auth errors, closed 4401', async () => {
    const p = await open();
    p.send(hello({ kioskId: hostile.kioskId, secret: 'x'.repeat(hostile.secret.length) }));
    await expectFatal(p, 'auth.badSecret', CLOSE.auth);
    const q = await open();
    q.send(hello({ kioskId: 'nobody', secret: hostile.secret }));
    await expectFatal(q, 'auth.unknown', CLOSE.auth);
    const r = await open();
    r.send({ v: 1, type: 'enroll', token: 'not-a-token-at-all-0000', agentVersion: 'hostile-test' });
    await expectFatal(r, /^auth\./, CLOSE.auth);
  });

  it('an enrolment token works once', async () => {
    const token = endpoint.store.createEnrollToken('once-kiosk');
    const p = await open();
    p.send({ v: 1, type: 'enroll', token, agentVersion: 'hostile-test' });
    const enrolled = await p.waitType('enrolled');
    expect(enrolled.kioskId).toBe('once-kiosk');
    // Once the kiosk has said hello with its credentials (before that, a lost answer is given again).
    p.send(hello({ kioskId: enrolled.kioskId as string, secret: enrolled.secret as string }));
    await p.waitType('welcome');
    const q = await open();
    q.send({ v: 1, type: 'enroll', token, agentVersion: 'hostile-test' });
    await expectFatal(q, 'auth.usedToken', CLOSE.auth);
  });

  it('a revoked kiosk: auth.revoked, closed 4403', async () => {
    const k = enroll('revoked-kiosk');
    endpoint.store.revoke(k.kioskId);
    const p = await open();
    p.send(hello(k));
    await expectFatal(p, 'auth.revoked', CLOSE.revoked);
  });
});

describe('slow and flooding peers', () => {
  it('a reader that never reads is closed (slowReader) while others are served', async () => {
    // A file the endpoint can send: uploaded first by the same kiosk.
    const size = 4 * LIMITS.maxChunkBytes;
    const data = Buffer.alloc(size);
    for (let i = 0; i < size; i++) data[i] = (i * 31) & 0xff;
    const sm3 = sm3Hex(data);
    const up = await ready();
    up.send({ v: 1, type: 'file.offer', sm3, size, mediaType: 'application/pdf' });
    await up.waitType('file.status');
    for (let off = 0; off < size; off += LIMITS.maxChunkBytes) {
      up.send(encodeChunk({ v: 1, type: 'file.chunk', sm3, offset: off, last: off + LIMITS.maxChunkBytes >= size }, data.subarray(off, off + LIMITS.maxChunkBytes)));
    }
    await up.waitFor((m) => m.type === 'file.ack' && m.complete === true);
    up.ws.close(1000);
    await up.waitClosed();

    const slow = await openRaw();
    slow.sendText(JSON.stringify(hello(hostile)));
    slow.stopReading();
    // Ask for the file again and again: far more than the socket buffers hold.
    for (let i = 0; i < 40; i++) slow.sendText(JSON.stringify({ v: 1, type: 'file.get', sm3, offset: 0 }));
    // Meanwhile a well-behaved kiosk is served.
    await wellBehavedKioskServed();
    // The server gives up on it: its session ends (the socket is reset; reading again shows the end).
    while (endpoint.connectedKiosks().includes(hostile.kioskId)) await new Promise((r) => setTimeout(r, 20));
    slow.socket.resume();
    await slow.ended();
  });

  it('a flood of messages: closed busy (4429) with a retry hint; others served', async () => {
    const p = await ready();
    const hb = JSON.stringify({ v: 1, type: 'heartbeat', devices: [], queue: { pending: 0, quarantined: 0, unrouted: 0, inboxUnapplied: 0 }, auditHead: null });
    for (let i = 0; i < 20_000; i++) p.send(hb);
    const err = await p.waitType('error');
    expect(err.code).toBe('busy');
    expect(typeof err.retryAfterMs).toBe('number');
    expect((await p.waitClosed()).code).toBe(CLOSE.busy);
  });

  it('a connection that never says hello is closed', async () => {
    const p = await open();
    await expectFatal(p, 'protocol.timeout', CLOSE.protocol);
  });

  it('many hostile connections at once do not stop a well-behaved kiosk', async () => {
    const ps = await Promise.all(Array.from({ length: 30 }, () => open()));
    ps.forEach((p, i) => p.send(i % 3 === 0 ? 'garbage' : i % 3 === 1 ? Buffer.from([1, 2, 3]) : JSON.stringify({ v: 1, type: 'cases', batch: [] })));
    await wellBehavedKioskServed();
    for (const p of ps) expect((await p.waitClosed()).code).toBe(CLOSE.protocol);
  });
});
