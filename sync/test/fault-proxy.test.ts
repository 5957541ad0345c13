/** The fault proxy of the exactly-once tests, against a real upstream WebSocket server on 127.0.0.1. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { startFaultProxy, type FaultProxy } from './helpers/fault-proxy.js';

interface Upstream {
  url: string;
  received: { text: string; binary: boolean }[];
  sockets: WebSocket[];
  closes: number[];
  close(): Promise<void>;
}

/** An upstream that records what arrives, answers `echo:` texts and `bye` by closing with 4401. */
async function upstream(name: string): Promise<Upstream> {
  const http: Server = createServer();
  const wss = new WebSocketServer({ server: http });
  const u: Upstream = {
    url: '',
    received: [],
    sockets: [],
    closes: [],
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
    },
  };
  wss.on('connection', (ws) => {
    u.sockets.push(ws);
    ws.on('close', (code) => u.closes.push(code));
    ws.on('message', (data: RawData, isBinary) => {
      const text = (data as Buffer).toString('utf8');
      u.received.push({ text, binary: isBinary });
      if (text.startsWith('echo:')) ws.send(`${name}:${text.slice(5)}`);
      if (isBinary) ws.send(Buffer.concat([Buffer.from('bin:'), data as Buffer]), { binary: true });
      if (text === 'bye') {
        ws.send('last words');
        ws.close(4401, 'auth.badSecret');
      }
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  u.url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/sync`;
  return u;
}

interface Client {
  ws: WebSocket;
  got: { text: string; binary: boolean }[];
  closed: Promise<number>;
  waitFor(n: number): Promise<void>;
}

async function client(url: string): Promise<Client> {
  const ws = new WebSocket(url);
  const got: Client['got'] = [];
  const waiters: (() => void)[] = [];
  ws.on('message', (data: RawData, isBinary) => {
    got.push({ text: (data as Buffer).toString('utf8'), binary: isBinary });
    for (const w of waiters.splice(0)) w();
  });
  const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
  ws.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('close', () => reject(new Error('closed before open')));
  });
  const waitFor = async (n: number): Promise<void> => {
    while (got.length < n) await new Promise<void>((r) => waiters.push(r));
  };
  return { ws, got, closed, waitFor };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
async function setup(seed: number, faults = {}): Promise<{ up: Upstream; proxy: FaultProxy }> {
  const up = await upstream('A');
  cleanups.push(() => up.close());
  const proxy = await startFaultProxy({ upstream: up.url, seed, faults });
  cleanups.push(() => proxy.close());
  return { up, proxy };
}

describe('fault proxy', () => {
  it('without faults: relays text and binary frames both ways in order, and passes a close code on after the frames before it', async () => {
    const { up, proxy } = await setup(1);
    const c = await client(proxy.url);
    for (let i = 0; i < 20; i++) c.ws.send(`echo:${i}`);
    c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    await c.waitFor(21);
    expect(c.got.slice(0, 20).map((m) => m.text)).toEqual(Array.from({ length: 20 }, (_, i) => `A:${i}`));
    expect(c.got[20]).toEqual({ text: 'bin:\x01\x02\x03', binary: true });
    expect(up.received.filter((m) => m.binary)).toHaveLength(1);
    c.ws.send('bye');
    expect(await c.closed).toBe(4401);
    expect(c.got.at(-1)!.text).toBe('last words');
    expect(proxy.stats).toMatchObject({ connections: 1, cuts: 0, duplicates: 0, replays: 0, relayed: { up: 22, down: 22 } });
  });

  it('duplicate: every frame arrives twice', async () => {
    const { up, proxy } = await setup(2, { duplicate: 1 });
    const c = await client(proxy.url);
    c.ws.send('echo:x');
    await c.waitFor(4); // echo:x twice upstream → A:x twice, each duplicated on the way down
    expect(up.received.map((m) => m.text)).toEqual(['echo:x', 'echo:x']);
    expect(c.got.map((m) => m.text)).toEqual(['A:x', 'A:x', 'A:x', 'A:x']);
    expect(proxy.stats.duplicates).toBe(3); // one frame up, two down
  });

  it('duplicateByType: some message types more often than others', async () => {
    const { up, proxy } = await setup(9, { duplicate: 0, duplicateByType: { events: 1 } });
    const c = await client(proxy.url);
    c.ws.send(JSON.stringify({ type: 'events', n: 1 }));
    c.ws.send(JSON.stringify({ type: 'ack', n: 2 }));
    await new Promise((r) => setTimeout(r, 50));
    expect(up.received.map((m) => JSON.parse(m.text).type)).toEqual(['events', 'events', 'ack']);
  });

  it('replay: injects earlier frames of the same direction, also from an earlier connection, only of the allowed types', async () => {
    const { up, proxy } = await setup(3);
    const first = await client(proxy.url);
    first.ws.send(JSON.stringify({ type: 'cases', n: 1 }));
    first.ws.send(JSON.stringify({ type: 'hello', n: 2 }));
    await new Promise((r) => setTimeout(r, 50));
    first.ws.close();
    await first.closed;
    proxy.setFaults({ replay: 1, replayTypes: { up: ['cases'], down: null } });
    const second = await client(proxy.url);
    second.ws.send(JSON.stringify({ type: 'heartbeat', n: 3 }));
    await new Promise((r) => setTimeout(r, 50));
    expect(up.received.map((m) => JSON.parse(m.text))).toEqual([
      { type: 'cases', n: 1 },
      { type: 'hello', n: 2 },
      { type: 'heartbeat', n: 3 },
      { type: 'cases', n: 1 }, // replayed into the new connection; hello never is (not an allowed type)
    ]);
    expect(proxy.stats.replays).toBe(1);
    expect(proxy.stats.byType.up).toEqual({ cases: 1, hello: 1, heartbeat: 1 });
  });

  it('cut: both sides are dropped abruptly (no close handshake)', async () => {
    const { up, proxy } = await setup(4);
    const c = await client(proxy.url);
    c.ws.send('echo:1');
    await c.waitFor(1);
    proxy.setFaults({ cut: 1 });
    c.ws.send('echo:2');
    expect(await c.closed).toBe(1006);
    await new Promise((r) => setTimeout(r, 50));
    expect(up.closes).toEqual([1006]);
    expect(proxy.stats.cuts).toBe(1);
    expect(proxy.openConnections).toBe(0);
  });

  it('cutBeforeTypes: a frame of that type is never delivered, the connection is cut instead', async () => {
    const { up, proxy } = await setup(10, { cutBeforeTypes: ['enroll'] });
    const c = await client(proxy.url);
    c.ws.send(JSON.stringify({ type: 'heartbeat' }));
    c.ws.send(JSON.stringify({ type: 'enroll' }));
    expect(await c.closed).toBe(1006);
    expect(up.received.map((m) => JSON.parse(m.text).type)).toEqual(['heartbeat']);
  });

  it('cutAll and timed cuts end connections at a given moment', async () => {
    const { proxy } = await setup(5, { lifetimeMs: [30, 40] });
    const timed = await client(proxy.url);
    expect(await timed.closed).toBe(1006);
    expect(proxy.stats.timedCuts).toBe(1);
    proxy.setFaults({});
    const a = await client(proxy.url);
    const b = await client(proxy.url);
    proxy.cutAll();
    expect(await Promise.all([a.closed, b.closed])).toEqual([1006, 1006]);
  });

  it('delay keeps the order', async () => {
    const { proxy } = await setup(6, { delay: 0.7, delayMaxMs: 15 });
    const c = await client(proxy.url);
    for (let i = 0; i < 30; i++) c.ws.send(`echo:${i}`);
    await c.waitFor(30);
    expect(c.got.map((m) => m.text)).toEqual(Array.from({ length: 30 }, (_, i) => `A:${i}`));
    expect(proxy.stats.delays).toBeGreaterThan(0);
  });

  it('setUpstream: later connections go to the new upstream; an upstream that is down drops the kiosk connection', async () => {
    const { up, proxy } = await setup(7);
    const b = await upstream('B');
    cleanups.push(() => b.close());
    proxy.setUpstream(b.url);
    const c = await client(proxy.url);
    c.ws.send('echo:1');
    await c.waitFor(1);
    expect(c.got[0]!.text).toBe('B:1');
    expect(up.received).toEqual([]);
    await b.close();
    const d = new WebSocket(proxy.url);
    d.on('error', () => {});
    const code = await new Promise<number>((r) => d.on('close', (x) => r(x)));
    expect(code).toBe(1006);
    expect(proxy.stats.upstreamFailures).toBe(1);
  });

  it('the same seed makes the same decisions', async () => {
    const run = async (seed: number): Promise<string[]> => {
      const { up, proxy } = await setup(seed, { duplicate: 0.3, replay: 0.3 });
      const c = await client(proxy.url);
      for (let i = 0; i < 40; i++) c.ws.send(`m${i}`);
      await new Promise((r) => setTimeout(r, 100));
      return up.received.map((m) => m.text);
    };
    const [a, b, other] = [await run(42), await run(42), await run(43)];
    expect(a).toEqual(b);
    expect(a).not.toEqual(other);
    expect(a.length).toBeGreaterThan(40);
  });
});
