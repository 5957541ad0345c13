/**
 * The device commands of `tongban`: `id`, `scan`, `print`, `sim`, `doctor`. Each entry is lazy (its
 * module, with serialport or node-hid, loads only when named); the summaries here are what help shows and
 * must equal those of the loaded definitions (checked by test/readme.test.ts).
 */
import { lazyCommand, type Command } from '../../base/cli.js';

export const idCommand: Command = {
  name: 'id',
  summary: 'resident ID card readers (SAM protocol over serial)',
  subcommands: [
    lazyCommand('read', 'wait for an ID card on the reader and print it (resident, 港澳台 residence permit, foreigner)', async () => (await import('./idcard-commands.js')).idReadCommand),
    lazyCommand('watch', 'watch the ID card reader: one JSON line per event (card-inserted, card-read, card-removed, status) until stopped', async () => (await import('./idcard-commands.js')).idWatchCommand),
  ],
};

export const printCommand: Command = {
  name: 'print',
  summary: 'print receipts (ESC/POS) and documents (CUPS)',
  subcommands: [
    lazyCommand('pdf', 'print a PDF through CUPS (IPP) and wait until its job completed', async () => (await import('./print-pdf-command.js')).printPdfCommand),
    lazyCommand('receipt', 'print a receipt (title, lines, QR code, footer) on an ESC/POS printer over serial, a device file or TCP', async () => (await import('./print-receipt-command.js')).printReceiptCommand),
  ],
};

export const simCommand: Command = {
  name: 'sim',
  summary: 'simulated devices on virtual serial ports, speaking the real wire protocols',
  subcommands: [
    lazyCommand('idcard', 'simulate an ID card reader (SAM protocol) on a virtual serial port', async () => (await import('./idcard-commands.js')).simIdcardCommand),
    lazyCommand('printer', 'simulate an ESC/POS receipt printer on a virtual serial port, decoding what it prints', async () => (await import('./sim-printer-command.js')).simPrinterCommand),
    lazyCommand('scanner', 'simulate a serial QR/barcode scanner on a virtual serial port (stdin lines are scanned)', async () => (await import('./sim-scanner-command.js')).simScannerCommand),
  ],
};

export const doctorCommand: Command = lazyCommand(
  'doctor',
  'check the machine (serial ports, HID devices, CUPS queues) and the health of configured devices',
  async () => (await import('./doctor-command.js')).doctorCommand,
);

export const scanCommand: Command = lazyCommand(
  'scan',
  'read a QR/barcode scanner (serial or USB HID POS): one JSON line per code',
  async () => (await import('./scan-command.js')).scanCommand,
);

/** Top-level commands contributed by drivers/. */
export const driverCommands: Command[] = [idCommand, scanCommand, printCommand, simCommand, doctorCommand];
