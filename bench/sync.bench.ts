/**
 * Case sync on loopback, against raw `ws` measured in the same run as the yardstick.
 *
 * Topology: the kiosk side (kiosk store + SyncClient, or the raw ws client) runs in this process; the
 * server side (the reference endpoint from startEndpoint with its SQLite store, or the raw ws server) in
 * a child process (this file, forked), as a kiosk and an endpoint are two machines. CPU figures add
 * both processes' CPU time; wall figures are wall-clock. BENCH_SYNC_INPROCESS=1 runs the server side in
 * this process instead (one event loop for both, fsyncs of both sides in series).
 *
 * - yardsticks: a bare `ws` server/client pair, no store on either side. (1) Batched: the very `cases`
 *   JSON the sync sends (the same entries, taken from the kiosk store, MAX_BATCH a message), parsed by
 *   the receiver, which answers each message with an `ack` listing every entry; the sender keeps WINDOW
 *   entries in flight, like the sync's window. (2) One by one: the same entries, ONE `cases` message per
 *   entry, each parsed and answered with its own `ack`, WINDOW messages in flight — the message rate of
 *   ws itself for messages of this size. Binary: 1 MiB files in 512 KiB chunk frames (a chunk header as
 *   the protocol's), each acknowledged by a small JSON message, CHUNK_WINDOW chunks in flight.
 * - durable floor: raw ws plus only the durability any sync needs (a bare SQLite outbox read and its
 *   acks recorded at the sender, a bare SQLite insert committed before each ack at the receiver): the
 *   ceiling of a durable sync on this machine, reported next to the yardsticks.
 * - (a) backlog drain: 10,000 queued cases of about 2 KB in a kiosk store, a SyncClient pumping them to
 *   the reference endpoint (hash recomputed, committed durably before the ack), timed from start()
 *   until the kiosk store has marked every entry acknowledged.
 * - (b) attachments: 200 cases each listing a 1 MiB attached material (file.offer, chunks written and
 *   fsynced, SM3 verified at the endpoint, then the case).
 * - (c) reconnect storm: 200 kiosks (each its own store and SyncClient, enrolled beforehand) started at
 *   once against one endpoint, each with a small backlog: time until all are caught up, and the latency
 *   of each acknowledgement (entry taken from the kiosk store by the client -> acknowledged in it).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { WebSocket, WebSocketServer } from 'ws';
import { silentLogger } from '../base/log.js';
import { sm3Hex } from '../certs/sm3.js';
import { CaseService } from '../agent/cases/case-service.js';
import { exampleCase } from '../agent/cases/index.js';
import { ensureCatalog, requireItem, type Catalog } from '../agent/catalog/index.js';
import { openFieldCipher } from '../agent/pii/field-cipher.js';
import { openStore } from '../agent/store/store.js';
import { AgentKioskSyncStore } from '../agent/sync/kiosk-sync-store.js';
import { SyncClient } from '../sync/client/index.js';
import type { KioskSyncStore, Regions, SyncEntry } from '../sync/client/types.js';
import { startEndpoint, type RunningEndpoint } from '../sync/endpoint/server.js';
import type { CaseEntry, DeviceHealth, EndpointEvent, QueueSizes } from '../sync/protocol/index.js';
import { TestKioskStore } from '../sync/test/helpers/test-kiosk-store.js';
import type { BenchModule, Measurement } from './lib.js';

const CASES = Number(process.env.BENCH_SYNC_CASES ?? 10_000);
const FILES = Number(process.env.BENCH_SYNC_FILES ?? 200);
const KIOSKS = Number(process.env.BENCH_SYNC_KIOSKS ?? 200);
const STORM_BACKLOG = Number(process.env.BENCH_SYNC_STORM_BACKLOG ?? 5);
/** How long the endpoint stays down before the reconnect storm of (c2). */
const RESTART_DOWN_MS = 1000;
/** Which parts run (to profile one at a time): BENCH_SYNC_PARTS=raw,floor,a,b,c (default all). */
const PARTS = new Set((process.env.BENCH_SYNC_PARTS ?? 'raw,floor,a,b,c').split(','));
const IN_PROCESS = process.env.BENCH_SYNC_INPROCESS === '1';
/** The kiosk store of (a) and (b): the agent's (agent/sync over agent/store, default) or the sync tests' (BENCH_SYNC_STORE=test). */
const AGENT_STORE = process.env.BENCH_SYNC_STORE !== 'test';
/** The protocol's limits and the reference endpoint's window (sync/protocol LIMITS, welcome.window). */
const MAX_BATCH = 200;
const WINDOW = 1000;
const CHUNK_BYTES = 512 * 1024;
const CHUNK_WINDOW = 8;
const FILE_BYTES = 1 << 20;
const MAX_PAYLOAD = (1 << 20) + 4 + 4096;
const REGION = '341600';
/** Padding of the test store's form so that an entry is about 2 KB of JSON. */
const PADDING = 1650;

const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

