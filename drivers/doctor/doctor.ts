/**
 * `tongban doctor`: what this machine offers (serial ports, HID devices, CUPS queues) and the health of
 * the configured devices. Facts about the machine are findings (reported, never failing the run); a
 * configured device that is not healthy makes the report unhealthy.
 */
import { readFile } from 'node:fs/promises';
import { InputError, messageOf } from '../../base/errors.js';
import { parseDeviceList, type DeviceConfig } from '../config.js';
import { isPlainObject } from '../manager/check.js';
import { IppClient, describeServer, parseServer, DEFAULT_SERVER } from '../docprint/ipp-client.js';
import type { PrinterInfo } from '../docprint/ipp-operations.js';
import { hidDevices, type HidEnumeration } from './hid-devices.js';
import { probe, type DeviceHealth } from './probes.js';
import { serialPorts, type SerialEnumOptions, type SerialPortInfo } from './serial-ports.js';

export interface DoctorOptions {
  devices?: DeviceConfig[];
  /** CUPS server for the queue list and for document devices without their own (default localhost:631). */
  cupsServer?: string;
  probeTimeoutMs?: number;
  serial?: SerialEnumOptions;
  /** node-hid loader (tests pass one that fails, as on a machine without libusb). */
  loadHid?: () => Promise<{ devices(): unknown[] }>;
}

export interface DoctorReport {
  serialPorts: { source: 'udev' | 'dev'; ports: SerialPortInfo[] };
  hid: HidEnumeration;
  cups: { server: string; reachable: true; queues: PrinterInfo[] } | { server: string; reachable: false; error: string };
  devices: DeviceHealth[];
  /** Plain sentences about the machine (not failures of the run). */
  findings: string[];
  /** Every configured device is healthy. */
  healthy: boolean;
}

export async function runDoctor(options: DoctorOptions = {}): Promise<DoctorReport> {
  const server = options.cupsServer ? parseServer(options.cupsServer) : DEFAULT_SERVER;
  const [serial, hid, cups] = await Promise.all([
    serialPorts(options.serial),
    hidDevices(options.loadHid),
    new IppClient({ server, requestTimeoutMs: 5000 })
      .cupsGetPrinters()
      .then((queues) => ({ server: describeServer(server), reachable: true as const, queues }))
      .catch((err: unknown) => ({ server: describeServer(server), reachable: false as const, error: messageOf(err) })),
  ]);
  // Devices one after another: two may share a port, and a serial device answers one question at a time.
  const devices: DeviceHealth[] = [];
  for (const d of options.devices ?? []) {
    devices.push(await probe(d, { hid, ...(options.probeTimeoutMs ? { timeoutMs: options.probeTimeoutMs } : {}), ...(options.cupsServer ? { cupsServer: options.cupsServer } : {}) }));
  }
  const findings: string[] = [];
  if (serial.ports.length === 0) findings.push('no serial ports found');
  if (serial.source === 'dev') findings.push('serial ports enumerated from /dev (udevadm not available: no vendor details)');
  if (!hid.available) findings.push(hid.error);
  else if (hid.devices.length === 0) findings.push('no HID devices found');
  if (!cups.reachable) findings.push(cups.error);
  else {
    if (cups.queues.length === 0) findings.push(`CUPS at ${cups.server} has no printer queues`);
    for (const q of cups.queues.filter((q) => q.state === 'stopped' || !q.acceptingJobs)) {
      findings.push(`CUPS queue ${q.name} is ${q.state === 'stopped' ? 'stopped' : 'not accepting jobs'}${q.reasons.length ? ` (${q.reasons.join(', ')})` : ''}`);
    }
  }
  return { serialPorts: serial, hid, cups, devices, findings, healthy: devices.every((d) => d.healthy) };
}

const SHORT_KEYS = ['id', 'kind', 'label', 'port', 'baud', 'device', 'tcp', 'queue', 'server', 'hid'];

/**
 * A device list from JSON: the device configuration's form ({ "devices": [{ id, kind, transport }] }) or
 * the short form of the doctor ([{ id, kind, port | device | tcp | queue | hid }], alone or under
 * "devices"). Checked by the same rules as the agent's configuration.
 */
export function parseDoctorDevices(json: unknown): DeviceConfig[] {
  const list = isPlainObject(json) && 'devices' in json ? json.devices : json;
  if (!Array.isArray(list)) throw new InputError('config.invalid', 'the device list must be an array, or an object with a "devices" array');
  const expanded = list.map((entry, i) => (isPlainObject(entry) && !('transport' in entry) ? fromShortForm(entry, `devices[${i}]`) : entry));
  return parseDeviceList(expanded);
}

function fromShortForm(e: Record<string, unknown>, path: string): Record<string, unknown> {
  for (const k of Object.keys(e)) {
    if (!SHORT_KEYS.includes(k)) throw new InputError('config.invalid', `${path}.${k} is not a known key (known: ${SHORT_KEYS.join(', ')}, or transport)`);
  }
  const where = ['port', 'device', 'tcp', 'queue', 'hid'].filter((k) => e[k] !== undefined);
  if (where.length !== 1) throw new InputError('config.invalid', `${path} needs exactly one of port, device, tcp, queue, hid`);
  const { id, kind, label } = e;
  const base = { id, kind, ...(label !== undefined ? { label } : {}) };
  switch (where[0]) {
    case 'port':
      return { ...base, transport: { type: 'serial', path: e.port, ...(e.baud !== undefined ? { baud: e.baud } : {}) } };
    case 'device':
      return { ...base, transport: { type: 'device', path: e.device } };
    case 'tcp': {
      if (typeof e.tcp !== 'string') throw new InputError('config.invalid', `${path}.tcp must be "HOST:PORT"`);
      const m = /^(.*?)(?::(\d{1,5}))?$/.exec(e.tcp)!;
      return { ...base, transport: { type: 'tcp', host: m[1], ...(m[2] ? { port: Number(m[2]) } : {}) } };
    }
    case 'queue':
      return { ...base, transport: { type: 'cups', queue: e.queue, ...(e.server !== undefined ? { server: e.server } : {}) } };
    default: {
      const m = typeof e.hid === 'string' ? /^([0-9a-fA-F]{4}):([0-9a-fA-F]{4})$/.exec(e.hid) : null;
      if (!m) throw new InputError('config.invalid', `${path}.hid must be "VID:PID" in hex, e.g. "1eab:1d10"`);
      return { ...base, transport: { type: 'hid', vendorId: parseInt(m[1]!, 16), productId: parseInt(m[2]!, 16) } };
    }
  }
}

export async function loadDoctorConfig(file: string): Promise<DeviceConfig[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new InputError('config.unreadable', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? messageOf(err)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InputError('config.invalid', `${file} is not JSON: ${messageOf(err)}`);
  }
  try {
    return parseDoctorDevices(json);
  } catch (err) {
    if (err instanceof InputError) throw new InputError(err.code, `${file}: ${err.message}`);
    throw err;
  }
}
