/**
 * HID POS scanners. A virtual HID device cannot be created on these kernels, so the reader is fed real
 * report bytes (built by hand at the offsets of the Honeywell and Newland layouts) through an object
 * with node-hid's HIDAsync interface: an EventEmitter emitting 64-byte 'data' Buffers asynchronously,
 * 'error' when the device goes away, and recording feature reports and writes.
 */
import { EventEmitter } from 'node:events';
import type { Device, HIDAsync } from 'node-hid';
import { describe, expect, it } from 'vitest';
import { HidCodeAssembler, buildHidReports, parseHidReport } from '../scanner/hid-report.js';
import { HidScannerReader } from '../scanner/hid-reader.js';
import type { ScanCode } from '../scanner/types.js';

/** node-hid's HIDAsync interface over recorded reports. */
class ReplayHid extends EventEmitter implements HIDAsync {
  readonly featureReports: Buffer[] = [];
  readonly writes: Buffer[] = [];
  closed = false;
  constructor(private readonly info: Device = { vendorId: 0x0c2e, productId: 0x0b61, release: 0, interface: 0, usagePage: 0x8c, path: '/dev/hidraw9' }) {
    super();
  }
  /** Delivers reports as node-hid does: one 'data' event per input report, on a later turn. */
  async play(...reports: Uint8Array[]): Promise<void> {
    for (const r of reports) {
      await new Promise((resolve) => setImmediate(resolve));
      this.emit('data', Buffer.from(r));
    }
  }
  async close(): Promise<void> {
    this.closed = true;
  }
  pause(): void {}
  resume(): void {}
  async read(): Promise<Buffer | undefined> {
    return undefined;
  }
  async sendFeatureReport(data: number[] | Buffer): Promise<number> {
    this.featureReports.push(Buffer.from(data));
    return data.length;
  }
  async getFeatureReport(_id: number, length: number): Promise<Buffer> {
    return Buffer.alloc(length);
  }
  async write(values: number[] | Buffer): Promise<number> {
    this.writes.push(Buffer.from(values));
    return values.length;
  }
  async setNonBlocking(): Promise<void> {}
  async getDeviceInfo(): Promise<Device> {
    return this.info;
  }
}

/** A 64-byte report with `fields` (offset -> bytes) set, everything else zero. */
function report(fields: Record<number, Uint8Array | number[] | string>, size = 64): Uint8Array {
  const r = new Uint8Array(size);
  for (const [at, v] of Object.entries(fields)) r.set(typeof v === 'string' ? Buffer.from(v, 'utf8') : v, Number(at));
  return r;
}

const QR = 'https://wst.ahzwfw.gov.cn/hfs/scan?code=34012319900307241X&t=20261121&sig=9f8e7d6c5b4a39281706f5e4d3c2b1a0&ver=2&org=皖事通';
const qrBytes = Buffer.from(QR, 'utf8'); // 136 bytes: three Honeywell packets

/** The packets a Honeywell scanner sends for QR: ]Q1 in 2..4, 56 data bytes at 5, code id 's' at 61, 01 at 63 if more. */
function honeywellQrReports(): Uint8Array[] {
  const parts = [qrBytes.subarray(0, 56), qrBytes.subarray(56, 112), qrBytes.subarray(112)];
  return parts.map((p, i) => report({ 0: [0x02], 1: [p.length], 2: ']Q1', 5: p, 61: 's', 63: [i < 2 ? 0x01 : 0x00] }));
}

async function withReader(
  device: ReplayHid,
  options: ConstructorParameters<typeof HidScannerReader>[1],
  run: (r: HidScannerReader, codes: ScanCode[], errs: string[]) => Promise<void>,
): Promise<void> {
  const reader = new HidScannerReader(device, options);
  const codes: ScanCode[] = [];
  const errs: string[] = [];
  reader.onCode((c) => codes.push(c));
  reader.onError((e) => errs.push(e.code));
  await reader.open();
  try {
    await run(reader, codes, errs);
  } finally {
    await reader.close();
  }
}

const until = async (cond: () => boolean): Promise<void> => {
  for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
};

