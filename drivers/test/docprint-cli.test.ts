/**
 * `tongban print pdf` as a user runs it (the built executable) against a private cupsd with a cups-pdf
 * queue. Needs `npm run build` first.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tongban } from '../../test/helpers/cli.js';
import { IppClient, parseServer } from '../docprint/ipp-client.js';
import { PrivateCups, freePort, pdfText, type PdfQueue } from './helpers/cups.js';

let cups: PrivateCups;
let queue: PdfQueue;
let pdfPath: string;

beforeAll(async () => {
  cups = await PrivateCups.start();
  queue = cups.addPdfQueue('TB_CLI');
  const doc = await PDFDocument.create();
  doc.addPage([595, 842]).drawText('Printed by the tongban CLI', { x: 50, y: 760, size: 16, font: await doc.embedFont(StandardFonts.Helvetica) });
  pdfPath = join(cups.dir, 'cli.pdf');
  writeFileSync(pdfPath, await doc.save());
});
afterAll(async () => {
  await cups?.stop();
});

describe('tongban print pdf', () => {
  it('prints, waits for completed, and reports the job id', () => {
    const r = tongban(['print', 'pdf', '--printer', queue.name, '--server', cups.server, pdfPath]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^job (\\d+) submitted to ${queue.name}\\njob \\1 completed on ${queue.name} \\(\\d+ ms\\)\\n$`));
    expect(pdfText(queue.newestPdf()!)).toContain('Printed by the tongban CLI');
  });

  it('--json gives the job as JSON; the server may come from $CUPS_SERVER as for lp', () => {
    const r = tongban(['print', 'pdf', '--printer', queue.name, '--json', pdfPath], { env: { CUPS_SERVER: cups.server } });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { jobId: number; state: string; queue: string };
    expect(out).toMatchObject({ state: 'completed', queue: queue.name });
    expect(out.jobId).toBeGreaterThan(0);
  });

  it('a stopped printer: exit 3 with the reason, nothing submitted', async () => {
    const q = cups.addPdfQueue('TB_CLI_STOP');
    await new IppClient({ server: parseServer(cups.server) }).pausePrinter(q.name);
    const r = tongban(['print', 'pdf', '--printer', q.name, '--server', cups.server, pdfPath]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^tongban: printer ${q.name} is stopped: paused .*\\n$`));
  });

  it('an unknown queue, and CUPS unreachable: exit 3, one line', async () => {
    const r1 = tongban(['print', 'pdf', '--printer', 'NOPE', '--server', cups.server, pdfPath]);
    expect(r1.code).toBe(3);
    expect(r1.stderr).toMatch(/^tongban: no printer queue "NOPE" on CUPS at 127\.0\.0\.1:\d+ .*\n$/);
    const port = await freePort();
    const r2 = tongban(['print', 'pdf', '--printer', 'X', '--server', `127.0.0.1:${port}`, pdfPath]);
    expect(r2.code).toBe(3);
    expect(r2.stderr).toMatch(/^tongban: CUPS is not reachable at 127\.0\.0\.1:\d+ \(ECONNREFUSED\); is cupsd running\?\n$/);
  });

  it('a missing file or one that is not a PDF: exit 2; bad options: exit 2', () => {
    const missing = tongban(['print', 'pdf', '--printer', queue.name, '--server', cups.server, join(cups.dir, 'nope.pdf')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read .*nope\.pdf: ENOENT/);
    const text = join(cups.dir, 'note.txt');
    writeFileSync(text, 'just text');
    const notPdf = tongban(['print', 'pdf', '--printer', queue.name, '--server', cups.server, text]);
    expect(notPdf.code).toBe(2);
    expect(notPdf.stderr).toMatch(/is not a PDF/);
    expect(tongban(['print', 'pdf', pdfPath]).stderr).toMatch(/missing required option --printer/);
    expect(tongban(['print', 'pdf', '--printer', 'Q', '--server', 'a b', pdfPath]).code).toBe(2);
    expect(tongban(['print', 'pdf', '--printer', 'Q', '--timeout', 'soon', pdfPath]).code).toBe(2);
  });
});
