/** Hostile input: random and mutated byte streams never crash or hang the decoder, the status codec or the driver. */
import { createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DeviceError } from '../../base/errors.js';
import { EscPosDecoder, MAX_LINE, ReceiptCollector } from '../escpos/decode.js';
import { ReceiptPrinter } from '../escpos/printer.js';
import { parseReceipt, renderReceipt } from '../escpos/receipt.js';
import { decodePaperSensor, decodeRealtimeStatus, decodeStatusReplies } from '../escpos/status.js';
import { TcpTransport } from '../transport/tcp.js';

/** A small seeded PRNG (xorshift32), so a failure can be replayed. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

const base = renderReceipt(
  parseReceipt({ title: '受理回执', lines: ['申请人：张三', 'ABC 123'], rows: [{ key: '编号', value: 'SL-1' }], qr: 'https://example.gov.cn/x', footer: '谢谢' }),
);

function feed(bytes: Uint8Array, rand: () => number): void {
  const d = new EscPosDecoder({ chineseByDefault: rand() < 0.5 });
  const c = new ReceiptCollector();
  let i = 0;
  while (i < bytes.length) {
    const n = 1 + Math.floor(rand() * 200);
    c.add(d.push(bytes.subarray(i, i + n)));
    i += n;
  }
  c.add(d.flush());
  c.rest();
}

describe('fuzz: decoder', () => {
  it('takes random byte streams (biased to command prefixes) without throwing', () => {
    const rand = rng(0xc0ffee);
    for (let round = 0; round < 400; round++) {
      const len = Math.floor(rand() * 3000);
      const bytes = new Uint8Array(len);
      for (let i = 0; i < len; i++) {
        const r = rand();
        bytes[i] = r < 0.15 ? [0x1b, 0x1d, 0x1c, 0x10, 0x0a][Math.floor(rand() * 5)]! : Math.floor(rand() * 256);
      }
      expect(() => feed(bytes, rand)).not.toThrow();
    }
  });

  it('takes mutated receipts (flipped, dropped, inserted, truncated bytes) without throwing', () => {
    const rand = rng(42);
    for (let round = 0; round < 400; round++) {
      const b = Array.from(base);
      const edits = 1 + Math.floor(rand() * 8);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(rand() * b.length);
        const op = rand();
        if (op < 0.4) b[at] = Math.floor(rand() * 256);
        else if (op < 0.6) b.splice(at, 1);
        else if (op < 0.8) b.splice(at, 0, Math.floor(rand() * 256));
        else b.length = at;
      }
      expect(() => feed(Uint8Array.from(b), rand)).not.toThrow();
    }
  });

  it('stays bounded on huge declared lengths (a 4 GB raster header, a 64 KiB QR store that never ends)', () => {
    const d = new EscPosDecoder();
    const events = d.push(Uint8Array.from([0x1d, 0x76, 0x30, 0x00, 0xff, 0xff, 0xff, 0xff, 0x41, 0x0a]));
    expect(events.at(-1)).toMatchObject({ type: 'line', text: 'A' });
    const long = new EscPosDecoder().push(new Uint8Array(10_000).fill(0x41));
    expect(long.map((e) => (e.type === 'line' ? e.text.length : -1))).toEqual([MAX_LINE, MAX_LINE]);
    const d2 = new EscPosDecoder();
    d2.push(Uint8Array.from([0x1d, 0x28, 0x6b, 0xff, 0xff]));
    for (let i = 0; i < 2000; i++) expect(d2.push(new Uint8Array(16))).toEqual([]); // still waiting, no copies of the whole wait per chunk
  });
});

describe('fuzz: status codec', () => {
  it('every byte decodes or fails as device.garbled', () => {
    for (let n = 1; n <= 4; n++) {
      for (let b = 0; b < 256; b++) {
        try {
          decodeRealtimeStatus(n as 1, b);
          expect(b & 0x92).toBe(0x12);
        } catch (err) {
          expect(err).toBeInstanceOf(DeviceError);
          expect((err as DeviceError).code).toBe('device.garbled');
        }
      }
    }
    for (let b = 0; b < 256; b++) {
      try {
        decodePaperSensor(b);
      } catch (err) {
        expect((err as DeviceError).code).toBe('device.garbled');
      }
    }
    const rand = rng(7);
    for (let i = 0; i < 2000; i++) {
      const r = [0, 0, 0, 0].map(() => Math.floor(rand() * 256)) as [number, number, number, number];
      try {
        decodeStatusReplies(r);
      } catch (err) {
        expect((err as DeviceError).code).toBe('device.garbled');
      }
    }
  });
});

describe('fuzz: driver against a device answering noise', () => {
  it('every status query ends in a status or a typed error, never a crash or a hang', async () => {
    const rand = rng(99);
    const server = createServer((s: Socket) => {
      s.on('data', () => {
        const n = Math.floor(rand() * 8);
        s.write(Uint8Array.from({ length: n }, () => Math.floor(rand() * 256)));
      });
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
    const p = new ReceiptPrinter(new TcpTransport({ host: '127.0.0.1', port: (server.address() as { port: number }).port }), { statusTimeoutMs: 50 });
    await p.open();
    cleanup.push(() => p.close());
    const codes = new Set<string>();
    for (let i = 0; i < 30; i++) {
      try {
        await p.queryStatus();
        codes.add('ok');
      } catch (err) {
        expect(err).toBeInstanceOf(DeviceError);
        codes.add((err as DeviceError).code);
      }
    }
    expect(codes.has('device.garbled')).toBe(true);
    for (const c of codes) expect(['ok', 'device.garbled', 'printer.offline']).toContain(c);
  });
});