describe('HID report layouts (pure)', () => {
  it('Honeywell: length, AIM id, data, code id and the more flag', () => {
    const [first, , last] = honeywellQrReports();
    expect(parseHidReport(first!, { layout: 'honeywell' })).toEqual({ data: Uint8Array.from(qrBytes.subarray(0, 56)), aim: ']Q1', codeId: 's', more: true });
    expect(parseHidReport(last!, { layout: 'honeywell' }).more).toBe(false);
  });

  it('Newland: length, data at 2, code id at 62', () => {
    const r = report({ 0: [0x02], 1: [13], 2: '6901234567892', 62: 'd' });
    expect(parseHidReport(r, { layout: 'newland' })).toEqual({ data: Uint8Array.from(Buffer.from('6901234567892')), codeId: 'd', more: false });
  });

  it('without the report id (WebHID), every offset is one lower', () => {
    const withId = honeywellQrReports()[0]!;
    expect(parseHidReport(withId.subarray(1), { layout: 'honeywell', reportId: false })).toEqual(parseHidReport(withId, { layout: 'honeywell' }));
  });

  it('reports that do not fit the layout are typed device.garbled errors', () => {
    const a = new HidCodeAssembler({ layout: 'honeywell' });
    expect(a.push(report({ 0: [0x01], 1: [3], 5: 'abc' }))).toMatchObject([{ kind: 'error', error: { code: 'device.garbled' } }]);
    expect(a.push(report({ 0: [0x02], 1: [57] }))).toMatchObject([{ kind: 'error', error: { code: 'device.garbled' } }]);
    expect(a.push(new Uint8Array(20).fill(2))).toMatchObject([{ kind: 'error', error: { code: 'device.garbled' } }]);
  });

  it('buildHidReports produces the hand-built layout', () => {
    expect(buildHidReports(qrBytes, { layout: 'honeywell', aim: ']Q1', codeId: 's' })).toEqual(honeywellQrReports());
  });
});

