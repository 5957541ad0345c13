/**
 * Keeps one real child process (an endpoint, a kiosk) running for the exactly-once tests: starts it,
 * waits for its ready line, and when it dies from an injected fault (SIGKILL after the line
 * `tongban fault: <point>` on stderr, see sync/faults.ts) starts it again on the same data, with the
 * environment of the next spawn. Any other death is recorded as a crash, which the test reports.
 *
 * Every child is killed by stop() (SIGKILL unless asked to terminate gracefully); tests call it in
 * afterEach so that no process outlives its test.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

export interface SpawnSpec {
  /** Arguments of `node` (e.g. ['--import', 'tsx', script, ...] or [bin/tongban.js, 'endpoint', ...]). */
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
}

export interface Death {
  readonly spawn: number;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The fault point it died at, when it was an injected fault. */
  readonly fault: string | null;
  readonly stderrTail: string;
}

export interface SupervisorOptions {
  readonly name: string;
  readonly cwd: string;
  /** What to run for the nth spawn (0-based): arguments and environment. */
  spec(spawn: number): SpawnSpec;
  /** Matched against stdout; its match is handed to onReady. */
  readonly ready: RegExp;
  readonly readyTimeoutMs?: number;
  /** Called with each (re)started process's ready match (e.g. to point a proxy at a new port). */
  onReady?(match: RegExpMatchArray, spawn: number): void;
  /** Delay before a restart after a fault, ms (drawn by the caller, e.g. from the test's PRNG). */
  restartDelayMs?(): number;
}

const FAULT_LINE = /tongban fault: (\S+)/;
const TAIL = 4000;

export class Supervisor {
  readonly deaths: Death[] = [];
  private child: ChildProcessWithoutNullStreams | null = null;
  private spawns = 0;
  private stopping = false;
  private out = '';
  private err = '';
  private exitedPromise: Promise<void> = Promise.resolve();
  private restarting: Promise<void> | null = null;
  private killedByTest = false;
  /** Set when a (re)start failed: reported by the test. */
  startError: Error | null = null;

  constructor(private readonly o: SupervisorOptions) {}

  get faults(): string[] {
    return this.deaths.flatMap((d) => (d.fault ? [d.fault] : []));
  }

  /** Deaths that were not injected faults. */
  get crashes(): Death[] {
    return this.deaths.filter((d) => d.fault === null);
  }

  get spawnCount(): number {
    return this.spawns;
  }

  get running(): boolean {
    return this.child !== null;
  }

  stdout(): string {
    return this.out;
  }

  stderr(): string {
    return this.err;
  }

  /** Starts the process and resolves once it printed its ready line. */
  async start(): Promise<RegExpMatchArray> {
    this.stopping = false;
    const n = this.spawns++;
    const { args, env } = this.o.spec(n);
    const child = spawn(process.execPath, [...args], { cwd: this.o.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      this.out = (this.out + d).slice(-TAIL);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err = (err + d).slice(-TAIL);
      this.err = (this.err + d).slice(-TAIL);
    });
    let readyResolve!: (m: RegExpMatchArray) => void;
    let readyReject!: (e: Error) => void;
    const ready = new Promise<RegExpMatchArray>((res, rej) => {
      readyResolve = res;
      readyReject = rej;
    });
    let isReady = false;
    const onData = (): void => {
      const m = out.match(this.o.ready);
      if (m && !isReady) {
        isReady = true;
        readyResolve(m);
      }
    };
    child.stdout.on('data', onData);
    this.exitedPromise = new Promise<void>((resolve) => {
      child.on('close', (code, signal) => {
        if (this.child === child) this.child = null;
        const fault = signal === 'SIGKILL' ? (FAULT_LINE.exec(err)?.[1] ?? (this.killedByTest ? 'by-test' : null)) : null;
        this.killedByTest = false;
        const expected = this.stopping;
        if (!expected) this.deaths.push({ spawn: n, code, signal, fault, stderrTail: err.slice(-1500) });
        if (!isReady) readyReject(new Error(`${this.o.name} (spawn ${n}) exited with ${signal ?? code} before it was ready; stderr: ${err.slice(-1500)}`));
        resolve();
        if (!expected && fault !== null) this.restartLater();
      });
    });
    const timer = setTimeout(() => {
      if (!isReady) {
        readyReject(new Error(`${this.o.name} (spawn ${n}) not ready within ${this.o.readyTimeoutMs ?? 20_000} ms; stderr: ${err.slice(-1500)}`));
        child.kill('SIGKILL');
      }
    }, this.o.readyTimeoutMs ?? 20_000);
    try {
      const match = await ready;
      this.o.onReady?.(match, n);
      return match;
    } finally {
      clearTimeout(timer);
    }
  }

  private restartLater(): void {
    const delay = this.o.restartDelayMs?.() ?? 0;
    this.restarting = (async () => {
      await new Promise((r) => setTimeout(r, delay));
      if (this.stopping) return;
      try {
        await this.start();
      } catch (err) {
        // A restart that died at once from a fault restarts itself; anything else is reported.
        if (!this.stopping && !this.child && !(this.deaths.at(-1)?.fault)) this.startError = err as Error;
      }
    })();
  }

  /** Stops it for good: SIGTERM and wait (graceful), or SIGKILL. Waits for a restart in progress first. */
  async stop(how: 'SIGTERM' | 'SIGKILL' = 'SIGKILL'): Promise<void> {
    this.stopping = true;
    // A restart may itself die from a fault and schedule the next one: wait until none is pending.
    for (let r = this.restarting; r !== null; ) {
      await r;
      r = this.restarting === r ? null : this.restarting;
    }
    const child = this.child;
    if (child) {
      child.kill(how);
      if (how === 'SIGTERM') {
        const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await this.exitedPromise;
        clearTimeout(t);
      } else {
        await this.exitedPromise;
      }
    }
    this.child = null;
  }

  /** Kills it now with SIGKILL as a fault would (recorded as a fault named `by-test`) and lets it restart. */
  killNow(): void {
    const child = this.child;
    if (!child) return;
    this.killedByTest = true;
    child.kill('SIGKILL');
  }
}
