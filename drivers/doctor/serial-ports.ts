/**
 * Serial ports on this machine, found WITHOUT serialport's SerialPort.list() unless `udevadm` is on PATH:
 * on machines without it, list() spawns udevadm and the spawn failure surfaces as an uncaught exception
 * that kills the process. So we enumerate the device nodes ourselves: /dev/serial/by-id (stable names of
 * USB adapters), /dev/ttyUSB*, /dev/ttyACM*, and /dev/ttyS* (built-in UARTs, only those /sys says have a
 * UART behind them).
 */
import { existsSync, readFileSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

export interface SerialPortInfo {
  path: string;
  /** /dev/serial/by-id names pointing at this port. */
  byId: string[];
  kind: 'usb-serial' | 'usb-acm' | 'uart' | 'other';
  /** From udev (only when SerialPort.list() could be used). */
  manufacturer?: string;
  vendorId?: string;
  productId?: string;
}

export interface SerialEnumOptions {
  /** Root of /dev (tests point it at a temp dir). */
  devDir?: string;
  /** Root of /sys/class/tty. */
  sysTtyDir?: string;
}

const PATTERNS: [RegExp, SerialPortInfo['kind']][] = [
  [/^ttyUSB\d+$/, 'usb-serial'],
  [/^ttyACM\d+$/, 'usb-acm'],
  [/^ttyS\d+$/, 'uart'],
];

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * The kernel makes /dev/ttyS0-31 whether or not a UART is there; /sys/class/tty/NAME/type is 0
 * (PORT_UNKNOWN) for the empty ones. Without /sys to ask, list the node.
 */
function uartPresent(sysTtyDir: string, name: string): boolean {
  try {
    return readFileSync(join(sysTtyDir, name, 'type'), 'utf8').trim() !== '0';
  } catch {
    return !existsSync(join(sysTtyDir, name));
  }
}

export function enumerateSerialPorts(options: SerialEnumOptions = {}): SerialPortInfo[] {
  const devDir = options.devDir ?? '/dev';
  const sysTtyDir = options.sysTtyDir ?? '/sys/class/tty';
  const ports = new Map<string, SerialPortInfo>();
  for (const name of list(devDir).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))) {
    const kind = PATTERNS.find(([re]) => re.test(name))?.[1];
    if (!kind) continue;
    if (kind === 'uart' && !uartPresent(sysTtyDir, name)) continue;
    ports.set(join(devDir, name), { path: join(devDir, name), byId: [], kind });
  }
  const byIdDir = join(devDir, 'serial', 'by-id');
  for (const link of list(byIdDir).sort()) {
    const linkPath = join(byIdDir, link);
    let target: string;
    try {
      target = realpathSync(linkPath);
    } catch {
      try {
        target = resolve(byIdDir, readlinkSync(linkPath));
      } catch {
        continue;
      }
    }
    const known = ports.get(target) ?? [...ports.values()].find((p) => resolve(p.path) === target);
    if (known) known.byId.push(linkPath);
    else ports.set(target, { path: target, byId: [linkPath], kind: 'other' });
  }
  return [...ports.values()];
}

export function onPath(program: string, pathVar = process.env.PATH ?? ''): boolean {
  return pathVar.split(delimiter).some((d) => d && existsSync(join(d, program)));
}

/**
 * The ports with udev's details when SerialPort.list() is safe to call (udevadm present), else the
 * enumeration alone. Never throws.
 */
export async function serialPorts(options: SerialEnumOptions = {}): Promise<{ ports: SerialPortInfo[]; source: 'udev' | 'dev' }> {
  const ports = enumerateSerialPorts(options);
  if (options.devDir || !onPath('udevadm')) return { ports, source: 'dev' };
  try {
    const { SerialPort } = await import('serialport');
    for (const p of await SerialPort.list()) {
      const known = ports.find((x) => x.path === p.path);
      const extra = {
        ...(p.manufacturer ? { manufacturer: p.manufacturer } : {}),
        ...(p.vendorId ? { vendorId: p.vendorId } : {}),
        ...(p.productId ? { productId: p.productId } : {}),
      };
      if (known) Object.assign(known, extra);
      else ports.push({ path: p.path, byId: [], kind: 'other', ...extra });
    }
    return { ports, source: 'udev' };
  } catch {
    return { ports, source: 'dev' };
  }
}
