/** The A4 printer simulator, driven by the real DocumentPrinter and IppClient as a CUPS queue would be. */
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceError } from '../../base/errors.js';
import { IppClient, parseServer } from '../docprint/ipp-client.js';
import { DocumentPrinter, type DocumentPrinterEvent } from '../docprint/printer.js';
import { IppPrinterSim } from '../sim/ipp-printer-sim.js';

const dir = mkdtempSync(join(tmpdir(), 'tongban-ipp-sim-'));
let sim: IppPrinterSim;
let printer: DocumentPrinter;
const PDF = new TextEncoder().encode('%PDF-1.7\n% a page\n%%EOF\n');

beforeAll(async () => {
  sim = await IppPrinterSim.start({ dir: join(dir, 'printed'), processingMs: 50 });
  printer = new DocumentPrinter({ queue: 'a4', server: parseServer(sim.address), pollMs: 20 });
});
afterAll(async () => {
  await sim?.stop();
});

describe('IppPrinterSim', () => {
  it('prints a PDF as a CUPS queue does (submitted, processing, completed) and keeps it owner-only', async () => {
    await printer.open();
    expect(printer.status()).toMatchObject({ state: 'online', printerState: 'idle' });
    const events: DocumentPrinterEvent['type'][] = [];
    const r = await printer.print(PDF, { title: 'tongban SB-1', onEvent: (e) => events.push(e.type) });
    expect(r).toMatchObject({ queue: 'a4', state: 'completed', jobId: 1 });
    expect(events).toEqual(['submitted', 'processing', 'completed']);
    expect(sim.printed).toEqual([expect.objectContaining({ jobId: 1, title: 'tongban SB-1', bytes: PDF.length })]);
    expect(Buffer.from(readFileSync(sim.printed[0]!.file)).equals(Buffer.from(PDF))).toBe(true);
    expect(statSync(sim.printed[0]!.file).mode & 0o777).toBe(0o600);
  });

  it('paper out: the printer is stopped with media-empty-error and the driver refuses before sending; paper back, it prints', async () => {
    sim.setPaper('out');
    await expect(printer.print(PDF)).rejects.toMatchObject({ code: 'docprint.printerStopped', message: expect.stringContaining('media-empty-error (out of paper)') });
    expect(printer.status()).toMatchObject({ state: 'error', reasons: ['media-empty-error'], paper: 'out' });
    const client = new IppClient({ server: parseServer(sim.address) });
    // a client that submits anyway is refused as not accepting jobs
    await expect(client.printJob('a4', 'x', PDF)).rejects.toMatchObject({ code: 'docprint.printerStopped' });
    sim.setPaper('nearEnd');
    expect((await client.getPrinterAttributes('a4')).reasons).toEqual(['media-low-report']);
    await printer.refresh();
    expect(printer.status()).toMatchObject({ state: 'online', paper: 'nearEnd' });
    await printer.print(PDF);
    sim.setPaper('ok');
    expect(sim.printed.length).toBe(2);
  });

  it('answers the other operations: CUPS-Get-Printers, cancel, pause/resume; refuses an unknown queue and what is not a PDF', async () => {
    const client = new IppClient({ server: parseServer(sim.address) });
    expect((await client.cupsGetPrinters()).map((p) => p.name)).toEqual(['a4']);
    await expect(client.getPrinterAttributes('nope')).rejects.toMatchObject({ code: 'docprint.unknownPrinter' });
    await expect(client.printJob('a4', 'x', new TextEncoder().encode('hello'))).rejects.toBeInstanceOf(DeviceError);
    const job = await client.printJob('a4', 'to cancel', PDF);
    await client.cancelJob('a4', job.id);
    expect((await client.getJobAttributes('a4', job.id)).state).toBe('canceled');
    await client.pausePrinter('a4');
    expect((await client.getPrinterAttributes('a4')).state).toBe('stopped');
    await client.resumePrinter('a4');
    expect((await client.getPrinterAttributes('a4')).state).toBe('idle');
    expect(sim.printed.length).toBe(2);
  });
});
