import { describe, expect, it } from 'vitest';
import { InputError } from '../../base/errors.js';
import { describeTransport, parseDeviceList, parseDevicesConfig } from '../config.js';

const good = [
  { id: 'idcard', kind: 'idcard', transport: { type: 'serial', path: '/dev/ttyUSB0' }, options: { fingerprint: true } },
  { id: 'qr', kind: 'scanner', transport: { type: 'hid', vendorId: 0x1eab, productId: 0x1d10, layout: 'newland' } },
  { id: 'qr-2', kind: 'scanner', transport: { type: 'serial', path: '/dev/ttyACM0', baud: 9600 }, options: { suffix: 'crlf' } },
  { id: 'receipt', kind: 'receipt', label: '大厅1号机 凭条打印机', transport: { type: 'tcp', host: '192.168.1.50' }, options: { width: 80 } },
  { id: 'receipt-usb', kind: 'receipt', transport: { type: 'device', path: '/dev/usb/lp0' } },
  { id: 'a4', kind: 'document', transport: { type: 'cups', queue: 'Office_A4', server: 'localhost:631' } },
];

function problem(devices: unknown): string {
  try {
    parseDeviceList(devices);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).exitCode).toBe(2);
    return (err as Error).message;
  }
  throw new Error('expected an InputError');
}

describe('device configuration', () => {
  it('accepts every kind on each of its transports, unchanged', () => {
    expect(parseDeviceList(good)).toEqual(good);
    expect(parseDevicesConfig({ devices: good }).devices).toHaveLength(6);
    expect(parseDeviceList([])).toEqual([]);
  });

  it.each([
    [[{ ...good[0], transport: { type: 'serial', path: '/dev/ttyUSB0', baud: 115200.5 } }], 'devices[0].transport.baud must be a whole number'],
    [[good[0], good[1], { ...good[2], transport: { type: 'serial', path: '/dev/x', baud: '9600' } }], 'devices[2].transport.baud must be a number, not a string'],
    [[{ ...good[0], transport: { type: 'serial', path: '/dev/ttyUSB0', baud: 12345 } }], 'devices[0].transport.baud must be a standard baud rate'],
    [[{ ...good[0], transport: { type: 'serial', path: '/dev/ttyUSB0', speed: 9600 } }], 'devices[0].transport.speed is not a known key'],
    [[{ ...good[0], colour: 'red' }], 'devices[0].colour is not a known key'],
    [[{ ...good[0], id: 'a b' }], 'devices[0].id must be letters, digits'],
    [[{ ...good[0], kind: 'camera' }], 'devices[0].kind must be one of idcard, scanner, receipt, document'],
    [[{ ...good[0], transport: { type: 'usb' } }], 'devices[0].transport.type must be one of serial, device, tcp, hid, cups'],
    [[{ ...good[0], transport: { type: 'tcp', host: 'printer' } }], 'devices[0].transport.type must be one of serial for a idcard device'],
    [[{ ...good[3], transport: { type: 'tcp', host: 'p', port: 70000 } }], 'devices[0].transport.port must be from 1 to 65535'],
    [[{ ...good[1], transport: { type: 'hid', vendorId: 1, productId: 2, layout: 'zebra' } }], 'devices[0].transport.layout must be one of honeywell, newland'],
    [[{ ...good[1], transport: { type: 'hid', vendorId: 1 } }], 'devices[0].transport.productId is missing'],
    [[{ ...good[0], transport: { type: 'serial', path: 'ttyUSB0' } }], 'devices[0].transport.path must be an absolute path'],
    [[{ ...good[3], options: { width: 76 } }], 'devices[0].options.width must be one of 58, 80'],
    [[{ ...good[3], options: { suffix: 'cr' } }], 'devices[0].options.suffix is not a known key'],
    [[good[0], good[1], { ...good[3], id: 'qr' }], 'devices[2].id repeats the id "qr" of devices[1]'],
    [[null], 'devices[0] must be an object, not null'],
    [{}, 'devices must be an array, not an object'],
    [undefined, 'devices is missing'],
    [Array.from({ length: 33 }, (_, i) => ({ ...good[0], id: `d${i}` })), 'devices has more than 32 entries'],
  ])('refuses %j: %s', (devices, message) => {
    expect(problem(devices)).toContain(message);
  });

  it('refuses unknown top-level keys and non-objects', () => {
    expect(() => parseDevicesConfig({ devices: [], printers: [] })).toThrow('printers is not a known key');
    expect(() => parseDevicesConfig('devices')).toThrow(InputError);
  });

  it('describes where each device is', () => {
    expect(parseDeviceList(good).map((d) => describeTransport(d.transport))).toEqual([
      'serial /dev/ttyUSB0 @115200',
      'hid 1eab:1d10 (newland)',
      'serial /dev/ttyACM0 @9600',
      'tcp 192.168.1.50:9100',
      'device /dev/usb/lp0',
      'cups Office_A4 on localhost:631',
    ]);
  });
});