// --- The server side: raw ws server or reference endpoint, here or in a child process ---

type Request =
  | { cmd: 'raw' }
  | { cmd: 'floor'; dataDir: string }
  | { cmd: 'endpoint'; dataDir: string; port?: number }
  | { cmd: 'enroll'; kioskId: string }
  | { cmd: 'cases' }
  | { cmd: 'cpu' }
  | { cmd: 'close' };

/** What runs the server side: answers requests (in this process, or in the child over IPC). */
class ServerSide {
  private raw: WebSocketServer | undefined;
  private endpoint: RunningEndpoint | undefined;
  private floorDb: Database.Database | undefined;

  async handle(r: Request): Promise<unknown> {
    switch (r.cmd) {
      case 'raw':
        return this.startRaw();
      case 'floor':
        return this.startFloor(r.dataDir);
      case 'endpoint':
        this.endpoint = await startEndpoint({ dataDir: r.dataDir, port: r.port ?? 0, log: silentLogger });
        return this.endpoint.url;
      case 'enroll':
        return this.endpoint!.store.enroll(this.endpoint!.store.createEnrollToken(r.kioskId), 'bench');
      case 'cases':
        return this.endpoint!.store.cases().length;
      case 'cpu':
        return cpuSeconds();
      case 'close':
        for (const c of this.raw?.clients ?? []) c.terminate();
        if (this.raw) await new Promise<void>((res) => this.raw!.close(() => res()));
        await this.endpoint?.close();
        this.floorDb?.close();
        this.raw = undefined;
        this.floorDb = undefined;
        this.endpoint = undefined;
        return null;
    }
  }

  /** The yardstick's receiver: a `cases` message parsed and acked per entry; a chunk frame's header parsed and acked. */
  private async startRaw(): Promise<string> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: MAX_PAYLOAD });
    await new Promise<void>((r) => server.once('listening', () => r()));
    server.on('connection', (ws) =>
      ws.on('message', (data, isBinary) => {
        const buf = data as Buffer;
        if (isBinary) {
          const h = buf.readUInt32BE(0);
          const header = JSON.parse(buf.subarray(4, 4 + h).toString('utf8')) as { sm3: string; offset: number };
          ws.send(JSON.stringify({ v: 1, type: 'file.ack', sm3: header.sm3, committed: header.offset + buf.length - 4 - h, complete: false }));
        } else {
          const msg = JSON.parse(buf.toString('utf8')) as { batch: { seq: number }[] };
          ws.send(JSON.stringify({ v: 1, type: 'ack', results: msg.batch.map((e) => ({ seq: e.seq, outcome: 'committed' })) }));
        }
      }),
    );
    this.raw = server;
    return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/sync`;
  }

  /**
   * The durable floor's receiver: the least the issue asks of an endpoint and nothing more — each
   * `cases` message's entries inserted (payload as JSON text, keyed by kiosk and seq) into a bare
   * SQLite table in one transaction (WAL, synchronous=FULL, as the endpoint's store), committed, then
   * acked. No validation, no content hash, no sealing, no sessions.
   */
  private async startFloor(dataDir: string): Promise<string> {
    const db = bareDb(join(dataDir, 'floor-endpoint.db'));
    db.exec('CREATE TABLE cases (kiosk TEXT NOT NULL, seq INTEGER NOT NULL, case_id TEXT NOT NULL, payload TEXT NOT NULL, PRIMARY KEY (kiosk, seq))');
    const insert = db.prepare('INSERT OR IGNORE INTO cases VALUES (?, ?, ?, ?)');
    const commit = db.transaction((batch: CaseEntry[]) => {
      for (const e of batch) insert.run('floor', e.seq, e.caseId, JSON.stringify(e.payload));
    });
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: MAX_PAYLOAD });
    await new Promise<void>((r) => server.once('listening', () => r()));
    server.on('connection', (ws) =>
      ws.on('message', (data) => {
        const msg = JSON.parse((data as Buffer).toString('utf8')) as { batch: CaseEntry[] };
        commit(msg.batch);
        ws.send(JSON.stringify({ v: 1, type: 'ack', results: msg.batch.map((e) => ({ seq: e.seq, outcome: 'committed' })) }));
      }),
    );
    this.raw = server;
    this.floorDb = db;
    return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/sync`;
  }
}

/** A bare SQLite file as the stores open theirs: WAL, synchronous=FULL. */
function bareDb(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  return db;
}

interface Server {
  call<T>(r: Request): Promise<T>;
  stop(): Promise<void>;
}

function localServer(): Server {
  const side = new ServerSide();
  return { call: async <T>(r: Request) => (await side.handle(r)) as T, stop: async () => void (await side.handle({ cmd: 'close' })) };
}

