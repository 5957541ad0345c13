/**
 * The device manager's own cost: checking an incoming command (JSON text of a receipt print), a command
 * round trip that touches no device (Common.Status: acknowledge + completion), and a QR code from the
 * scanner simulator's bytes to a BarcodeReader.ReadEvent at the client, through the real serial scanner
 * driver on a pty at 115200 baud, against the wire time of the bytes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultFactories } from '../drivers/manager/factories/index.js';
import { DeviceManager } from '../drivers/manager/manager.js';
import { checkCommand, checkPayload, type Message } from '../drivers/manager/messages.js';
import { ScannerSim } from '../drivers/sim/scanner-sim.js';
import type { BenchModule } from './lib.js';

const PAYLOAD =
  'https://wst.ahzwfw.gov.cn/hfs/qr?t=AH3401V2&d=eyJpZCI6IjM0MDEyMyIsImV4cCI6MTc2MzcwMDAwMH0&s=9f8e7d6c5b4a39281706f5e4d3c2b1a0e1f2a3b4&n=合肥市政务服务中心&w=窗口12&ts=20261121T201500&v=2.1.0';

const RECEIPT = {
  title: '受理回执',
  lines: ['事项：长三角异地就医备案', '受理编号：TB-2026-000123', '申请人：张**', '受理时间：2026-11-21 10:05', '承诺时限：5个工作日'],
  rows: [
    { key: '受理地', value: '合肥市政务服务中心' },
    { key: '办理地', value: '上海市医疗保障局' },
  ],
  qr: 'https://zwfw.example.gov.cn/case/TB-2026-000123',
  footer: '请妥善保管本回执',
};

const bench: BenchModule = {
  description: 'device manager: command check, a command round trip without I/O, scanner bytes -> ReadEvent through the manager vs the wire time',
  async run(b) {
    let rid = 0;
    const printText = () => JSON.stringify({ header: { name: 'Printer.PrintForm', requestId: ++rid, type: 'command', version: '1.0', timeout: 10000 }, payload: { receipt: RECEIPT } });
    const sample = printText();
    b.note(`Printer.PrintForm command: ${Buffer.byteLength(sample)} bytes of JSON`);
    await b.measure('check a Printer.PrintForm command (JSON text -> header and payload checked)', () => {
      const r = checkCommand(printText());
      if (!r.ok) throw new Error('bench setup: refused');
      checkPayload(r.command.name, r.command.payload);
    });

    const idle = new DeviceManager({ devices: [], factories: {} });
    await idle.start();
    let last: Message | undefined;
    const sink = (m: Message) => (last = m);
    const status = await b.measure('Common.Status round trip (submit -> acknowledge -> completion, no device)', () => {
      idle.submit({ header: { name: 'Common.Status', requestId: ++rid, type: 'command', version: '1.0' }, payload: {} }, sink);
      if (last?.header.type !== 'completion') throw new Error('bench: no completion');
    });
    b.limit('Common.Status round trip: median', status.medianMs! * 1000, 'µs', { atMost: 50 });
    await idle.close();

    const baud = 115200;
    const dir = mkdtempSync(join(tmpdir(), 'tongban-mgrbench-'));
    const sim = new ScannerSim({ link: join(dir, 'tty'), baud });
    await sim.start();
    const manager = new DeviceManager({
      devices: [{ id: 'qr', kind: 'scanner', transport: { type: 'serial', path: sim.path, baud } }],
      factories: defaultFactories,
    });
    try {
      await manager.start();
      if (manager.deviceStatus('qr')?.state !== 'online') throw new Error('bench setup: scanner not online');
      const wireBytes = Buffer.byteLength(PAYLOAD) + 1;
      const once = async (): Promise<void> => {
        const got = new Promise<Message>((resolve) => {
          const requestId = ++rid;
          manager.submit({ header: { name: 'BarcodeReader.Read', requestId, type: 'command', version: '1.0' }, payload: {} }, (m) => {
            if (m.header.name === 'BarcodeReader.ReadEvent') resolve(m);
          });
        });
        void sim.scan(PAYLOAD);
        const event = await got;
        if ((event.payload as { text: string }).text !== PAYLOAD) throw new Error('bench: wrong code');
      };
      const wire = (wireBytes * 10 * 1000) / baud;
      const m = await b.measure(`@${baud}: simulator write -> BarcodeReader.ReadEvent at the client (${wireBytes} bytes, pty)`, once, { minTimeMs: 2000 });
      b.note(`@${baud} 8N1: ${wireBytes} bytes = ${wire.toFixed(1)} ms of wire time; median ${m.medianMs!.toFixed(1)} ms, p95 ${m.p95Ms!.toFixed(1)} ms`);
      b.limit(`@${baud}: median / wire time (through the manager)`, m.medianMs! / wire, 'x', { atMost: 1.3 });
    } finally {
      await manager.close();
      await sim.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    b.note('the scanner path includes the Read command submitted before each scan (acknowledge, queue, handler) and the event message built for the client');
  },
};
export default bench;
