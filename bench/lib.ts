/**
 * The benchmark toolkit. A bench is a file `bench/<name>.bench.ts` whose default export is a
 * `BenchModule`; `bench/run.ts` runs them (see bench/README.md). This file measures functions, runs
 * external tools (`openssl speed`), checks targets and formats tables. Benchmarks are not tests: nothing
 * here asserts anything, it reports.
 *
 * Clocks. A run of `openssl speed` counts operations per second of its own CPU time, which stays right
 * when other processes share the machine. `measure` records both the process's CPU time and the wall
 * time: `opsPerSec` is per CPU-second (comparable with OpenSSL's figures, and steady under load),
 * `wallOpsPerSec` per wall-second; latencies (median, p95) are wall-clock.
 */
import { spawn } from 'node:child_process';

export interface MeasureOptions {
  /** Measure at least this long (default 1500 ms). */
  readonly minTimeMs?: number;
  /** Warm up (JIT) this long first (default 300 ms). */
  readonly warmupMs?: number;
  /** Bytes each call processes: adds MiB/s to the figures. */
  readonly bytesPerOp?: number;
}

export interface Measurement {
  readonly name: string;
  readonly ops: number;
  /** Operations per CPU-second of this process. */
  readonly opsPerSec: number;
  /** Operations per wall-clock second. */
  readonly wallOpsPerSec: number;
  /** MiB per CPU-second, when bytesPerOp was given. */
  readonly mibPerSec?: number;
  /** Wall-clock latency of one operation (for very fast operations: the mean within a small batch). */
  readonly medianMs?: number;
  readonly p95Ms?: number;
  /** Where the figure came from when not measured here (e.g. "openssl speed"). */
  readonly source?: string;
}

export interface Target {
  /** What is compared, e.g. "SM2 sign: tongban / sm-crypto-v2". */
  readonly what: string;
  readonly value: number;
  readonly unit: string;
  readonly atLeast?: number;
  readonly atMost?: number;
  readonly pass: boolean;
}

/** What a bench file gets to work with. */
export interface BenchContext {
  /** Measures `fn` (sync or async) and records the result. */
  measure(name: string, fn: () => unknown, options?: MeasureOptions): Promise<Measurement>;
  /** Records a figure obtained elsewhere (an external tool). */
  record(m: Measurement): Measurement;
  /** Checks ours / peer (throughput: ops/s, or MiB/s when both have it) against a minimum ratio. */
  ratio(what: string, ours: Measurement, peer: Measurement, atLeast: number): Target;
  /** Checks a value against a bound, e.g. a median latency in ms at most 150. */
  limit(what: string, value: number, unit: string, bound: { atLeast?: number; atMost?: number }): Target;
  /** A line of text for the report (context, caveats). */
  note(text: string): void;
}

export interface BenchModule {
  /** One line: what this bench measures. */
  readonly description: string;
  run(ctx: BenchContext): Promise<void>;
}

export interface BenchReport {
  readonly name: string;
  readonly description: string;
  readonly measurements: Measurement[];
  readonly targets: Target[];
  readonly notes: string[];
}

/** A context that collects into `report`. */
export function createContext(report: BenchReport): BenchContext {
  return {
    async measure(name, fn, options) {
      const m = await measure(name, fn, options);
      report.measurements.push(m);
      return m;
    },
    record(m) {
      report.measurements.push(m);
      return m;
    },
    ratio(what, ours, peer, atLeast) {
      const bytes = ours.mibPerSec !== undefined && peer.mibPerSec !== undefined;
      const value = bytes ? ours.mibPerSec! / peer.mibPerSec! : ours.opsPerSec / peer.opsPerSec;
      const t: Target = { what, value, unit: 'x', atLeast, pass: value >= atLeast };
      report.targets.push(t);
      return t;
    },
    limit(what, value, unit, bound) {
      const pass = (bound.atLeast === undefined || value >= bound.atLeast) && (bound.atMost === undefined || value <= bound.atMost);
      const t: Target = { what, value, unit, ...bound, pass };
      report.targets.push(t);
      return t;
    },
    note(text) {
      report.notes.push(text);
    },
  };
}

const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/**
 * Runs `fn` for a warm-up, then in samples until `minTimeMs` has passed (and at least 5 samples). Calls
 * faster than about 0.5 ms are batched per sample so the clock's own cost stays out of the figure.
 */
