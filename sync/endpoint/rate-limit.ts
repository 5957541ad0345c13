/**
 * A token bucket: how many messages a kiosk connection may send. Well-behaved kiosks batch their cases
 * (up to 200 a message) and send a few chunks a second, so the bucket only ever empties for a peer that
 * floods; the session then closes it with `busy` instead of letting it hold the endpoint's event loop.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly capacity: number,
    private readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = capacity;
    this.last = now();
  }

  /** Takes `n` tokens if there are that many; false (and nothing taken) otherwise. */
  take(n = 1): boolean {
    const t = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((t - this.last) * this.perSecond) / 1000);
    this.last = t;
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }

  /** Milliseconds until `n` tokens are back: the retry hint sent to a peer that was too fast. */
  msUntil(n = 1): number {
    return Math.max(0, Math.ceil(((n - this.tokens) * 1000) / this.perSecond));
  }
}
