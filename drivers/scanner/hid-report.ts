/**
 * USB HID POS scanners (usage page 0x8C): each code arrives as one or more 64-byte input reports. A
 * pure decoder of the two layouts of scanners-printers.md, and an assembler that joins multi-packet
 * codes (bounded), with no I/O and no timers (the HID reader owns the packet-gap timer).
 *
 * Offsets with the report id kept (node-hid on hidraw with numbered reports); with `reportId: false`
 * (WebHID, or a device without numbered reports) every offset is one lower and the report 63 bytes:
 *
 *   Honeywell (VID 0C2E): [0]=02 report id, [1]=data length, [2..4]=AIM id ("]Q1"), [5..60]=data (56 bytes),
 *                         [61]=Honeywell code id ('s' = QR), [63]=01 when more packets of this code follow.
 *   Newland (VID 1EAB):   [0]=02, [1]=length, [2..57]=data (56 bytes), [62]=Newland code id ('Q' = QR).
 *
 * Newland reports carry no "more follows" flag: a packet filled to its 56 data bytes may be continued,
 * so the code completes at the first packet shorter than 56 bytes, or, for a code whose length is an
 * exact multiple of 56, when the packet-gap timer fires (`expire()` then hands the code on). A Honeywell
 * code whose "more" flag promised a packet that never came is dropped at the gap with `scanner.partial`.
 */
import { decodeCodeText, type TextEncoding } from './text.js';
import { DEFAULT_MAX_CODE_BYTES, ScannerError, symbologyOfAim, symbologyOfCodeId } from './types.js';

export type HidLayout = 'honeywell' | 'newland';
export const HID_LAYOUTS: readonly HidLayout[] = ['honeywell', 'newland'];

export const HONEYWELL_VID = 0x0c2e;
export const NEWLAND_VID = 0x1eab;
export const HID_POS_REPORT_ID = 0x02;
/** Data bytes one report carries, in both layouts. */
export const HID_DATA_BYTES = 56;
export const HID_REPORT_BYTES = 64;

export function layoutForVendor(vendorId: number): HidLayout | undefined {
  if (vendorId === HONEYWELL_VID) return 'honeywell';
  if (vendorId === NEWLAND_VID) return 'newland';
  return undefined;
}

export interface HidReportOptions {
  readonly layout: HidLayout;
  /** The report id is byte 0 (default true, as node-hid gives it on hidraw); false: WebHID-style. */
  readonly reportId?: boolean;
}

/** One report's content. */
export interface HidPacket {
  readonly data: Uint8Array;
  readonly aim?: string;
  readonly codeId?: string;
  /** Honeywell: the report says more packets follow. Newland: the packet is full (more MAY follow). */
  readonly more: boolean;
}

const garbled = (message: string): ScannerError => new ScannerError('device.garbled', message);

const printable = (b: number | undefined): string | undefined =>
  b !== undefined && b > 0x20 && b < 0x7f ? String.fromCharCode(b) : undefined;

/** Reads one input report; throws a `device.garbled` ScannerError when it does not fit the layout. */
export function parseHidReport(report: Uint8Array, options: HidReportOptions): HidPacket {
  const withId = options.reportId ?? true;
  const o = withId ? 0 : -1; // offset shift
  const size = HID_REPORT_BYTES + o;
  if (report.length < size) throw garbled(`HID report of ${report.length} bytes; the ${options.layout} layout has ${size}`);
  if (withId && report[0] !== HID_POS_REPORT_ID) throw garbled(`HID report id ${report[0]} is not the scanned-data report (02)`);
  const length = report[1 + o]!;
  if (length > HID_DATA_BYTES) throw garbled(`HID report claims ${length} data bytes; a report carries at most ${HID_DATA_BYTES}`);
  if (options.layout === 'honeywell') {
    const aimBytes = report.subarray(2 + o, 5 + o);
    const aim = aimBytes[0] === 0x5d ? String.fromCharCode(...aimBytes).replace(/[^\x21-\x7e]/g, '') : undefined;
    const codeId = printable(report[61 + o]);
    return {
      data: report.slice(5 + o, 5 + o + length),
      ...(aim && aim.length === 3 ? { aim } : {}),
      ...(codeId ? { codeId } : {}),
      more: report[63 + o] === 0x01,
    };
  }
  const codeId = printable(report[62 + o]);
  return { data: report.slice(2 + o, 2 + o + length), ...(codeId ? { codeId } : {}), more: length === HID_DATA_BYTES };
}

export interface HidDecodedCode {
  readonly kind: 'code';
  readonly text: string;
  readonly encoding: TextEncoding;
  readonly aim?: string;
  readonly codeId?: string;
  readonly symbology?: string;
}

