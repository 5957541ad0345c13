/**
 * One print attempt per job at a time: a call while an attempt is under way joins it, so a job the screen
 * retries while the agent is printing it by itself comes out once.
 */
export class OneAttemptPerJob<T> {
  private readonly running = new Map<string, Promise<T>>();

  /** The attempt under way for `jobId`, else a new one from `start`. */
  run(jobId: string, start: () => Promise<T>): Promise<T> {
    const under = this.running.get(jobId);
    if (under) return under;
    const p = start().finally(() => this.running.delete(jobId));
    this.running.set(jobId, p);
    return p;
  }

  /** Whether an attempt for `jobId` is under way. */
  has(jobId: string): boolean {
    return this.running.has(jobId);
  }
}
