/**
 * Retry delays: exponential backoff with full jitter (a uniformly random delay between 0 and the
 * exponential cap), so that a fleet of kiosks coming back after an outage spreads its reconnects
 * instead of storming the endpoint. Pure functions: the random source is injected for tests.
 */

export interface BackoffOptions {
  /** The cap of the first retry (attempt 0). */
  readonly baseMs: number;
  /** No cap grows beyond this. */
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 30_000 };

/** A number in [0, 1). */
export type RandomSource = () => number;

/** The cap for attempt `attempt` (0-based): min(maxMs, baseMs * 2^attempt). */
export function backoffCap(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  const a = Number.isFinite(attempt) && attempt > 0 ? Math.floor(attempt) : 0;
  // 2^a overflows to Infinity past ~1000; min() still gives maxMs.
  return Math.min(options.maxMs, options.baseMs * 2 ** Math.min(a, 60));
}

/** Full jitter: uniform in [0, cap(attempt)]. */
export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF, random: RandomSource = Math.random): number {
  return Math.round(clamp01(random()) * backoffCap(attempt, options));
}

/**
 * The delay before retrying after the peer asked for at least `hintMs` (a `retry` ack or an `error`
 * with retryAfterMs): never earlier than the hint, and never earlier than our own backoff. When the
 * hint dominates, up to 10 % more is added at random so that every kiosk told "come back in 5 s" does
 * not come back at the same instant.
 */
export function retryDelay(
  attempt: number,
  hintMs: number | undefined,
  options: BackoffOptions = DEFAULT_BACKOFF,
  random: RandomSource = Math.random,
): number {
  const own = backoffDelay(attempt, options, random);
  const hint = hintMs !== undefined && Number.isFinite(hintMs) && hintMs > 0 ? hintMs : 0;
  if (hint <= own) return own;
  return Math.round(hint + clamp01(random()) * hint * 0.1);
}

function clamp01(x: number): number {
  if (!Number.isFinite(x) || x < 0) return 0;
  return x >= 1 ? 1 : x;
}