export async function measure(name: string, fn: () => unknown, options: MeasureOptions = {}): Promise<Measurement> {
  const minTimeMs = options.minTimeMs ?? 1500;
  const warmupMs = options.warmupMs ?? 300;
  const call = async (): Promise<void> => {
    const r = fn();
    if (r instanceof Promise) await r;
  };
  // Warm-up, which also estimates the cost of one call.
  let warmCalls = 0;
  const w0 = performance.now();
  while (warmCalls < 3 || performance.now() - w0 < warmupMs) {
    await call();
    warmCalls++;
  }
  const perCallMs = (performance.now() - w0) / warmCalls;
  const batch = Math.max(1, Math.min(10_000, Math.floor(0.5 / perCallMs)));

  const samples: number[] = [];
  let ops = 0;
  const c0 = cpuSeconds();
  const t0 = performance.now();
  let now = t0;
  while (samples.length < 5 || now - t0 < minTimeMs) {
    const s0 = performance.now();
    for (let i = 0; i < batch; i++) await call();
    now = performance.now();
    samples.push((now - s0) / batch);
    ops += batch;
  }
  const wall = (now - t0) / 1000;
  const cpu = Math.max(cpuSeconds() - c0, 1e-9);
  samples.sort((a, b) => a - b);
  const pick = (q: number): number => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
  return {
    name,
    ops,
    opsPerSec: ops / cpu,
    wallOpsPerSec: ops / wall,
    ...(options.bytesPerOp === undefined ? {} : { mibPerSec: (ops * options.bytesPerOp) / cpu / 2 ** 20 }),
    medianMs: pick(0.5),
    p95Ms: pick(0.95),
  };
}

export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs an external command (no shell) and collects its output; rejects only when it cannot start. */
export function runCommand(command: string, args: readonly string[], options: { timeoutMs?: number } = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: options.timeoutMs ?? 120_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface SignVerifySpeed {
  readonly sign: Measurement;
  readonly verify: Measurement;
}

/**
 * `openssl speed -seconds N <algorithm>` for a signature algorithm (sm2, ecdsap256, ...): its sign/s and
 * verify/s columns, which OpenSSL computes per CPU-second of its own. The wall rate comes from the
 * "Doing ... for Ns: COUNT ..." lines.
 */
export async function opensslSpeed(algorithm: string, seconds = 3): Promise<SignVerifySpeed> {
  const r = await runCommand('openssl', ['speed', '-seconds', String(seconds), algorithm], { timeoutMs: (seconds * 2 + 30) * 1000 });
  if (r.code !== 0) throw new Error(`openssl speed ${algorithm} failed: ${r.stderr.trim().split('\n').pop() ?? r.code}`);
  return parseOpensslSpeed(r.stdout + '\n' + r.stderr, algorithm, seconds);
}

/** Parses the output of `openssl speed` for a signature algorithm (exported for reuse and testing). */
export function parseOpensslSpeed(output: string, algorithm: string, seconds: number): SignVerifySpeed {
  const lines = output.split('\n');
  const header = lines.findIndex((l) => /sign\/s\s+verify\/s/.test(l));
  const row = header < 0 ? undefined : lines.slice(header + 1).find((l) => /\S/.test(l));
  const nums = row?.trim().split(/\s+/).slice(-2).map(Number);
  if (nums === undefined || nums.length !== 2 || nums.some((n) => !Number.isFinite(n))) {
    throw new Error(`cannot read sign/s and verify/s from openssl speed ${algorithm}`);
  }
  const count = (kind: string): number | undefined => {
    const m = new RegExp(`Doing .*\\b${kind}\\b.* for \\d+s: (\\d+) `).exec(output);
    return m ? Number(m[1]) : undefined;
  };
  const figure = (kind: 'sign' | 'verify', perCpuSecond: number): Measurement => {
    const n = count(kind);
    return {
      name: `SM2 ${kind} — openssl speed`,
      ops: n ?? 0,
      opsPerSec: perCpuSecond,
      wallOpsPerSec: n === undefined ? Number.NaN : n / seconds,
      source: `openssl speed -seconds ${seconds} ${algorithm}`,
    };
  };
  return { sign: figure('sign', nums[0]!), verify: figure('verify', nums[1]!) };
}

// --- Formatting ---

/** A plain text table: first row is the header; columns after the first are right-aligned. */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: readonly string[]): string =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(rows[0]!), rule, ...rows.slice(1).map(line)].join('\n');
}

/** 1234.5 -> "1,235"; 12.34 -> "12.3"; 0.1234 -> "0.123". */
export function formatNumber(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '-';
  if (n >= 100) return Math.round(n).toLocaleString('en-US');
  if (n >= 10) return n.toFixed(1);
  return n.toPrecision(3);
}

export function measurementTable(ms: readonly Measurement[]): string {
  return formatTable([
    ['measurement', 'ops/s (cpu)', 'ops/s (wall)', 'MiB/s', 'median ms', 'p95 ms'],
    ...ms.map((m) => [m.name, formatNumber(m.opsPerSec), formatNumber(m.wallOpsPerSec), formatNumber(m.mibPerSec), formatNumber(m.medianMs), formatNumber(m.p95Ms)]),
  ]);
}

export function targetTable(ts: readonly Target[]): string {
  return formatTable([
    ['target', 'measured', 'needed', 'result'],
    ...ts.map((t) => [
      t.what,
      `${formatNumber(t.value)}${t.unit === 'x' ? 'x' : ' ' + t.unit}`,
      [t.atLeast === undefined ? '' : `>= ${t.atLeast}`, t.atMost === undefined ? '' : `<= ${t.atMost}`].filter(Boolean).join(', ') + (t.unit === 'x' ? 'x' : ` ${t.unit}`),
      t.pass ? 'PASS' : 'FAIL',
    ]),
  ]);
}
