/**
 * The device configuration: which devices a kiosk has, how each is connected, and its options. Checked
 * where it enters (a configuration file, the agent's embedded default) with errors that name the path,
 * e.g. "devices[2].transport.baud must be a whole number"; a misspelt key is an error, not ignored.
 *
 * {
 *   "devices": [
 *     { "id": "idcard", "kind": "idcard", "transport": { "type": "serial", "path": "/dev/ttyUSB0" } },
 *     { "id": "qr", "kind": "scanner", "transport": { "type": "hid", "vendorId": 7851, "productId": 7440, "layout": "newland" } },
 *     { "id": "receipt", "kind": "receipt", "transport": { "type": "tcp", "host": "192.168.1.50" }, "options": { "width": 80 } },
 *     { "id": "a4", "kind": "document", "transport": { "type": "cups", "queue": "Office" } }
 *   ]
 * }
 */
import { InputError } from '../base/errors.js';
import { CheckError, array, boolean, integer, isPlainObject, kindOf, object, oneOf, optional, string, variant, type Check } from './manager/check.js';

export const DEVICE_KINDS = ['idcard', 'scanner', 'receipt', 'document'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

export const HID_LAYOUTS = ['honeywell', 'newland'] as const;
export type HidLayout = (typeof HID_LAYOUTS)[number];

export type SerialTransportConfig = { type: 'serial'; path: string; baud?: number };
export type DeviceFileTransportConfig = { type: 'device'; path: string };
export type TcpTransportConfig = { type: 'tcp'; host: string; port?: number };
export type HidTransportConfig = { type: 'hid'; vendorId: number; productId: number; layout?: HidLayout };
export type CupsTransportConfig = { type: 'cups'; queue: string; server?: string };
export type TransportConfig =
  | SerialTransportConfig
  | DeviceFileTransportConfig
  | TcpTransportConfig
  | HidTransportConfig
  | CupsTransportConfig;
export type TransportType = TransportConfig['type'];

export interface IdCardOptions {
  /** Read the fingerprint block too (readers with the fingerprint module). */
  fingerprint?: boolean;
  /** How long one SAM exchange may take before the reader counts as not answering (ms). */
  replyTimeoutMs?: number;
  /** How often to ask the idle reader's SAM for its status, to notice a reader switched off (ms); 0: never. */
  statusPollMs?: number;
}
export interface ScannerOptions {
  /** The serial scanner's suffix after each code. */
  suffix?: 'cr' | 'crlf' | 'lf';
  /** Longest code accepted (characters); longer is dropped as garbage. */
  maxLength?: number;
}
export interface ReceiptOptions {
  /** Paper width in millimetres. */
  width?: 58 | 80;
  /** Send the Chinese-mode command before GB18030 text (most Chinese-market printers want it). */
  chineseMode?: boolean;
  /** How often to query the printer's status while idle (ms); 0: only around jobs. */
  statusPollMs?: number;
}
export interface DocumentOptions {
  /** Give up following a CUPS job after this long (ms). */
  jobTimeoutMs?: number;
  /** How often to ask CUPS for the printer's state while idle (ms; paper, stopped); 0: only around jobs. */
  statusPollMs?: number;
}

interface DeviceBase<K extends DeviceKind, O> {
  /** Stable name used in messages, status and logs: letters, digits, '-', '_'. */
  id: string;
  kind: K;
  /** Human description for staff ("大厅1号机 身份证阅读器"). */
  label?: string;
  transport: TransportConfig;
  options?: O;
}
export type IdCardDeviceConfig = DeviceBase<'idcard', IdCardOptions> & { transport: SerialTransportConfig };
export type ScannerDeviceConfig = DeviceBase<'scanner', ScannerOptions> & { transport: SerialTransportConfig | HidTransportConfig };
export type ReceiptDeviceConfig = DeviceBase<'receipt', ReceiptOptions> & {
  transport: SerialTransportConfig | DeviceFileTransportConfig | TcpTransportConfig;
};
export type DocumentDeviceConfig = DeviceBase<'document', DocumentOptions> & { transport: CupsTransportConfig };
export type DeviceConfig = IdCardDeviceConfig | ScannerDeviceConfig | ReceiptDeviceConfig | DocumentDeviceConfig;

export interface DevicesConfig {
  devices: DeviceConfig[];
}

/** Which transports each kind of device can sit on. */
export const TRANSPORTS_BY_KIND: Readonly<Record<DeviceKind, readonly TransportType[]>> = {
  idcard: ['serial'],
  scanner: ['serial', 'hid'],
  receipt: ['serial', 'device', 'tcp'],
  document: ['cups'],
};

export const MAX_DEVICES = 32;

/** Line speed when a serial device's configuration gives none (the factory setting of common models). */
export const DEFAULT_BAUD: Readonly<Record<DeviceKind, number>> = { idcard: 115200, scanner: 9600, receipt: 115200, document: 115200 };

const BAUDS = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600];
const devicePath = string({ max: 255, pattern: /^\/[^\s]*$/, hint: 'an absolute path like /dev/ttyUSB0' });
const hostName = string({ max: 253, pattern: /^[A-Za-z0-9.:_-]+$/, hint: 'a host name or IP address' });
const baud: Check<number> = (value, path) => {
  const n = integer(1, 4_000_000)(value, path);
  if (!BAUDS.includes(n)) throw new CheckError(path, `must be a standard baud rate (${BAUDS.join(', ')})`);
  return n;
};

