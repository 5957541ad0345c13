/**
 * A WebSocket-aware fault proxy for the exactly-once tests (issue 6.5): kiosks connect to it, it relays
 * each connection to the upstream endpoint frame by frame (text stays text, binary stays binary, order
 * kept), and, while faults are set, it misbehaves like a bad network and a hostile middlebox:
 *
 *  - cuts: drops both sides abruptly (no close handshake) before or after relaying a frame, or when a
 *    connection's random lifetime runs out;
 *  - duplicates a frame;
 *  - replays an earlier frame of the same direction (from this or any earlier connection) after a frame;
 *  - delays frames (order kept within a direction).
 *
 * Every decision is drawn from one seeded PRNG (sync/faults.ts `seededRandom`), so a failing run can be
 * replayed from its seed as far as timing allows. `setFaults(NO_FAULTS)` makes it transparent (a calm
 * phase, after which the system must converge). The upstream can be changed while it runs (an endpoint
 * restarted on another ephemeral port).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { seededRandom } from '../../faults.js';
import { LIMITS } from '../../protocol/index.js';

export type Direction = 'up' | 'down';

export interface ProxyFaults {
  /** Probability, per frame, that the connection is cut there (half before relaying the frame: it is lost; half after). */
  readonly cut: number;
  /** Frames of these types are never delivered: the connection is cut instead (e.g. a lost `enrolled`). */
  readonly cutBeforeTypes: readonly string[];
  /** Probability that a frame is sent twice. */
  readonly duplicate: number;
  /** The same per message type, where it should differ from `duplicate` (e.g. `events` more often). */
  readonly duplicateByType: Readonly<Record<string, number>>;
  /** Probability that, after a frame, an earlier frame of the same direction is injected. */
  readonly replay: number;
  /** Probability that a frame is held back, and for at most how long (ms). */
  readonly delay: number;
  readonly delayMaxMs: number;
  /** A connection is cut after a random lifetime in [min, max] ms; null: no timed cuts. */
  readonly lifetimeMs: readonly [number, number] | null;
  /** Which message types may be replayed, per direction (binary frames are 'file.chunk'); null: any. */
  readonly replayTypes: { readonly up: readonly string[] | null; readonly down: readonly string[] | null };
}

export const NO_FAULTS: ProxyFaults = {
  cut: 0,
  cutBeforeTypes: [],
  duplicate: 0,
  duplicateByType: {},
  replay: 0,
  delay: 0,
  delayMaxMs: 0,
  lifetimeMs: null,
  replayTypes: { up: null, down: null },
};

export interface ProxyStats {
  connections: number;
  upstreamFailures: number;
  cuts: number;
  timedCuts: number;
  duplicates: number;
  replays: number;
  delays: number;
  relayed: Record<Direction, number>;
  /** Frames relayed per direction and message type. */
  byType: Record<Direction, Record<string, number>>;
}

interface Frame {
  readonly data: Buffer;
  readonly binary: boolean;
  readonly type: string;
}

/** The message type of a frame ('file.chunk' for binary frames; '?' for text that is not a typed JSON object). */
export function frameType(data: Buffer, binary: boolean): string {
  if (binary) return 'file.chunk';
  try {
    const t = (JSON.parse(data.toString('utf8')) as { type?: unknown }).type;
    return typeof t === 'string' ? t : '?';
  } catch {
    return '?';
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data as ArrayBuffer);
}

const HISTORY = 500;
const EVENT_LOG = 300;

class Pair {
  dead = false;
  private readonly chains: Record<Direction, Promise<void>> = { up: Promise.resolve(), down: Promise.resolve() };
  private upstreamOpen = false;
  private readonly early: Frame[] = [];
  private lifetime: NodeJS.Timeout | undefined;

