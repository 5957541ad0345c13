/**
 * The device manager with the real ESC/POS driver against the printer simulator on a pty: a receipt
 * printed; paper out seen by the idle status poll as an unsolicited StatusChangedEvent, a print refused
 * with printer.paperOut, then printed after the refill; raw bytes; cover open.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceConfig } from '../config.js';
import { defaultFactories } from '../manager/factories/index.js';
import { DeviceManager } from '../manager/manager.js';
import type { Message } from '../manager/messages.js';
import { PrinterSim } from '../sim/printer-sim.js';
import { Recorder, send, statusRecorder, tempPath } from './manager-helpers.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function setup() {
  const path = tempPath('printer');
  const sim = await PrinterSim.start({ link: path, baud: 115200 });
  cleanups.push(() => sim.stop());
  const devices: DeviceConfig[] = [{ id: 'rcpt', kind: 'receipt', transport: { type: 'serial', path }, options: { width: 58, statusPollMs: 30 } }];
  const manager = new DeviceManager({ devices, factories: defaultFactories, backoff: { initialMs: 20, maxMs: 200, factor: 2, jitter: 0 } });
  cleanups.push(() => manager.close({ cancel: true }));
  const statuses = statusRecorder(manager);
  await manager.start();
  return { sim, manager, statuses, client: new Recorder() };
}

const RECEIPT = { title: '受理回执', lines: ['事项：长三角异地就医备案', '受理编号：TB-2026-000123'], qr: 'https://zwfw.example.gov.cn/case/TB-2026-000123', footer: '请妥善保管' };

function paperIs(paper: string): (m: Message) => boolean {
  return (m) => m.header.name === 'Common.StatusChangedEvent' && (m.payload as { status: { device?: { paper?: string } } }).status.device?.paper === paper;
}

describe('DeviceManager with the ESC/POS receipt printer', () => {
  it('prints a receipt: acknowledge, then one completion; the printer received the text and the QR code', async () => {
    const { manager, client, sim } = await setup();
    expect(manager.deviceStatus('rcpt')).toMatchObject({ state: 'online', device: { paper: 'ok', cover: 'closed' } });
    const id = send(manager, client, 'Printer.PrintForm', { receipt: RECEIPT }, { timeout: 10_000 });
    const done = await client.completion(id);
    expect(done.header.completionCode).toBe('success');
    expect(done.payload).toMatchObject({ paperNearEnd: false, bytes: expect.any(Number) });
    expect(client.of(id).map((m) => m.header.type)).toEqual(['acknowledge', 'completion']);
    expect(sim.receipts).toHaveLength(1);
    expect(sim.receipts[0]!.text).toContain('受理编号：TB-2026-000123');
    expect(sim.receipts[0]!.qr).toEqual(['https://zwfw.example.gov.cn/case/TB-2026-000123']);
  });

  it('paper out: unsolicited StatusChangedEvent, the print is refused with printer.paperOut, then printed after the refill', async () => {
    const { manager, client, sim, statuses } = await setup();
    sim.setPaper('out');
    const out = await statuses.waitFor(paperIs('out'));
    expect((out.payload as { status: Record<string, unknown> }).status).toMatchObject({ id: 'rcpt', state: 'offline', detail: '缺纸 / printer is out of paper' });
    const refused = send(manager, client, 'Printer.PrintForm', { receipt: RECEIPT }, { timeout: 10_000 });
    const r = await client.completion(refused);
    expect(r.header).toMatchObject({ completionCode: 'commandErrorCode', errorDescription: '缺纸 / printer is out of paper' });
    expect(r.payload).toEqual({ errorCode: 'printer.paperOut' });
    expect(sim.receipts).toHaveLength(0);
    const mark = statuses.mark;
    sim.setPaper('ok');
    const back = await statuses.waitFor(paperIs('ok'), mark);
    expect((back.payload as { status: { state: string } }).status.state).toBe('online');
    const again = send(manager, client, 'Printer.PrintForm', { receipt: RECEIPT }, { timeout: 10_000 });
    expect((await client.completion(again)).header.completionCode).toBe('success');
    expect(sim.receipts).toHaveLength(1);
    expect(sim.receipts[0]!.text).toContain('受理回执');
  });

  it('cover open refuses with printer.coverOpen; raw ESC/POS bytes print as sent', async () => {
    const { manager, client, sim, statuses } = await setup();
    sim.openCover();
    await statuses.waitFor((m) => (m.payload as { status?: { device?: { cover?: string } } }).status?.device?.cover === 'open');
    const refused = send(manager, client, 'Printer.PrintRaw', { data: Buffer.from('x\n').toString('base64') });
    expect((await client.completion(refused)).payload).toEqual({ errorCode: 'printer.coverOpen' });
    sim.closeCover();
    const raw = Buffer.concat([Buffer.from([0x1b, 0x40]), Buffer.from('RAW LINE 1\nRAW LINE 2\n'), Buffer.from([0x1d, 0x56, 0x00])]);
    const id = send(manager, client, 'Printer.PrintRaw', { data: raw.toString('base64') }, { timeout: 10_000 });
    expect((await client.completion(id)).header.completionCode).toBe('success');
    expect(sim.receipts.at(-1)!.text).toContain('RAW LINE 2');
  });

  it('close() lets a print in progress finish before closing the port', async () => {
    const { manager, client, sim } = await setup();
    const id = send(manager, client, 'Printer.PrintForm', { receipt: RECEIPT }, { timeout: 10_000 });
    const queued = send(manager, client, 'Printer.PrintForm', { receipt: RECEIPT }, { timeout: 10_000 });
    await manager.close({ graceMs: 10_000 });
    expect((await client.completion(id)).header.completionCode).toBe('success');
    expect((await client.completion(queued)).header).toMatchObject({ completionCode: 'canceled', errorDescription: 'the device manager is closing' });
    expect(sim.receipts).toHaveLength(1);
    expect(manager.deviceStatus('rcpt')).toMatchObject({ state: 'offline', detail: 'the device manager is closed' });
  });

  it('a bad receipt completes invalidData without reaching the printer', async () => {
    const { manager, client, sim } = await setup();
    const id = send(manager, client, 'Printer.PrintForm', { receipt: { title: 'x', lines: [1] } });
    expect((await client.completion(id)).header).toMatchObject({ completionCode: 'invalidData', errorDescription: 'payload.receipt: "lines[0]" must be a string or { "text": ... }' });
    expect(sim.receipts).toHaveLength(0);
  });
});

describe('DeviceManager with an ESC/POS printer on TCP (port 9100 style)', () => {
  it('prints over TCP and reports paper out the same way', async () => {
    const sim = await PrinterSim.start({ tcpPort: 0 });
    cleanups.push(() => sim.stop());
    const devices: DeviceConfig[] = [{ id: 'net', kind: 'receipt', transport: { type: 'tcp', host: '127.0.0.1', port: sim.tcpPort! }, options: { width: 80, statusPollMs: 30 } }];
    const manager = new DeviceManager({ devices, factories: defaultFactories });
    cleanups.push(() => manager.close({ cancel: true }));
    const statuses = statusRecorder(manager);
    await manager.start();
    expect(manager.deviceStatus('net')).toMatchObject({ state: 'online', transport: `tcp 127.0.0.1:${sim.tcpPort}` });
    const client = new Recorder();
    const id = send(manager, client, 'Printer.PrintForm', { receipt: RECEIPT }, { timeout: 10_000 });
    expect((await client.completion(id)).header.completionCode).toBe('success');
    expect(sim.receipts[0]!.text).toContain('事项：长三角异地就医备案');
    sim.setPaper('out');
    await statuses.waitFor(paperIs('out'));
    const refused = send(manager, client, 'Printer.PrintForm', { receipt: RECEIPT }, { timeout: 10_000 });
    expect((await client.completion(refused)).payload).toEqual({ errorCode: 'printer.paperOut' });
  });
});
