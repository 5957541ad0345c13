/**
 * The device commands of `tongban`: `id`, `scan`, `print`, `sim`, `doctor`. Each entry is lazy (its
 * module, with serialport or node-hid, loads only when named); the summaries here are what help shows and
 * must equal those of the loaded definitions (checked by test/readme.test.ts).
 */
import { lazyCommand, type Command } from '../../base/cli.js';

export const idCommand: Command = {
  name: 'id',
  summary: 'resident ID card readers (SAM protocol over serial)',
  subcommands: [],
};

export const printCommand: Command = {
  name: 'print',
  summary: 'print receipts (ESC/POS) and documents (CUPS)',
  subcommands: [
    lazyCommand('pdf', 'print a PDF through CUPS (IPP) and wait until its job completed', async () => (await import('./print-pdf-command.js')).printPdfCommand),
  ],
};

export const simCommand: Command = {
  name: 'sim',
  summary: 'simulated devices on virtual serial ports, speaking the real wire protocols',
  subcommands: [],
};

/** Top-level commands contributed by drivers/. */
export const driverCommands: Command[] = [idCommand, printCommand, simCommand];
