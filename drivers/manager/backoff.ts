/**
 * Reconnect delays: exponential with jitter, bounded, reset after a success. Pure (the random source is
 * injected) so that the schedule is tested exactly.
 *
 * delay(n) = min(maxMs, initialMs * factor^n) * (1 - jitter * r), r uniform in [0, 1)
 * Jitter spreads the retries of several kiosks (or devices) that lost power together, so they do not
 * all hammer a USB hub or a network printer at the same instant.
 */

export interface BackoffPolicy {
  /** First delay (ms). */
  readonly initialMs: number;
  /** Upper bound of any delay (ms). */
  readonly maxMs: number;
  /** Growth per failed attempt (> 1). */
  readonly factor: number;
  /** Fraction of the delay that may be taken off at random (0: none, 1: anything from 0 to the delay). */
  readonly jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 250, maxMs: 30_000, factor: 2, jitter: 0.3 };

export function checkPolicy(p: BackoffPolicy): BackoffPolicy {
  if (!(p.initialMs > 0) || !(p.maxMs >= p.initialMs) || !(p.factor >= 1) || !(p.jitter >= 0 && p.jitter <= 1)) {
    throw new RangeError(`invalid backoff policy ${JSON.stringify(p)}`);
  }
  return p;
}

/** The delay before attempt `attempt` (0 = the first retry). */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  // Cap the exponent so that factor^attempt never overflows to Infinity on a device that stays away for days.
  const exp = Math.min(attempt, 64);
  const base = Math.min(policy.maxMs, policy.initialMs * policy.factor ** exp);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(base * (1 - policy.jitter * r));
}

/** The running state of one device's reconnects. */
export class Backoff {
  private attempts = 0;
  constructor(
    readonly policy: BackoffPolicy = DEFAULT_BACKOFF,
    private readonly random: () => number = Math.random,
  ) {
    checkPolicy(policy);
  }

  /** Failed attempts since the last success. */
  get attempt(): number {
    return this.attempts;
  }

  /** The delay before the next attempt; counts the attempt. */
  next(): number {
    return backoffDelay(this.attempts++, this.policy, this.random);
  }

  reset(): void {
    this.attempts = 0;
  }
}