  constructor(
    readonly id: number,
    private readonly proxy: FaultProxy,
    private readonly client: WebSocket,
    private readonly upstream: WebSocket,
  ) {
    client.on('message', (data, isBinary) => this.receive('up', toBuffer(data), isBinary));
    upstream.on('message', (data, isBinary) => this.receive('down', toBuffer(data), isBinary));
    upstream.on('open', () => {
      this.upstreamOpen = true;
      for (const f of this.early.splice(0)) this.enqueue('up', f);
    });
    upstream.on('error', () => {
      if (!this.upstreamOpen) proxy.stats.upstreamFailures++;
      this.kill('upstream error');
    });
    client.on('error', () => this.kill('client error'));
    client.on('close', (code, reason) => this.forwardClose('up', code, reason));
    upstream.on('close', (code, reason) => this.forwardClose('down', code, reason));
  }

  startLifetime(ms: number): void {
    this.lifetime = setTimeout(() => {
      if (this.dead) return;
      this.proxy.stats.timedCuts++;
      this.kill(`lifetime ${ms} ms over`);
    }, ms);
  }

  private receive(dir: Direction, data: Buffer, binary: boolean): void {
    if (this.dead) return;
    const frame: Frame = { data, binary, type: frameType(data, binary) };
    if (dir === 'up' && !this.upstreamOpen) {
      this.early.push(frame);
      return;
    }
    this.enqueue(dir, frame);
  }

  private enqueue(dir: Direction, frame: Frame): void {
    this.chains[dir] = this.chains[dir].then(() => this.relay(dir, frame)).catch(() => this.kill('relay failed'));
  }

  private target(dir: Direction): WebSocket {
    return dir === 'up' ? this.upstream : this.client;
  }

  private async relay(dir: Direction, frame: Frame): Promise<void> {
    if (this.dead) return;
    const p = this.proxy;
    const f = p.faults;
    if (f.delay > 0 && p.random() < f.delay) {
      p.stats.delays++;
      await new Promise((r) => setTimeout(r, Math.floor(p.random() * f.delayMaxMs)));
      if (this.dead) return;
    }
    if (f.cutBeforeTypes.includes(frame.type)) {
      p.stats.cuts++;
      return this.kill(`cut before ${dir} ${frame.type} (always)`);
    }
    let cutAfter = false;
    if (f.cut > 0 && p.random() < f.cut) {
      if (p.random() < 0.5) {
        p.stats.cuts++;
        return this.kill(`cut before ${dir} ${frame.type}`);
      }
      cutAfter = true;
    }
    this.send(dir, frame);
    p.stats.relayed[dir]++;
    p.stats.byType[dir][frame.type] = (p.stats.byType[dir][frame.type] ?? 0) + 1;
    const dup = f.duplicateByType[frame.type] ?? f.duplicate;
    if (dup > 0 && p.random() < dup) {
      p.stats.duplicates++;
      p.note(`#${this.id} duplicate ${dir} ${frame.type}`);
      this.send(dir, frame);
    }
    if (f.replay > 0 && p.random() < f.replay) {
      const old = p.pickHistory(dir);
      if (old) {
        p.stats.replays++;
        p.note(`#${this.id} replay ${dir} ${old.type}`);
        this.send(dir, old);
      }
    }
    p.remember(dir, frame);
    if (cutAfter) {
      p.stats.cuts++;
      this.kill(`cut after ${dir} ${frame.type}`);
    }
  }

  private send(dir: Direction, frame: Frame): void {
    const ws = this.target(dir);
    if (ws.readyState === WebSocket.OPEN) ws.send(frame.data, { binary: frame.binary });
  }

  /** A side closed: the other side is closed with the same code once the frames before it are relayed. */
  private forwardClose(from: Direction, code: number, reason: Buffer): void {
    if (this.dead) return;
    this.chains[from] = this.chains[from].then(() => {
      if (this.dead) return;
      this.dead = true;
      clearTimeout(this.lifetime);
      const other = from === 'up' ? this.upstream : this.client;
      this.proxy.note(`#${this.id} ${from === 'up' ? 'kiosk' : 'endpoint'} closed ${code}`);
      // 1005 (no code) and 1006 (abnormal) cannot be sent: an abnormal close is passed on as one.
      if (code === 1006) other.terminate();
      else if (code === 1005) other.close();
      else if (other.readyState === WebSocket.OPEN) other.close(code, reason.subarray(0, 120));
      else other.terminate();
      this.proxy.ended(this);
    });
  }

