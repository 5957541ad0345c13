/**
 * Shared pieces of the exactly-once fault tests: the seed (TONGBAN_FAULT_SEED replays a run), fault
 * schedules for the children, the proxy's chaos, waiting for convergence, and a failure report that
 * carries the seed and what each party did.
 */
import { randomInt } from 'node:crypto';
import { seededRandom } from '../../faults.js';
import type { FaultProxy, ProxyFaults } from './fault-proxy.js';
import type { Supervisor } from './supervisor.js';

/** The run's seed: TONGBAN_FAULT_SEED to replay a failure, else a fresh one. */
export function runSeed(): number {
  const env = process.env.TONGBAN_FAULT_SEED;
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!Number.isSafeInteger(n)) throw new Error('TONGBAN_FAULT_SEED is not an integer');
    return n;
  }
  return randomInt(2 ** 31);
}

export interface Prng {
  (): number;
  int(lo: number, hi: number): number;
  pick<T>(list: readonly T[]): T;
  chance(p: number): boolean;
}

export function prng(seed: number): Prng {
  const r = seededRandom(seed) as Prng;
  r.int = (lo, hi) => lo + Math.floor(r() * (hi - lo + 1));
  r.pick = (list) => list[Math.floor(r() * list.length)]!;
  r.chance = (p) => r() < p;
  return r;
}

/**
 * TONGBAN_FAULTS for the next spawn of a child: while some of `points` has not fired yet (`fired`: the
 * points this child died at so far), the spawn dies once at the first of them (the nth time it is
 * passed, n drawn), so that every point is exercised even when other kills come in between; after that,
 * at any of them with a small probability.
 */
export function faultEnv(points: readonly string[], fired: readonly string[], random: Prng, probability: number): { TONGBAN_FAULTS: string; TONGBAN_FAULTS_SEED: string } {
  const next = points.find((p) => !fired.includes(p));
  const spec = next !== undefined ? `${next}@${random.int(1, 3)}` : points.map((p) => `${p}=${probability}`).join(',');
  return { TONGBAN_FAULTS: spec, TONGBAN_FAULTS_SEED: String(random.int(1, 2 ** 30)) };
}

/** The proxy's bad-network behaviour during the chaos phase. */
export const CHAOS: Partial<ProxyFaults> = {
  cut: 0.01,
  duplicate: 0.03,
  // What exactly-once hinges on is duplicated more often: a batch the endpoint must not commit twice,
  // its ack, events the kiosk must not apply twice, their acknowledgement.
  duplicateByType: { cases: 0.1, ack: 0.1, events: 0.3, 'events.ack': 0.2 },
  replay: 0.02,
  delay: 0.1,
  delayMaxMs: 25,
  lifetimeMs: [800, 5000],
  replayTypes: {
    up: ['cases', 'file.offer', 'file.chunk', 'events.ack', 'heartbeat'],
    down: ['ack', 'events', 'file.status', 'file.ack', 'file.chunk', 'heartbeat.request'],
  },
};

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns true (or throws after `timeoutMs`, with `describe()` in the message). */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, describe: () => string, everyMs = 100): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error(`not converged within ${timeoutMs} ms: ${describe()}`);
    await sleep(everyMs);
  }
}

/** Runs the test body; on failure the error carries the seed, the proxy's log and each child's deaths and stderr. */
export async function reportingSeed(
  seed: number,
  parts: () => { proxy?: FaultProxy; children: Record<string, Supervisor | undefined>; state?: () => string },
  body: () => Promise<void>,
): Promise<void> {
  try {
    await body();
  } catch (err) {
    const { proxy, children, state } = parts();
    const lines = [`FAULT TEST FAILED — replay with TONGBAN_FAULT_SEED=${seed}`, `${(err as Error).message}`];
    if (state) {
      try {
        lines.push(`state: ${state()}`);
      } catch (e) {
        lines.push(`state: unavailable (${(e as Error).message})`);
      }
    }
    if (proxy) lines.push(proxy.describe().split('\n').slice(-60).join('\n'));
    for (const [name, s] of Object.entries(children)) {
      if (!s) continue;
      lines.push(`${name}: ${s.spawnCount} spawns, faults ${JSON.stringify(s.faults)}, crashes ${JSON.stringify(s.crashes)}${s.startError ? `, start error ${s.startError.message}` : ''}`);
      lines.push(`${name} stderr tail: ${s.stderr().slice(-1500)}`);
    }
    const e = new Error(lines.join('\n'));
    e.stack = `${e.message}\n${(err as Error).stack ?? ''}`;
    throw e;
  }
}
