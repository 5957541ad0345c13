/**
 * The agent as a whole: start-up time to a ready API, and case intake through the local HTTP API.
 *
 * - start-up: `tongban start` spawned as the real executable (compiled dist/: run `npm run build`
 *   first), timed from spawn to the "ready" line on stdout, after which /api/health answers. Measured
 *   with devices disabled (the 1 s target: simulators aside) on a fresh data directory (keys made,
 *   migrations, demo catalog installed) and on an existing one, and with the demo's three simulators
 *   (socat ptys) for comparison; plus startAgent() in-process (without Node's own start).
 * - intake: POST /api/cases (CaseService.submitGrouped: validated against the catalog, sealed, one
 *   durable group-commit transaction per event-loop turn, audited) from 4, 8 and 16 concurrent clients
 *   with keep-alive on loopback, the agent in its own process; every case acknowledged after its fsync.
 *   Each client waits for its answer before sending the next case, so a transaction holds at most as
 *   many cases as there are clients: the rate grows with them until the CPU is the bound.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exampleCase, exampleItem } from '../agent/cases/example.js';
import { demoCatalog } from '../agent/catalog/catalog.js';
import { startAgent } from '../agent/agent.js';
import { parseConfig } from '../agent/config/config.js';
import type { BenchModule, Measurement } from './lib.js';

const BIN = fileURLToPath(new URL('../bin/tongban.js', import.meta.url));
const STARTS = 5;
/** Concurrent clients of the intake runs; the target is checked on the largest. */
const CLIENT_COUNTS = (process.env.BENCH_CLIENTS ?? '4,8,16').split(',').map(Number);
const INTAKE_MS = 2500;

interface Daemon {
  child: ChildProcessWithoutNullStreams;
  url: string;
  readyMs: number;
  stop(): Promise<void>;
}

function startDaemon(args: string[]): Promise<Daemon> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [BIN, 'start', ...args], { env: { ...process.env, TONGBAN_LOG_LEVEL: 'warn' } });
    let out = '';
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /ready: (http:\/\/\S+)/.exec(out);
      if (!m) return;
      const readyMs = performance.now() - t0;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      resolve({
        child,
        url: m[1]!,
        readyMs,
        stop: async () => {
          child.kill('SIGTERM');
          await exited;
        },
      });
    });
    child.once('exit', (code) => reject(new Error(`tongban start exited ${code}: ${err.trim()}`)));
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function startRecord(name: string, times: number[]): Measurement {
  const sorted = [...times].sort((a, b) => a - b);
  return { name, ops: times.length, opsPerSec: 1000 / median(times), wallOpsPerSec: 1000 / median(times), medianMs: median(times), p95Ms: sorted[sorted.length - 1]! };
}

/** POSTs cases from `clients` concurrent keep-alive clients for `ms`; returns the cases acknowledged. */
async function intake(url: string, token: string, clients: number, ms: number): Promise<{ ok: number; failed: Map<number, number>; latencies: number[]; wallMs: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const { hostname, port } = new URL(url);
  const body = JSON.stringify(exampleCase(exampleItem(demoCatalog())));
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
  let ok = 0;
  const failed = new Map<number, number>();
  const latencies: number[] = [];
  const t0 = performance.now();
  const post = (): Promise<number> =>
    new Promise((resolve, reject) => {
      const req = request({ host: hostname, port, method: 'POST', path: '/api/cases', agent, headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(body);
    });
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() - t0 < ms) {
        const s = performance.now();
        const status = await post();
        latencies.push(performance.now() - s);
        if (status === 201) ok++;
        else failed.set(status, (failed.get(status) ?? 0) + 1);
      }
    }),
  );
  const wallMs = performance.now() - t0;
  agent.destroy();
  return { ok, failed, latencies, wallMs };
}

