/**
 * The endpoint server against real `ws` clients speaking the protocol by hand, on 127.0.0.1:0, with a
 * real store in a temp dir: enrolment and hello, refusals, commit-then-ack and idempotency, resumable
 * uploads, downloads, events pushed after the cursor and not again once acknowledged, replacement of an
 * older connection, and hostile frames that close one connection while the others are served.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sm3Hex } from '../../certs/sm3.js';
import { MemorySink, createLogger } from '../../base/log.js';
import { CLOSE, LIMITS } from '../protocol/index.js';
import { startEndpoint, type EndpointOptions, type RunningEndpoint } from '../endpoint/server.js';
import { openEndpointStore } from '../endpoint/store/index.js';
import { Peer, submitted } from './endpoint-server-peer.js';

let dir: string;
let endpoint: RunningEndpoint | undefined;
let peers: Peer[] = [];
let sink: MemorySink;

async function start(extra: Partial<EndpointOptions> = {}): Promise<RunningEndpoint> {
  sink = new MemorySink();
  endpoint = await startEndpoint({ dataDir: dir, port: 0, log: createLogger({ level: 'debug', sink }), clerkToken: 'clerk-test-token', ...extra });
  return endpoint;
}

async function connect(e: RunningEndpoint = endpoint!): Promise<Peer> {
  const p = await Peer.connect(e.url);
  peers.push(p);
  return p;
}

/** Enrols `kioskId` through the protocol and returns its credentials (the connection is closed). */
async function enrol(kioskId: string): Promise<{ kioskId: string; secret: string }> {
  const token = endpoint!.store.createEnrollToken(kioskId);
  const p = await connect();
  p.send({ type: 'enroll', token, agentVersion: '0.1.0' });
  const m = await p.next('enrolled');
  await p.close();
  return { kioskId: m.kioskId, secret: m.secret };
}

/** A connection that said hello and was welcomed. */
async function hello(c: { kioskId: string; secret: string }, cursor: string | null = null): Promise<Peer> {
  const p = await connect();
  p.send({ type: 'hello', kioskId: c.kioskId, secret: c.secret, agentVersion: '0.1.0', caseFormat: 1, cursor });
  await p.next('welcome');
  return p;
}

/** A round trip: everything the endpoint sent before its answer to this has arrived. */
async function roundTrip(p: Peer): Promise<void> {
  p.send({ type: 'file.offer', sm3: sm3Hex('round trip'), size: 10, mediaType: 'application/pdf' });
  await p.next('file.status');
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tongban-endpoint-server-'));
  peers = [];
});

