/** `tongban sim printer`: an ESC/POS receipt printer on a virtual serial port (and optionally TCP). */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { integerOption, stringOption, type Command, type CommandContext } from '../../base/cli.js';
import { EnvironmentError, UsageError, messageOf } from '../../base/errors.js';
import type { DecodedReceipt } from '../escpos/decode.js';
import { PrinterSim } from '../sim/printer-sim.js';

export const simPrinterCommand: Command = {
  name: 'printer',
  summary: 'simulate an ESC/POS receipt printer on a virtual serial port, decoding what it prints',
  usage: '--link PATH [--out DIR] [--tcp PORT] [--paper ok|nearEnd|out] [--baud N]',
  description: `Makes a pty at PATH that plays an ESC/POS printer (Chinese mode at power-on, GB18030 text): it
decodes what it receives into text lines and QR payloads, answers DLE EOT 1-4 and GS r 1 from its
state, and prints one JSON line per receipt (between cuts). With --out DIR each receipt is also written
as DIR/receipt-NNNN.txt and .json. With --tcp PORT it also listens on 127.0.0.1:PORT like a network
printer's port 9100. Prints "printer simulator ready: PATH". Plays until Ctrl-C or SIGTERM.

Commands on standard input, one a line: paper ok|nearEnd|out, runout N (the paper runs out after N
more printed lines), cover open|closed, cutter error|ok, offline (answers nothing), online, unplug, plug.`,
  options: {
    link: { type: 'string', valueName: 'PATH', description: 'where the virtual serial port appears (a symlink to the pty)' },
    out: { type: 'string', valueName: 'DIR', description: 'write each receipt as text and JSON into DIR' },
    tcp: { type: 'string', valueName: 'PORT', description: 'also listen on 127.0.0.1:PORT (0: any free port)' },
    paper: { type: 'string', valueName: 'STATE', description: 'paper at start: ok, nearEnd or out (default ok)' },
    baud: { type: 'string', valueName: 'N', description: 'line speed the replies are paced to (default 115200; 0: unpaced)' },
  },
  async run(args, ctx) {
    const link = stringOption(args, 'link', true);
    const out = stringOption(args, 'out');
    const tcpPort = integerOption(args, 'tcp', 0, 65535);
    const paper = stringOption(args, 'paper') ?? 'ok';
    if (paper !== 'ok' && paper !== 'nearEnd' && paper !== 'out') throw new UsageError(`--paper must be ok, nearEnd or out, not "${paper}"`, 'usage.badValue');
    const baud = integerOption(args, 'baud', 0, 4_000_000) ?? 115200;
    if (out) {
      try {
        mkdirSync(out, { recursive: true });
      } catch (err) {
        throw new EnvironmentError('env.outDir', `cannot create ${out}: ${messageOf(err)}`);
      }
    }
    const sim = await PrinterSim.start({ link, baud, ...(tcpPort !== undefined ? { tcpPort } : {}) });
    sim.setPaper(paper);
    let n = out ? readdirSync(out).filter((f) => /^receipt-\d+\.txt$/.test(f)).length : 0;
    sim.onReceipt((r) => {
      n++;
      ctx.stdout.write(JSON.stringify({ type: 'receipt', n, ...summary(r), ...(out ? { file: writeReceipt(out, n, r) } : {}) }) + '\n');
    });
    ctx.stdout.write(`printer simulator ready: ${sim.path}${sim.tcpPort !== undefined ? ` tcp 127.0.0.1:${sim.tcpPort}` : ''}\n`);
    const rl = createInterface({ input: process.stdin });
    rl.on('line', (line) => {
      void simPrinterLine(sim, line).then(
        (msg) => msg && ctx.stdout.write(JSON.stringify({ type: 'ok', msg }) + '\n'),
        (err: unknown) => ctx.stderr.write(`tongban sim printer: ${messageOf(err)}\n`),
      );
    });
    await stopped(ctx);
    rl.close();
    await sim.stop();
  },
};

function summary(r: DecodedReceipt): { title: string; lines: number; qr: readonly string[]; cut: string } {
  const first = r.lines.find((l) => l.text.trim() !== '');
  return { title: first?.text.trim() ?? '', lines: r.lines.length, qr: r.qr, cut: r.cut };
}

function writeReceipt(dir: string, n: number, r: DecodedReceipt): string {
  const base = join(dir, `receipt-${String(n).padStart(4, '0')}`);
  writeFileSync(`${base}.txt`, r.text + '\n');
  writeFileSync(`${base}.json`, JSON.stringify({ lines: r.lines.map(({ segments: _s, ...l }) => l), qr: r.qr, cut: r.cut }, null, 2) + '\n');
  return `${base}.txt`;
}

/** One stdin command; returns a confirmation. */
export async function simPrinterLine(sim: PrinterSim, line: string): Promise<string | undefined> {
  const [verb, arg] = line.trim().split(/\s+/);
  switch (verb) {
    case undefined:
    case '':
      return undefined;
    case 'paper':
      if (arg !== 'ok' && arg !== 'nearEnd' && arg !== 'out') throw new UsageError('paper ok|nearEnd|out');
      sim.setPaper(arg);
      return `paper ${arg}`;
    case 'cover':
      if (arg === 'open') sim.openCover();
      else if (arg === 'closed' || arg === 'close') sim.closeCover();
      else throw new UsageError('cover open|closed');
      return `cover ${arg}`;
    case 'cutter':
      if (arg !== 'error' && arg !== 'ok') throw new UsageError('cutter error|ok');
      sim.setCutterError(arg === 'error');
      return `cutter ${arg}`;
    case 'runout': {
      if (!arg || !/^\d{1,6}$/.test(arg)) throw new UsageError('runout N: the paper runs out after N more printed lines');
      sim.runOutOfPaperAfter(Number(arg));
      return `runout ${arg}`;
    }
    case 'offline':
      sim.setOnline(false);
      return 'offline';
    case 'online':
      sim.setOnline(true);
      return 'online';
    case 'unplug':
      await sim.unplug();
      return 'unplugged';
    case 'plug':
      await sim.plugIn();
      return existsSync(sim.path ?? '') ? 'plugged in' : 'plug failed';
    default:
      throw new UsageError(`unknown command "${verb}" (paper, runout, cover, cutter, offline, online, unplug, plug)`);
  }
}

function stopped(ctx: CommandContext): Promise<void> {
  return new Promise<void>((resolve) => {
    if (ctx.stopSignal.aborted) resolve();
    ctx.stopSignal.addEventListener('abort', () => resolve(), { once: true });
  });
}
