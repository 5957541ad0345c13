/**
 * Group commit: units of work queued during one turn of the event loop run together in ONE
 * transaction, each in its own savepoint (a failing unit is rolled back alone and its promise
 * rejected), and every promise is settled only after the COMMIT has returned — with synchronous=FULL,
 * after the WAL is fsynced. One fsync then acknowledges many cases: the rate is bounded by the disk's
 * fsync latency divided among the batch, not multiplied by it. Requests that arrive while a commit is
 * in progress wait in the event loop and form the next batch.
 */
import { EnvironmentError } from '../../base/errors.js';
import type { StoreCore } from './open-store.js';

interface Unit {
  readonly fn: () => unknown;
  /** False when `fn` is atomic by itself (a repository method that is its own transaction). */
  readonly savepoint: boolean;
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: unknown) => void;
}

export interface GroupCommitStats {
  readonly batches: number;
  readonly units: number;
}

export class GroupCommitWriter {
  private queue: Unit[] = [];
  private scheduled = false;
  private closed = false;
  private idle: (() => void)[] = [];
  private batches = 0;
  private units = 0;

  constructor(
    private readonly core: StoreCore,
    private readonly maxBatch = 2000,
  ) {}

  /**
   * Runs `fn` inside the next group transaction; resolves with its result once that transaction is
   * durable. `fn` runs in a savepoint of its own unless `atomic` says it already is one (a repository
   * method wrapped in `store.transaction`), which saves a SAVEPOINT/RELEASE pair per unit.
   */
  run<T>(fn: () => T, options: { atomic?: boolean } = {}): Promise<T> {
    if (this.closed) return Promise.reject(new EnvironmentError('env.storeClosed', 'the store is closing: no new writes'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, savepoint: !options.atomic, resolve: resolve as (v: unknown) => void, reject });
      this.schedule();
    });
  }

  /** Resolves once everything queued so far is committed. */
  flush(): Promise<void> {
    if (this.queue.length === 0 && !this.scheduled) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** Refuses new work and commits what is queued (SIGTERM finishes in-flight writes). */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  /** Commits everything queued now, synchronously (before the database is closed). */
  drainSync(): void {
    this.closed = true;
    while (this.queue.length > 0) this.commitBatch();
  }

  stats(): GroupCommitStats {
    return { batches: this.batches, units: this.units };
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.commitBatch());
  }

  private commitBatch(): void {
    this.scheduled = false;
    const batch = this.queue.splice(0, this.maxBatch);
    if (this.queue.length > 0 && !this.closed) this.schedule();
    if (batch.length > 0) {
      const results: ({ ok: true; value: unknown } | { ok: false; err: unknown })[] = [];
      const db = this.core.db;
      try {
        db.transaction(() => {
          for (const u of batch) {
            try {
              // a nested better-sqlite3 transaction is a SAVEPOINT: a failing unit undoes only itself
              results.push({ ok: true, value: u.savepoint ? db.transaction(u.fn)() : u.fn() });
            } catch (err) {
              results.push({ ok: false, err });
            }
          }
        }).immediate();
      } catch (err) {
        // The COMMIT itself failed (disk full, I/O error): nothing of the batch is durable.
        for (const u of batch) u.reject(err);
        this.afterBatch();
        return;
      }
      this.batches++;
      this.units += batch.length;
      batch.forEach((u, i) => {
        const r = results[i]!;
        if (r.ok) u.resolve(r.value);
        else u.reject(r.err);
      });
    }
    this.afterBatch();
  }

  private afterBatch(): void {
    if (this.queue.length === 0 && !this.scheduled) {
      const waiting = this.idle;
      this.idle = [];
      for (const w of waiting) w();
    }
  }
}
