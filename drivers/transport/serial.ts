/**
 * A serial port (USB-serial adapter, RS-232, or a simulator's pty) as a ByteTransport, over serialport.
 *
 * 8N1 at 115200 baud unless told otherwise. The port is read continuously from open to close (a
 * serialport without a 'data' listener is paused, and a paused port would back up the device). A pulled
 * USB adapter often does not fail the open port (and a pty never does), so while open we also watch the
 * device path: when it vanishes the transport closes itself with a 'device.unplugged' error.
 */
import { existsSync } from 'node:fs';
import { SerialPort } from 'serialport';
import { DeviceError, EnvironmentError, messageOf } from '../../base/errors.js';
import { TransportListeners, bytesOf, type ByteTransport, type CloseListener, type DataListener } from './types.js';

export interface SerialOptions {
  readonly path: string;
  /** Default 115200. */
  readonly baud?: number;
  /** How often to check that the device path still exists (ms); default 250. */
  readonly presencePollMs?: number;
}

export class SerialTransport implements ByteTransport {
  readonly description: string;
  private port: SerialPort | undefined;
  private readonly listeners = new TransportListeners();
  private presenceTimer: NodeJS.Timeout | undefined;
  private readonly baud: number;

  constructor(private readonly options: SerialOptions) {
    this.baud = options.baud ?? 115200;
    if (!Number.isInteger(this.baud) || this.baud <= 0) throw new EnvironmentError('serial.baud', `invalid baud rate ${options.baud}`);
    this.description = `serial ${options.path} @${this.baud}`;
  }

  get isOpen(): boolean {
    return this.port?.isOpen ?? false;
  }

  async open(): Promise<void> {
    if (this.port) return;
    const { path } = this.options;
    if (!existsSync(path)) throw new DeviceError('device.unplugged', `serial port ${path} does not exist (device unplugged?)`);
    const port = await new Promise<SerialPort>((resolve, reject) => {
      const p = new SerialPort({ path, baudRate: this.baud, dataBits: 8, parity: 'none', stopBits: 1, autoOpen: true }, (err) =>
        err ? reject(new DeviceError('device.openFailed', `cannot open serial port ${path}: ${err.message}`, { cause: err })) : resolve(p),
      );
    });
    this.port = port;
    port.on('data', (chunk: Buffer) => this.listeners.emitData(bytesOf(chunk)));
    port.on('error', (err: Error) => this.fail(port, new DeviceError('device.ioError', `serial port ${path}: ${err.message}`, { cause: err })));
    port.on('close', (err?: Error & { disconnected?: boolean }) => {
      this.fail(port, err ? new DeviceError('device.unplugged', `serial port ${path} closed: ${err.message}`, { cause: err }) : undefined);
    });
    this.presenceTimer = setInterval(() => {
      if (!existsSync(path)) this.fail(port, new DeviceError('device.unplugged', `serial port ${path} vanished (device unplugged)`));
    }, this.options.presencePollMs ?? 250);
    this.presenceTimer.unref();
  }

  write(bytes: Uint8Array): Promise<void> {
    const port = this.port;
    if (!port?.isOpen) return Promise.reject(new DeviceError('device.notOpen', `${this.description} is not open`));
    return new Promise((resolve, reject) => {
      port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), (err) => {
        if (err) reject(new DeviceError('device.ioError', `write to ${this.options.path} failed: ${messageOf(err)}`, { cause: err }));
      });
      port.drain((err) => (err ? reject(new DeviceError('device.ioError', `write to ${this.options.path} failed: ${err.message}`, { cause: err })) : resolve()));
    });
  }

  onData(listener: DataListener): () => void {
    return this.listeners.onData(listener);
  }

  onClose(listener: CloseListener): () => void {
    return this.listeners.onClose(listener);
  }

  async close(): Promise<void> {
    const port = this.port;
    if (!port) return;
    this.detach();
    if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    this.listeners.emitClose();
  }

  /** Ends the session after a failure: forget the port (closing it quietly) and tell the listeners once. */
  private fail(port: SerialPort, err: Error | undefined): void {
    if (this.port !== port) return; // a late event of an earlier session
    this.detach();
    if (port.isOpen) port.close(() => undefined);
    this.listeners.emitClose(err);
  }

  private detach(): void {
    if (this.presenceTimer) clearInterval(this.presenceTimer);
    this.presenceTimer = undefined;
    this.port = undefined;
  }
}
