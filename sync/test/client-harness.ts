/**
 * Shared set-up for the client tests: a temp dir, a real TestKioskStore file, the real endpoint
 * server on 127.0.0.1:0 (or none), clients with a fast backoff, and a condition poller. Everything
 * started here is closed by cleanup().
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import { MemorySink, createLogger, type Logger } from '../../base/log.js';
import { LIMITS, decodeKioskMessage, encodeText, type KioskMessage } from '../protocol/index.js';
import { startEndpoint, type EndpointOptions, type RunningEndpoint } from '../endpoint/server.js';
import { SyncClient, type SyncClientOptions } from '../client/sync-client.js';
import type { EndpointConfig } from '../client/types.js';
import { TestKioskStore } from './helpers/test-kiosk-store.js';

const HERE = dirname(fileURLToPath(import.meta.url));

export const FAST_BACKOFF = { baseMs: 20, maxMs: 300 };

export class Harness {
  readonly dir = mkdtempSync(join(tmpdir(), 'tongban-client-'));
  readonly sink = new MemorySink();
  readonly log: Logger = createLogger({ level: 'debug', sink: this.sink });
  private readonly endpoints: RunningEndpoint[] = [];
  private readonly clients: { stop(): Promise<void> }[] = [];
  private readonly stores: TestKioskStore[] = [];
  private readonly children: ChildProcess[] = [];

  store(name = 'kiosk'): TestKioskStore {
    const s = new TestKioskStore(join(this.dir, `${name}.db`));
    this.stores.push(s);
    return s;
  }

  async endpoint(name = 'endpoint', extra: Partial<EndpointOptions> = {}): Promise<RunningEndpoint> {
    const e = await startEndpoint({
      dataDir: join(this.dir, name),
      port: 0,
      log: this.log.child({ component: `test.${name}` }),
      clerkToken: 'clerk-test-token',
      heartbeatMs: 60_000,
      eventPollMs: 20,
      ...extra,
    });
    this.endpoints.push(e);
    return e;
  }

  /** Closes an endpoint started here (to restart it on the same data dir). */
  async closeEndpoint(e: RunningEndpoint): Promise<void> {
    const i = this.endpoints.indexOf(e);
    if (i >= 0) this.endpoints.splice(i, 1);
    await e.close();
  }

  client(store: TestKioskStore, endpoint: EndpointConfig, extra: Partial<SyncClientOptions> = {}): SyncClient {
    const c = new SyncClient({ endpoint, store, log: this.log, agentVersion: '0.1.0-test', backoff: FAST_BACKOFF, ...extra });
    this.clients.push(c);
    return c;
  }

  track<T extends { stop(): Promise<void> }>(c: T): T {
    this.clients.push(c);
    return c;
  }

  /** A reference endpoint in a child process (client-endpoint-child.ts), killed by cleanup() if still running. */
  async childEndpoint(dataDir: string, kioskId: string): Promise<{ child: ChildProcess; url: string; port: number; token: string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', join(HERE, 'client-endpoint-child.ts'), dataDir, kioskId], {
      cwd: resolve(HERE, '../..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.children.push(child);
    const line = await new Promise<string>((resolveLine, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const nl = out.indexOf('\n');
        if (nl >= 0) resolveLine(out.slice(0, nl));
      });
      child.once('exit', (code) => reject(new Error(`endpoint child exited with ${code}`)));
    });
    const [, url, token] = line.split(' ') as [string, string, string];
    return { child, url, port: Number(new URL(url).port), token };
  }

  async cleanup(): Promise<void> {
    for (const c of this.children.splice(0)) {
      if (c.exitCode === null && c.signalCode === null) {
        c.kill('SIGKILL');
        await new Promise((r) => c.once('exit', r));
      }
    }
    for (const c of this.clients.splice(0)) await c.stop();
    for (const e of this.endpoints.splice(0)) await e.close();
    for (const s of this.stores.splice(0)) s.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Polls until `cond` holds (the test's own timeout bounds it); returns its last truthy value. */
export async function until<T>(cond: () => T, what: string, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = cond();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function bytes(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

/**
 * A TCP proxy in front of an endpoint that can cut every connection through it once `cutAfter`
 * bytes went from the kiosk to the endpoint (one cut, then it forwards normally). Counts the bytes.
 */
export class CutProxy {
  upBytes = 0;
  downBytes = 0;
  cuts = 0;
  cutAfter: number | null = null;
  /** Cut once this many bytes went from the endpoint to the kiosk. */
  cutDownAfter: number | null = null;
  /** Connections frozen by freeze(). */
  private readonly links: { frozen: boolean; mutedDown: boolean }[] = [];
  private readonly sockets = new Set<Socket>();
  private constructor(
    private readonly server: Server,
    readonly port: number,
    /** Where new connections go (an endpoint restarted on another port). */
    public targetPort: number,
  ) {}

  static async start(targetPort: number): Promise<CutProxy> {
    let self: CutProxy | null = null;
    const server = createServer((down) => {
      const up = connect(self!.targetPort, '127.0.0.1');
      const p = self!;
      const link = { frozen: false, mutedDown: false };
      p.links.push(link);
      p.sockets.add(down).add(up);
      const drop = (): void => {
        down.destroy();
        up.destroy();
        p.sockets.delete(down);
        p.sockets.delete(up);
      };
      down.on('data', (d: Buffer) => {
        if (link.frozen) return;
        p.upBytes += d.length;
        if (p.cutAfter !== null && p.upBytes >= p.cutAfter) {
          p.cutAfter = null;
          p.cuts++;
          drop();
          return;
        }
        up.write(d);
      });
      up.on('data', (d: Buffer) => {
        if (link.frozen || link.mutedDown) return;
        p.downBytes += d.length;
        if (p.cutDownAfter !== null && p.downBytes >= p.cutDownAfter) {
          p.cutDownAfter = null;
          p.cuts++;
          drop();
          return;
        }
        down.write(d);
      });
      down.on('error', drop).on('close', drop);
      up.on('error', drop).on('close', drop);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    self = new CutProxy(server, (server.address() as AddressInfo).port, targetPort);
    return self;
  }

  /** The connections open now forward nothing more either way but stay open (a network that fails silently); new ones pass. */
  freeze(): void {
    for (const l of this.links) l.frozen = true;
  }

  /** The connections open now carry nothing more from the endpoint to the kiosk (acks lost); the kiosk's frames still go. */
  muteDown(): void {
    for (const l of this.links) l.mutedDown = true;
  }

  /** Cuts every connection through the proxy now. */
  cutAll(): void {
    this.cuts++;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  async stop(): Promise<void> {
    this.cutAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** One kiosk connection to a ScriptedEndpoint. */
export interface ScriptedPeer {
  readonly ws: WebSocket;
  send(msg: Record<string, unknown>): void;
  /** Raw text (possibly malformed). */
  sendRaw(text: string | Buffer, binary?: boolean): void;
  close(code: number, reason?: string): void;
}

/**
 * A small, real WebSocket server speaking the protocol by hand, for endpoint behaviours the reference
 * server does not show on demand (retry hints, malformed messages, busy). It decodes what the kiosk
 * sends with the protocol's own decoder and hands each message to `onMessage`.
 */
export class ScriptedEndpoint {
  readonly received: { at: number; conn: number; msg: KioskMessage }[] = [];
  readonly connections: { at: number; closedWith: number | null }[] = [];
  /** The peer of each connection, by its index. */
  readonly connectionsPeers: ScriptedPeer[] = [];
  private constructor(
    private readonly wss: WebSocketServer,
    readonly url: string,
  ) {}

  static async start(
    onMessage: (msg: KioskMessage, peer: ScriptedPeer, conn: number) => void,
  ): Promise<ScriptedEndpoint> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/sync', maxPayload: LIMITS.maxFrameBytes });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    const port = (wss.address() as AddressInfo).port;
    const self = new ScriptedEndpoint(wss, `ws://127.0.0.1:${port}/sync`);
    wss.on('connection', (ws) => {
      const conn = self.connections.length;
      const record = { at: Date.now(), closedWith: null as number | null };
      self.connections.push(record);
      ws.on('close', (code) => (record.closedWith = code));
      const peer: ScriptedPeer = {
        ws,
        send: (msg) => ws.send(encodeText({ v: 1, ...msg } as never)),
        sendRaw: (text, binary = false) => ws.send(text, { binary }),
        close: (code, reason) => ws.close(code, reason),
      };
      self.connectionsPeers.push(peer);
      ws.on('message', (data, isBinary) => {
        const msg = decodeKioskMessage(data as Buffer, isBinary);
        self.received.push({ at: Date.now(), conn, msg });
        onMessage(msg, peer, conn);
      });
    });
    return self;
  }

  /** A welcome as the reference endpoint sends it. */
  static welcome(extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { type: 'welcome', endpointId: 'scripted', regions: ['*'], heartbeatMs: 60_000, window: { entries: 1000, chunks: 8 }, highestSeq: 0, ...extra };
  }

  async stop(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