const bench: BenchModule = {
  description: 'agent start-up to a ready API (devices disabled, and with the demo simulators) and case intake through the local HTTP API',
  async run(b) {
    const dir = mkdtempSync(join(tmpdir(), 'tongban-agent-bench-'));
    try {
      const noDevices = join(dir, 'no-devices.json');
      writeFileSync(noDevices, JSON.stringify({ demo: { enabled: false } }));

      // Start-up, devices disabled: fresh data directories, then the same one again.
      const fresh: number[] = [];
      const again: number[] = [];
      const demo: number[] = [];
      for (let i = 0; i < STARTS; i++) {
        const data = join(dir, `fresh-${i}`);
        const d = await startDaemon(['--config', noDevices, '--data', data, '--port', '0']);
        fresh.push(d.readyMs);
        await d.stop();
        const d2 = await startDaemon(['--config', noDevices, '--data', data, '--port', '0']);
        again.push(d2.readyMs);
        await d2.stop();
      }
      for (let i = 0; i < 3; i++) {
        const d = await startDaemon(['--data', join(dir, `demo-${i}`), '--port', '0']);
        demo.push(d.readyMs);
        await d.stop();
      }
      const freshM = b.record(startRecord('tongban start -> ready, devices disabled, fresh data dir (keys, migrations, catalog)', fresh));
      const againM = b.record(startRecord('tongban start -> ready, devices disabled, existing data dir', again));
      b.record(startRecord('tongban start -> ready, demo: three simulators on ptys + their drivers', demo));
      const inProcess: number[] = [];
      for (let i = 0; i < STARTS; i++) {
        const t0 = performance.now();
        const a = await startAgent({ dataDir: join(dir, `fresh-${i}`), port: 0, logLevel: 'warn', config: parseConfig({ demo: { enabled: false } }) });
        inProcess.push(performance.now() - t0);
        await a.stop('bench');
      }
      b.record(startRecord('startAgent() in-process, devices disabled, existing data dir (no Node start, modules loaded)', inProcess));
      b.limit('start-up to a ready API, devices disabled, fresh data dir (median)', freshM.medianMs!, 'ms', { atMost: 1000 });
      b.limit('start-up to a ready API, devices disabled, existing data dir (median)', againM.medianMs!, 'ms', { atMost: 1000 });
      b.note('start-up figures are from spawn to the ready line: they include Node starting and loading the compiled modules (dist/)');

      // Intake through the API, the agent in its own process.
      const data = join(dir, 'intake');
      const d = await startDaemon(['--config', noDevices, '--data', data, '--port', '0']);
      try {
        const token = readFileSync(join(data, 'api-token'), 'utf8').trim();
        await intake(d.url, token, 8, 500); // warm-up
        let last: Measurement | undefined;
        for (const clients of CLIENT_COUNTS) {
          const r = await intake(d.url, token, clients, INTAKE_MS);
          const lat = [...r.latencies].sort((a, b2) => a - b2);
          last = b.record({
            name: `POST /api/cases, ${clients} keep-alive clients on loopback (validated, sealed, group-committed, audited)`,
            ops: r.ok,
            opsPerSec: (r.ok * 1000) / r.wallMs,
            wallOpsPerSec: (r.ok * 1000) / r.wallMs,
            medianMs: lat[Math.floor(lat.length / 2)]!,
            p95Ms: lat[Math.floor(lat.length * 0.95)]!,
          });
          if (r.failed.size) b.note(`${clients} clients: requests not answered 201, by status: ${[...r.failed].map(([s2, n]) => `${s2}: ${n}`).join(', ')}`);
        }
        b.limit(`case intake through the HTTP API, ${CLIENT_COUNTS.at(-1)} clients (wall)`, last!.wallOpsPerSec, 'cases/s', { atLeast: 1000 });
        b.note('intake runs agent and clients on the same machine (the agent in its own process); the rate is wall-clock, every case acknowledged after the fsync of its group transaction');
      } finally {
        await d.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
export default bench;