afterEach(async () => {
  for (const p of peers) p.ws.terminate();
  await endpoint?.close();
  endpoint = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe('enrolment and hello', () => {
  it('enrols with a one-time token, then says hello and is welcomed and listed as connected', async () => {
    const e = await start({ regions: ['310000'], heartbeatMs: 60_000 });
    const c = await enrol('kiosk-1');
    expect(c.kioskId).toBe('kiosk-1');
    const p = await connect();
    p.send({ type: 'hello', kioskId: c.kioskId, secret: c.secret, agentVersion: '0.1.0', caseFormat: 1, cursor: null });
    const w = await p.next('welcome');
    expect(w).toMatchObject({ endpointId: e.store.endpointId, regions: ['310000'], heartbeatMs: 60_000, highestSeq: 0 });
    expect(w.window.entries).toBeGreaterThan(0);
    expect(w.window.chunks).toBeGreaterThan(0);
    expect(e.connectedKiosks()).toEqual(['kiosk-1']);
    const health = await fetch(`${e.httpUrl}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, endpointId: e.store.endpointId, connected: 1 });
    await p.close();
    await expect.poll(() => e.connectedKiosks()).toEqual([]);
  });

  it('refuses a used token, a wrong secret, an unknown kiosk (4401) and a revoked kiosk (4403)', async () => {
    const e = await start();
    const token = e.store.createEnrollToken('kiosk-1');
    const first = await connect();
    first.send({ type: 'enroll', token, agentVersion: '0.1.0' });
    const c = await first.next('enrolled');
    // Once the kiosk said hello with its credentials the token gives nothing more (before, a lost answer is given again).
    first.send({ type: 'hello', kioskId: c.kioskId, secret: c.secret, agentVersion: '0.1.0', caseFormat: 1, cursor: null });
    await first.next('welcome');
    await first.close();

    const again = await connect();
    again.send({ type: 'enroll', token, agentVersion: '0.1.0' });
    const used = await again.closedWithError();
    expect(used.code).toBe(CLOSE.auth);
    expect(used.error).toMatchObject({ code: 'auth.usedToken', fatal: true });

    const wrong = await connect();
    wrong.send({ type: 'hello', kioskId: c.kioskId, secret: 'x'.repeat(c.secret.length), agentVersion: '0.1.0', caseFormat: 1, cursor: null });
    const bad = await wrong.closedWithError();
    expect(bad.code).toBe(CLOSE.auth);
    expect(bad.error).toMatchObject({ code: 'auth.badSecret', fatal: true });

    const unknown = await connect();
    unknown.send({ type: 'hello', kioskId: 'kiosk-nobody', secret: c.secret, agentVersion: '0.1.0', caseFormat: 1, cursor: null });
    expect((await unknown.closedWithError()).code).toBe(CLOSE.auth);

    e.store.revoke(c.kioskId);
    const revoked = await connect();
    revoked.send({ type: 'hello', kioskId: c.kioskId, secret: c.secret, agentVersion: '0.1.0', caseFormat: 1, cursor: null });
    const r = await revoked.closedWithError();
    expect(r.code).toBe(CLOSE.revoked);
    expect(r.error).toMatchObject({ code: 'auth.revoked', fatal: true });
    expect(e.connectedKiosks()).toEqual([]);
    // Nothing secret or personal in the logs.
    expect(sink.lines.join('')).not.toContain(c.secret);
  });

  it('closes a connected kiosk revoked meanwhile by another process (4403)', async () => {
    await start({ eventPollMs: 20, limits: { revokeCheckMs: 50 } });
    const c = await enrol('kiosk-1');
    const p = await hello(c);
    const cli = openEndpointStore({ dataDir: dir, log: createLogger({ sink: new MemorySink() }) });
    try {
      cli.revoke(c.kioskId);
    } finally {
      cli.close();
    }
    const r = await p.closedWithError();
    expect(r.code).toBe(CLOSE.revoked);
    expect(r.error).toMatchObject({ code: 'auth.revoked', fatal: true });
  });

  it('closes with protocol.order anything before hello, and a second hello', async () => {
    await start();
    const c = await enrol('kiosk-1');
    const early = await connect();
    early.send({ type: 'cases', batch: [submitted(1, randomUUID())] });
    const o = await early.closedWithError();
    expect(o.code).toBe(CLOSE.protocol);
    expect(o.error).toMatchObject({ code: 'protocol.order', fatal: true });

    const twice = await hello(c);
    twice.send({ type: 'hello', kioskId: c.kioskId, secret: c.secret, agentVersion: '0.1.0', caseFormat: 1, cursor: null });
    expect((await twice.closedWithError()).error).toMatchObject({ code: 'protocol.order' });
  });

  it('a newer connection of the same kiosk replaces the older one (closed 1001, session.replaced)', async () => {
    const e = await start();
    const c = await enrol('kiosk-1');
    const older = await hello(c);
    const newer = await hello(c);
    const r = await older.closedWithError();
    expect(r.code).toBe(CLOSE.shutdown);
    expect(r.error).toMatchObject({ code: 'session.replaced' });
    expect(e.connectedKiosks()).toEqual(['kiosk-1']);
    // The newer one still works.
    newer.send({ type: 'cases', batch: [submitted(1, randomUUID())] });
    expect((await newer.next('ack')).results[0]!.outcome).toBe('committed');
  });
});

describe('cases', () => {
  it('acknowledges a batch after committing it, and a replayed entry as a duplicate without a second case', async () => {
    const e = await start();
    const c = await enrol('kiosk-1');
    const p = await hello(c);
    const a = randomUUID();
    const b = randomUUID();
    p.send({ type: 'cases', batch: [submitted(1, a), submitted(2, b)] });
    const ack = await p.next('ack');
    expect(ack.results.map((r) => [r.seq, r.outcome])).toEqual([[1, 'committed'], [2, 'committed']]);
    // Committed before the ack: another connection to the database sees both cases now.
    const other = openEndpointStore({ dataDir: dir, log: createLogger({ sink: new MemorySink() }) });
    try {
      expect(other.cases().map((x) => x.id).sort()).toEqual([a, b].sort());
    } finally {
      other.close();
    }

    p.send({ type: 'cases', batch: [submitted(1, a)] });
    expect((await p.next('ack')).results).toEqual([expect.objectContaining({ seq: 1, outcome: 'duplicate' })]);
    // The same case under a new seq, same content: a duplicate too.
    p.send({ type: 'cases', batch: [submitted(3, a, {}, '310000')] });
    const again = await p.next('ack');
    expect(again.results[0]!.outcome).toBe('duplicate');
    expect(e.store.cases().filter((x) => x.id === a)).toHaveLength(1);
    // Other content for the same case id: a conflict, refused for good.
    p.send({ type: 'cases', batch: [submitted(4, a, { note: 'changed' })] });
    expect((await p.next('ack')).results[0]).toMatchObject({ seq: 4, outcome: 'rejected', code: 'case.conflict' });
    expect(e.store.cases()).toHaveLength(2);

    // A reconnect is told the highest seq committed.
    await p.close();
    const q = await connect();
    q.send({ type: 'hello', kioskId: c.kioskId, secret: c.secret, agentVersion: '0.1.0', caseFormat: 1, cursor: null });
    expect((await q.next('welcome')).highestSeq).toBeGreaterThanOrEqual(2);
  });

  it('rejects an entry whose content does not hash to its content hash, and commits the others of the batch', async () => {
    const e = await start();
    const p = await hello(await enrol('kiosk-1'));
    const bad = submitted(1, randomUUID());
    bad.payload.contentHash = sm3Hex('something else');
    const good = submitted(2, randomUUID());
    p.send({ type: 'cases', batch: [bad, good] });
    const ack = await p.next('ack');
    expect(ack.results[0]).toMatchObject({ seq: 1, outcome: 'rejected', code: 'case.hashMismatch' });
    expect(ack.results[1]).toMatchObject({ seq: 2, outcome: 'committed' });
    expect(e.store.cases().map((x) => x.id)).toEqual([good.caseId]);
  });
});

describe('files', () => {
  it('takes a file in chunks, resumes from the committed offset after a broken connection, and serves it back', async () => {
    const e = await start();
    const c = await enrol('kiosk-1');
    const bytes = Buffer.alloc(LIMITS.maxChunkBytes * 2 + 1000);
    bytes.write('%PDF-1.7\n', 0);
    for (let i = 9; i < bytes.length; i++) bytes[i] = (i * 31) & 0xff;
    const sm3 = sm3Hex(bytes);
    const offer = { type: 'file.offer', sm3, size: bytes.length, mediaType: 'application/pdf' };

    const p = await hello(c);
    p.send(offer);
    expect(await p.next('file.status')).toMatchObject({ committed: 0, complete: false });
    p.chunk(sm3, 0, bytes.subarray(0, LIMITS.maxChunkBytes), false);
    expect(await p.next('file.ack')).toMatchObject({ committed: LIMITS.maxChunkBytes, complete: false });
    p.ws.terminate(); // the network breaks mid-file
    await p.closed;

    const q = await hello(c);
    q.send(offer);
    const status = await q.next('file.status');
    expect(status).toMatchObject({ committed: LIMITS.maxChunkBytes, complete: false });
    for (let at = status.committed; at < bytes.length; at += LIMITS.maxChunkBytes) {
      const end = Math.min(bytes.length, at + LIMITS.maxChunkBytes);
      q.chunk(sm3, at, bytes.subarray(at, end), end === bytes.length);
    }
    const acks = [await q.next('file.ack'), await q.next('file.ack')];
    expect(acks[1]).toMatchObject({ committed: bytes.length, complete: true });
    expect(e.store.hasFile(sm3)).toBe(true);
    // A replayed last chunk (a duplicating network) is answered with the file's state, nothing rewritten.
    q.chunk(sm3, LIMITS.maxChunkBytes * 2, bytes.subarray(LIMITS.maxChunkBytes * 2), true);
    expect(await q.next('file.ack')).toMatchObject({ committed: bytes.length, complete: true });

    // A case listing the file is now committed.
    const entry = submitted(1, randomUUID(), { materials: [{ id: 'm1', provision: 'attached', sm3, size: bytes.length, mediaType: 'application/pdf' }] });
    q.send({ type: 'cases', batch: [entry] });
    expect((await q.next('ack')).results[0]!.outcome).toBe('committed');

    // Downloaded back from an offset, in chunks.
    q.send({ type: 'file.get', sm3, offset: 1000 });
    const parts: Buffer[] = [];
    for (;;) {
      const ch = await q.next('file.chunk');
      expect(ch.offset).toBe(1000 + parts.reduce((n, b) => n + b.length, 0));
      parts.push(Buffer.from(ch.data));
      if (ch.last) break;
    }
    expect(Buffer.concat(parts).equals(bytes.subarray(1000))).toBe(true);
    // From the end there is nothing to send: refused, not an empty chunk the kiosk's decoder would refuse.
    q.send({ type: 'file.get', sm3, offset: bytes.length });
    expect(await q.next('file.rejected')).toMatchObject({ code: 'file.badOffset' });
  });

  it('answers file.rejected for a chunk at a wrong offset, and for a file it does not have', async () => {
    await start();
    const p = await hello(await enrol('kiosk-1'));
    const bytes = Buffer.from('%PDF-1.7\nhello');
    const sm3 = sm3Hex(bytes);
    p.send({ type: 'file.offer', sm3, size: bytes.length, mediaType: 'application/pdf' });
    await p.next('file.status');
    p.chunk(sm3, 5, bytes.subarray(5), true);
    expect(await p.next('file.rejected')).toMatchObject({ sm3 });
    p.send({ type: 'file.get', sm3: sm3Hex('nothing'), offset: 0 });
    expect(await p.next('file.rejected')).toMatchObject({ code: 'file.unknown' });
    // A chunk of a file never offered on this connection is out of order.
    p.chunk(sm3Hex('other'), 0, Buffer.from('x'), true);
    expect((await p.closedWithError()).error).toMatchObject({ code: 'protocol.order' });
  });
});

describe('events', () => {
  it('pushes a status set by another process after the cursor, and not again once acknowledged', async () => {
    const e = await start({ eventPollMs: 20 });
    const c = await enrol('kiosk-1');
    const p = await hello(c);
    const caseId = randomUUID();
    p.send({ type: 'cases', batch: [submitted(1, caseId)] });
    await p.next('ack');

    // Another connection to the data directory, as `tongban endpoint set-status` is.
    const cli = openEndpointStore({ dataDir: dir, log: createLogger({ sink: new MemorySink() }) });
    try {
      cli.setStatus(caseId, 'accepted', { note: '受理' }, Date.now());
    } finally {
      cli.close();
    }
    const ev = await p.next('events');
    const statuses = ev.events.filter((x) => x.kind === 'case.status');
    expect(statuses).toEqual([expect.objectContaining({ caseId, to: 'accepted' })]);
    const cursor = ev.events[ev.events.length - 1]!.cursor;

    // An ack beyond what was sent is refused.
    const greedy = await hello(c); // replaces p
    await p.closed;
    greedy.send({ type: 'events.ack', cursor: String(Number(cursor) + 1000) });
    // the events are sent again to the new connection (never acknowledged), then the bad ack closes it
    expect((await greedy.closedWithError()).error).toMatchObject({ code: 'protocol.badAck' });

    const q = await hello(c);
    const again = await q.next('events');
    expect(again.events.map((x) => x.id)).toEqual(ev.events.map((x) => x.id));
    q.send({ type: 'events.ack', cursor });
    q.send({ type: 'events.ack', cursor }); // a replayed ack is ignored
    await roundTrip(q);
    // The fleet view knows how far the kiosk has acknowledged.
    expect(e.store.kiosks().find((k) => k.id === 'kiosk-1')).toMatchObject({ ackedCursor: cursor });
    await q.close();

    // Reconnecting with the acknowledged cursor: nothing old comes again.
    const r = await hello(c, cursor);
    await roundTrip(r);
    expect(r.pending().filter((m) => m.type === 'events')).toEqual([]);
    // A later status comes.
    e.store.setStatus(caseId, 'completed', { results: [{ bytes: Buffer.from('%PDF-1.7\nresult'), title: '办结通知', mediaType: 'application/pdf' }] }, Date.now());
    const later = await r.next('events');
    expect(later.events).toEqual([expect.objectContaining({ caseId, to: 'completed' })]);
  });
});

describe('events (large)', () => {
  it('sends catalogs that do not fit one text frame together in separate events messages', async () => {
    const e = await start();
    const c = await enrol('kiosk-1');
    e.store.setCatalog({ items: 'a'.repeat(600_000) }, 1);
    e.store.setCatalog({ items: 'b'.repeat(600_000) }, 2);
    const p = await hello(c);
    const first = await p.next('events');
    const second = await p.next('events');
    const catalogs = [...first.events, ...second.events].filter((x) => x.kind === 'catalog');
    expect(catalogs.map((x) => (x.kind === 'catalog' ? x.version : 0))).toEqual([1, 2]);
  });
});

describe('clerk API', () => {
  it('is mounted under /clerk/: a status set there flows to the connected kiosk, and the fleet view shows it connected', async () => {
    const e = await start({ eventPollMs: 20 });
    const p = await hello(await enrol('kiosk-1'));
    const caseId = randomUUID();
    p.send({ type: 'cases', batch: [submitted(1, caseId)] });
    await p.next('ack');
    const auth = { authorization: 'Bearer clerk-test-token', 'content-type': 'application/json' };

    expect((await fetch(`${e.httpUrl}/clerk/kiosks`)).status).toBe(401);
    const kiosks = (await (await fetch(`${e.httpUrl}/clerk/kiosks`, { headers: auth })).json()) as { kiosks: { id: string; connected: boolean }[] };
    expect(kiosks.kiosks).toEqual([expect.objectContaining({ id: 'kiosk-1', connected: true })]);

    const set = await fetch(`${e.httpUrl}/clerk/cases/${caseId}/status`, { method: 'POST', headers: auth, body: JSON.stringify({ to: 'refused', note: '材料不全' }) });
    expect(set.status).toBe(200);
    const ev = await p.next('events');
    expect(ev.events).toEqual([expect.objectContaining({ kind: 'case.status', caseId, to: 'refused', note: '材料不全' })]);
    expect((await fetch(`${e.httpUrl}/nowhere`)).status).toBe(404);
  });
});

describe('heartbeat', () => {
  it('asks for a heartbeat every heartbeatMs and records what the kiosk reports', async () => {
    const e = await start({ heartbeatMs: 50 });
    const p = await hello(await enrol('kiosk-1'));
    await p.next('heartbeat.request');
    p.send({
      type: 'heartbeat',
      devices: [{ device: 'printer', state: 'paperOut' }],
      queue: { pending: 3, quarantined: 1, unrouted: 0, inboxUnapplied: 0 },
      auditHead: null,
    });
    await roundTrip(p);
    const k = e.store.kiosks().find((x) => x.id === 'kiosk-1')!;
    expect(k.devices).toEqual([{ device: 'printer', state: 'paperOut' }]);
    expect(k.queue).toMatchObject({ pending: 3, quarantined: 1 });
  });
});

describe('hostile peers', () => {
  it('closes a malformed frame with a protocol error and goes on serving the others', async () => {
    await start();
    const c1 = await enrol('kiosk-1');
    const c2 = await enrol('kiosk-2');
    const good = await hello(c2);
    const bad = await hello(c1);
    bad.ws.send('{"v":1,"type":"cases","batch":[{"seq":');
    const r = await bad.closedWithError();
    expect(r.code).toBe(CLOSE.protocol);
    expect(r.error).toMatchObject({ code: 'protocol.badJson', fatal: true });

    const unknownKey = await hello(c1);
    unknownKey.send({ type: 'events.ack', cursor: '1', extra: true });
    expect((await unknownKey.closedWithError()).error).toMatchObject({ code: 'protocol.unknownKey' });

    const binary = await hello(c1);
    binary.ws.send(Buffer.from([0, 0, 0, 1, 0x7b]), { binary: true });
    expect((await binary.closedWithError()).code).toBe(CLOSE.protocol);

    good.send({ type: 'cases', batch: [submitted(1, randomUUID())] });
    expect((await good.next('ack')).results[0]!.outcome).toBe('committed');
  });

  it('closes a text frame over the size limit with 4413, and a frame over maxPayload', async () => {
    await start();
    const c = await enrol('kiosk-1');
    const p = await hello(c);
    p.send({ type: 'events.ack', cursor: '1', pad: 'x'.repeat(LIMITS.maxTextBytes) });
    const r = await p.closedWithError();
    expect(r.code).toBe(CLOSE.tooBig);
    expect(r.error).toMatchObject({ code: 'protocol.tooBig' });

    const q = await hello(c);
    q.ws.send(Buffer.alloc(LIMITS.maxFrameBytes + 1), { binary: true });
    // ws itself refuses a frame over maxPayload (1009) before it is read.
    expect((await q.closed).code).toBe(1009);
    const still = await hello(c);
    still.send({ type: 'cases', batch: [submitted(1, randomUUID())] });
    expect((await still.next('ack')).results[0]!.outcome).toBe('committed');
  });

  it('closes a flood with busy (4429) and a retry hint, and a connection that never says hello', async () => {
    await start({ limits: { messagesPerSecond: 20, messageBurst: 40, helloTimeoutMs: 100 } });
    const p = await hello(await enrol('kiosk-1'));
    for (let i = 0; i < 200 && p.closeCode === null; i++) {
      p.send({ type: 'heartbeat', devices: [], queue: { pending: 0, quarantined: 0, unrouted: 0, inboxUnapplied: 0 }, auditHead: null });
    }
    const r = await p.closedWithError();
    expect(r.code).toBe(CLOSE.busy);
    expect(r.error).toMatchObject({ code: 'busy', fatal: true });
    expect(r.error!.retryAfterMs).toBeGreaterThan(0);

    const silent = await connect();
    const s = await silent.closedWithError();
    expect(s.code).toBe(CLOSE.protocol);
    expect(s.error).toMatchObject({ code: 'protocol.timeout' });
  });
});

describe('connection flood', () => {
  it('answers 503 to new connections while too many have not said hello, and takes them again once they have', async () => {
    const e = await start({ limits: { maxUnauthenticated: 2 } });
    const a = await connect();
    a.send({ type: 'enroll', token: e.store.createEnrollToken('kiosk-1'), agentVersion: '0.1.0' });
    const c = await a.next('enrolled'); // enrolled, no hello yet: still counted
    const b = await connect();
    await expect(Peer.connect(e.url)).rejects.toThrow(/503/);
    a.send({ type: 'hello', kioskId: c.kioskId, secret: c.secret, agentVersion: '0.1.0', caseFormat: 1, cursor: null });
    await a.next('welcome');
    const d = await connect(); // room again: a said hello
    d.send({ type: 'hello', kioskId: c.kioskId, secret: c.secret, agentVersion: '0.1.0', caseFormat: 1, cursor: null });
    await d.next('welcome');
    expect(b.closeCode).toBeNull();
  });
});

describe('slow reader', () => {
  it('drops a kiosk that stops reading while downloads wait for it, and goes on serving the others', async () => {
    const e = await start({ eventPollMs: 20, limits: { slowReaderMs: 300 } });
    const c = await enrol('kiosk-slow');
    const up = await hello(c);
    const bytes = Buffer.alloc(LIMITS.maxChunkBytes * 4);
    bytes.write('%PDF-1.7\n', 0);
    for (let i = 9; i < bytes.length; i++) bytes[i] = (i * 7) & 0xff;
    const sm3 = sm3Hex(bytes);
    up.send({ type: 'file.offer', sm3, size: bytes.length, mediaType: 'application/pdf' });
    await up.next('file.status');
    for (let at = 0; at < bytes.length; at += LIMITS.maxChunkBytes) up.chunk(sm3, at, bytes.subarray(at, at + LIMITS.maxChunkBytes), at + LIMITS.maxChunkBytes === bytes.length);
    for (let i = 0; i < 4; i++) await up.next('file.ack');
    await up.close();

    const slow = await hello(c);
    slow.ws.pause(); // reads nothing more: the endpoint's writes back up
    for (let i = 0; i < 40; i++) slow.send({ type: 'file.get', sm3, offset: 0 });
    const other = await hello(await enrol('kiosk-ok'));
    other.send({ type: 'cases', batch: [submitted(1, randomUUID())] });
    expect((await other.next('ack')).results[0]!.outcome).toBe('committed');
    await expect.poll(() => e.connectedKiosks(), { timeout: 15_000 }).toEqual(['kiosk-ok']);
    expect(sink.records().some((r) => r.msg === 'kiosk not reading: closed' && r.kioskId === 'kiosk-slow')).toBe(true);
  });
});

describe('failures of its own', () => {
  it('a store failure on a message (files directory gone) closes that connection with internal (1011), logged without content; the server stays up', async () => {
    const e = await start();
    const c = await enrol('kiosk-1');
    const p = await hello(c);
    const bytes = Buffer.from('%PDF-1.7\nsome bytes');
    const sm3 = sm3Hex(bytes);
    p.send({ type: 'file.offer', sm3, size: bytes.length, mediaType: 'application/pdf' });
    await p.next('file.status');
    rmSync(join(dir, 'files'), { recursive: true, force: true }); // an operator's mistake, a failing disk
    p.chunk(sm3, 0, bytes, true);
    const r = await p.closedWithError();
    expect(r.code).toBe(1011);
    expect(r.error).toMatchObject({ code: 'internal', fatal: true });
    expect(sink.records().some((x) => x.level === 'error' && x.msg === 'kiosk session failed' && x.during === 'file.chunk')).toBe(true);

    const q = await hello(c);
    const name = '张三丰';
    const idNumber = '110101199003071234';
    q.send({ type: 'cases', batch: [submitted(1, randomUUID(), { applicant: { name, idNumber, phone: '13800138000' } })] });
    expect((await q.next('ack')).results[0]!.outcome).toBe('committed');
    expect((await fetch(`${e.httpUrl}/health`)).status).toBe(200);
    // Debug logging on, and still no personal data in the endpoint's log.
    const log = sink.lines.join('');
    for (const secret of [name, idNumber, '13800138000', c.secret]) expect(log).not.toContain(secret);
  });
});

describe('start', () => {
  it('refuses a taken port with one environment error and a bad port as usage, leaving the data directory free', async () => {
    const e = await start();
    const other = join(dir, 'other');
    const log = createLogger({ sink: new MemorySink() });
    await expect(startEndpoint({ dataDir: other, port: e.port, log, clerkToken: 'clerk-test-token' })).rejects.toMatchObject({ code: 'endpoint.listen', exitCode: 3 });
    await expect(startEndpoint({ dataDir: other, port: 70000, log, clerkToken: 'clerk-test-token' })).rejects.toMatchObject({ code: 'usage.port', exitCode: 2 });
    const again = openEndpointStore({ dataDir: other, log });
    again.close();
  });
});

describe('close', () => {
  it('closes the sessions with 1001, refuses new connections, and closes the store', async () => {
    const e = await start();
    const p = await hello(await enrol('kiosk-1'));
    await e.close();
    endpoint = undefined;
    expect((await p.closed).code).toBe(CLOSE.shutdown);
    await expect(Peer.connect(e.url)).rejects.toThrow();
    // The store was closed: the data directory opens again.
    const again = openEndpointStore({ dataDir: dir, log: createLogger({ sink: new MemorySink() }) });
    again.close();
  });
});
