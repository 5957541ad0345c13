/**
 * `tongban certs ...`: the command group of certs/. Each part of certs/ adds its commands to the list.
 */
import type { Command } from '../../base/cli.js';
import { demoPkiCommand } from './demo-pki-command.js';
import { certCommand, keygenCommand, signCommand, verifySigCommand } from './key-commands.js';
import { issueCommand, sealAddCommand, verifyCommand } from './pdf-commands.js';
import { sealCommand } from './seal-commands.js';
import { templatesCommand } from './template-commands.js';

export const certsCommand: Command = {
  name: 'certs',
  summary: 'national-standard e-seals: SM2 keys and certificates, seals, sealed PDFs',
  subcommands: [
    keygenCommand,
    certCommand,
    signCommand,
    verifySigCommand,
    demoPkiCommand,
    sealCommand([sealAddCommand]),
    templatesCommand,
    issueCommand,
    verifyCommand,
  ],
};