function childServer(): Server {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--bench-sync-server'], { execArgv: ['--import', 'tsx', ...(process.env.BENCH_SYNC_CHILD_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_SYNC_CHILD_PROF}`] : [])], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let next = 0;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  child.on('message', (m: { id: number; ok: boolean; value?: unknown; error?: string }) => {
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.ok) w?.resolve(m.value);
    else w?.reject(new Error(`bench server: ${m.error}`));
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  void exited.then(() => {
    for (const w of waiting.values()) w.reject(new Error('bench server exited'));
  });
  return {
    call: <T>(r: Request) =>
      new Promise<T>((resolve, reject) => {
        const id = next++;
        waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ id, ...r });
      }),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The child: serves requests until told to stop. */
function serveRequests(): void {
  const side = new ServerSide();
  process.on('message', (m: Request & { id: number }) => {
    side.handle(m).then(
      (value) => process.send!({ id: m.id, ok: true, value }),
      (err: unknown) => process.send!({ id: m.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
    );
  });
  process.once('SIGTERM', () => {
    void side.handle({ cmd: 'close' }).finally(() => process.exit(0));
  });
  // The bench process died or went away without stopping us: no server left behind.
  process.once('disconnect', () => process.exit(0));
}

// --- Timing one-shot runs ---

interface Run {
  wallMs: number;
  /** CPU seconds of both processes (this one and the server side's). */
  cpuS: number;
}

async function timed(server: Server, fn: () => Promise<void>): Promise<Run> {
  const s0 = IN_PROCESS ? 0 : await server.call<number>({ cmd: 'cpu' });
  const c0 = cpuSeconds();
  const t0 = performance.now();
  await fn();
  const wallMs = performance.now() - t0;
  const c1 = cpuSeconds();
  const s1 = IN_PROCESS ? 0 : await server.call<number>({ cmd: 'cpu' });
  return { wallMs, cpuS: Math.max(c1 - c0 + (s1 - s0), 1e-9) };
}

/** The median run of `runs` (by wall time) as a Measurement of `ops` operations, `bytes` each. */
function asMeasurement(name: string, runs: Run[], ops: number, bytesPerOp?: number): Measurement {
  const r = [...runs].sort((a, b) => a.wallMs - b.wallMs)[Math.floor(runs.length / 2)]!;
  return {
    name,
    ops,
    opsPerSec: ops / r.cpuS,
    wallOpsPerSec: (ops * 1000) / r.wallMs,
    ...(bytesPerOp === undefined ? {} : { mibPerSec: (ops * bytesPerOp) / r.cpuS / 2 ** 20 }),
    medianMs: r.wallMs,
  };
}

function percentile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

// --- The yardstick: raw ws ---

async function rawClient(url: string): Promise<WebSocket> {
  const client = new WebSocket(url, { maxPayload: MAX_PAYLOAD, perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    client.once('open', () => resolve());
    client.once('error', reject);
  });
  return client;
}

/**
 * The yardsticks' sender: `cases` messages of the entries `take(room)` hands out (room: how many more
 * may be unacknowledged), at most `window` entries unacknowledged; each ack's seqs go to `acked`.
 * Resolves when `total` entries are acknowledged.
 */
async function windowedCases(server: Server, url: string, total: number, window: number, take: (room: number) => readonly unknown[], acked?: (seqs: number[]) => void): Promise<Run> {
  const client = await rawClient(url);
  try {
    return await timed(
      server,
      () =>
        new Promise<void>((resolve) => {
          let inFlight = 0;
          let done = 0;
          const pump = (): void => {
            for (;;) {
              const batch = take(window - inFlight);
              if (batch.length === 0) return;
              inFlight += batch.length;
              client.send(JSON.stringify({ v: 1, type: 'cases', batch }));
            }
          };
          client.on('message', (data) => {
            const seqs = (JSON.parse((data as Buffer).toString('utf8')) as { results: { seq: number }[] }).results.map((r) => r.seq);
            acked?.(seqs);
            inFlight -= seqs.length;
            done += seqs.length;
            if (done === total) resolve();
            else pump();
          });
          pump();
        }),
    );
  } finally {
    client.close();
  }
}

/**
 * Sends `entries` as `cases` messages of `batch` entries, at most `window` entries unacknowledged; the
 * receiver parses each message and answers with an ack per entry. Resolves when all are acknowledged.
 */
function rawCases(server: Server, url: string, entries: readonly CaseEntry[], batch: number, window: number): Promise<Run> {
  let next = 0;
  return windowedCases(server, url, entries.length, window, (room) => {
    if (next >= entries.length || room < Math.min(batch, entries.length - next)) return [];
    const slice = entries.slice(next, next + batch);
    next += slice.length;
    return slice;
  });
}

/** Sends `files` files of FILE_BYTES in CHUNK_BYTES binary frames, CHUNK_WINDOW unacknowledged. */
async function rawFiles(server: Server, url: string, files: number): Promise<Run> {
  const perFile = Math.ceil(FILE_BYTES / CHUNK_BYTES);
  const frames = Array.from({ length: perFile }, (_, i) => {
    const header = Buffer.from(JSON.stringify({ v: 1, type: 'file.chunk', sm3: '0'.repeat(64), offset: i * CHUNK_BYTES, last: i === perFile - 1 }));
    const frame = Buffer.alloc(4 + header.length + CHUNK_BYTES, 7);
    frame.writeUInt32BE(header.length, 0);
    header.copy(frame, 4);
    return frame;
  });
  const total = files * perFile;
  const client = await rawClient(url);
  try {
    return await timed(
      server,
      () =>
        new Promise<void>((resolve) => {
          let sent = 0;
          let acked = 0;
          const pump = (): void => {
            while (sent < total && sent - acked < CHUNK_WINDOW) client.send(frames[sent++ % perFile]!);
          };
          client.on('message', (data) => {
            JSON.parse((data as Buffer).toString('utf8'));
            acked++;
            if (acked === total) resolve();
            else pump();
          });
          pump();
        }),
    );
  } finally {
    client.close();
  }
}

// --- The sync: kiosk stores, watched ---

/**
 * A KioskSyncStore seen from outside: counts acknowledgements (resolving `whenAcked`) and times each
 * entry from the moment the client took it from the store (pending) to the arrival of its ack (the
 * client hands it to the store at once) — the round trip through the endpoint's durable commit,
 * including any wait in the client's window. With 200 kiosks in one process, it also includes the
 * turns of the one event loop spent on the other kiosks (their own SQLite commits among them).
 */
class Watched implements KioskSyncStore {
  private readonly takenAt = new Map<number, number>();
  private readonly ackedSeqs = new Set<number>();
  readonly latencies: number[] = [];
  private target = Infinity;
  private resolveTarget: (() => void) | null = null;

  constructor(readonly inner: KioskSyncStore) {}

  get acked(): number {
    return this.ackedSeqs.size;
  }

  /** Resolves once `n` distinct entries were acknowledged; rejects after `ms`. */
  whenAcked(n: number, ms: number, what: string): Promise<void> {
    if (this.acked >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${what}: only ${this.acked} of ${n} acknowledged after ${ms} ms`)), ms);
      this.target = n;
      this.resolveTarget = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  pending(q: { regions: Regions; now: number; limit: number; exclude: ReadonlySet<number> }): SyncEntry[] {
    const entries = this.inner.pending(q);
    const t = performance.now();
    for (const e of entries) if (!this.takenAt.has(e.seq)) this.takenAt.set(e.seq, t);
    return entries;
  }
  acknowledged(seqs: readonly number[], at: number): void {
    // The ack has arrived: its latency ends here (the kiosk's own commit of it follows).
    const t = performance.now();
    this.inner.acknowledged(seqs, at);
    for (const s of seqs) {
      if (this.ackedSeqs.has(s)) continue;
      this.ackedSeqs.add(s);
      const t0 = this.takenAt.get(s);
      if (t0 !== undefined) this.latencies.push(t - t0);
    }
    if (this.acked >= this.target && this.resolveTarget) {
      const r = this.resolveTarget;
      this.resolveTarget = null;
      r();
    }
  }
  hasFile(sm3: string): boolean {
    return this.inner.hasFile(sm3);
  }
  readFile(sm3: string): Uint8Array {
    return this.inner.readFile(sm3);
  }
  failed(seq: number, error: string, nextAttemptAt: number): void {
    this.inner.failed(seq, error, nextAttemptAt);
  }
  quarantine(seq: number, code: string, reason: string): void {
    this.inner.quarantine(seq, code, reason);
  }
  credentials(url: string): { kioskId: string; secret: string } | undefined {
    return this.inner.credentials(url);
  }
  saveCredentials(url: string, c: { kioskId: string; secret: string }): void {
    this.inner.saveCredentials(url, c);
  }
  cursor(url: string): string | null {
    return this.inner.cursor(url);
  }
  applyEvents(url: string, events: readonly EndpointEvent[], files: ReadonlyMap<string, Uint8Array>): void {
    this.inner.applyEvents(url, events, files);
  }
  heartbeat(): { devices: DeviceHealth[]; queue: QueueSizes; auditHead: { seq: number; hash: string } | null } {
    return this.inner.heartbeat();
  }
  counts(regions: Regions): { pending: number; quarantined: number } {
    return this.inner.counts(regions);
  }
}

/**
 * The durable floor's sender: the same entries held in a bare SQLite outbox (payload as JSON text),
 * read in seq order, sent as `cases` messages of MAX_BATCH with WINDOW in flight, and each ack recorded
 * (one UPDATE transaction per ack, synchronous=FULL) before more are read. What the issue requires of
 * any sync (durable commit before the ack at the receiver, the ack kept durably at the sender, so
 * nothing is lost or sent twice after a restart) over raw ws, and nothing else: no sealing, no hash
 * check, no validation, no case workflow.
 */
async function floorCases(server: Server, url: string, entries: readonly CaseEntry[], dbPath: string): Promise<Run> {
  const db = bareDb(dbPath);
  db.exec('CREATE TABLE outbox (seq INTEGER PRIMARY KEY, case_id TEXT NOT NULL, region TEXT NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL, acked INTEGER NOT NULL DEFAULT 0)');
  const add = db.prepare('INSERT INTO outbox (seq, case_id, region, kind, payload) VALUES (?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (const e of entries) add.run(e.seq, e.caseId, e.region, e.kind, JSON.stringify(e.payload));
  })();
  const next = db.prepare('SELECT seq, case_id AS caseId, region, kind, payload FROM outbox WHERE acked = 0 AND seq > ? ORDER BY seq LIMIT ?');
  const ack = db.prepare('UPDATE outbox SET acked = 1 WHERE seq = ?');
  const record = db.transaction((seqs: number[]) => {
    for (const seq of seqs) ack.run(seq);
  });
  let last = 0;
  try {
    return await windowedCases(
      server,
      url,
      entries.length,
      WINDOW,
      (room) => {
        const rows = next.all(last, Math.min(MAX_BATCH, room)) as { seq: number; caseId: string; region: string; kind: string; payload: string }[];
        if (rows.length > 0) last = rows[rows.length - 1]!.seq;
        return rows.map((r) => ({ ...r, payload: JSON.parse(r.payload) as unknown }));
      },
      record,
    );
  } finally {
    db.close();
  }
}

/** The protocol entries the client sends for these outbox entries (the yardstick sends the same bytes). */
function protocolEntries(store: KioskSyncStore, n: number): CaseEntry[] {
  return store.pending({ regions: '*', now: Date.now(), limit: n, exclude: new Set() }).map((e) => ({ seq: e.seq, caseId: e.caseId, region: e.region, kind: e.kind, payload: e.payload }) as CaseEntry);
}

/** A test kiosk store (sync/test/helpers) holding `n` cases, filled in one transaction. */
function testStoreWith(path: string, n: number, options: { padding?: number; attachmentBytes?: number } = {}): TestKioskStore {
  const store = new TestKioskStore(path);
  store.db.transaction(() => {
    for (let i = 0; i < n; i++) {
      store.submitCase({
        region: REGION,
        ...(options.padding ? { padding: options.padding } : {}),
        ...(options.attachmentBytes ? { attachments: [{ bytes: randomBytes(options.attachmentBytes) }] } : {}),
      });
    }
  })();
  return store;
}

interface Kiosk {
  readonly store: KioskSyncStore;
  readonly describe: string;
  close(): void;
}

function testKiosk(path: string, n: number, options: { padding?: number; attachmentBytes?: number }): Kiosk {
  const store = testStoreWith(path, n, options);
  return { store, describe: 'sync/test/helpers/test-kiosk-store.ts (SQLite, WAL, synchronous=FULL)', close: () => store.close() };
}

/**
 * The agent's kiosk store (agent/sync/kiosk-sync-store.ts over agent/store: sealed fields and files,
 * audit, CaseService transitions on acknowledgement) with `n` cases submitted through CaseService in one
 * transaction: demo item 341600-YB-0001 with its optional address filled, or, with attachments,
 * 341600-GJJ-0002 with the purchase contract attached as a PDF of `attachmentBytes`.
 */
function agentKiosk(dataDir: string, n: number, options: { attachmentBytes?: number }): Kiosk {
  const store = openStore({ dataDir, log: silentLogger, cipher: openFieldCipher({ dataDir }) });
  let catalog: Catalog = ensureCatalog(store);
  const cases = new CaseService({ store, catalog: () => catalog });
  store.transaction(() => {
    for (let i = 0; i < n; i++) {
      if (options.attachmentBytes) {
        const item = requireItem(catalog, '341600-GJJ-0002');
        const bytes = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(options.attachmentBytes - 9)]);
        const input = exampleCase(item) as { materials: { id: string }[] };
        input.materials = input.materials.map((m) =>
          m.id === 'purchase-contract' ? { id: m.id, provision: 'attached', form: '复印件', sm3: sm3Hex(bytes), size: bytes.length, mediaType: 'application/pdf' } : m,
        );
        cases.submit(input, new Map([[sm3Hex(bytes), bytes]]));
      } else {
        const input = exampleCase(requireItem(catalog, '341600-YB-0001')) as { form: Record<string, unknown> };
        input.form.residenceAddress = `上海市松江区示例路${i % 1000}弄${i % 100}号`.padEnd(100, '号');
        cases.submit(input);
      }
    }
  });
  const sync = new AgentKioskSyncStore({ store, cases, dataDir, catalog: () => catalog, onCatalog: (c) => (catalog = c), devices: () => [], routedRegions: () => '*', log: silentLogger });
  return { store: sync, describe: 'agent/sync/kiosk-sync-store.ts over agent/store (SQLite, WAL, synchronous=FULL; sealed fields and files; acknowledged cases moved to uploaded through CaseService, audited)', close: () => store.close() };
}

async function enrolled(server: Server, url: string, store: KioskSyncStore, kioskId: string): Promise<void> {
  store.saveCredentials(url, await server.call<{ kioskId: string; secret: string }>({ cmd: 'enroll', kioskId }));
}

function client(url: string, store: KioskSyncStore): SyncClient {
  return new SyncClient({ endpoint: { url, regions: '*' }, store, log: silentLogger, agentVersion: 'bench' });
}

/**
 * For a --cpu-prof run: the monotonic clock (µs, as in the profile) around a part of interest. The
 * server side's child is profiled too with BENCH_SYNC_CHILD_PROF=DIR.
 */
function mark(what: string): void {
  if (process.env.BENCH_SYNC_MARK) console.error(`mark ${what} ${process.hrtime.bigint() / 1000n}`);
}

/** Starts a client on `store` and resolves when `n` entries are acknowledged. */
async function drain(server: Server, url: string, watched: Watched, n: number, what: string): Promise<Run> {
  const c = client(url, watched);
  try {
    return await timed(server, async () => {
      const done = watched.whenAcked(n, 300_000, what);
      mark(`start ${what}`);
      c.start();
      await done;
      mark(`end ${what}`);
    });
  } finally {
    await c.stop();
  }
}

const bench: BenchModule = {
  description: 'case sync on loopback: backlog drain, 1 MiB attachments, 200 kiosks reconnecting; raw ws as the yardstick',
  async run(b) {
    const dir = mkdtempSync(join(tmpdir(), 'tongban-sync-bench-'));
    const server = IN_PROCESS ? localServer() : childServer();
    try {
      b.note(
        IN_PROCESS
          ? 'kiosk side and server side in ONE process (BENCH_SYNC_INPROCESS=1): one event loop, the fsyncs of both sides in series'
          : 'kiosk side (store + SyncClient, or the raw ws client) in the bench process, server side (startEndpoint + its SQLite store, or the raw ws server) in a child process; cpu columns add both processes',
      );
      // The backlog of (a); its entries are also the yardstick's messages.
      const kioskA = AGENT_STORE ? agentKiosk(join(dir, 'kiosk-a'), CASES, {}) : testKiosk(join(dir, 'kiosk-a.db'), CASES, { padding: PADDING });
      const entries = protocolEntries(kioskA.store, CASES);
      const entryBytes = Math.round(entries.reduce((n, e) => n + Buffer.byteLength(JSON.stringify(e)), 0) / entries.length);
      b.note(`kiosk store of (a) and (b): ${kioskA.describe}; a case entry of (a) is ${entryBytes} bytes of JSON on average`);

      // Yardstick: raw ws, same entries, same message pattern as the sync.
      let raw: Measurement | undefined;
      let rawOne: Measurement | undefined;
      let rawBinary: Measurement | undefined;
      if (PARTS.has('raw')) {
        const url = await server.call<string>({ cmd: 'raw' });
        await rawCases(server, url, entries.slice(0, 2000), MAX_BATCH, WINDOW); // warm-up
        const runs: Run[] = [];
        for (let i = 0; i < 3; i++) runs.push(await rawCases(server, url, entries, MAX_BATCH, WINDOW));
        raw = b.record(asMeasurement(`raw ws: ${CASES} entries, ${MAX_BATCH} a message, ${WINDOW} in flight, parsed and acked`, runs, CASES, entryBytes));
        const oneRuns: Run[] = [];
        for (let i = 0; i < 3; i++) oneRuns.push(await rawCases(server, url, entries, 1, WINDOW));
        rawOne = b.record(asMeasurement(`raw ws: ${CASES} entries, one message each, ${WINDOW} in flight, each parsed and acked`, oneRuns, CASES, entryBytes));
        await rawFiles(server, url, 20);
        const fileRuns: Run[] = [];
        for (let i = 0; i < 3; i++) fileRuns.push(await rawFiles(server, url, FILES));
        rawBinary = b.record(asMeasurement(`raw ws: ${FILES} x 1 MiB in ${CHUNK_BYTES / 1024} KiB binary frames, ${CHUNK_WINDOW} in flight, acked`, fileRuns, FILES, FILE_BYTES));
        await server.call({ cmd: 'close' });
      }

      // The durable floor: raw ws plus only the commits the issue requires (see floorCases).
      let floor: Measurement | undefined;
      if (PARTS.has('floor')) {
        const runs: Run[] = [];
        for (let i = 0; i < 3; i++) {
          const url = await server.call<string>({ cmd: 'floor', dataDir: mkdtempSync(join(dir, 'floor-endpoint-')) });
          runs.push(await floorCases(server, url, entries, join(dir, `floor-kiosk-${i}.db`)));
          await server.call({ cmd: 'close' });
        }
        floor = b.record(asMeasurement(`durable floor: raw ws + bare SQLite commit before each ack (receiver) and of each ack (sender), nothing else`, runs, CASES, entryBytes));
        if (raw) b.limit('durable floor / raw ws message rate (wall, reported)', floor.wallOpsPerSec / raw.wallOpsPerSec, 'x', {});
        if (rawOne) b.limit('durable floor / raw ws one message a case (wall, reported)', floor.wallOpsPerSec / rawOne.wallOpsPerSec, 'x', {});
      }

      // (a) Drain the backlog through the real client and endpoint.
      if (PARTS.has('a')) {
        const url = await server.call<string>({ cmd: 'endpoint', dataDir: join(dir, 'endpoint-a') });
        await enrolled(server, url, kioskA.store, 'kiosk-a');
        const run = await drain(server, url, new Watched(kioskA.store), CASES, 'backlog drain');
        const m = b.record(asMeasurement(`sync: drain ${CASES} queued cases (${entryBytes} B entries) kiosk store -> endpoint (SQLite, durable commit, then ack)`, [run], CASES, entryBytes));
        const atEndpoint = await server.call<number>({ cmd: 'cases' });
        const left = kioskA.store.counts('*');
        if (atEndpoint !== CASES || left.pending !== 0 || left.quarantined !== 0) b.note(`backlog drain: the endpoint holds ${atEndpoint} cases, the kiosk has ${left.pending} pending and ${left.quarantined} quarantined (expected ${CASES}, 0, 0)`);
        b.limit('backlog drain: cases at the endpoint', atEndpoint, 'cases', { atLeast: CASES, atMost: CASES });
        b.limit('backlog drain (wall)', m.wallOpsPerSec, 'cases/s', { atLeast: 2000 });
        if (raw) {
          b.limit('backlog drain / raw ws message rate (wall)', m.wallOpsPerSec / raw.wallOpsPerSec, 'x', { atLeast: 0.5 });
          b.ratio('backlog drain / raw ws message rate (cpu)', m, raw, 0.5);
        }
        if (rawOne) {
          b.limit('backlog drain / raw ws one message a case (wall)', m.wallOpsPerSec / rawOne.wallOpsPerSec, 'x', { atLeast: 0.5 });
          b.ratio('backlog drain / raw ws one message a case (cpu)', m, rawOne, 0.5);
        }
        if (floor) b.limit('backlog drain / durable floor (wall, reported)', m.wallOpsPerSec / floor.wallOpsPerSec, 'x', {});
        await server.call({ cmd: 'close' });
      }
      kioskA.close();

      // (b) 200 cases with a 1 MiB attachment each.
      if (PARTS.has('b')) {
        const kioskB = AGENT_STORE ? agentKiosk(join(dir, 'kiosk-b'), FILES, { attachmentBytes: FILE_BYTES }) : testKiosk(join(dir, 'kiosk-b.db'), FILES, { attachmentBytes: FILE_BYTES });
        const url = await server.call<string>({ cmd: 'endpoint', dataDir: join(dir, 'endpoint-b') });
        await enrolled(server, url, kioskB.store, 'kiosk-b');
        const run = await drain(server, url, new Watched(kioskB.store), FILES, 'attachments');
        const m = b.record(asMeasurement(`sync: ${FILES} cases with a 1 MiB attachment each (offer, chunks, fsync, SM3 checked, then the case)`, [run], FILES, FILE_BYTES));
        const wallMiB = (m.wallOpsPerSec * FILE_BYTES) / 2 ** 20;
        b.limit('attachments (wall)', wallMiB, 'MiB/s', { atLeast: 50 });
        if (rawBinary) b.limit('attachments / raw ws binary (wall)', m.wallOpsPerSec / rawBinary.wallOpsPerSec, 'x', {});
        const filesAt = await server.call<number>({ cmd: 'cases' });
        b.limit('attachments: cases at the endpoint', filesAt, 'cases', { atLeast: FILES, atMost: FILES });
        await server.call({ cmd: 'close' });
        kioskB.close();
      }

      // (c) 200 kiosks at once.
      if (PARTS.has('c')) {
        const url = await server.call<string>({ cmd: 'endpoint', dataDir: join(dir, 'endpoint-c') });
        const kiosks: Watched[] = [];
        for (let i = 0; i < KIOSKS; i++) {
          const s = testStoreWith(join(dir, `kiosk-c-${i}.db`), STORM_BACKLOG, { padding: PADDING });
          await enrolled(server, url, s, `kiosk-c-${i}`);
          kiosks.push(new Watched(s));
        }
        const clients = kiosks.map((k) => client(url, k));
        const perKiosk: number[] = [];
        const run = await timed(server, async () => {
          const t0 = performance.now();
          const all = kiosks.map((k, i) => k.whenAcked(STORM_BACKLOG, 300_000, `kiosk ${i}`).then(() => perKiosk.push(performance.now() - t0)));
          mark('start storm');
          for (const c of clients) c.start();
          await Promise.all(all);
          mark('end storm');
        });
        const latencies = kiosks.flatMap((k) => k.latencies);
        const total = KIOSKS * STORM_BACKLOG;
        b.record({ name: `sync: ${KIOSKS} kiosks start at once, ${STORM_BACKLOG} cases each: all caught up (total time)`, ops: total, opsPerSec: total / run.cpuS, wallOpsPerSec: (total * 1000) / run.wallMs, medianMs: run.wallMs });
        b.record({
          name: `sync: ${KIOSKS} kiosks at once: acknowledgement latency (entry taken from the store -> acknowledged)`,
          ops: latencies.length,
          opsPerSec: Number.NaN,
          wallOpsPerSec: Number.NaN,
          medianMs: percentile(latencies, 0.5),
          p95Ms: percentile(latencies, 0.95),
        });
        const held = await server.call<number>({ cmd: 'cases' });
        b.note(
          `${KIOSKS} kiosks at once: p99 acknowledgement latency ${percentile(latencies, 0.99).toFixed(0)} ms (max ${percentile(latencies, 1).toFixed(0)} ms); ` +
            `the last kiosk caught up after ${percentile(perKiosk, 1).toFixed(0)} ms, the median one after ${percentile(perKiosk, 0.5).toFixed(0)} ms; the endpoint holds ${held} cases (expected ${total})`,
        );
        b.limit(`${KIOSKS} kiosks at once: kiosks caught up`, perKiosk.length, 'kiosks', { atLeast: KIOSKS });
        b.limit(`${KIOSKS} kiosks at once: cases at the endpoint`, held, 'cases', { atLeast: total, atMost: total });
        b.limit(`${KIOSKS} kiosks at once: p99 acknowledgement latency (reported)`, percentile(latencies, 0.99), 'ms', {});
        b.limit(`${KIOSKS} kiosks at once: total time to all caught up (reported)`, run.wallMs, 'ms', {});

        // (c2) The endpoint goes down (its sessions closed with 1001 and a retry hint) while each kiosk
        // takes STORM_BACKLOG more cases, and comes back on the same port RESTART_DOWN_MS later: the 200
        // clients reconnect by themselves (full-jitter backoff) and catch up. Timed from the endpoint being back.
        const before = kiosks.map((k) => k.latencies.length);
        await server.call({ cmd: 'close' });
        for (const k of kiosks) {
          const s = k.inner as TestKioskStore;
          s.db.transaction(() => {
            for (let i = 0; i < STORM_BACKLOG; i++) s.submitCase({ region: REGION, padding: PADDING });
          })();
        }
        await new Promise((r) => setTimeout(r, RESTART_DOWN_MS));
        const back: number[] = [];
        const port = Number(new URL(url).port);
        const run2 = await timed(server, async () => {
          await server.call({ cmd: 'endpoint', dataDir: join(dir, 'endpoint-c'), port });
          const t0 = performance.now();
          mark('start reconnect');
          await Promise.all(kiosks.map((k, i) => k.whenAcked(2 * STORM_BACKLOG, 300_000, `kiosk ${i} after the restart`).then(() => back.push(performance.now() - t0))));
          mark('end reconnect');
        });
        const latencies2 = kiosks.flatMap((k, i) => k.latencies.slice(before[i]));
        b.record({ name: `sync: endpoint back after ${RESTART_DOWN_MS} ms down: ${KIOSKS} kiosks reconnect and catch up, ${STORM_BACKLOG} new cases each (total time)`, ops: total, opsPerSec: total / run2.cpuS, wallOpsPerSec: (total * 1000) / run2.wallMs, medianMs: run2.wallMs });
        b.record({
          name: `sync: endpoint back: acknowledgement latency (entry taken from the store -> acknowledged)`,
          ops: latencies2.length,
          opsPerSec: Number.NaN,
          wallOpsPerSec: Number.NaN,
          medianMs: percentile(latencies2, 0.5),
          p95Ms: percentile(latencies2, 0.95),
        });
        const held2 = await server.call<number>({ cmd: 'cases' });
        b.note(
          `endpoint restarted: the ${KIOSKS} kiosks reconnected by themselves and caught up; p99 acknowledgement latency ${percentile(latencies2, 0.99).toFixed(0)} ms (max ${percentile(latencies2, 1).toFixed(0)} ms); ` +
            `the last kiosk caught up ${percentile(back, 1).toFixed(0)} ms after the endpoint was back, the median one after ${percentile(back, 0.5).toFixed(0)} ms (their backoff: full jitter, base 500 ms, and the endpoint's 1 s retry hint); the endpoint holds ${held2} cases (expected ${2 * total})`,
        );
        b.limit(`endpoint restarted: kiosks caught up`, back.length, 'kiosks', { atLeast: KIOSKS });
        b.limit(`endpoint restarted: cases at the endpoint`, held2, 'cases', { atLeast: 2 * total, atMost: 2 * total });
        b.limit(`endpoint restarted: p99 acknowledgement latency (reported)`, percentile(latencies2, 0.99), 'ms', {});
        b.limit(`endpoint restarted: total time to all caught up (reported)`, run2.wallMs, 'ms', {});
        await Promise.all(clients.map((c) => c.stop()));
        for (const k of kiosks) (k.inner as TestKioskStore).close();
        await server.call({ cmd: 'close' });
      }
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
export default bench;

if (process.argv.includes('--bench-sync-server')) serveRequests();
