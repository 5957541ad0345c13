/** The device manager with the real serial scanner driver against the scanner simulator on a pty. */
import { afterEach, describe, expect, it } from 'vitest';
import { MemorySink, createLogger } from '../../base/log.js';
import type { DeviceConfig } from '../config.js';
import { defaultFactories } from '../manager/factories/index.js';
import { DeviceManager } from '../manager/manager.js';
import { ScannerSim } from '../sim/scanner-sim.js';
import { Recorder, send, stateIs, statusRecorder, tempPath } from './manager-helpers.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function setup() {
  const path = tempPath('scanner');
  const sim = new ScannerSim({ link: path, baud: 115200, suffix: 'crlf' });
  await sim.start();
  cleanups.push(() => sim.stop());
  const devices: DeviceConfig[] = [
    { id: 'qr', kind: 'scanner', transport: { type: 'serial', path, baud: 115200 }, options: { suffix: 'crlf' } },
    // a kind whose driver is not in this build: reported, never faked
    { id: 'nothing', kind: 'receipt', transport: { type: 'tcp', host: '127.0.0.1', port: 9 } },
  ];
  const logs = new MemorySink();
  const log = createLogger({ level: 'info', sink: logs });
  const manager = new DeviceManager({ devices, log, factories: { scanner: defaultFactories.scanner! }, backoff: { initialMs: 20, maxMs: 200, factor: 2, jitter: 0 } });
  cleanups.push(() => manager.close({ cancel: true }));
  const statuses = statusRecorder(manager);
  await manager.start();
  return { sim, manager, statuses, logs, client: new Recorder() };
}

describe('DeviceManager with a serial QR scanner', () => {
  it('sends each scanned code as a ReadEvent and all of them in the completion', async () => {
    const { manager, client, sim } = await setup();
    expect(manager.deviceStatus('qr')!.state).toBe('online');
    const id = send(manager, client, 'BarcodeReader.Read', { count: 2 }, { timeout: 10_000 });
    expect(client.of(id).map((m) => m.header.type)).toEqual(['acknowledge']);
    await sim.scan('https://zwfw.example.gov.cn/qr?ticket=A1B2');
    const first = await client.event(id, 'BarcodeReader.ReadEvent');
    expect(first.payload).toMatchObject({ text: 'https://zwfw.example.gov.cn/qr?ticket=A1B2' });
    await sim.scan('电子社保卡:3301', { encoding: 'gb18030' });
    const done = await client.completion(id);
    expect(done.header.completionCode).toBe('success');
    expect((done.payload as { codes: { text: string }[] }).codes.map((c) => c.text)).toEqual(['https://zwfw.example.gov.cn/qr?ticket=A1B2', '电子社保卡:3301']);
    expect(client.of(id).map((m) => `${m.header.type}:${m.header.name}`)).toEqual([
      'acknowledge:BarcodeReader.Read',
      'event:BarcodeReader.ReadEvent',
      'event:BarcodeReader.ReadEvent',
      'completion:BarcodeReader.Read',
    ]);
  });

  it('drops a code scanned while nobody reads, and cancels a waiting read', async () => {
    const { manager, client, sim, logs } = await setup();
    await sim.scan('stray code');
    await waitUntil(() => logs.records().some((r) => r.msg === 'code dropped: no BarcodeReader.Read running'));
    expect(logs.lines.join('')).not.toContain('stray code');
    const id = send(manager, client, 'BarcodeReader.Read');
    const c = send(manager, client, 'Common.Cancel', { requestIds: [id] });
    await client.completion(c);
    expect((await client.completion(id)).header.completionCode).toBe('canceled');
    const next = send(manager, client, 'BarcodeReader.Read', {}, { timeout: 10_000 });
    await sim.scan('fresh code');
    const fresh = await client.completion(next);
    expect(fresh.header.completionCode, JSON.stringify(client.messages)).toBe('success');
    expect(fresh.payload).toMatchObject({ codes: [{ text: 'fresh code' }] });
    expect(client.messages.some((m) => JSON.stringify(m.payload).includes('stray code'))).toBe(false);
  });

  it('a read running when the scanner is pulled completes deviceNotReady; the scanner comes back online', async () => {
    const { manager, client, sim, statuses } = await setup();
    const id = send(manager, client, 'BarcodeReader.Read');
    await sim.unplug();
    const done = await client.completion(id);
    expect(done.header.completionCode).toBe('deviceNotReady');
    expect(done.payload).toEqual({ errorCode: 'device.unplugged' });
    await statuses.waitFor(stateIs('qr', 'unplugged'));
    const mark = statuses.mark;
    await sim.plugIn();
    await statuses.waitFor(stateIs('qr', 'online'), mark);
    const next = send(manager, client, 'BarcodeReader.Read', {}, { timeout: 10_000 });
    await sim.scan('after replug');
    expect((await client.completion(next)).payload).toMatchObject({ codes: [{ text: 'after replug' }] });
  });

  it('reports a kind without a driver as an error and refuses its commands', async () => {
    const { manager, client } = await setup();
    expect(manager.deviceStatus('nothing')).toMatchObject({ state: 'error', detail: 'no driver for receipt devices in this build' });
    const id = send(manager, client, 'Printer.PrintForm', { receipt: { title: 'x' } }, { device: 'nothing' });
    expect((await client.completion(id)).header).toMatchObject({ completionCode: 'deviceNotReady' });
    const cap = send(manager, client, 'Common.Capabilities', {}, { device: 'nothing' });
    expect((await client.completion(cap)).payload).toMatchObject({ driverAvailable: false, kind: 'receipt' });
    const wrong = send(manager, client, 'IdentityCard.ReadCard', {}, { device: 'qr' });
    expect((await client.completion(wrong)).header).toMatchObject({ completionCode: 'unsupportedCommand', errorDescription: 'qr (scanner) does not offer IdentityCard' });
    const bad = send(manager, client, 'BarcodeReader.Read', { count: 'many' });
    expect(client.of(bad)[0]!.header.status).toBeUndefined();
    expect((await client.completion(bad)).header).toMatchObject({ completionCode: 'invalidData', errorDescription: 'payload.count must be a number, not a string' });
  });
});

async function waitUntil(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setImmediate(r));
}

describe('DeviceManager with a HID POS scanner that is not plugged in', () => {
  it('looks for it through node-hid, reports it offline with the reason, and keeps trying with backoff', async () => {
    const manager = new DeviceManager({
      devices: [{ id: 'hid', kind: 'scanner', transport: { type: 'hid', vendorId: 0x1eab, productId: 0x1d10, layout: 'newland' } }],
      factories: defaultFactories,
      backoff: { initialMs: 20, maxMs: 200, factor: 2, jitter: 0 },
    });
    cleanups.push(() => manager.close({ cancel: true }));
    await manager.start();
    const health = manager.deviceStatus('hid')!;
    expect(health).toMatchObject({ state: 'offline', transport: 'hid 1eab:1d10 (newland)', reconnect: { attempt: 1, delayMs: 20 } });
    expect(health.detail).toMatch(/no HID device 1eab:1d10 found|node-hid cannot be loaded|cannot list HID devices/);
    await waitUntil(() => (manager.deviceStatus('hid')!.reconnect?.attempt ?? 0) >= 3);
    expect(manager.deviceStatus('hid')!.reconnect!.delayMs).toBe(80);
  });
});
