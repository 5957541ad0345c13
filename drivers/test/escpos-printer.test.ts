import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DeviceError } from '../../base/errors.js';
import type { DecodedReceipt } from '../escpos/decode.js';
import { FileJobStore, MemoryJobStore, type JobStore } from '../escpos/job-store.js';
import { ReceiptPrinter, type DeviceStatus } from '../escpos/printer.js';
import { PrintQueue, type QueueEvent } from '../escpos/queue.js';
import { parseReceipt, type Receipt } from '../escpos/receipt.js';
import { PrinterSim } from '../sim/printer-sim.js';
import { DeviceFileTransport } from '../transport/device-file.js';
import { SerialTransport } from '../transport/serial.js';
import { TcpTransport } from '../transport/tcp.js';
import type { ByteTransport } from '../transport/types.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

const slip: Receipt = parseReceipt({
  title: '受理回执',
  lines: ['事项：居民身份证换领', '申请人：张三', '受理时间：2026-11-21 20:15'],
  rows: [{ key: '受理编号', value: 'SL-2026-000123' }],
  qr: 'https://zwfw.example.gov.cn/q?id=SL-2026-000123&n=张三',
  footer: '请妥善保管本回执',
});

async function sim(tcp = false): Promise<PrinterSim> {
  const s = await PrinterSim.start({ link: join(mkdtempSync(join(tmpdir(), 'tongban-prn-')), 'tty'), ...(tcp ? { tcpPort: 0 } : {}) });
  cleanup.push(() => s.stop());
  return s;
}

async function printerOn(t: ByteTransport, statusTimeoutMs = 500): Promise<ReceiptPrinter> {
  const p = new ReceiptPrinter(t, { statusTimeoutMs });
  await p.open();
  cleanup.push(() => p.close());
  return p;
}

function nextReceipt(s: PrinterSim): Promise<DecodedReceipt> {
  return new Promise((resolve) => {
    const off = s.onReceipt((r) => {
      off();
      resolve(r);
    });
  });
}

function expectSlip(r: DecodedReceipt): void {
  const texts = r.lines.map((l) => l.text.trim());
  expect(texts).toEqual(expect.arrayContaining(['受理回执', '事项：居民身份证换领', '申请人：张三', '受理时间：2026-11-21 20:15', '请妥善保管本回执']));
  expect(texts.some((t) => /^受理编号 +SL-2026-000123$/.test(t))).toBe(true);
  expect(r.qr).toEqual(['https://zwfw.example.gov.cn/q?id=SL-2026-000123&n=张三']);
  expect(r.cut).toBe('full');
}

describe('ReceiptPrinter against the simulator', () => {
  it('prints over a serial port (pty): text and QR decode back as sent', async () => {
    const s = await sim();
    const p = await printerOn(new SerialTransport({ path: s.path! }));
    expect(p.status()).toMatchObject({ state: 'online', paper: 'ok', cover: 'closed' });
    const got = nextReceipt(s);
    const result = await p.print(slip);
    expect(result.status.online).toBe(true);
    expectSlip(await got);
    expect(s.receipts).toHaveLength(1);
  });

  it('prints over the device-file transport (the pty slave as a character device)', async () => {
    const s = await sim();
    const p = await printerOn(new DeviceFileTransport({ path: s.path! }));
    const got = nextReceipt(s);
    await p.print(slip, { width: 80 });
    const r = await got;
    expectSlip(r);
    expect(r.lines.some((l) => l.text === '-'.repeat(48))).toBe(true);
  });

  it('prints over TCP (simulator listening on 127.0.0.1)', async () => {
    const s = await sim(true);
    const p = await printerOn(new TcpTransport({ host: '127.0.0.1', port: s.tcpPort! }));
    const got = nextReceipt(s);
    await p.print(slip);
    expectSlip(await got);
  });

  it('refuses a job when paper is out or the cover is open, with the reason in Chinese and English', async () => {
    const s = await sim();
    const p = await printerOn(new SerialTransport({ path: s.path! }));
    const seen: DeviceStatus[] = [];
    p.onStatus((st) => seen.push(st));
    s.setPaper('out');
    const e1 = await p.print(slip).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(DeviceError);
    expect(e1).toMatchObject({ code: 'printer.paperOut', message: expect.stringMatching(/缺纸.*out of paper/) });
    expect(p.status()).toMatchObject({ state: 'offline', paper: 'out' });
    s.setPaper('ok');
    s.openCover();
    await expect(p.print(slip)).rejects.toMatchObject({ code: 'printer.coverOpen', message: expect.stringMatching(/纸仓盖打开.*cover is open/) });
    s.closeCover();
    s.setCutterError(true);
    await expect(p.print(slip)).rejects.toMatchObject({ code: 'printer.cutterError' });
    s.setCutterError(false);
    s.setPaper('nearEnd');
    const ok = await p.print(slip);
    expect(ok.paperNearEnd).toBe(true);
    expect(p.status()).toMatchObject({ state: 'online', paper: 'nearEnd' });
    expect(s.receipts).toHaveLength(1);
    expect(seen.map((x) => x.paper)).toEqual(expect.arrayContaining(['out', 'nearEnd']));
  });

  it('reports a silent printer as offline (no reply), and an unplugged one', async () => {
    const s = await sim();
    const p = await printerOn(new SerialTransport({ path: s.path!, presencePollMs: 20 }), 200);
    s.setOnline(false);
    await expect(p.print(slip)).rejects.toMatchObject({ code: 'printer.offline', message: expect.stringMatching(/无应答.*does not answer/) });
    expect(p.status().state).toBe('offline');
    s.setOnline(true);
    await p.print(slip);
    const unplugged = new Promise<DeviceStatus>((resolve) => p.onStatus((st) => st.state === 'unplugged' && resolve(st)));
    await s.unplug();
    expect((await unplugged).detail).toMatch(/vanished|closed/);
    await expect(p.print(slip)).rejects.toMatchObject({ code: 'device.unplugged' });
    await s.plugIn();
    await p.print(slip); // reopens the port
    expect(s.receipts).toHaveLength(2);
  });
});

