/**
 * The doctor: serial enumeration from real files in a temp /dev, node-hid failing to load as a finding,
 * CUPS queues from a private cupsd, and each device probe against the real thing: the ID card simulator on
 * a pty, a receipt printer answering DLE EOT on a 127.0.0.1 socket, a cups-pdf queue.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../base/errors.js';
import type { DeviceConfig } from '../config.js';
import { loadDoctorConfig, parseDoctorDevices, runDoctor } from '../doctor/doctor.js';
import { hidDevices } from '../doctor/hid-devices.js';
import { probe } from '../doctor/probes.js';
import { enumerateSerialPorts } from '../doctor/serial-ports.js';
import { IppClient, parseServer } from '../docprint/ipp-client.js';
import { encodeRealtimeStatus, type PrinterStatus } from '../escpos/status.js';
import { IdCardSim } from '../sim/idcard-sim.js';
import { PrivateCups, freePort, type PdfQueue } from './helpers/cups.js';

const tmp = mkdtempSync(join(tmpdir(), 'tongban-doctor-'));
let cups: PrivateCups;
let queue: PdfQueue;

beforeAll(async () => {
  cups = await PrivateCups.start();
  queue = cups.addPdfQueue('TB_DOC');
});
afterAll(async () => {
  await cups?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('serial port enumeration (no SerialPort.list, no udevadm)', () => {
  it('finds ttyUSB/ttyACM/real ttyS nodes and by-id names, skips empty UARTs and other files', () => {
    const dev = join(tmp, 'dev');
    const sys = join(tmp, 'sys');
    mkdirSync(join(dev, 'serial/by-id'), { recursive: true });
    for (const n of ['ttyUSB0', 'ttyUSB10', 'ttyUSB2', 'ttyACM0', 'ttyS0', 'ttyS1', 'tty0', 'null', 'ttyUSBx']) writeFileSync(join(dev, n), '');
    for (const [n, type] of [['ttyS0', '4'], ['ttyS1', '0']] as const) {
      mkdirSync(join(sys, n), { recursive: true });
      writeFileSync(join(sys, n, 'type'), `${type}\n`);
    }
    symlinkSync('../../ttyUSB2', join(dev, 'serial/by-id/usb-FTDI_FT232R_A1B2-if00-port0'));
    const ports = enumerateSerialPorts({ devDir: dev, sysTtyDir: sys });
    expect(ports.map((p) => [p.path.slice(dev.length + 1), p.kind])).toEqual([
      ['ttyACM0', 'usb-acm'],
      ['ttyS0', 'uart'],
      ['ttyUSB0', 'usb-serial'],
      ['ttyUSB2', 'usb-serial'],
      ['ttyUSB10', 'usb-serial'],
    ]);
    expect(ports.find((p) => p.path.endsWith('ttyUSB2'))?.byId).toEqual([join(dev, 'serial/by-id/usb-FTDI_FT232R_A1B2-if00-port0')]);
  });

  it('a missing /dev gives an empty list, not an error', () => {
    expect(enumerateSerialPorts({ devDir: join(tmp, 'nope'), sysTtyDir: join(tmp, 'nope') })).toEqual([]);
  });
});

describe('HID', () => {
  it('node-hid failing to load is reported, not thrown', async () => {
    const r = await hidDevices(() => Promise.reject(new Error('libusb-1.0.so.0: cannot open shared object file')));
    expect(r).toEqual({ available: false, error: 'node-hid cannot be used here: libusb-1.0.so.0: cannot open shared object file' });
  });

  it('enumerated devices are checked field by field', async () => {
    const r = await hidDevices(async () => ({ devices: () => [{ vendorId: 0x1eab, productId: 0x1d10, product: 'NLS-FR40', path: '/dev/hidraw0' }, { vendorId: 'x' }, null] }));
    expect(r).toEqual({ available: true, devices: [{ vendorId: 0x1eab, productId: 0x1d10, product: 'NLS-FR40', path: '/dev/hidraw0' }] });
  });

  it('the real node-hid answers or is reported; either way no crash', async () => {
    const r = await hidDevices();
    expect(typeof r.available).toBe('boolean');
  });
});

/** A receipt printer on a 127.0.0.1 socket answering DLE EOT n from `status` (null: silent). */
async function receiptPrinter(status: { current: PrinterStatus | null | 'garbage' }): Promise<{ server: Server; port: number }> {
  const server = createServer((sock: Socket) => {
    let buf = Buffer.alloc(0);
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const i = buf.indexOf(0x10);
        if (i < 0 || buf.length < i + 3) break;
        const [second, n] = [buf[i + 1], buf[i + 2]!];
        buf = buf.subarray(i + 3);
        if (status.current === 'garbage') sock.write(Uint8Array.of(0xff));
        else if (second === 0x04 && status.current && n >= 1 && n <= 4) sock.write(Uint8Array.of(encodeRealtimeStatus(n as 1 | 2 | 3 | 4, status.current)));
      }
    });
    sock.on('error', () => undefined);
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  return { server, port: (server.address() as { port: number }).port };
}