describe('HidScannerReader over node-hid\'s device interface', () => {
  it('Honeywell QR ]Q1 in three packets: joined into one code', async () => {
    const hid = new ReplayHid();
    await withReader(hid, { vendorId: 0x0c2e, productId: 0x0b61 }, async (_r, codes, errs) => {
      await hid.play(...honeywellQrReports());
      await until(() => codes.length > 0);
      expect(codes).toHaveLength(1);
      expect(codes[0]).toMatchObject({ text: QR, symbology: 'qr', aim: ']Q1', codeId: 's', source: 'hid 0c2e:0b61' });
      expect(Number.isNaN(Date.parse(codes[0]!.at))).toBe(false);
      expect(errs).toEqual([]);
    });
  });

  it('Honeywell single-packet EAN-13, then a QR, in order', async () => {
    const hid = new ReplayHid();
    await withReader(hid, { vendorId: 0x0c2e }, async (_r, codes) => {
      await hid.play(report({ 0: [0x02], 1: [13], 2: ']E0', 5: '6901234567892', 61: 'd' }), ...honeywellQrReports());
      await until(() => codes.length === 2);
      expect(codes.map((c) => [c.text, c.symbology])).toEqual([
        ['6901234567892', 'ean13'],
        [QR, 'qr'],
      ]);
    });
  });

  it('sends the start feature report (FE 01) when asked', async () => {
    const hid = new ReplayHid();
    await withReader(hid, { layout: 'honeywell', featureReport: Uint8Array.of(0xfe, 0x01) }, async () => {
      expect(hid.featureReports.map((b) => b.toString('hex'))).toEqual(['fe01']);
    });
    expect(hid.closed).toBe(true);
  });

  it('Newland: a single packet, and a multi-packet code that ends at a short packet', async () => {
    const hid = new ReplayHid({ vendorId: 0x1eab, productId: 0x1d10, release: 0, interface: 0 });
    const parts = [qrBytes.subarray(0, 56), qrBytes.subarray(56, 112), qrBytes.subarray(112)];
    await withReader(hid, { vendorId: 0x1eab, productId: 0x1d10 }, async (r, codes) => {
      expect(r.layout).toBe('newland');
      await hid.play(report({ 0: [0x02], 1: [11], 2: 'NL-FM430-OK', 62: 'j' }));
      await hid.play(...parts.map((p) => report({ 0: [0x02], 1: [p.length], 2: p, 62: 'Q' })));
      await until(() => codes.length === 2);
      expect(codes.map((c) => [c.text, c.symbology, c.codeId])).toEqual([
        ['NL-FM430-OK', 'code128', 'j'],
        [QR, 'qr', 'Q'],
      ]);
    });
  });

  it('Newland: a code of exactly two full packets completes at the packet gap', async () => {
    const hid = new ReplayHid();
    const data = Buffer.from('A'.repeat(56) + 'B'.repeat(56));
    await withReader(hid, { layout: 'newland', packetGapMs: 20 }, async (_r, codes) => {
      await hid.play(...buildHidReports(data, { layout: 'newland', codeId: 'Q' }));
      await until(() => codes.length === 1);
      expect(codes[0]?.text).toBe(data.toString());
    });
  });

  it('reports without the report id (reportId: false)', async () => {
    const hid = new ReplayHid();
    await withReader(hid, { layout: 'honeywell', reportId: false }, async (_r, codes) => {
      await hid.play(...honeywellQrReports().map((r) => r.subarray(1)));
      await until(() => codes.length === 1);
      expect(codes[0]?.text).toBe(QR);
    });
  });

  it('GB18030 payloads and control bytes in HID data', async () => {
    const hid = new ReplayHid();
    const gbk = Buffer.from('b0b2bbd5caa1d5feb8ae0d', 'hex'); // 安徽省政府 + CR, in GB18030
    await withReader(hid, { layout: 'honeywell' }, async (_r, codes) => {
      await hid.play(report({ 0: [0x02], 1: [gbk.length], 2: ']Q1', 5: gbk, 61: 's' }));
      await until(() => codes.length === 1);
      expect(codes[0]?.text).toBe('安徽省政府');
    });
  });

  it('garbled reports and overlong codes are typed errors, and the next code still reads', async () => {
    const hid = new ReplayHid();
    await withReader(hid, { layout: 'honeywell', maxLength: 100 }, async (_r, codes, errs) => {
      await hid.play(report({ 0: [0x05], 1: [2], 5: 'xx' }), ...honeywellQrReports(), report({ 0: [0x02], 1: [2], 5: 'ok', 61: 'j' }));
      await until(() => codes.length === 1);
      expect(errs).toEqual(['device.garbled', 'scanner.overlong']);
      expect(codes.map((c) => c.text)).toEqual(['ok']);
    });
  });

  it('a Honeywell code whose continuation never comes is dropped at the gap (scanner.partial)', async () => {
    const hid = new ReplayHid();
    await withReader(hid, { layout: 'honeywell', packetGapMs: 20 }, async (_r, codes, errs) => {
      await hid.play(honeywellQrReports()[0]!);
      await until(() => errs.length === 1);
      expect(errs).toEqual(['scanner.partial']);
      expect(codes).toEqual([]);
    });
  });

  it('a device error (pulled cable) makes it unplugged; with an opener it reconnects', async () => {
    const first = new ReplayHid();
    const second = new ReplayHid();
    const devices = [first, second];
    const reader = new HidScannerReader(async () => devices.shift() ?? Promise.reject(new Error('no device')), { layout: 'honeywell', reconnectMs: 10 });
    const states: string[] = [];
    const codes: string[] = [];
    reader.onStatus((s) => states.push(s.state));
    reader.onCode((c) => codes.push(c.text));
    await reader.open();
    first.emit('error', new Error('could not read from HID device'));
    expect(reader.status().state).toBe('unplugged');
    expect(first.closed).toBe(true);
    await until(() => reader.status().state === 'online');
    await second.play(report({ 0: [0x02], 1: [5], 5: 'again', 61: 's' }));
    await until(() => codes.length === 1);
    expect(states).toEqual(['online', 'unplugged', 'online']);
    expect(codes).toEqual(['again']);
    await reader.close();
    expect(reader.status().state).toBe('offline');
  });

  it('a vendor without a known layout and no layout option is refused', () => {
    expect(() => new HidScannerReader(new ReplayHid(), { vendorId: 0x05e0 })).toThrow(/no HID POS layout/);
  });
});
