/**
 * `tongban scan`: read a QR/barcode scanner, serial (`--port`) or USB HID POS (`--hid VID:PID`), and print
 * one JSON line per code: { "text", "symbology"?, "aim"?, "at", "source" }.
 */
import { existsSync } from 'node:fs';
import { booleanOption, integerOption, stringOption, type Command, type CommandContext } from '../../base/cli.js';
import { UsageError } from '../../base/errors.js';
import { HidScannerReader, openHidDevice, parseVidPid } from '../scanner/hid-reader.js';
import { HID_LAYOUTS, layoutForVendor, type HidLayout } from '../scanner/hid-report.js';
import { SUFFIXES, type Suffix } from '../scanner/serial-decoder.js';
import { SerialScannerReader } from '../scanner/serial-reader.js';
import type { ScannerReader } from '../scanner/status.js';
import { ScannerError, type ScanCode } from '../scanner/types.js';
import { SerialTransport } from '../transport/serial.js';

const DESCRIPTION = `Serial scanners (and USB virtual COM ports) send each code followed by a suffix: CR by factory
default (--suffix). A partial code with no byte for 100 ms is dropped, and a run longer than
--max-length bytes without a suffix is discarded; both are reported on stderr and reading goes on.
HID POS scanners are read through node-hid (it needs hidraw / libusb-1.0 at run time); the report
layout follows the vendor id (0C2E Honeywell, 1EAB Newland) unless --layout says otherwise.
A pulled scanner is reported on stderr and read again when it comes back. Exits 0 after --count codes;
otherwise runs until Ctrl-C. No such port or HID device: exit 3.`;

export const scanCommand: Command = {
  name: 'scan',
  summary: 'read a QR/barcode scanner (serial or USB HID POS): one JSON line per code',
  usage: '--port PATH [--suffix cr|crlf|lf] [--count N] [--baud N] | --hid VID:PID [--layout honeywell|newland]',
  description: DESCRIPTION,
  options: {
    port: { type: 'string', valueName: 'PATH', description: 'serial port of the scanner (e.g. /dev/ttyACM0)' },
    suffix: { type: 'string', valueName: 'SUFFIX', description: 'what ends each code: cr (default), crlf or lf' },
    baud: { type: 'string', valueName: 'N', description: 'serial line speed (default 9600, the scanners\' factory setting)' },
    hid: { type: 'string', valueName: 'VID:PID', description: 'a USB HID POS scanner, ids in hex (e.g. 0c2e:0b61)' },
    layout: { type: 'string', valueName: 'LAYOUT', description: 'HID report layout: honeywell or newland (default: from the vendor id)' },
    'no-report-id': { type: 'boolean', description: 'HID reports come without their report id byte (offsets one lower)' },
    'feature-report': { type: 'string', valueName: 'HEX', description: 'send this HID feature report after opening (Honeywell: fe01)' },
    'max-length': { type: 'string', valueName: 'N', description: 'longest code accepted, in bytes (default 7168)' },
    count: { type: 'string', valueName: 'N', description: 'exit after N codes (default: run until stopped)' },
  },
  async run(args, ctx) {
    const port = stringOption(args, 'port');
    const hid = stringOption(args, 'hid');
    if ((port === undefined) === (hid === undefined)) throw new UsageError('give either --port PATH or --hid VID:PID', 'usage.missingOption');
    const count = integerOption(args, 'count', 1, 1_000_000);
    const maxLength = integerOption(args, 'max-length', 1, 1 << 20);
    let reader: ScannerReader;
    if (port !== undefined) {
      if (stringOption(args, 'layout') !== undefined || stringOption(args, 'feature-report') !== undefined) {
        throw new UsageError('--layout and --feature-report are for --hid scanners', 'usage.badOption');
      }
      const suffix = stringOption(args, 'suffix') ?? 'cr';
      if (!(SUFFIXES as readonly string[]).includes(suffix)) throw new UsageError(`--suffix must be cr, crlf or lf, not "${suffix}"`, 'usage.badValue');
      if (!existsSync(port)) throw new ScannerError('device.notFound', `no serial port at ${port} (is the scanner plugged in?)`);
      const baud = integerOption(args, 'baud', 1, 4_000_000) ?? 9600;
      reader = new SerialScannerReader(new SerialTransport({ path: port, baud }), { suffix: suffix as Suffix, ...(maxLength ? { maxLength } : {}) });
    } else {
      const ids = parseVidPid(hid!);
      if (!ids) throw new UsageError(`--hid takes VID:PID in hex (e.g. 0c2e:0b61), not "${hid}"`, 'usage.badValue');
      if (stringOption(args, 'suffix') !== undefined || stringOption(args, 'baud') !== undefined) {
        throw new UsageError('--suffix and --baud are for --port scanners', 'usage.badOption');
      }
      const layoutName = stringOption(args, 'layout') ?? layoutForVendor(ids.vendorId);
      if (layoutName === undefined) {
        throw new UsageError(`no HID POS layout is known for vendor ${hid!.split(':')[0]}; choose one with --layout honeywell|newland`, 'usage.missingOption');
      }
      if (!(HID_LAYOUTS as readonly string[]).includes(layoutName)) throw new UsageError(`--layout must be honeywell or newland, not "${layoutName}"`, 'usage.badValue');
      const feature = stringOption(args, 'feature-report');
      if (feature !== undefined && !/^([0-9a-fA-F]{2})+$/.test(feature)) throw new UsageError(`--feature-report takes hex bytes (e.g. fe01), not "${feature}"`, 'usage.badValue');
      reader = new HidScannerReader(() => openHidDevice(ids.vendorId, ids.productId), {
        ...ids,
        layout: layoutName as HidLayout,
        reportId: !booleanOption(args, 'no-report-id'),
        ...(maxLength ? { maxLength } : {}),
        ...(feature ? { featureReport: Uint8Array.from(Buffer.from(feature, 'hex')) } : {}),
      });
    }
    await readCodes(reader, count, ctx);
  },
};

