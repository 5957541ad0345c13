/**
 * A printer's character device (e.g. /dev/usb/lp0 of the usblp driver) as a ByteTransport, through plain
 * file I/O: no serial settings, bytes in and out.
 *
 * A blocking read() on such a device would hold one of libuv's few worker threads for as long as the
 * device stays silent, so the device is opened non-blocking and polled: a read returning EAGAIN means
 * "nothing yet", and we look again after a short pause (short while bytes flow, up to `idlePollMs` when
 * quiet). EIO/ENODEV or the path vanishing mean the device is gone: the transport closes with
 * 'device.unplugged'. O_NOCTTY: a tty-like device must not become our controlling terminal.
 */
import { constants, existsSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeviceError } from '../../base/errors.js';
import { TransportListeners, type ByteTransport, type CloseListener, type DataListener } from './types.js';

export interface DeviceFileOptions {
  readonly path: string;
  /** Longest pause between polls while the device is quiet (ms); default 20. */
  readonly idlePollMs?: number;
  /** How long a write may wait for the device to accept bytes (ms); default 10000. */
  readonly writeTimeoutMs?: number;
}

const GONE = new Set(['EIO', 'ENODEV', 'ENXIO', 'EBADF', 'ENOENT']);

export class DeviceFileTransport implements ByteTransport {
  readonly description: string;
  private handle: FileHandle | undefined;
  private readonly listeners = new TransportListeners();
  private session = 0;
  private writeChain: Promise<void> = Promise.resolve();

  constructor(private readonly options: DeviceFileOptions) {
    this.description = `device ${options.path}`;
  }

  get isOpen(): boolean {
    return this.handle !== undefined;
  }

  async open(): Promise<void> {
    if (this.handle) return;
    const { path } = this.options;
    if (!existsSync(path)) throw new DeviceError('device.unplugged', `device ${path} does not exist (printer unplugged or off?)`);
    try {
      this.handle = await open(path, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const hint = e.code === 'EACCES' ? ' (permission denied: add the user to group lp)' : '';
      throw new DeviceError('device.openFailed', `cannot open device ${path}: ${e.code ?? e.message}${hint}`, { cause: err });
    }
    const session = ++this.session;
    void this.readLoop(this.handle, session);
  }

  private async readLoop(handle: FileHandle, session: number): Promise<void> {
    const buf = Buffer.alloc(4096);
    let pause = 1;
    const maxPause = this.options.idlePollMs ?? 20;
    let lastPresenceCheck = 0;
    while (this.session === session) {
      try {
        const { bytesRead } = await handle.read(buf, 0, buf.length, null);
        if (this.session !== session) return;
        if (bytesRead > 0) {
          this.listeners.emitData(Uint8Array.from(buf.subarray(0, bytesRead)));
          pause = 1;
          continue;
        }
        // 0 bytes: end of file (a device that has nothing at all to say); keep polling like EAGAIN
      } catch (err) {
        if (this.session !== session) return;
        const code = (err as NodeJS.ErrnoException).code ?? '';
        if (GONE.has(code)) {
          this.fail(session, new DeviceError('device.unplugged', `device ${this.options.path} is gone (${code})`, { cause: err }));
          return;
        }
        if (code !== 'EAGAIN' && code !== 'EWOULDBLOCK') {
          this.fail(session, new DeviceError('device.ioError', `reading ${this.options.path}: ${code || String(err)}`, { cause: err }));
          return;
        }
      }
      const now = performance.now();
      if (now - lastPresenceCheck > 250) {
        lastPresenceCheck = now;
        if (!existsSync(this.options.path)) {
          this.fail(session, new DeviceError('device.unplugged', `device ${this.options.path} vanished (unplugged)`));
          return;
        }
      }
      await sleep(pause);
      pause = Math.min(maxPause, pause * 2);
    }
  }

  write(bytes: Uint8Array): Promise<void> {
    const run = async (): Promise<void> => {
      const handle = this.handle;
      const session = this.session;
      if (!handle) throw new DeviceError('device.notOpen', `${this.description} is not open`);
      const deadline = performance.now() + (this.options.writeTimeoutMs ?? 10_000);
      let offset = 0;
      while (offset < bytes.length) {
        try {
          const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset, null);
          offset += bytesWritten;
          if (bytesWritten > 0) continue;
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code ?? '';
          if (GONE.has(code)) {
            const e = new DeviceError('device.unplugged', `device ${this.options.path} is gone (${code})`, { cause: err });
            this.fail(session, e);
            throw e;
          }
          if (code !== 'EAGAIN' && code !== 'EWOULDBLOCK') {
            throw new DeviceError('device.ioError', `writing ${this.options.path}: ${code || String(err)}`, { cause: err });
          }
        }
        // the device's buffer is full (a printer busy printing): wait for it, within reason
        if (performance.now() > deadline) throw new DeviceError('device.timeout', `device ${this.options.path} accepted no data for too long`);
        await sleep(5);
      }
    };
    const next = this.writeChain.then(run, run);
    this.writeChain = next.catch(() => undefined);
    return next;
  }

  onData(listener: DataListener): () => void {
    return this.listeners.onData(listener);
  }

  onClose(listener: CloseListener): () => void {
    return this.listeners.onClose(listener);
  }

  async close(): Promise<void> {
    const handle = this.handle;
    if (!handle) return;
    this.session++;
    this.handle = undefined;
    await handle.close().catch(() => undefined);
    this.listeners.emitClose();
  }

  private fail(session: number, err: Error): void {
    if (this.session !== session || !this.handle) return;
    const handle = this.handle;
    this.session++;
    this.handle = undefined;
    void handle.close().catch(() => undefined);
    this.listeners.emitClose(err);
  }
}