const OK: PrinterStatus = { online: true, coverOpen: false, paperNearEnd: false, paperOut: false, cutterError: false, unrecoverableError: false, autoRecoverableError: false };

describe('device probes', () => {
  it('ID card reader: SAM status 90 is healthy; another SW3, silence and a missing port are not', async () => {
    const path = join(tmp, 'idcard-tty');
    const sim = await IdCardSim.start(path);
    try {
      const dev: DeviceConfig = { id: 'reader', kind: 'idcard', transport: { type: 'serial', path } };
      expect(await probe(dev)).toEqual({ id: 'reader', kind: 'idcard', where: `serial ${path} @115200`, healthy: true, detail: 'SAM status 90 (SAM ready)' });
      sim.setFault({ kind: 'sw3', command: 'samStatus', sw3: 0x60 });
      expect(await probe(dev)).toMatchObject({ healthy: false, code: 'idcard.sw3.60', detail: expect.stringContaining('SAM自检失败') as unknown });
      sim.setFault({ kind: 'badChecksum' });
      expect(await probe(dev, { timeoutMs: 300 })).toMatchObject({ healthy: false, code: 'device.garbled' });
      sim.setFault({ kind: 'silent' });
      expect(await probe(dev, { timeoutMs: 300 })).toMatchObject({ healthy: false, code: 'device.timeout' });
    } finally {
      await sim.stop();
    }
    const gone = await probe({ id: 'r2', kind: 'idcard', transport: { type: 'serial', path: join(tmp, 'no-such-tty') } });
    expect(gone).toMatchObject({ healthy: false, code: 'device.unplugged' });
  });

  it('receipt printer over TCP: online is healthy; paper out, cover open, garbage, no answer are not', async () => {
    const status = { current: OK as PrinterStatus | null | 'garbage' };
    const { server, port } = await receiptPrinter(status);
    try {
      const dev: DeviceConfig = { id: 'rcpt', kind: 'receipt', transport: { type: 'tcp', host: '127.0.0.1', port } };
      expect(await probe(dev)).toMatchObject({ healthy: true, detail: 'online, paper ok', where: `tcp 127.0.0.1:${port}` });
      status.current = { ...OK, paperNearEnd: true };
      expect(await probe(dev)).toMatchObject({ healthy: true, detail: 'online, paper near end' });
      status.current = { ...OK, paperOut: true };
      expect(await probe(dev)).toMatchObject({ healthy: false, code: 'printer.paperOut' });
      status.current = { ...OK, coverOpen: true };
      expect(await probe(dev)).toMatchObject({ healthy: false, code: 'printer.coverOpen' });
      status.current = 'garbage';
      expect(await probe(dev)).toMatchObject({ healthy: false, code: 'device.garbled' });
      status.current = null;
      expect(await probe(dev, { timeoutMs: 200 })).toMatchObject({ healthy: false, code: 'printer.offline' });
    } finally {
      server.close();
    }
    const closed = await freePort();
    expect(await probe({ id: 'r', kind: 'receipt', transport: { type: 'tcp', host: '127.0.0.1', port: closed } })).toMatchObject({ healthy: false });
  });

  it('document printer: an idle queue is healthy; paused, unknown, unreachable are not', async () => {
    const dev = (q: string, server = cups.server): DeviceConfig => ({ id: 'a4', kind: 'document', transport: { type: 'cups', queue: q, server } });
    expect(await probe(dev(queue.name))).toMatchObject({ healthy: true, detail: 'idle' });
    const q = cups.addPdfQueue('TB_DOC_STOP');
    await new IppClient({ server: parseServer(cups.server) }).pausePrinter(q.name);
    expect(await probe(dev(q.name))).toMatchObject({ healthy: false, code: 'docprint.printerStopped', detail: expect.stringMatching(/^stopped: paused/) as unknown });
    expect(await probe(dev('NOPE'))).toMatchObject({ healthy: false, code: 'docprint.unknownPrinter' });
    expect(await probe(dev('X', `127.0.0.1:${await freePort()}`))).toMatchObject({ healthy: false, code: 'docprint.cupsUnreachable' });
  });

  it('HID scanner: present or not in the enumeration; serial scanner: the port opens', async () => {
    const hid = { available: true as const, devices: [{ vendorId: 0x0c2e, productId: 0x0b61, product: 'Honeywell 1900' }] };
    const scanner = (vendorId: number): DeviceConfig => ({ id: 'qr', kind: 'scanner', transport: { type: 'hid', vendorId, productId: 0x0b61 } });
    expect(await probe(scanner(0x0c2e), { hid })).toMatchObject({ healthy: true, detail: 'present: Honeywell 1900' });
    expect(await probe(scanner(0x1111), { hid })).toMatchObject({ healthy: false, code: 'device.unplugged' });
    expect(await probe(scanner(0x0c2e), { hid: { available: false, error: 'node-hid cannot be used here: x' } })).toMatchObject({ healthy: false, detail: 'node-hid cannot be used here: x' });
    const path = join(tmp, 'scanner-tty');
    const sim = await IdCardSim.start(path); // any pty will do: a scanner is only opened
    try {
      expect(await probe({ id: 'qr2', kind: 'scanner', transport: { type: 'serial', path } })).toMatchObject({ healthy: true });
    } finally {
      await sim.stop();
    }
  });
});