export type HidAssemblerOutput = HidDecodedCode | { readonly kind: 'error'; readonly error: ScannerError };

export interface HidAssemblerOptions extends HidReportOptions {
  /** Most bytes one (joined) code may have (default 7168). */
  readonly maxLength?: number;
}

/** Joins the packets of each code; bounded by `maxLength`; pure. */
export class HidCodeAssembler {
  readonly maxLength: number;
  private readonly parts: Uint8Array[] = [];
  private len = 0;
  private discarding = false;
  private aim: string | undefined;
  private codeId: string | undefined;

  constructor(private readonly options: HidAssemblerOptions) {
    this.maxLength = options.maxLength ?? DEFAULT_MAX_CODE_BYTES;
  }

  /** Whether a code is waiting for further packets. */
  get busy(): boolean {
    return this.len > 0 || this.discarding;
  }

  push(report: Uint8Array): HidAssemblerOutput[] {
    let packet: HidPacket;
    try {
      packet = parseHidReport(report, this.options);
    } catch (err) {
      if (err instanceof ScannerError) return [{ kind: 'error', error: err }];
      throw err;
    }
    const out: HidAssemblerOutput[] = [];
    if (this.len === 0 && !this.discarding) {
      this.aim = packet.aim;
      this.codeId = packet.codeId;
    }
    if (!this.discarding) {
      if (this.len + packet.data.length > this.maxLength) {
        this.discarding = true;
        this.parts.length = 0;
        this.len = 0;
        out.push({ kind: 'error', error: new ScannerError('scanner.overlong', `HID scanner sent a code longer than ${this.maxLength} bytes; discarded it`) });
      } else if (packet.data.length > 0) {
        this.parts.push(packet.data);
        this.len += packet.data.length;
      }
    }
    if (!packet.more) this.complete(out);
    return out;
  }

  /**
   * No packet came within the gap: a Newland code of full packets is complete; a Honeywell code whose
   * last packet promised more is dropped (`scanner.partial`).
   */
  expire(): HidAssemblerOutput[] {
    const out: HidAssemblerOutput[] = [];
    if (this.discarding) {
      this.discarding = false;
      return out;
    }
    if (this.len === 0) return out;
    if (this.options.layout === 'newland') {
      this.complete(out);
    } else {
      out.push({ kind: 'error', error: new ScannerError('scanner.partial', `dropped ${this.len} bytes of a HID code whose further packets never came`) });
      this.reset();
    }
    return out;
  }

  reset(): void {
    this.parts.length = 0;
    this.len = 0;
    this.discarding = false;
    this.aim = undefined;
    this.codeId = undefined;
  }

  private complete(out: HidAssemblerOutput[]): void {
    if (this.discarding) {
      this.discarding = false;
      return;
    }
    if (this.len === 0) return;
    const bytes = new Uint8Array(this.len);
    let at = 0;
    for (const p of this.parts) {
      bytes.set(p, at);
      at += p.length;
    }
    const { aim, codeId } = this;
    this.reset();
    const { text, encoding } = decodeCodeText(bytes);
    if (text.length === 0) return;
    const symbology = (aim ? symbologyOfAim(aim) : undefined) ?? (codeId ? symbologyOfCodeId(this.options.layout, codeId) : undefined);
    out.push({
      kind: 'code',
      text,
      encoding,
      ...(aim ? { aim } : {}),
      ...(codeId ? { codeId } : {}),
      ...(symbology ? { symbology } : {}),
    });
  }
}

/** Builds the input reports a scanner would send for `data` (for simulators, tests and benches). */
export function buildHidReports(
  data: Uint8Array,
  options: HidReportOptions & { aim?: string; codeId?: string },
): Uint8Array[] {
  const withId = options.reportId ?? true;
  const o = withId ? 0 : -1;
  const reports: Uint8Array[] = [];
  let at = 0;
  do {
    const part = data.subarray(at, at + HID_DATA_BYTES);
    at += part.length;
    const r = new Uint8Array(HID_REPORT_BYTES + o);
    if (withId) r[0] = HID_POS_REPORT_ID;
    r[1 + o] = part.length;
    if (options.layout === 'honeywell') {
      if (options.aim) for (let i = 0; i < 3; i++) r[2 + o + i] = options.aim.charCodeAt(i) & 0x7f;
      r.set(part, 5 + o);
      if (options.codeId) r[61 + o] = options.codeId.charCodeAt(0) & 0x7f;
      r[63 + o] = at < data.length ? 0x01 : 0x00;
    } else {
      r.set(part, 2 + o);
      if (options.codeId) r[62 + o] = options.codeId.charCodeAt(0) & 0x7f;
    }
    reports.push(r);
  } while (at < data.length);
  return reports;
}
