/**
 * A USB HID POS scanner through node-hid. The reader holds node-hid's device interface (`HID.HIDAsync`
 * or `HID.HID`: an EventEmitter of 'data' input reports and 'error', with write, sendFeatureReport and
 * close), so it runs the same over a real device and over anything else with that interface: tests feed
 * it captured-layout report bytes, since a virtual HID device cannot be made on these kernels.
 *
 * `openHidDevice(vid, pid)` is the production path: node-hid loaded on first use (its native addon
 * needs hidraw / libusb-1.0 at run time; when it cannot load, a `scanner.hidUnavailable` error says so),
 * devices enumerated with devicesAsync (the HID POS interface, usage page 0x8C, preferred when the
 * device has several) and opened by path with HIDAsync.open.
 *
 * Some Honeywell models start sending HID POS reports only after a feature report (FE 01):
 * `featureReport` is sent right after opening. Status: 'online' once open; a node-hid 'error' (the
 * device was pulled: its reads fail) makes it 'unplugged'; with an `opener` and `reconnectMs` > 0 the
 * reader reopens the device when it comes back.
 */
import { DeviceError, messageOf } from '../../base/errors.js';
import { HidCodeAssembler, layoutForVendor, type HidAssemblerOutput, type HidLayout } from './hid-report.js';
import { ReaderEvents, type CodeListener, type ScannerErrorListener, type ScannerReader, type ScannerStatus, type StatusListener } from './status.js';
import { ScannerError } from './types.js';

/** The part of node-hid's HID / HIDAsync device interface the reader uses. */
export interface HidDevice {
  on(event: 'data', listener: (data: Buffer) => void): unknown;
  on(event: 'error', listener: (err: unknown) => void): unknown;
  removeListener(event: 'data', listener: (data: Buffer) => void): unknown;
  removeListener(event: 'error', listener: (err: unknown) => void): unknown;
  write(values: number[] | Buffer): number | Promise<number>;
  sendFeatureReport(data: number[] | Buffer): number | Promise<number>;
  close(): void | Promise<void>;
}

export interface HidScannerOptions {
  /** The report layout; default: from `vendorId` (0C2E Honeywell, 1EAB Newland). */
  readonly layout?: HidLayout;
  readonly vendorId?: number;
  readonly productId?: number;
  /** Byte 0 of each report is the report id (default true); false: WebHID-style offsets. */
  readonly reportId?: boolean;
  /** Most bytes of one joined code (default 7168). */
  readonly maxLength?: number;
  /** A code waiting for further packets is ended after this long without one (default 50 ms). */
  readonly packetGapMs?: number;
  /** Sent with sendFeatureReport right after opening (Honeywell: FE 01). */
  readonly featureReport?: Uint8Array;
  /** Retry opening after an unplug every this many ms when the reader has an opener (default 500; 0: never). */
  readonly reconnectMs?: number;
}

const hex4 = (n: number | undefined): string => (n ?? 0).toString(16).padStart(4, '0');

export function parseVidPid(text: string): { vendorId: number; productId: number } | undefined {
  const m = /^([0-9a-fA-F]{1,4}):([0-9a-fA-F]{1,4})$/.exec(text.trim());
  return m ? { vendorId: parseInt(m[1]!, 16), productId: parseInt(m[2]!, 16) } : undefined;
}

export class HidScannerReader implements ScannerReader {
  readonly source: string;
  readonly layout: HidLayout;
  private readonly assembler: HidCodeAssembler;
  private readonly events = new ReaderEvents();
  private device: HidDevice | undefined;
  private gapTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private closing = false;
  private readonly onReport = (data: Buffer): void => this.receive(data);
  private readonly onDeviceError = (err: unknown): void => this.failed(err);

  /** `device`: an open node-hid device, or a function that opens one (then the reader can reconnect). */
  constructor(
    private readonly device0: HidDevice | (() => Promise<HidDevice>),
    private readonly options: HidScannerOptions = {},
  ) {
    const layout = options.layout ?? (options.vendorId !== undefined ? layoutForVendor(options.vendorId) : undefined);
    if (!layout) {
      throw new ScannerError('device.notFound', `no HID POS layout known for vendor ${hex4(options.vendorId)}; choose one (honeywell or newland)`);
    }
    this.layout = layout;
    this.assembler = new HidCodeAssembler({ layout, reportId: options.reportId ?? true, maxLength: options.maxLength });
    this.source = `hid ${hex4(options.vendorId)}:${hex4(options.productId)}`;
  }

  status(): ScannerStatus {
    return this.events.current;
  }
  onStatus(listener: StatusListener): () => void {
    return this.events.onStatus(listener);
  }
  onCode(listener: CodeListener): () => void {
    return this.events.onCode(listener);
  }
  onError(listener: ScannerErrorListener): () => void {
    return this.events.onError(listener);
  }

