/**
 * A network printer's raw port (JetDirect / "port 9100") as a ByteTransport: a plain TCP stream.
 *
 * Connecting has its own timeout (an unreachable printer otherwise hangs for the OS's minutes). When the
 * printer drops the connection (powered off, idle timeout of its network card), listeners hear
 * onClose(err) and the next write() connects again ("reconnect on demand"), so a driver that sends a
 * job after a long idle needs no special case. Nagle is off: status queries are three bytes.
 */
import { Socket } from 'node:net';
import { DeviceError, InputError } from '../../base/errors.js';
import { TransportListeners, bytesOf, type ByteTransport, type CloseListener, type DataListener } from './types.js';

export interface TcpOptions {
  readonly host: string;
  /** Default 9100. */
  readonly port?: number;
  /** Default 3000 ms. */
  readonly connectTimeoutMs?: number;
  /** Connect again on write() after the peer dropped us; default true. */
  readonly reconnectOnWrite?: boolean;
}

/** Parses "HOST:PORT" or "HOST" (port 9100), "[v6addr]:PORT" too. */
export function parseHostPort(text: string, defaultPort = 9100): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:\s]+))(?::(\d{1,5}))?$/.exec(text.trim());
  const port = m?.[3] === undefined ? defaultPort : Number(m[3]);
  if (!m || port < 1 || port > 65535) throw new InputError('input.tcp', `--tcp must be HOST:PORT (e.g. 192.168.1.50:9100), got "${text}"`);
  return { host: (m[1] ?? m[2]) as string, port };
}

export class TcpTransport implements ByteTransport {
  readonly description: string;
  private socket: Socket | undefined;
  private connecting: Promise<void> | undefined;
  private readonly listeners = new TransportListeners();
  /** Set while open() was asked for and close() not: a peer drop then allows reconnecting on write. */
  private wanted = false;
  private readonly port: number;

  constructor(private readonly options: TcpOptions) {
    this.port = options.port ?? 9100;
    this.description = `tcp ${options.host}:${this.port}`;
  }

  get isOpen(): boolean {
    return this.socket !== undefined;
  }

  open(): Promise<void> {
    this.wanted = true;
    if (this.socket) return Promise.resolve();
    this.connecting ??= this.connect().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private connect(): Promise<void> {
    const { host } = this.options;
    const timeoutMs = this.options.connectTimeoutMs ?? 3000;
    return new Promise((resolve, reject) => {
      const socket = new Socket();
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new DeviceError('device.timeout', `no connection to ${host}:${this.port} within ${timeoutMs} ms (printer off or unreachable?)`));
      }, timeoutMs);
      socket.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        socket.destroy();
        reject(new DeviceError('device.unreachable', `cannot connect to ${host}:${this.port}: ${err.code ?? err.message}`, { cause: err }));
      });
      socket.connect({ host, port: this.port, noDelay: true }, () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        socket.setKeepAlive(true, 10_000);
        this.attach(socket);
        resolve();
      });
    });
  }

  private attach(socket: Socket): void {
    this.socket = socket;
    let failure: Error | undefined;
    socket.on('data', (chunk: Buffer) => this.listeners.emitData(bytesOf(chunk)));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      failure = new DeviceError('device.ioError', `${this.description}: ${err.code ?? err.message}`, { cause: err });
    });
    socket.on('close', () => {
      if (this.socket !== socket) return; // closed by us
      this.socket = undefined;
      this.listeners.emitClose(failure ?? new DeviceError('device.disconnected', `${this.description} closed the connection`));
    });
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (!this.socket) {
      if (!(this.wanted && (this.options.reconnectOnWrite ?? true))) throw new DeviceError('device.notOpen', `${this.description} is not open`);
      await this.open();
    }
    const socket = this.socket;
    if (!socket) throw new DeviceError('device.notOpen', `${this.description} is not open`);
    await new Promise<void>((resolve, reject) => {
      socket.write(bytes, (err) => (err ? reject(new DeviceError('device.ioError', `write to ${this.description} failed: ${err.message}`, { cause: err })) : resolve()));
    });
  }

  onData(listener: DataListener): () => void {
    return this.listeners.onData(listener);
  }

  onClose(listener: CloseListener): () => void {
    return this.listeners.onClose(listener);
  }

  async close(): Promise<void> {
    this.wanted = false;
    const socket = this.socket;
    if (!socket) return;
    this.socket = undefined;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.end();
      setTimeout(() => socket.destroy(), 500).unref();
    });
    this.listeners.emitClose();
  }
}