async function readCodes(reader: ScannerReader, count: number | undefined, ctx: CommandContext): Promise<void> {
  let seen = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  reader.onCode((c: ScanCode) => {
    if (count !== undefined && seen >= count) return;
    seen++;
    const line = { text: c.text, ...(c.symbology ? { symbology: c.symbology } : {}), ...(c.aim ? { aim: c.aim } : {}), at: c.at, source: c.source };
    ctx.stdout.write(JSON.stringify(line) + '\n');
    if (count !== undefined && seen >= count) done();
  });
  reader.onError((e) => ctx.stderr.write(`tongban scan: ${e.code}: ${e.message}\n`));
  let lost = false; // "back online" only after it was lost, not when it first opens
  reader.onStatus((s) => {
    if (s.state === 'unplugged' || s.state === 'error') {
      lost = true;
      ctx.stderr.write(`tongban scan: scanner ${s.state}${s.detail ? ` (${s.detail})` : ''}; waiting for it to come back\n`);
    } else if (s.state === 'online' && lost) {
      lost = false;
      ctx.stderr.write('tongban scan: scanner back online\n');
    }
  });
  await reader.open();
  ctx.stderr.write(`tongban scan: reading ${reader.source}\n`);
  const onStop = (): void => done();
  if (ctx.stopSignal.aborted) done();
  ctx.stopSignal.addEventListener('abort', onStop, { once: true });
  // The reader's reconnect timer does not hold the process open (a library must not keep its host
  // alive); while the scanner is pulled, this does, so that `scan` waits for it to come back.
  const keepAlive = setInterval(() => undefined, 60_000);
  try {
    await finished;
  } finally {
    clearInterval(keepAlive);
    ctx.stopSignal.removeEventListener('abort', onStop);
    await reader.close();
  }
}