describe('runDoctor', () => {
  it('lists the CUPS queues, reports stopped ones and a failing node-hid as findings, healthy with no devices', async () => {
    const r = await runDoctor({ cupsServer: cups.server, loadHid: () => Promise.reject(new Error('no libusb')) });
    expect(r.cups.reachable).toBe(true);
    expect(r.cups.reachable && r.cups.queues.map((q) => q.name)).toContain(queue.name);
    expect(r.hid).toEqual({ available: false, error: 'node-hid cannot be used here: no libusb' });
    expect(r.findings).toContain('node-hid cannot be used here: no libusb');
    expect(r.findings.some((f) => /^CUPS queue TB_DOC_STOP_\w+ is stopped \(paused\)$/.test(f))).toBe(true);
    expect(r.healthy).toBe(true);
  });

  it('CUPS unreachable is a finding; an unhealthy configured device makes the report unhealthy', async () => {
    const port = await freePort();
    const r = await runDoctor({
      cupsServer: `127.0.0.1:${port}`,
      devices: [{ id: 'a4', kind: 'document', transport: { type: 'cups', queue: queue.name } }],
    });
    expect(r.cups).toMatchObject({ reachable: false });
    expect(r.findings.some((f) => f.startsWith('CUPS is not reachable at 127.0.0.1:'))).toBe(true);
    expect(r.devices[0]).toMatchObject({ id: 'a4', healthy: false, code: 'docprint.cupsUnreachable' });
    expect(r.healthy).toBe(false);
  });
});

describe('doctor configuration', () => {
  it('takes the short form and the device configuration form, checked by the same rules', async () => {
    expect(
      parseDoctorDevices([
        { id: 'reader', kind: 'idcard', port: '/dev/ttyUSB0', baud: 115200 },
        { id: 'rcpt', kind: 'receipt', tcp: '192.168.1.50:9100' },
        { id: 'lp', kind: 'receipt', device: '/dev/usb/lp0' },
        { id: 'a4', kind: 'document', queue: 'Office', server: '127.0.0.1:631' },
        { id: 'qr', kind: 'scanner', hid: '1eab:1d10' },
        { id: 'full', kind: 'receipt', transport: { type: 'serial', path: '/dev/ttyS1' } },
      ]),
    ).toEqual([
      { id: 'reader', kind: 'idcard', transport: { type: 'serial', path: '/dev/ttyUSB0', baud: 115200 } },
      { id: 'rcpt', kind: 'receipt', transport: { type: 'tcp', host: '192.168.1.50', port: 9100 } },
      { id: 'lp', kind: 'receipt', transport: { type: 'device', path: '/dev/usb/lp0' } },
      { id: 'a4', kind: 'document', transport: { type: 'cups', queue: 'Office', server: '127.0.0.1:631' } },
      { id: 'qr', kind: 'scanner', transport: { type: 'hid', vendorId: 0x1eab, productId: 0x1d10 } },
      { id: 'full', kind: 'receipt', transport: { type: 'serial', path: '/dev/ttyS1' } },
    ]);
    expect(parseDoctorDevices({ devices: [{ id: 'a', kind: 'document', queue: 'Q' }] })).toHaveLength(1);
  });

  it('names what is wrong', async () => {
    const bad = (v: unknown) => {
      try {
        parseDoctorDevices(v);
        return 'accepted';
      } catch (err) {
        expect(err).toBeInstanceOf(InputError);
        return (err as Error).message;
      }
    };
    expect(bad({})).toMatch(/must be an array/);
    expect(bad([{ id: 'a', kind: 'idcard' }])).toBe('devices[0] needs exactly one of port, device, tcp, queue, hid');
    expect(bad([{ id: 'a', kind: 'idcard', port: '/dev/x', colour: 'red' }])).toMatch(/devices\[0\]\.colour is not a known key/);
    expect(bad([{ id: 'a', kind: 'idcard', queue: 'Q' }])).toMatch(/devices\[0\]\.transport\.type must be one of serial/);
    expect(bad([{ id: 'a', kind: 'scanner', hid: '12:34' }])).toMatch(/VID:PID/);
    expect(bad([{ id: 'a', kind: 'toaster', port: '/dev/x' }])).toMatch(/devices\[0\]\.kind/);
    const file = join(tmp, 'bad.json');
    writeFileSync(file, '{ not json');
    await expect(loadDoctorConfig(file)).rejects.toThrow(/is not JSON/);
    await expect(loadDoctorConfig(join(tmp, 'missing.json'))).rejects.toThrow(/ENOENT/);
  });
});
