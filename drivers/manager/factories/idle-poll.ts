/**
 * Status polling while a device is idle: a printer whose paper runs out, or a reader switched off behind
 * its still-plugged USB-serial adapter, shows as not ready before a citizen needs it, and as ready again
 * when it is back. Polls are skipped while a command runs (the command itself reports the state) and
 * never overlap.
 */
export interface IdlePoller {
  /** Starts polling (idempotent); the timer does not hold the process open. */
  start(): void;
  stop(): void;
  /** Runs a command; no poll starts while one is running. */
  job<T>(run: () => Promise<T>): Promise<T>;
}

export function idlePoller(options: { pollMs: number; isOpen: () => boolean; query: () => Promise<unknown> }): IdlePoller {
  let timer: NodeJS.Timeout | undefined;
  let polling = false;
  let jobs = 0;
  const tick = (): void => {
    if (polling || jobs > 0 || !options.isOpen()) return;
    polling = true;
    // A failed query has already set the driver's status (offline, garbled); nothing else to do here.
    void options.query().then(
      () => (polling = false),
      () => (polling = false),
    );
  };
  return {
    start() {
      if (options.pollMs > 0 && !timer) {
        timer = setInterval(tick, options.pollMs);
        timer.unref();
      }
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
    async job(run) {
      jobs++;
      try {
        return await run();
      } finally {
        jobs--;
      }
    },
  };
}
