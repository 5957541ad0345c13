/**
 * The retention purge on a timer, for the agent: a first run shortly after start, then one every
 * `intervalMs`. A failing run is logged and retried at the next tick: erasure is never worth taking
 * the kiosk down for. Timers are injectable so that tests drive the ticks themselves.
 */
import { messageOf } from '../../base/errors.js';
import { silentLogger, type Logger } from '../../base/log.js';
import type { StoreCipher } from '../store/cipher.js';
import type { Store } from '../store/store.js';
import { purgeExpired, type PurgeReport } from './purge.js';

export interface PurgeTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: PurgeTimers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref(); // the purge alone never keeps the process alive
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface RetentionSchedule {
  /** Runs the purge now (also what each tick does); undefined when it failed (logged). */
  runNow(): PurgeReport | undefined;
  stop(): void;
}

export function scheduleRetentionPurge(options: {
  readonly store: Store;
  readonly cipher: StoreCipher;
  readonly retentionDays: number;
  /** Between runs; default 6 hours. */
  readonly intervalMs?: number;
  /** Before the first run; default 1 minute (start-up first). */
  readonly firstDelayMs?: number;
  /** Cases erased per run at most (default 500); with more left, the next run comes after `catchUpMs` (default 1 s). */
  readonly maxCasesPerRun?: number;
  readonly catchUpMs?: number;
  readonly log?: Logger;
  readonly timers?: PurgeTimers;
  readonly now?: () => number;
}): RetentionSchedule {
  const log = (options.log ?? silentLogger).child({ component: 'agent.purge' });
  const timers = options.timers ?? realTimers;
  const interval = options.intervalMs ?? 6 * 60 * 60 * 1000;
  const maxCases = options.maxCasesPerRun ?? 500;
  let handle: unknown;
  let stopped = false;

  const runNow = (): PurgeReport | undefined => {
    try {
      return purgeExpired(options.store, { cipher: options.cipher, retentionDays: options.retentionDays, log, actor: 'agent', now: options.now?.(), maxCases: maxCases });
    } catch (err) {
      log.error('retention purge failed; retrying at the next run', { err: messageOf(err) });
      return undefined;
    }
  };
  const tick = (): void => {
    handle = undefined;
    if (stopped) return;
    const report = runNow();
    // A full run means a backlog: come back soon (the event loop served the API in between).
    const more = report !== undefined && report.cases.length >= maxCases;
    if (!stopped) handle = timers.setTimeout(tick, more ? (options.catchUpMs ?? 1000) : interval);
  };
  handle = timers.setTimeout(tick, options.firstDelayMs ?? 60_000);
  return {
    runNow,
    stop() {
      stopped = true;
      if (handle !== undefined) timers.clearTimeout(handle);
      handle = undefined;
    },
  };
}
