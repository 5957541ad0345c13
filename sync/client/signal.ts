/**
 * A wake-up flag for a loop that sleeps until something happens (new outbox entries, an ack, a close)
 * or a deadline passes. Its timer never outlives the wait.
 */
export class Signal {
  private waiter: (() => void) | null = null;
  private pending = false;

  notify(): void {
    this.pending = true;
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  /** Resolves at the next notify() (or at once if one came since the last wait), or after `ms`. */
  wait(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        if (this.waiter === done) this.waiter = null;
        this.pending = false;
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.waiter = done;
    });
  }
}