  async open(): Promise<void> {
    this.closing = false;
    await this.attach();
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.gapTimer) clearTimeout(this.gapTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.gapTimer = this.reconnectTimer = undefined;
    const d = this.device;
    this.device = undefined;
    if (d) {
      this.unlisten(d);
      await closeQuietly(d);
    }
    this.assembler.reset();
    this.events.setStatus('offline');
  }

  private async attach(): Promise<void> {
    const d = typeof this.device0 === 'function' ? await this.device0() : this.device0;
    d.on('data', this.onReport);
    d.on('error', this.onDeviceError);
    this.device = d;
    if (this.options.featureReport) {
      try {
        await d.sendFeatureReport(Buffer.from(this.options.featureReport));
      } catch (err) {
        this.device = undefined;
        this.unlisten(d);
        await closeQuietly(d);
        throw new DeviceError('device.openFailed', `${this.source}: the start feature report was refused: ${messageOf(err)}`, { cause: err });
      }
    }
    this.events.setStatus('online');
  }

  private receive(data: Buffer): void {
    const report = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    this.emit(this.assembler.push(report));
    if (this.gapTimer) clearTimeout(this.gapTimer);
    this.gapTimer = undefined;
    if (this.assembler.busy) {
      this.gapTimer = setTimeout(() => {
        this.gapTimer = undefined;
        this.emit(this.assembler.expire());
      }, this.options.packetGapMs ?? 50);
    }
  }

  private emit(outputs: HidAssemblerOutput[]): void {
    for (const o of outputs) {
      if (o.kind === 'error') {
        this.events.error(o.error);
        continue;
      }
      this.events.code({
        text: o.text,
        ...(o.symbology ? { symbology: o.symbology } : {}),
        ...(o.aim ? { aim: o.aim } : {}),
        ...(o.codeId ? { codeId: o.codeId } : {}),
        at: new Date().toISOString(),
        source: this.source,
      });
    }
  }

  private failed(err: unknown): void {
    const d = this.device;
    if (!d || this.closing) return;
    this.device = undefined;
    this.unlisten(d);
    void closeQuietly(d);
    if (this.gapTimer) clearTimeout(this.gapTimer);
    this.gapTimer = undefined;
    this.assembler.reset();
    this.events.setStatus('unplugged', `${this.source}: ${messageOf(err)}`);
    const every = this.options.reconnectMs ?? 500;
    if (typeof this.device0 === 'function' && every > 0) this.scheduleReconnect(every);
  }

  private scheduleReconnect(every: number): void {
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.closing) return;
      this.attach().catch(() => this.scheduleReconnect(every));
    }, every);
    this.reconnectTimer.unref();
  }

  private unlisten(d: HidDevice): void {
    d.removeListener('data', this.onReport);
    d.removeListener('error', this.onDeviceError);
  }
}

async function closeQuietly(d: HidDevice): Promise<void> {
  try {
    await d.close();
  } catch {
    // already gone
  }
}

interface NodeHidModule {
  devicesAsync(vid: number, pid: number): Promise<Array<{ path?: string; usagePage?: number }>>;
  HIDAsync: { open(path: string): Promise<HidDevice> };
}

/** Loads node-hid, finds the device and opens it (preferring its HID POS interface, usage page 0x8C). */
export async function openHidDevice(vendorId: number, productId: number): Promise<HidDevice> {
  let hid: NodeHidModule;
  try {
    hid = (await import('node-hid')) as unknown as NodeHidModule;
  } catch (err) {
    throw new ScannerError(
      'scanner.hidUnavailable',
      `node-hid cannot be loaded, so HID scanners cannot be read (it needs libusb-1.0-0 and hidraw at run time; Debian: apt-get install libusb-1.0-0): ${messageOf(err)}`,
      { cause: err },
    );
  }
  const id = `${hex4(vendorId)}:${hex4(productId)}`;
  let found: Array<{ path?: string; usagePage?: number }>;
  try {
    found = await hid.devicesAsync(vendorId, productId);
  } catch (err) {
    throw new ScannerError('scanner.hidUnavailable', `cannot list HID devices: ${messageOf(err)}`, { cause: err });
  }
  const withPath = found.filter((d) => d.path);
  const chosen = withPath.find((d) => d.usagePage === 0x8c) ?? withPath[0];
  if (!chosen?.path) throw new ScannerError('device.notFound', `no HID device ${id} found (is the scanner plugged in and in HID POS mode?)`);
  try {
    return await hid.HIDAsync.open(chosen.path);
  } catch (err) {
    throw new DeviceError('device.openFailed', `cannot open HID device ${id} at ${chosen.path}: ${messageOf(err)} (permissions on /dev/hidraw*?)`, { cause: err });
  }
}
