/**
 * DocumentPrinter against a real, private cupsd with cups-pdf queues: the printed PDF is found in the
 * queue's output dir and its text read back with pdftotext.
 */
import fontkit from '@pdf-lib/fontkit';
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceError, InputError } from '../../base/errors.js';
import { IppClient, parseServer } from '../docprint/ipp-client.js';
import { DocumentPrinter, type DocumentPrinterEvent } from '../docprint/printer.js';
import { PrivateCups, freePort, pdfText, type PdfQueue } from './helpers/cups.js';

const ASCII_LINE = 'Tongban certificate 4711 printed through CUPS';
const CHINESE_LINE = '不动产登记证明';

async function makePdf(withChinese: boolean): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([595, 842]);
  page.drawText(ASCII_LINE, { x: 50, y: 760, size: 16, font: await doc.embedFont(StandardFonts.Helvetica) });
  if (withChinese) {
    doc.registerFontkit(fontkit);
    const path = createRequire(import.meta.url).resolve('@expo-google-fonts/noto-serif-sc/400Regular/NotoSerifSC_400Regular.ttf');
    const font = await doc.embedFont(readFileSync(path), { subset: true });
    page.drawText(CHINESE_LINE, { x: 50, y: 720, size: 20, font });
  }
  return doc.save();
}

let cups: PrivateCups;
let queue: PdfQueue;
let pdf: Uint8Array;

beforeAll(async () => {
  cups = await PrivateCups.start();
  queue = cups.addPdfQueue();
  pdf = await makePdf(true);
});
afterAll(async () => {
  await cups?.stop();
});

function printerFor(q: string): DocumentPrinter {
  return new DocumentPrinter({ queue: q, server: parseServer(cups.server), pollMs: 50 });
}

async function expectDeviceError(p: Promise<unknown>, code: string): Promise<DeviceError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DeviceError);
  expect((err as DeviceError).code).toBe(code);
  return err as DeviceError;
}