  kill(why: string): void {
    if (this.dead) return;
    this.dead = true;
    clearTimeout(this.lifetime);
    this.proxy.note(`#${this.id} cut: ${why}`);
    this.client.terminate();
    this.upstream.terminate();
    this.proxy.ended(this);
  }
}

export class FaultProxy {
  readonly stats: ProxyStats = {
    connections: 0,
    upstreamFailures: 0,
    cuts: 0,
    timedCuts: 0,
    duplicates: 0,
    replays: 0,
    delays: 0,
    relayed: { up: 0, down: 0 },
    byType: { up: {}, down: {} },
  };
  faults: ProxyFaults;
  readonly random: () => number;
  private readonly pairs = new Set<Pair>();
  private readonly history: Record<Direction, Frame[]> = { up: [], down: [] };
  private readonly events: string[] = [];
  private nextId = 1;
  private closed = false;

  private constructor(
    private readonly http: Server,
    private readonly wss: WebSocketServer,
    public upstream: string,
    readonly seed: number,
    faults: ProxyFaults,
  ) {
    this.random = seededRandom(seed);
    this.faults = faults;
    wss.on('connection', (client) => this.accept(client));
  }

  static async start(options: { upstream: string; seed: number; faults?: Partial<ProxyFaults> }): Promise<FaultProxy> {
    const http = createServer((_req, res) => res.writeHead(404).end());
    const wss = new WebSocketServer({ server: http, maxPayload: LIMITS.maxFrameBytes });
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(0, '127.0.0.1', () => resolve());
    });
    return new FaultProxy(http, wss, options.upstream, options.seed, { ...NO_FAULTS, ...options.faults });
  }

  get port(): number {
    return (this.http.address() as AddressInfo).port;
  }

  /** What kiosks connect to (the path is not passed on: every connection goes to `upstream` as it is). */
  get url(): string {
    return `ws://127.0.0.1:${this.port}/sync`;
  }

  setFaults(faults: Partial<ProxyFaults>): void {
    this.faults = { ...NO_FAULTS, ...faults };
  }

  /** Connections made from now on go to `url` (connections open now are left alone). */
  setUpstream(url: string): void {
    this.upstream = url;
  }

  /** Cuts every open connection now. */
  cutAll(why = 'cutAll'): void {
    for (const p of [...this.pairs]) p.kill(why);
  }

  get openConnections(): number {
    return this.pairs.size;
  }

  /** The last few hundred things the proxy did, for a failure report. */
  describe(): string {
    return [`proxy seed ${this.seed}: ${JSON.stringify({ ...this.stats, byType: undefined })}`, `frames: ${JSON.stringify(this.stats.byType)}`, ...this.events].join('\n');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.cutAll('proxy closing');
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  // ------------------------------------------------------------ used by the connection pairs

  note(event: string): void {
    this.events.push(event);
    if (this.events.length > EVENT_LOG) this.events.shift();
  }

  remember(dir: Direction, frame: Frame): void {
    const h = this.history[dir];
    h.push(frame);
    if (h.length > HISTORY) h.shift();
  }

  pickHistory(dir: Direction): Frame | undefined {
    const allowed = this.faults.replayTypes[dir];
    const candidates = allowed ? this.history[dir].filter((f) => allowed.includes(f.type)) : this.history[dir];
    if (candidates.length === 0) return undefined;
    return candidates[Math.floor(this.random() * candidates.length)];
  }

  ended(pair: Pair): void {
    this.pairs.delete(pair);
  }

  private accept(client: WebSocket): void {
    if (this.closed) {
      client.terminate();
      return;
    }
    this.stats.connections++;
    const upstream = new WebSocket(this.upstream, { maxPayload: LIMITS.maxFrameBytes, perMessageDeflate: false });
    const pair = new Pair(this.nextId++, this, client, upstream);
    this.pairs.add(pair);
    this.note(`#${pair.id} connected`);
    const life = this.faults.lifetimeMs;
    if (life) pair.startLifetime(Math.floor(life[0] + this.random() * (life[1] - life[0])));
  }
}

export const startFaultProxy = (options: { upstream: string; seed: number; faults?: Partial<ProxyFaults> }): Promise<FaultProxy> => FaultProxy.start(options);
