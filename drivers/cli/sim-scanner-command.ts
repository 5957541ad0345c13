/** `tongban sim scanner`: a serial QR/barcode scanner on a virtual serial port; each stdin line is scanned. */
import { createInterface } from 'node:readline';
import { integerOption, stringOption, type Command } from '../../base/cli.js';
import { UsageError, messageOf } from '../../base/errors.js';
import { SUFFIXES, type Suffix } from '../scanner/serial-decoder.js';
import { DEFAULT_SCANNER_BAUD, ScannerSim } from '../sim/scanner-sim.js';

const DESCRIPTION = `Makes a pty at --link that behaves like a serial scanner: open it with "tongban scan --port PATH"
(or any serial program). Every line read from stdin is "scanned": its text is sent followed by the
suffix, paced at --baud (default ${DEFAULT_SCANNER_BAUD}, the factory speed of common scanners; 0: unpaced).
Type codes and press Enter, or pipe a file of codes. Empty lines are skipped. Lines starting with "!"
are commands: "!unplug", "!plug", "!garbage HEX" (raw bytes, e.g. !garbage 00ff0d). When stdin ends the
simulator keeps the port until stopped (Ctrl-C or SIGTERM).`;

export const simScannerCommand: Command = {
  name: 'scanner',
  summary: 'simulate a serial QR/barcode scanner on a virtual serial port (stdin lines are scanned)',
  usage: '--link PATH [--suffix cr|crlf|lf] [--baud N] [--encoding utf-8|gb18030]',
  description: DESCRIPTION,
  options: {
    link: { type: 'string', valueName: 'PATH', description: 'where the virtual serial port appears (a symlink to the pty)' },
    suffix: { type: 'string', valueName: 'SUFFIX', description: 'what follows each code: cr (default), crlf or lf' },
    baud: { type: 'string', valueName: 'N', description: `line speed the bytes are paced to (default ${DEFAULT_SCANNER_BAUD}; 0: unpaced)` },
    encoding: { type: 'string', valueName: 'ENC', description: 'how text is sent: utf-8 (default) or gb18030' },
  },
  async run(args, ctx) {
    const link = stringOption(args, 'link', true);
    const suffix = stringOption(args, 'suffix') ?? 'cr';
    if (!(SUFFIXES as readonly string[]).includes(suffix)) throw new UsageError(`--suffix must be cr, crlf or lf, not "${suffix}"`, 'usage.badValue');
    const encoding = stringOption(args, 'encoding') ?? 'utf-8';
    if (encoding !== 'utf-8' && encoding !== 'gb18030') throw new UsageError(`--encoding must be utf-8 or gb18030, not "${encoding}"`, 'usage.badValue');
    const baud = integerOption(args, 'baud', 0, 4_000_000) ?? DEFAULT_SCANNER_BAUD;
    const sim = new ScannerSim({ link, suffix: suffix as Suffix, baud });
    await sim.start();
    ctx.stdout.write(`scanner simulator ready: ${sim.path} (${baud || 'unpaced'} baud, suffix ${suffix}); type a code and Enter to scan it\n`);
    // One line at a time, in order: a scan takes its wire time.
    let chain = Promise.resolve();
    const rl = createInterface({ input: process.stdin });
    rl.on('line', (line) => {
      chain = chain.then(async () => {
        try {
          const msg = await simLine(sim, line, encoding);
          if (msg) ctx.stdout.write(msg + '\n');
        } catch (err) {
          ctx.stderr.write(`tongban sim scanner: ${messageOf(err)}\n`);
        }
      });
    });
    await new Promise<void>((resolve) => {
      if (ctx.stopSignal.aborted) resolve();
      ctx.stopSignal.addEventListener('abort', () => resolve(), { once: true });
    });
    rl.close();
    await sim.stop();
  },
};

async function simLine(sim: ScannerSim, line: string, encoding: 'utf-8' | 'gb18030'): Promise<string | undefined> {
  const text = line.replace(/\r$/, '');
  if (text.length === 0) return undefined;
  if (text.startsWith('!')) {
    const [verb, arg] = text.slice(1).trim().split(/\s+/);
    if (verb === 'unplug') {
      await sim.unplug();
      return 'unplugged';
    }
    if (verb === 'plug') {
      await sim.plugIn();
      return 'plugged in';
    }
    if (verb === 'garbage' && arg && /^([0-9a-fA-F]{2})+$/.test(arg)) {
      await sim.garbage(Uint8Array.from(Buffer.from(arg, 'hex')));
      return `sent ${arg.length / 2} raw bytes`;
    }
    throw new UsageError(`unknown command "${text}" (commands: !unplug, !plug, !garbage HEX)`);
  }
  await sim.scan(text, { encoding });
  return `scanned: ${text}`;
}