describe('DocumentPrinter on a private cupsd', () => {
  it('prints a PDF, follows the job to completed, and the output reads back', async () => {
    const printer = printerFor(queue.name);
    await printer.open();
    expect(printer.status().state).toBe('online');
    const events: DocumentPrinterEvent[] = [];
    const result = await printer.print(pdf, { title: 'certificate 4711', timeoutMs: 25_000, onEvent: (e) => events.push(e) });
    expect(result.state).toBe('completed');
    expect(result.jobId).toBeGreaterThan(0);
    expect(events.map((e) => e.type)).toEqual(['submitted', 'processing', 'completed']);
    expect(events.every((e) => e.jobId === result.jobId)).toBe(true);
    const out = queue.newestPdf();
    expect(out, `no PDF in ${queue.outDir}; ${cups.log()}`).toBeDefined();
    const text = pdfText(out!);
    expect(text).toContain(ASCII_LINE);
    // The Chinese line survives as glyphs, but cups-pdf's PDF -> PostScript -> PDF round trip drops the
    // subset font's ToUnicode map, so pdftotext cannot name them: check that the source had the text and
    // that the output has a second line of glyphs outside ASCII.
    const source = join(cups.dir, 'source.pdf');
    writeFileSync(source, pdf);
    expect(pdfText(source).replace(/\s+/g, '')).toContain(CHINESE_LINE);
    const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
    expect(lines[0]).toBe(ASCII_LINE);
    expect(lines[1]).toMatch(/^[^ -~]+$/u);
  });

  it('prints from a file path', async () => {
    const file = join(cups.dir, 'doc.pdf');
    writeFileSync(file, await makePdf(false));
    const before = queue.pdfs();
    const result = await printerFor(queue.name).print(file, { timeoutMs: 25_000 });
    expect(result.state).toBe('completed');
    const added = queue.pdfs().filter((f) => !before.includes(f));
    expect(added).toHaveLength(1);
    expect(pdfText(added[0]!)).toContain(ASCII_LINE);
  });

  it('refuses a stopped printer before submitting, with its reason; prints again once resumed', async () => {
    const q = cups.addPdfQueue('TB_STOP');
    const client = new IppClient({ server: parseServer(cups.server) });
    await client.pausePrinter(q.name);
    const printer = printerFor(q.name);
    const err = await expectDeviceError(printer.print(pdf, { timeoutMs: 10_000 }), 'docprint.printerStopped');
    expect(err.message).toMatch(/stopped/);
    expect(err.message).toMatch(/paused/);
    expect(printer.status().state).toBe('error');
    // Nothing was submitted: the queue has no job at all.
    expect(cups.run('lpstat', ['-o', q.name]).trim()).toBe('');

    await client.resumePrinter(q.name);
    const result = await printer.print(pdf, { timeoutMs: 25_000 });
    expect(result.state).toBe('completed');
    expect(q.newestPdf()).toBeDefined();
  });

  it('refuses a printer that does not accept jobs (cupsreject), with the reason given', async () => {
    const q = cups.addPdfQueue('TB_REJECT');
    cups.run('cupsreject', ['-r', 'out of paper in tray 1', q.name]);
    const err = await expectDeviceError(printerFor(q.name).print(pdf), 'docprint.printerStopped');
    expect(err.message).toMatch(/not accepting jobs/);
    expect(err.message).toMatch(/out of paper in tray 1/);
  });

  it('reports a job the spooler aborted as docprint.jobAborted', async () => {
    const q = cups.addPdfQueue('TB_ABORT');
    cups.run('lpadmin', ['-p', q.name, '-o', 'printer-error-policy=abort-job']);
    // Starts like a PDF (so it passes input validation) but is not one: the filters fail.
    const broken = new TextEncoder().encode('%PDF-1.4\nthis is not a PDF body\n');
    const err = await expectDeviceError(printerFor(q.name).print(broken, { timeoutMs: 25_000 }), 'docprint.jobAborted');
    expect(err.message).toMatch(/was aborted|stopped/);
    expect(err.message).toMatch(/not printed/);
    // The failed job does not linger in the queue to come out later.
    expect(cups.run('lpstat', ['-o', q.name]).trim()).toBe('');
  });

  it('a job that does not complete in time is canceled (device.timeout), and so is one whose caller aborts', async () => {
    const q = cups.addPdfQueue('TB_HOLD');
    // Every job on this queue is held until released: it never completes by itself.
    cups.run('lpadmin', ['-p', q.name, '-o', 'job-hold-until-default=indefinite']);
    const printer = printerFor(q.name);
    const err = await expectDeviceError(printer.print(pdf, { timeoutMs: 600 }), 'device.timeout');
    expect(err.message).toMatch(/did not complete within 600 ms \(state held\); it was canceled/);
    expect(cups.run('lpstat', ['-o', q.name]).trim()).toBe('');

    const controller = new AbortController();
    const aborted = printer.print(pdf, {
      timeoutMs: 20_000,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'submitted') controller.abort();
      },
    });
    await expectDeviceError(aborted, 'device.canceled');
    expect(cups.run('lpstat', ['-o', q.name]).trim()).toBe('');
    expect(q.newestPdf()).toBeUndefined();
  });

  it('a printer that stops while the job waits: docprint.printerStopped, and the job is canceled', async () => {
    const q = cups.addPdfQueue('TB_STOPLATE');
    cups.run('lpadmin', ['-p', q.name, '-o', 'job-hold-until-default=indefinite']);
    const client = new IppClient({ server: parseServer(cups.server) });
    let paused: Promise<void> | undefined;
    const err = await expectDeviceError(
      printerFor(q.name).print(pdf, {
        timeoutMs: 20_000,
        onEvent: (e) => {
          if (e.type === 'submitted') paused = client.pausePrinter(q.name);
        },
      }),
      'docprint.printerStopped',
    );
    await paused;
    expect(err.message).toMatch(/is stopped: paused/);
    expect(cups.run('lpstat', ['-o', q.name]).trim()).toBe('');
  });

  it('an unknown queue is docprint.unknownPrinter', async () => {
    await expectDeviceError(printerFor('NO_SUCH_QUEUE').print(pdf), 'docprint.unknownPrinter');
  });

  it('CUPS not reachable (a closed port) is docprint.cupsUnreachable', async () => {
    const port = await freePort();
    const printer = new DocumentPrinter({ queue: 'X', server: { host: '127.0.0.1', port } });
    const err = await expectDeviceError(printer.print(pdf), 'docprint.cupsUnreachable');
    expect(err.exitCode).toBe(3);
    expect(printer.status().state).toBe('offline');
  });

  it('input that is not a PDF is an InputError (exit 2), before any I/O', async () => {
    const printer = new DocumentPrinter({ queue: 'X', server: { host: '127.0.0.1', port: 1 } });
    const e1 = await printer.print(new TextEncoder().encode('hello'), {}).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(InputError);
    expect((e1 as InputError).exitCode).toBe(2);
    const e2 = await printer.print(join(cups.dir, 'missing.pdf')).catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(InputError);
    expect((e2 as InputError).message).toMatch(/ENOENT/);
  });

  it('CUPS-Get-Printers lists the private queues', async () => {
    const printers = await new IppClient({ server: parseServer(cups.server) }).cupsGetPrinters();
    const mine = printers.find((p) => p.name === queue.name);
    expect(mine).toMatchObject({ state: 'idle', acceptingJobs: true });
    expect(mine?.deviceUri).toBe(`cups-pdf:/${queue.name}`);
  });
});
