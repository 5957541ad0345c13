// A hostile endpoint against the real SyncClient (issue 6, point 6, the kiosk side): a small hand-written
// ws server answers the client's hello with malformed, oversized or out-of-order messages. The client
// closes the connection, backs off and tries again, never throws (no uncaught exception, no unhandled
// rejection), marks nothing as delivered that the endpoint did not acknowledge for what was sent, and its
// store stays intact: afterwards the same store syncs every case to the real endpoint, once each.
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { silentLogger } from '../../base/log.js';
import { sm3Hex } from '../../certs/sm3.js';
import { SyncClient } from '../client/index.js';
import { startEndpoint } from '../endpoint/server.js';
import { LIMITS } from '../protocol/index.js';
import { chunkFrame } from './hostile-peer.js';
import { TestKioskStore } from './helpers/test-kiosk-store.js';

const CASES = 3;

interface Received {
  type: string;
  msg: Record<string, unknown> | null;
}

/** What the hostile endpoint does with one connection: `received` lists what the client sent on it so far. */
type Script = (ws: WebSocket, msg: Record<string, unknown>, received: Received[], connection: number) => void;

interface Hostile {
  url: string;
  connections: number;
  /** Everything every connection received, in order. */
  log: Received[][];
  closeCodes: number[];
  close(): Promise<void>;
}

