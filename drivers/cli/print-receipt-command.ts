/** `tongban print receipt`: one receipt to an ESC/POS printer over serial, a device file or TCP. */
import { readFileSync } from 'node:fs';
import { booleanOption, integerOption, stringOption, writeJson, type Command } from '../../base/cli.js';
import { DeviceError, InputError, UsageError, messageOf } from '../../base/errors.js';
import { FileJobStore } from '../escpos/job-store.js';
import { ReceiptPrinter, type PrintResult } from '../escpos/printer.js';
import { PrintQueue } from '../escpos/queue.js';
import { parseReceipt, type Receipt } from '../escpos/receipt.js';
import type { PaperWidth } from '../escpos/text.js';
import { DeviceFileTransport } from '../transport/device-file.js';
import { SerialTransport } from '../transport/serial.js';
import { TcpTransport, parseHostPort } from '../transport/tcp.js';
import type { ByteTransport } from '../transport/types.js';

export const printReceiptCommand: Command = {
  name: 'receipt',
  summary: 'print a receipt (title, lines, QR code, footer) on an ESC/POS printer over serial, a device file or TCP',
  usage: '--port PATH|--device FILE|--tcp HOST:PORT --in RECEIPT.json [--width 58|80] [--json]',
  description: `RECEIPT.json: { "title": "...", "lines": ["..."], "qr": "...optional...", "footer": "...optional..." }
Richer forms: "rows": [{ "key": "受理编号", "value": "..." }], lines as { "text", "align", "bold", "large" },
"---" for a rule, "qrSize" 1..16, "cut": "full" | "partial". Text is sent as GB18030 in Chinese mode.
The printer's status is asked before and after the job: out of paper, cover open, offline or a cutter
error exits 3 with the reason (in Chinese and English). With --queue DIR a refused receipt is kept in DIR
and printed, before the new one, by the next run with the same --queue.`,
  options: {
    port: { type: 'string', valueName: 'PATH', description: 'serial port (e.g. /dev/ttyUSB0), 8N1' },
    device: { type: 'string', valueName: 'FILE', description: 'printer device file (e.g. /dev/usb/lp0)' },
    tcp: { type: 'string', valueName: 'HOST:PORT', description: 'network printer raw port (default port 9100)' },
    in: { type: 'string', valueName: 'RECEIPT.json', description: 'the receipt ("-" for standard input)' },
    width: { type: 'string', valueName: '58|80', description: 'paper width in mm (default 58: 32 columns; 80: 48)' },
    baud: { type: 'string', valueName: 'N', description: 'serial line speed (default 115200)' },
    timeout: { type: 'string', valueName: 'MS', description: 'how long to wait for a status reply (default 1500)' },
    queue: { type: 'string', valueName: 'DIR', description: 'keep refused receipts in DIR and print them first next time' },
    json: { type: 'boolean', description: 'print the result as JSON' },
  },
  async run(args, ctx) {
    const transport = transportFromArgs(args);
    const width = widthOption(stringOption(args, 'width'));
    const receipt = readReceipt(stringOption(args, 'in', true));
    const statusTimeoutMs = integerOption(args, 'timeout', 50, 60_000) ?? 1500;
    const printer = new ReceiptPrinter(transport, { width, statusTimeoutMs });
    const queueDir = stringOption(args, 'queue');
    try {
      await printer.open();
      let result: PrintResult | undefined;
      let jobId: string | undefined;
      if (queueDir) {
        const queue = new PrintQueue(printer, new FileJobStore(queueDir), { width });
        const outcome = await queue.submit(receipt, { width });
        await queue.stop();
        jobId = outcome.id;
        if (!outcome.printed) {
          throw new DeviceError(outcome.error.code, `receipt not printed: ${outcome.error.message}; kept as job ${outcome.id} in ${queueDir}`);
        }
      } else {
        try {
          result = await printer.print(receipt, { width });
        } catch (err) {
          if (err instanceof DeviceError) throw new DeviceError(err.code, `receipt not printed: ${err.message}`, { cause: err });
          throw err;
        }
      }
      const status = printer.status();
      if (booleanOption(args, 'json')) {
        writeJson(ctx, {
          printed: true,
          transport: transport.description,
          width,
          ...(jobId ? { jobId } : {}),
          ...(result ? { bytes: result.bytes } : {}),
          paper: status.paper,
          cover: status.cover,
        });
      } else {
        ctx.stdout.write(`printed receipt "${receipt.title}" on ${transport.description}${result ? ` (${result.bytes} bytes)` : ''}\n`);
        if (status.paper === 'nearEnd') ctx.stdout.write('note: 纸将尽 / paper near end\n');
      }
    } finally {
      await printer.close().catch(() => undefined);
    }
  },
};

function transportFromArgs(args: Parameters<NonNullable<Command['run']>>[0]): ByteTransport {
  const port = stringOption(args, 'port');
  const device = stringOption(args, 'device');
  const tcp = stringOption(args, 'tcp');
  const given = [port, device, tcp].filter((x) => x !== undefined).length;
  if (given !== 1) throw new UsageError('name the printer with exactly one of --port PATH, --device FILE, --tcp HOST:PORT', 'usage.missingOption');
  if (port !== undefined) return new SerialTransport({ path: port, baud: integerOption(args, 'baud', 1200, 4_000_000) ?? 115200 });
  if (device !== undefined) return new DeviceFileTransport({ path: device });
  const { host, port: tcpPort } = parseHostPort(tcp as string);
  return new TcpTransport({ host, port: tcpPort });
}

function widthOption(w: string | undefined): PaperWidth {
  if (w === undefined || w === '58') return 58;
  if (w === '80') return 80;
  throw new UsageError(`--width must be 58 or 80, not "${w}"`, 'usage.badValue');
}

function readReceipt(file: string): Receipt {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new InputError('input.unreadable', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? messageOf(err)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (err) {
    throw new InputError('input.json', `${file} is not valid JSON: ${messageOf(err)}`);
  }
  return parseReceipt(value);
}
