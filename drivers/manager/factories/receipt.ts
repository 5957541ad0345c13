/**
 * The receipt printer as a service (Printer interface): drivers/escpos's ReceiptPrinter over a serial port,
 * a device file (/dev/usb/lp*) or TCP 9100.
 *
 * The printer's state is polled while idle (options.statusPollMs, default 2 s; 0: only around jobs), so
 * that paper running out or a cover opened becomes an unsolicited StatusChangedEvent before anyone tries
 * to print. A print the printer refuses completes commandErrorCode with the driver's code
 * (printer.paperOut, printer.coverOpen, ...); the client keeps its job and prints it again once a
 * StatusChangedEvent says the printer is back (the agent's print-job table; drivers/escpos's PrintQueue
 * does the same for a program without one).
 */
import { ReceiptPrinter, type PrintResult } from '../../escpos/printer.js';
import type { Receipt } from '../../escpos/receipt.js';
import { DEFAULT_BAUD } from '../../config.js';
import { DeviceFileTransport } from '../../transport/device-file.js';
import { SerialTransport } from '../../transport/serial.js';
import { TcpTransport } from '../../transport/tcp.js';
import type { ByteTransport } from '../../transport/types.js';
import type { DeviceFactory, ManagedDevice } from '../device.js';
import { idlePoller } from './idle-poll.js';

const DEFAULT_POLL_MS = 2000;

function resultPayload(r: PrintResult): Record<string, unknown> {
  return { bytes: r.bytes, paperNearEnd: r.paperNearEnd };
}

export const receiptFactory: DeviceFactory = (config, env) => {
  if (config.kind !== 'receipt') throw new Error(`${config.id}: not a receipt printer`);
  const t = config.transport;
  let transport: ByteTransport;
  if (t.type === 'serial') transport = new SerialTransport({ path: t.path, baud: t.baud ?? DEFAULT_BAUD.receipt });
  else if (t.type === 'device') transport = new DeviceFileTransport({ path: t.path });
  else if (t.type === 'tcp') transport = new TcpTransport({ host: t.host, ...(t.port ? { port: t.port } : {}) });
  else throw new Error(`${config.id}: a receipt printer cannot sit on a ${(t as { type: string }).type} transport`);
  const options = config.options ?? {};
  const width = options.width ?? 58;
  const printer = new ReceiptPrinter(transport, { width, log: env.log });
  const pollMs = options.statusPollMs ?? DEFAULT_POLL_MS;
  const poller = idlePoller({ pollMs, isOpen: () => transport.isOpen, query: () => printer.queryStatus() });
  const job = poller.job;

  const device: ManagedDevice = {
    description: transport.description,
    open: async () => {
      await printer.open();
      poller.start();
    },
    close: async () => {
      poller.stop();
      await printer.close();
    },
    status: () => printer.status(),
    onStatus: (l) => printer.onStatus(l),
    capabilities: () => ({ type: 'ESC/POS receipt printer', width, qr: true, chinese: true }),
    commands: {
      'Printer.PrintForm': (payload, ctx) =>
        job(async () => resultPayload(await printer.print(payload.receipt as Receipt, { signal: ctx.signal, width }))),
      'Printer.PrintRaw': (payload, ctx) =>
        job(async () => {
          return resultPayload(await printer.printBytes(payload.data as Uint8Array, { signal: ctx.signal }));
        }),
    },
  };
  return device;
};