async function queueTest(store: JobStore): Promise<void> {
  const s = await sim();
  const p = await printerOn(new SerialTransport({ path: s.path! }));
  const q = new PrintQueue(p, store, { retryMs: 20, maxRetryMs: 80 });
  cleanup.push(() => q.stop());
  const events: QueueEvent[] = [];
  q.onEvent((e) => events.push(e));
  await q.start();
  s.setPaper('out');
  const first = await q.submit(slip, { id: 'job-a' });
  expect(first).toEqual({ id: 'job-a', printed: false, error: { code: 'printer.paperOut', message: expect.stringMatching(/缺纸/) } });
  const second = await q.submit(parseReceipt({ title: '第二张', lines: ['B'] }), { id: 'job-b' });
  expect(second.printed).toBe(false);
  expect((await q.pending()).map((j) => j.id)).toEqual(['job-a', 'job-b']);
  expect(s.receipts).toHaveLength(0);
  // several retries happen while the paper is out, none prints
  await new Promise<void>((resolve) => {
    let polls = 0;
    const off = s.onEvent((e) => e.type === 'statusQuery' && ++polls >= 12 && (off(), resolve()));
  });
  expect(s.receipts).toHaveLength(0);
  const printed = new Promise<void>((resolve) => q.onEvent((e) => e.type === 'printed' && e.job.id === 'job-b' && resolve()));
  s.setPaper('ok');
  await printed;
  expect(await q.pending()).toEqual([]);
  expect(s.receipts).toHaveLength(2);
  expectSlip(s.receipts[0]!);
  expect(s.receipts[1]!.lines.map((l) => l.text.trim())).toContain('第二张');
  expect(events.filter((e) => e.type === 'printed').map((e) => e.job.id)).toEqual(['job-a', 'job-b']);
  // wait a few more polls' worth: nothing prints twice
  await q.submit(parseReceipt({ title: 'C', lines: [] }), { id: 'job-c' });
  expect(s.receipts).toHaveLength(3);
}

describe('PrintQueue', () => {
  it('a job cut short by the paper running out mid-job is not counted printed, and prints whole after a refill', async () => {
    const s = await sim();
    const p = await printerOn(new SerialTransport({ path: s.path! }));
    const q = new PrintQueue(p, new MemoryJobStore(), { retryMs: 20, maxRetryMs: 40 });
    cleanup.push(() => q.stop());
    s.runOutOfPaperAfter(3);
    const outcome = await q.submit(slip, { id: 'mid' });
    expect(outcome).toMatchObject({ printed: false, error: { code: 'printer.paperOut', message: expect.stringMatching(/after the job/) } });
    expect(s.receipts).toHaveLength(1);
    expect(s.receipts[0]!.cut).toBe('none'); // the torn-off part
    expect(s.receipts[0]!.lines).toHaveLength(3);
    expect((await q.pending()).map((j) => j.id)).toEqual(['mid']);
    const printed = new Promise<void>((resolve) => q.onEvent((e) => e.type === 'printed' && resolve()));
    s.setPaper('ok');
    await printed;
    expect(s.receipts).toHaveLength(2);
    expectSlip(s.receipts[1]!);
    expect(await q.pending()).toEqual([]);
  });


  it('keeps a refused job, retries with backoff, prints it exactly once after a refill, in order (memory store)', async () => {
    await queueTest(new MemoryJobStore());
  });

  it('the same with the file store; jobs survive a restart of the queue', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tongban-jobs-'));
    await queueTest(new FileJobStore(dir));
    expect(readdirSync(dir)).toEqual([]);

    const store = new FileJobStore(dir);
    const s = await sim();
    const p = await printerOn(new SerialTransport({ path: s.path! }));
    s.openCover();
    const q1 = new PrintQueue(p, store, { retryMs: 20 });
    await q1.start();
    expect(await q1.submit(slip, { id: 'kept-1' })).toMatchObject({ printed: false, error: { code: 'printer.coverOpen' } });
    await q1.stop();
    expect(await q1.submit(slip, { id: 'while-stopped' })).toMatchObject({ printed: false, error: { code: 'queue.stopped' } });
    await store.remove('while-stopped');
    expect(readdirSync(dir)).toEqual([expect.stringMatching(/^\d{12}-kept-1\.json$/)]);
    writeFileSync(join(dir, '000000000099-broken.json'), '{not json');
    // a new queue (as after a restart) finds the job and prints it once the cover closes
    s.closeCover();
    const q2 = new PrintQueue(p, new FileJobStore(dir), { retryMs: 20 });
    cleanup.push(() => q2.stop());
    const printed = new Promise<QueueEvent>((resolve) => q2.onEvent((e) => e.type === 'printed' && resolve(e)));
    await q2.start();
    const e = await printed;
    expect(e.job).toMatchObject({ id: 'kept-1', attempts: 2, lastError: { code: 'printer.coverOpen' } });
    expectSlip(s.receipts[0]!);
    expect(readdirSync(dir)).toEqual(['000000000099-broken.json.bad']);
  });
});
