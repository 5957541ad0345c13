/**
 * A QR code from scanner bytes to event. (a) Pure decode throughput of the serial decoder and the HID
 * POS assembler on a typical 皖事通-style QR payload (~200 bytes of UTF-8 with Chinese); (b) end to end
 * through a pty: from the start of the simulator's write of the code (paced at the line speed) to the
 * reader's onCode event, against the wire time of those bytes (10 bits a byte, 8N1), at 9600 baud (the
 * scanners' factory setting) and 115200.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HidCodeAssembler, buildHidReports } from '../drivers/scanner/hid-report.js';
import { SerialCodeDecoder } from '../drivers/scanner/serial-decoder.js';
import { SerialScannerReader } from '../drivers/scanner/serial-reader.js';
import type { ScanCode } from '../drivers/scanner/types.js';
import { ScannerSim } from '../drivers/sim/scanner-sim.js';
import { SerialTransport } from '../drivers/transport/serial.js';
import type { BenchModule } from './lib.js';

/** The shape of a 皖事通 (Anhui government app) QR: a URL with an encrypted ticket and a Chinese label. */
const PAYLOAD =
  'https://wst.ahzwfw.gov.cn/hfs/qr?t=AH3401V2&d=eyJpZCI6IjM0MDEyMyIsImV4cCI6MTc2MzcwMDAwMH0&s=9f8e7d6c5b4a39281706f5e4d3c2b1a0e1f2a3b4&n=合肥市政务服务中心&w=窗口12&ts=20261121T201500&v=2.1.0';

const bench: BenchModule = {
  description: 'QR scanner: decode throughput (serial, HID POS) and scanner bytes -> onCode through a pty vs the wire time',
  async run(b) {
    const body = new TextEncoder().encode(PAYLOAD);
    const serialBytes = new Uint8Array([...body, 0x0d]);
    b.note(`payload: ${body.length} bytes of UTF-8 (${[...PAYLOAD].length} characters), + CR suffix = ${serialBytes.length} bytes on the wire`);

    const decoder = new SerialCodeDecoder();
    await b.measure('serial decode: one QR code (bytes + CR -> text)', () => {
      const out = decoder.push(serialBytes);
      if (out.length !== 1 || out[0]!.kind !== 'code') throw new Error('bench setup: no code');
    }, { bytesPerOp: serialBytes.length });

    const reports = buildHidReports(body, { layout: 'honeywell', aim: ']Q1', codeId: 's' });
    const assembler = new HidCodeAssembler({ layout: 'honeywell' });
    await b.measure(`HID POS decode: one QR code in ${reports.length} Honeywell reports -> text`, () => {
      let n = 0;
      for (const r of reports) n += assembler.push(r).length;
      if (n !== 1) throw new Error('bench setup: no code');
    }, { bytesPerOp: reports.length * 64 });

    for (const baud of [9600, 115200]) {
      const dir = mkdtempSync(join(tmpdir(), 'tongban-scanbench-'));
      const sim = new ScannerSim({ link: join(dir, 'tty'), baud });
      await sim.start();
      const reader = new SerialScannerReader(new SerialTransport({ path: sim.path, baud }));
      let waiting: ((c: ScanCode) => void) | undefined;
      reader.onCode((c) => waiting?.(c));
      try {
        await reader.open();
        const once = async (): Promise<void> => {
          const got = new Promise<ScanCode>((resolve) => (waiting = resolve));
          void sim.scan(PAYLOAD);
          const code = await got;
          if (code.text !== PAYLOAD) throw new Error('bench: wrong code');
        };
        const wire = (serialBytes.length * 10 * 1000) / baud;
        const m = await b.measure(`end to end @${baud}: simulator write -> onCode (${serialBytes.length} bytes, pty)`, once, {
          minTimeMs: baud === 9600 ? 4000 : 2000,
          warmupMs: baud === 9600 ? 500 : 300,
        });
        b.note(`@${baud} 8N1: ${serialBytes.length} bytes = ${wire.toFixed(1)} ms of wire time; median ${m.medianMs!.toFixed(1)} ms, p95 ${m.p95Ms!.toFixed(1)} ms`);
        b.limit(`@${baud}: median / wire time`, m.medianMs! / wire, 'x', { atMost: 1.3 });
        b.limit(`@${baud}: p95 / wire time`, m.p95Ms! / wire, 'x', { atMost: 1.5 });
      } finally {
        await reader.close();
        await sim.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    }
    b.note('end to end = the paced write (wire time) + socat relay + serialport read + decode + event; targets are ours (the issue sets none for scanners)');
  },
};
export default bench;
