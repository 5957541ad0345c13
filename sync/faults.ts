/**
 * Fault injection for the exactly-once tests (issue 6.5): `faultPoint(name)` kills the current process
 * with SIGKILL — no cleanup, no flush, like a power cut — when the environment variable TONGBAN_FAULTS
 * names the point. Otherwise it costs one string comparison and one Map lookup.
 *
 *   TONGBAN_FAULTS=endpoint.afterCommit=0.2,kiosk.midChunk=0.1   die there with that probability
 *   TONGBAN_FAULTS=kiosk.midBatch@3                               die the 3rd time the point is passed
 *   TONGBAN_FAULTS_SEED=12345                                     draw the probabilities from a seeded PRNG (replayable)
 *
 * Points (placed where named): endpoint.afterCommit (cases committed, ack not sent), endpoint.midChunk
 * (chunk written, not yet fsynced/acked), endpoint.afterEventsSent, kiosk.afterAckCommit (outbox marked
 * sent, before the next batch), kiosk.midChunk, kiosk.afterEventsCommit (events applied locally,
 * events.ack not yet sent), kiosk.midBatch (batch half sent).
 *
 * Just before dying it writes one line `tongban fault: <name>` to stderr (synchronous on a pipe or a
 * file), so a test can tell an injected death from a crash.
 */
import { UsageError } from '../base/errors.js';

export const FAULT_POINTS = [
  'endpoint.afterCommit',
  'endpoint.midChunk',
  'endpoint.afterEventsSent',
  'kiosk.afterAckCommit',
  'kiosk.midChunk',
  'kiosk.afterEventsCommit',
  'kiosk.midBatch',
] as const;
export type FaultPointName = (typeof FAULT_POINTS)[number];

export type FaultRule = { readonly probability: number } | { readonly nth: number };

const POINT_NAME = /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)+$/;

/**
 * Parses a TONGBAN_FAULTS value. Strict: a typo must not silently turn a fault test into a test of
 * nothing, so an unknown point or a malformed entry is a UsageError.
 */
export function parseFaults(spec: string): Map<string, FaultRule> {
  const rules = new Map<string, FaultRule>();
  for (const raw of spec.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const m = /^([^=@]+)(?:=([0-9.]+)|@([0-9]+))$/.exec(entry);
    const name = m?.[1]?.trim() ?? '';
    if (!m || !POINT_NAME.test(name)) throw new UsageError(`TONGBAN_FAULTS: "${entry}" is not name=probability or name@n`, 'faults.badSpec');
    if (!(FAULT_POINTS as readonly string[]).includes(name)) throw new UsageError(`TONGBAN_FAULTS: unknown fault point "${name}" (known: ${FAULT_POINTS.join(', ')})`, 'faults.badSpec');
    if (m[2] !== undefined) {
      const p = Number(m[2]);
      if (!Number.isFinite(p) || p < 0 || p > 1) throw new UsageError(`TONGBAN_FAULTS: probability of "${name}" is not in 0..1`, 'faults.badSpec');
      rules.set(name, { probability: p });
    } else {
      const n = Number(m[3]);
      if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`TONGBAN_FAULTS: "${name}@n" needs n >= 1`, 'faults.badSpec');
      rules.set(name, { nth: n });
    }
  }
  return rules;
}

/** mulberry32: a small seeded PRNG, so a run's fault decisions can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface State {
  spec: string | undefined;
  seed: string | undefined;
  rules: Map<string, FaultRule>;
  passes: Map<string, number>;
  random: () => number;
}
let state: State | undefined;

function current(): State {
  const spec = process.env.TONGBAN_FAULTS;
  const seed = process.env.TONGBAN_FAULTS_SEED;
  if (state && state.spec === spec && state.seed === seed) return state;
  const rules = spec ? parseFaults(spec) : new Map<string, FaultRule>();
  let random = Math.random;
  if (seed !== undefined && seed !== '') {
    const n = Number(seed);
    if (!Number.isSafeInteger(n)) throw new UsageError('TONGBAN_FAULTS_SEED is not an integer', 'faults.badSpec');
    random = seededRandom(n);
  }
  state = { spec, seed, rules, passes: new Map(), random };
  return state;
}

/** Dies here (SIGKILL) when TONGBAN_FAULTS says so; see the module comment. */
export function faultPoint(name: FaultPointName): void {
  const s = current();
  if (s.rules.size === 0) return;
  const rule = s.rules.get(name);
  if (!rule) return;
  let die: boolean;
  if ('nth' in rule) {
    const n = (s.passes.get(name) ?? 0) + 1;
    s.passes.set(name, n);
    die = n === rule.nth;
  } else {
    die = rule.probability > 0 && s.random() < rule.probability;
  }
  if (!die) return;
  try {
    process.stderr.write(`tongban fault: ${name}\n`);
  } finally {
    process.kill(process.pid, 'SIGKILL');
  }
}

/** Validates TONGBAN_FAULTS up front (a command calls this at start so a typo fails fast, exit 2). */
export function checkFaultsEnv(): void {
  current();
}