const transport = variant('type', {
  serial: { path: devicePath, baud: optional(baud) },
  device: { path: devicePath },
  tcp: { host: hostName, port: optional(integer(1, 65535)) },
  hid: { vendorId: integer(0, 0xffff), productId: integer(0, 0xffff), layout: optional(oneOf(HID_LAYOUTS)) },
  cups: {
    queue: string({ max: 127, pattern: /^[A-Za-z0-9_.-]+$/, hint: 'a CUPS queue name (letters, digits, . _ -)' }),
    server: optional(string({ max: 260, pattern: /^[A-Za-z0-9.:_/-]+$/, hint: 'host[:port] or a socket path' })),
  },
}) as Check<TransportConfig>;

const optionsByKind: Record<DeviceKind, Check<unknown>> = {
  idcard: object({ fingerprint: optional(boolean()), replyTimeoutMs: optional(integer(50, 60_000)), statusPollMs: optional(integer(0, 600_000)) }),
  scanner: object({ suffix: optional(oneOf(['cr', 'crlf', 'lf'])), maxLength: optional(integer(1, 65_536)) }),
  receipt: object({ width: optional(oneOf([58, 80])), chineseMode: optional(boolean()), statusPollMs: optional(integer(0, 600_000)) }),
  document: object({ jobTimeoutMs: optional(integer(1000, 3_600_000)), statusPollMs: optional(integer(0, 600_000)) }),
};

const ID = string({ max: 32, pattern: /^[A-Za-z0-9][A-Za-z0-9_-]*$/, hint: 'letters, digits, - and _ (starting with a letter or digit)' });
const LABEL = string({ max: 100 });
const DEVICE_KEYS = ['id', 'kind', 'label', 'transport', 'options'];

function device(value: unknown, path: string): DeviceConfig {
  if (!isPlainObject(value)) throw new CheckError(path, value === undefined ? 'is missing' : `must be an object, not ${kindOf(value)}`);
  for (const key of Object.keys(value)) {
    if (!DEVICE_KEYS.includes(key)) throw new CheckError(`${path}.${key}`, `is not a known key (known: ${DEVICE_KEYS.join(', ')})`);
  }
  const id = ID(value.id, `${path}.id`);
  const kind = oneOf(DEVICE_KINDS)(value.kind, `${path}.kind`);
  const label = optional(LABEL)(value.label, `${path}.label`);
  const t = transport(value.transport, `${path}.transport`);
  if (!TRANSPORTS_BY_KIND[kind].includes(t.type)) {
    throw new CheckError(`${path}.transport.type`, `must be one of ${TRANSPORTS_BY_KIND[kind].join(', ')} for a ${kind} device`);
  }
  const options = optional(optionsByKind[kind])(value.options, `${path}.options`);
  return { id, kind, transport: t, ...(label !== undefined ? { label } : {}), ...(options !== undefined ? { options } : {}) } as DeviceConfig;
}

/** Checks a list of devices found at `path` (default "devices"); ids must be unique. */
export function parseDeviceList(value: unknown, path = 'devices'): DeviceConfig[] {
  try {
    const devices = array(device, { min: 0, max: MAX_DEVICES })(value, path);
    const seen = new Map<string, number>();
    devices.forEach((d, i) => {
      const first = seen.get(d.id);
      if (first !== undefined) throw new CheckError(`${path}[${i}].id`, `repeats the id "${d.id}" of ${path}[${first}]`);
      seen.set(d.id, i);
    });
    return devices;
  } catch (err) {
    throw toInputError(err);
  }
}

/** Checks `{ "devices": [...] }` (the device section of a configuration file). */
export function parseDevicesConfig(value: unknown): DevicesConfig {
  if (!isPlainObject(value)) throw new InputError('config.invalid', `device configuration must be an object, not ${kindOf(value)}`);
  for (const key of Object.keys(value)) {
    if (key !== 'devices') throw new InputError('config.invalid', `${key} is not a known key (known: devices)`);
  }
  return { devices: parseDeviceList(value.devices, 'devices') };
}

function toInputError(err: unknown): unknown {
  return err instanceof CheckError ? new InputError('config.invalid', err.message, { cause: err }) : err;
}

/** A one-line description of where a device is ("serial /dev/ttyUSB0 @115200", "cups Office"). */
export function describeTransport(t: TransportConfig, defaultBaud = 115200): string {
  switch (t.type) {
    case 'serial':
      return `serial ${t.path} @${t.baud ?? defaultBaud}`;
    case 'device':
      return `device ${t.path}`;
    case 'tcp':
      return `tcp ${t.host}:${t.port ?? 9100}`;
    case 'hid':
      return `hid ${hex4(t.vendorId)}:${hex4(t.productId)}${t.layout ? ` (${t.layout})` : ''}`;
    case 'cups':
      return `cups ${t.queue}${t.server ? ` on ${t.server}` : ''}`;
  }
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}
