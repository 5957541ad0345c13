/**
 * The device manager with the real CUPS document printer driver against a private cupsd with a cups-pdf
 * queue: a PDF printed through DocumentPrinter.PrintPdf with its job events, the output read back; a
 * stopped queue refused as deviceNotReady; an unreachable CUPS waits to reconnect.
 */
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { IppClient, parseServer } from '../docprint/ipp-client.js';
import type { DeviceConfig } from '../config.js';
import { defaultFactories } from '../manager/factories/index.js';
import { DeviceManager } from '../manager/manager.js';
import { PrivateCups, freePort, pdfText, type PdfQueue } from './helpers/cups.js';
import { Recorder, send } from './manager-helpers.js';

const LINE = 'Tongban manager document 4712';
let cups: PrivateCups;
let queue: PdfQueue;
let pdf: Uint8Array;

beforeAll(async () => {
  cups = await PrivateCups.start();
  queue = cups.addPdfQueue('TB_MGR');
  const doc = await PDFDocument.create();
  doc.addPage([595, 842]).drawText(LINE, { x: 50, y: 760, size: 16, font: await doc.embedFont(StandardFonts.Helvetica) });
  pdf = await doc.save();
});
afterAll(async () => {
  await cups?.stop();
});

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function managerFor(server: string, queueName: string) {
  const devices: DeviceConfig[] = [{ id: 'a4', kind: 'document', transport: { type: 'cups', queue: queueName, server } }];
  const manager = new DeviceManager({ devices, factories: defaultFactories, backoff: { initialMs: 50, maxMs: 500, factor: 2, jitter: 0 } });
  cleanups.push(() => manager.close({ cancel: true }));
  await manager.start();
  return manager;
}

describe('DeviceManager with a CUPS document printer', () => {
  it('prints a PDF sent as base64: job events, one completion with the job, the output reads back', async () => {
    const manager = await managerFor(cups.server, queue.name);
    expect(manager.deviceStatus('a4')!.state).toBe('online');
    const client = new Recorder();
    const id = send(manager, client, 'DocumentPrinter.PrintPdf', { data: Buffer.from(pdf).toString('base64'), title: 'manager test' }, { timeout: 60_000 });
    const done = await client.completion(id);
    expect(done.header.completionCode, JSON.stringify(done)).toBe('success');
    expect(done.payload).toMatchObject({ queue: queue.name, state: 'completed', jobId: expect.any(Number) });
    const states = client.of(id).filter((m) => m.header.name === 'DocumentPrinter.JobStateEvent').map((m) => (m.payload as { state: string }).state);
    expect(states).toEqual(['submitted', 'processing', 'completed']);
    expect(pdfText(queue.newestPdf()!)).toContain(LINE);
  });

  it('refuses a stopped printer with deviceNotReady and the driver code', async () => {
    const q = cups.addPdfQueue('TB_MGR_STOP');
    const manager = await managerFor(cups.server, q.name);
    await new IppClient({ server: parseServer(cups.server) }).pausePrinter(q.name);
    const client = new Recorder();
    const id = send(manager, client, 'DocumentPrinter.PrintPdf', { data: Buffer.from(pdf).toString('base64') }, { timeout: 60_000 });
    const done = await client.completion(id);
    expect(done.header.completionCode).toBe('deviceNotReady');
    expect(done.payload).toEqual({ errorCode: 'docprint.printerStopped' });
    expect(done.header.errorDescription).toMatch(/stopped/);
  });

  it('a CUPS that does not answer leaves the device offline, waiting to reconnect', async () => {
    const manager = await managerFor(`127.0.0.1:${await freePort()}`, 'Nowhere');
    expect(manager.deviceStatus('a4')).toMatchObject({ state: 'offline', reconnect: { attempt: 1, delayMs: 50 } });
    const client = new Recorder();
    const id = send(manager, client, 'DocumentPrinter.PrintPdf', { data: Buffer.from(pdf).toString('base64') });
    expect((await client.completion(id)).header.completionCode).toBe('deviceNotReady');
  });
});
