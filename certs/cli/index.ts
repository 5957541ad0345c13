/**
 * `tongban certs ...`: the command group of certs/. Each subcommand's module is loaded only when the
 * command line names it (pdf-lib and the fonts are heavy); the summaries here are what help shows.
 */
import { lazyCommand, type Command } from '../../base/cli.js';

export const certsCommand: Command = {
  name: 'certs',
  summary: 'national-standard e-seals: SM2 keys and certificates, seals, sealed PDFs',
  subcommands: [
    lazyCommand('keygen', 'generate an SM2 key pair (PKCS#8 private key, SPKI public key, PEM)', async () => (await import('./key-commands.js')).keygenCommand),
    lazyCommand('cert', 'issue an SM2 X.509 certificate (self-signed when no CA is given)', async () => (await import('./key-commands.js')).certCommand),
    lazyCommand('sign', 'sign a file with SM2 (SM3, DER signature)', async () => (await import('./key-commands.js')).signCommand),
    lazyCommand('verify-sig', 'verify an SM2 signature of a file (exit 0 valid, 1 invalid, 2 unreadable)', async () => (await import('./key-commands.js')).verifySigCommand),
    lazyCommand('demo-pki', 'write the demo PKI: root CA, seal maker and department signers, with keys', async () => (await import('./demo-pki-command.js')).demoPkiCommand),
    lazyCommand('seal', 'electronic seals (GB/T 38540): create, show, add', async () => {
      const [seal, pdf] = await Promise.all([import('./seal-commands.js'), import('./pdf-commands.js')]);
      return seal.sealCommand([pdf.sealAddCommand]);
    }),
    lazyCommand('templates', 'list the certificate templates, or print example data for one', async () => (await import('./template-commands.js')).templatesCommand),
    lazyCommand('issue', 'render a certificate from a template and seal it (sealed PDF)', async () => (await import('./pdf-commands.js')).issueCommand),
    lazyCommand('verify', 'verify the seals of a PDF (exit 0 all valid and trusted, 1 not, 2 unreadable or unsealed)', async () => (await import('./pdf-commands.js')).verifyCommand),
  ],
};
