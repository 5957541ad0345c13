/**
 * The device side of a virtual serial port, for simulators: a pseudo-terminal whose slave end appears at
 * a path (e.g. /tmp/tongban-idcard) that drivers open like a real port, while the simulator reads and
 * writes the master end.
 *
 * Node cannot open a pty master itself (it needs posix_openpt/grantpt ioctls), so socat owns the pty and
 * relays it to our stdin/stdout pipes byte for byte (`raw,echo=0`: no line discipline). socat keeps the
 * pty across a driver closing and reopening the port. "Unplugging" kills socat, which removes the path;
 * "plugging in" starts a new one at the same path. Unlike a USB serial adapter, a pty whose master goes
 * away does not fail the driver's open port (reads just stop, writes vanish): drivers therefore notice
 * a pulled device the way they must on any cable, by replies that stop coming and a path that is gone.
 *
 * A real line at 115200 baud carries 11,520 bytes a second (8N1: ten bits a byte); a pty carries them
 * at once. With `baud` set, writes are paced to the line's speed so that timing-sensitive drivers
 * (and benchmarks against the wire time) see what they would see on a cable.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, lstatSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { EnvironmentError } from '../../base/errors.js';
import { silentLogger, type Logger } from '../../base/log.js';

export interface PtyLinkOptions {
  /** Pace writes to this line speed (bits per second, 10 bits a byte); 0 or absent: as fast as possible. */
  readonly baud?: number;
  readonly log?: Logger;
  /** How long to wait for socat to create the path. */
  readonly startTimeoutMs?: number;
}

export type DataListener = (chunk: Uint8Array) => void;

export class PtyLink {
  private child: ChildProcessWithoutNullStreams | undefined;
  private readonly listeners = new Set<DataListener>();
  private readonly log: Logger;
  /** When the line is free again (paced writes queue behind each other). */
  private lineFreeAt = 0;
  private writeChain: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly options: PtyLinkOptions,
  ) {
    this.log = (options.log ?? silentLogger).child({ component: 'drivers.sim.pty', path });
  }

  /** Creates the pty at `path` (replacing a stale symlink) and resolves once a driver can open it. */
  static async open(path: string, options: PtyLinkOptions = {}): Promise<PtyLink> {
    const link = new PtyLink(path, options);
    await link.plugIn();
    return link;
  }

  get pluggedIn(): boolean {
    return this.child !== undefined;
  }

  onData(listener: DataListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Sends bytes to the driver; resolves when they are on the "wire" (after pacing). Writes are queued in
   * order. Bytes written while unplugged are dropped, as on a pulled cable.
   */
  write(bytes: Uint8Array): Promise<void> {
    const run = async (): Promise<void> => {
      const child = this.child;
      if (!child || bytes.length === 0) return;
      const baud = this.options.baud ?? 0;
      if (baud <= 0) {
        await new Promise<void>((resolve) => child.stdin.write(bytes, () => resolve()));
        return;
      }
      // Chunks of about 2 ms of line time, each sent when the line would have carried it.
      const bytesPerMs = baud / 10 / 1000;
      const chunk = Math.max(1, Math.floor(bytesPerMs * 2));
      this.lineFreeAt = Math.max(this.lineFreeAt, performance.now());
      for (let o = 0; o < bytes.length; o += chunk) {
        const part = bytes.subarray(o, o + chunk);
        const wait = this.lineFreeAt - performance.now();
        if (wait > 1) await sleep(wait);
        if (this.child !== child) return; // unplugged meanwhile
        child.stdin.write(part);
        this.lineFreeAt += part.length / bytesPerMs;
      }
      const rest = this.lineFreeAt - performance.now();
      if (rest > 1) await sleep(rest);
    };
    const next = this.writeChain.then(run, run);
    this.writeChain = next.catch(() => undefined);
    return next;
  }

  /** Pulls the cable: the path disappears and an open driver sees its port fail. */
  async unplug(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await exited;
    rmSync(this.path, { force: true });
    this.log.info('unplugged');
  }

  /** Plugs the cable back in: a new pty at the same path. */
  async plugIn(): Promise<void> {
    if (this.closed) throw new Error('pty link is closed');
    if (this.child) return;
    if (existsSync(this.path) || isDanglingLink(this.path)) {
      if (!lstatSync(this.path).isSymbolicLink()) {
        throw new EnvironmentError('env.ptyPath', `${this.path} exists and is not a symlink left by a simulator; choose another --link`);
      }
      rmSync(this.path, { force: true });
    }
    const child = spawn('socat', [`pty,raw,echo=0,link=${this.path}`, 'STDIO'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const spawnError = new Promise<never>((_, reject) =>
      child.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          err.code === 'ENOENT'
            ? new EnvironmentError('env.socat', 'socat is not installed (Debian: apt-get install socat); simulators need it for their virtual serial port')
            : new EnvironmentError('env.socat', `cannot start socat: ${err.message}`),
        ),
      ),
    );
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-2000)));
    child.stdout.on('data', (chunk: Buffer) => {
      const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      for (const l of this.listeners) l(bytes);
    });
    child.stdin.on('error', () => {
      // socat went away mid-write (unplugged): the bytes are lost, as on a pulled cable
    });
    child.once('exit', (code, signal) => {
      if (this.child === child) {
        this.child = undefined;
        this.log.warn('socat exited', { code, signal, stderr: stderr.trim().split('\n').slice(-3).join(' | ') });
      }
    });
    this.child = child;
    const deadline = performance.now() + (this.options.startTimeoutMs ?? 5000);
    const appeared = (async () => {
      while (!existsSync(this.path)) {
        if (this.child !== child) throw new EnvironmentError('env.socat', `socat exited before creating ${this.path}: ${stderr.trim()}`);
        if (performance.now() > deadline) throw new EnvironmentError('env.socat', `socat did not create ${this.path} in time`);
        await sleep(5);
      }
    })();
    try {
      await Promise.race([appeared, spawnError]);
    } catch (err) {
      this.child = undefined;
      child.kill('SIGKILL');
      throw err;
    }
    this.log.info('plugged in');
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.unplug();
    this.listeners.clear();
  }
}

function isDanglingLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
