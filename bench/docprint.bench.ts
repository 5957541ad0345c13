/**
 * Document printing through CUPS: the IPP codec decoding a real Get-Printer-Attributes reply (every
 * attribute CUPS has for a cups-pdf queue, collections included), a status question over IPP against
 * CUPS's own client (`lpstat -p`, a process per question, which is what a shell-out driver pays), and one
 * whole print of a one-page PDF (Print-Job, then Get-Job-Attributes until completed) on a private cupsd
 * with a cups-pdf queue. Needs root (the private cupsd).
 */
import { spawnSync } from 'node:child_process';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { decode, encode, attr, keyword } from '../drivers/docprint/ipp-codec.js';
import { IppClient, parseServer } from '../drivers/docprint/ipp-client.js';
import { DocumentPrinter } from '../drivers/docprint/printer.js';
import { PrivateCups } from '../drivers/test/helpers/cups.js';
import type { BenchModule } from './lib.js';

/** The raw bytes of a Get-Printer-Attributes reply with requested-attributes "all". */
async function fullReply(server: string, queue: string): Promise<Uint8Array> {
  const { host, port } = parseServer(server) as { host: string; port: number };
  const req = encode({
    version: { major: 1, minor: 1 },
    code: 0x000b,
    requestId: 1,
    groups: [
      {
        tag: 'operation',
        attributes: [
          attr('attributes-charset', { tag: 'charset', value: 'utf-8' }),
          attr('attributes-natural-language', { tag: 'naturalLanguage', value: 'en' }),
          attr('printer-uri', { tag: 'uri', value: `ipp://${host}:${port}/printers/${queue}` }),
          attr('requested-attributes', keyword('all')),
        ],
      },
    ],
  });
  const res = await fetch(`http://${host}:${port}/printers/${queue}`, { method: 'POST', headers: { 'content-type': 'application/ipp' }, body: req });
  return new Uint8Array(await res.arrayBuffer());
}

const bench: BenchModule = {
  description: 'document printing: IPP codec, a printer status question (ours vs lpstat), a whole print on a private cupsd',
  async run(b) {
    const cups = await PrivateCups.start();
    try {
      const queue = cups.addPdfQueue('TB_BENCH');
      const reply = await fullReply(cups.server, queue.name);
      const attrs = decode(reply).groups.flatMap((g) => g.attributes).length;
      const dec = await b.measure(`decode a Get-Printer-Attributes reply (${attrs} attributes, ${reply.length} bytes)`, () => decode(reply), { bytesPerOp: reply.length });
      b.limit('decode: median', dec.medianMs!, 'ms', { atMost: 1 });

      const client = new IppClient({ server: parseServer(cups.server) });
      const ours = await b.measure('printer status — tongban IPP client', () => client.getPrinterAttributes(queue.name), { minTimeMs: 1000 });
      const lpstat = await b.measure(
        'printer status — lpstat -p (CUPS client, one process)',
        () => {
          const r = spawnSync('lpstat', ['-h', cups.server, '-p', queue.name]);
          if (r.status !== 0) throw new Error('lpstat failed');
        },
        { minTimeMs: 1000 },
      );
      b.ratio('printer status: tongban / lpstat', ours, lpstat, 2);

      const doc = await PDFDocument.create();
      doc.addPage([595, 842]).drawText('benchmark page', { x: 50, y: 760, size: 16, font: await doc.embedFont(StandardFonts.Helvetica) });
      const pdf = await doc.save();
      const printer = new DocumentPrinter({ queue: queue.name, server: parseServer(cups.server), pollMs: 20 });
      const print = await b.measure('print a one-page PDF to completed (cups-pdf: pdftopdf, pdftops, gs)', () => printer.print(pdf, { timeoutMs: 30_000 }), {
        minTimeMs: 3000,
        warmupMs: 500,
      });
      b.limit('print to completed: median', print.medianMs!, 'ms', { atMost: 2000 });
      b.note('ops/s (cpu) of lpstat counts only this process, not the lpstat child, so the status ratio understates the gap (wall-clock: about 40x)');
      b.note('the print time is almost all cups-pdf (a PDF -> PostScript -> PDF round trip through Ghostscript); our side is two IPP requests and a poll every 20 ms');
    } finally {
      await cups.stop();
    }
  },
};
export default bench;