async function hostileEndpoint(script: Script): Promise<Hostile> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 64 * 1024 * 1024 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const h: Hostile = {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/sync`,
    connections: 0,
    log: [],
    closeCodes: [],
    close: async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
    },
  };
  wss.on('connection', (ws) => {
    const n = h.connections++;
    const received: Received[] = [];
    h.log.push(received);
    ws.on('error', () => {});
    ws.on('close', (code) => h.closeCodes.push(code));
    ws.on('message', (data, isBinary) => {
      let msg: Record<string, unknown> | null = null;
      if (!isBinary) {
        try {
          msg = JSON.parse((data as Buffer).toString('utf8')) as Record<string, unknown>;
        } catch {
          msg = null;
        }
      }
      received.push({ type: isBinary ? 'binary' : String(msg?.type), msg });
      if (msg) script(ws, msg, received, n);
    });
  });
  return h;
}

const welcome = { v: 1, type: 'welcome', endpointId: 'hostile', regions: ['*'], heartbeatMs: 60_000, window: { entries: 1000, chunks: 8 }, highestSeq: 0 };

let dir: string;
let store: TestKioskStore;
let client: SyncClient | undefined;
let hostile: Hostile | undefined;
const problems: unknown[] = [];
const onProblem = (err: unknown): void => {
  problems.push(err);
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tongban-hostile-endpoint-'));
  store = new TestKioskStore(join(dir, 'kiosk.db'));
  for (let i = 0; i < CASES; i++) store.submitCase({ region: '341600' });
  process.on('uncaughtException', onProblem);
  process.on('unhandledRejection', onProblem);
  problems.length = 0;
});

afterEach(async () => {
  await client?.stop();
  client = undefined;
  await hostile?.close();
  hostile = undefined;
  process.off('uncaughtException', onProblem);
  process.off('unhandledRejection', onProblem);
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function startClient(url: string): SyncClient {
  store.saveCredentials(url, { kioskId: 'kiosk-1', secret: 's'.repeat(43) });
  client = new SyncClient({ endpoint: { url, regions: '*' }, store, log: silentLogger, agentVersion: 'hostile-test', backoff: { baseMs: 5, maxMs: 40 } });
  client.start();
  return client;
}

async function until(what: string, pred: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * Runs `script` until the client has connected `times` times (so it closed and came back after each),
 * then checks: nothing thrown, nothing marked sent, the client reports the error, and the store then
 * syncs everything to the real endpoint exactly once.
 */
async function survives(script: Script, options: { times?: number; expectError?: RegExp } = {}): Promise<Hostile> {
  const times = options.times ?? 3;
  hostile = await hostileEndpoint(script);
  const c = startClient(hostile.url);
  await until(`${times} connections`, () => hostile!.connections >= times);
  await until('an error in the status', () => c.status().lastError !== null);
  if (options.expectError) expect(c.status().lastError).toMatch(options.expectError);
  expect(['connecting', 'backoff', 'connected']).toContain(c.status().state);
  await c.stop();
  expect(c.status().state).toBe('stopped');
  client = undefined;
  expect(problems).toEqual([]);
  expect(store.outbox().filter((e) => e.sent)).toEqual([]);
  expect(store.outbox().filter((e) => e.quarantine !== null)).toEqual([]);
  expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
  await syncsToRealEndpoint();
  return hostile;
}

/** The same store, a new client, the real endpoint: every case arrives once. */
async function syncsToRealEndpoint(): Promise<void> {
  const endpointDir = join(dir, 'endpoint');
  const ep = await startEndpoint({ dataDir: endpointDir, port: 0, log: silentLogger });
  try {
    const token = ep.store.createEnrollToken('kiosk-real');
    const c = new SyncClient({ endpoint: { url: ep.url, regions: '*', enrollToken: token }, store, log: silentLogger, agentVersion: 'hostile-test', backoff: { baseMs: 5, maxMs: 40 } });
    c.start();
    try {
      await until('all cases delivered', () => store.outbox().every((e) => e.sent));
    } finally {
      await c.stop();
    }
    expect(ep.store.cases()).toHaveLength(CASES);
  } finally {
    await ep.close();
  }
}

const onHello = (f: (ws: WebSocket) => void): Script => (ws, msg) => {
  if (msg.type === 'hello') f(ws);
};

describe('a hostile endpoint: the client closes, backs off, never throws, keeps its store', () => {
  it('malformed JSON instead of welcome', async () => {
    const h = await survives(onHello((ws) => ws.send('{"v":1,"type":"welcome",')), { expectError: /malformed|badJson/ });
    expect(h.closeCodes).toContain(4400);
  });

  it('binary garbage instead of welcome', async () => {
    await survives(onHello((ws) => ws.send(Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]))));
  });

  it('an unknown message type, a wrong version, unknown keys', async () => {
    let i = 0;
    const bad = [
      { v: 1, type: 'welcome.v2' },
      { ...welcome, v: 7 },
      { ...welcome, extra: 1 },
      { ...welcome, window: { entries: -1, chunks: 8 } },
    ];
    await survives(onHello((ws) => ws.send(JSON.stringify(bad[i++ % bad.length]))), { times: 5 });
  });

  it('an oversized text frame (over the frame limit) and an oversized JSON text', async () => {
    let i = 0;
    const h = await survives(
      onHello((ws) => {
        if (i++ % 2 === 0) ws.send('x'.repeat(LIMITS.maxFrameBytes + 1));
        else ws.send(`{"v":1,"type":"error","code":"x","fatal":false,"message":"${'y'.repeat(LIMITS.maxTextBytes)}"}`);
      }),
      { times: 4 },
    );
    expect(h.closeCodes.some((c) => c === 1009 || c === 4413)).toBe(true);
  });

  it('an oversized binary chunk nobody asked for', async () => {
    await survives(onHello((ws) => ws.send(chunkFrame({ v: 1, type: 'file.chunk', sm3: 'a'.repeat(64), offset: 0, last: true }, Buffer.alloc(LIMITS.maxChunkBytes + 1)))));
  });

  it('out of order: an ack, events and file.status before welcome', async () => {
    let i = 0;
    const early = [
      { v: 1, type: 'ack', results: [{ seq: 1, outcome: 'committed' }] },
      { v: 1, type: 'events', events: [{ cursor: '1', id: '0193a1b2-c3d4-7e5f-8a9b-000000000001', kind: 'catalog', version: 9, catalog: {}, at: '2026-11-21T00:00:00.000Z' }] },
      { v: 1, type: 'file.status', sm3: 'b'.repeat(64), committed: 0, complete: true },
    ];
    await survives(onHello((ws) => ws.send(JSON.stringify(early[i++ % early.length]))), { times: 4 });
    expect(store.catalogVersion()).toBeNull();
  });

  it('an ack for entries never sent, or with another count of results, marks nothing delivered', async () => {
    let i = 0;
    await survives(
      (ws, msg) => {
        if (msg.type === 'hello') {
          ws.send(JSON.stringify(welcome));
          // Acknowledge seqs the client never sent, before it sends anything.
          if (i++ % 2 === 0) ws.send(JSON.stringify({ v: 1, type: 'ack', results: [{ seq: 4242, outcome: 'committed' }] }));
        }
        if (msg.type === 'cases') {
          const batch = msg.batch as { seq: number }[];
          // One result short, with a seq that is not in the batch.
          ws.send(JSON.stringify({ v: 1, type: 'ack', results: [{ seq: batch[0]!.seq + 1000, outcome: 'committed' }] }));
        }
      },
      { times: 4 },
    );
  });

  it('events out of order (cursors going back) or replayed with a higher cursor are not applied', async () => {
    await survives(
      onHello((ws) => {
        ws.send(JSON.stringify(welcome));
        const ev = (cursor: string, id: string, version: number): object => ({ cursor, id, kind: 'catalog', version, catalog: {}, at: '2026-11-21T00:00:00.000Z' });
        ws.send(
          JSON.stringify({
            v: 1,
            type: 'events',
            events: [ev('5', '0193a1b2-c3d4-7e5f-8a9b-000000000005', 5), ev('3', '0193a1b2-c3d4-7e5f-8a9b-000000000003', 3)],
          }),
        );
      }),
    );
    expect(store.catalogVersion()).toBeNull();
  });

  it('a result document whose bytes do not match its SM3, and a chunk nobody asked for: the event is not applied', async () => {
    const caseId = store.outbox()[0]!.caseId;
    const real = Buffer.from('%PDF-1.7 the real result document');
    const served = Buffer.from('%PDF-1.7 something else entirely!');
    let i = 0;
    await survives(
      (ws, msg) => {
        if (msg.type === 'hello') {
          ws.send(JSON.stringify(welcome));
          if (i++ % 2 === 1) {
            ws.send(chunkFrame({ v: 1, type: 'file.chunk', sm3: sm3Hex(real), offset: 0, last: true }, real));
            return;
          }
          const result = { documentId: 'DOC-1', title: '证明', sm3: sm3Hex(real), size: real.length, mediaType: 'application/pdf' };
          ws.send(JSON.stringify({ v: 1, type: 'events', events: [{ cursor: '1', id: '0193a1b2-c3d4-7e5f-8a9b-00000000000a', kind: 'case.status', caseId, to: 'completed', results: [result], at: '2026-11-21T00:00:00.000Z' }] }));
        }
        if (msg.type === 'file.get') ws.send(chunkFrame({ v: 1, type: 'file.chunk', sm3: msg.sm3, offset: 0, last: true }, served));
      },
      { times: 4 },
    );
    expect(store.inbox()).toEqual([]);
    expect(store.caseStatus(caseId)).toBe('uploaded'); // moved by the real endpoint's ack at the end, never by the hostile event
    expect(store.history(caseId).map((h) => h.to)).toEqual(['uploaded']);
    expect(store.cursor(hostile!.url)).toBeNull();
  });

  it('a flood of heartbeat requests and fatal errors with absurd retry hints', async () => {
    let i = 0;
    await survives(
      onHello((ws) => {
        ws.send(JSON.stringify(welcome));
        for (let k = 0; k < 2000; k++) ws.send('{"v":1,"type":"heartbeat.request"}');
        ws.send(JSON.stringify({ v: 1, type: 'error', code: 'weird', message: 'go away', fatal: true, retryAfterMs: i++ === 0 ? 1 : 2 }));
        ws.close(4429, 'busy');
      }),
    );
  });

  it('an endpoint that accepts the connection and closes it at once, again and again', async () => {
    await survives(onHello((ws) => ws.terminate()), { times: 5 });
  });
});
