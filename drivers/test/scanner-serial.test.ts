/** The serial scanner driver against the scanner simulator over a real serial port on a pty. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SerialScannerReader, type SerialScannerOptions } from '../scanner/serial-reader.js';
import type { Suffix } from '../scanner/serial-decoder.js';
import type { ScanCode } from '../scanner/types.js';
import { ScannerSim } from '../sim/scanner-sim.js';
import { SerialTransport } from '../transport/serial.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

interface Rig {
  sim: ScannerSim;
  reader: SerialScannerReader;
  codes: ScanCode[];
  errors: string[];
}

async function rig(suffix: Suffix = 'cr', options: SerialScannerOptions = {}, baud = 115200): Promise<Rig> {
  const sim = new ScannerSim({ link: join(mkdtempSync(join(tmpdir(), 'tongban-scan-')), 'tty'), suffix, baud });
  await sim.start();
  cleanup.push(() => sim.stop());
  const reader = new SerialScannerReader(new SerialTransport({ path: sim.path, baud, presencePollMs: 50 }), { suffix, ...options });
  const codes: ScanCode[] = [];
  const errors: string[] = [];
  reader.onCode((c) => codes.push(c));
  reader.onError((e) => errors.push(e.code));
  await reader.open();
  cleanup.push(() => reader.close());
  return { sim, reader, codes, errors };
}

const until = async (cond: () => boolean, ms = 3000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
};

const WST = 'https://wst.ahzwfw.gov.cn/hfs/scan?code=34012319900307241X&t=20261121&sig=9f8e7d6c5b4a39281706f5e4d3c2b1a0&ver=2&org=皖事通';

describe('SerialScannerReader over a pty', () => {
  for (const suffix of ['cr', 'crlf', 'lf'] as const) {
    it(`reads codes with the ${suffix} suffix`, async () => {
      const { sim, reader, codes, errors } = await rig(suffix);
      expect(reader.status().state).toBe('online');
      await sim.scan('6901234567892');
      await sim.scan(WST);
      await until(() => codes.length === 2);
      expect(codes.map((c) => c.text)).toEqual(['6901234567892', WST]);
      expect(codes[0]?.source).toBe(`serial ${sim.path} @115200`);
      expect(errors).toEqual([]);
    });
  }

  it('Chinese payloads in UTF-8 and in GB18030', async () => {
    const { sim, codes } = await rig();
    await sim.scan('安徽省合肥市蜀山区政务服务中心 窗口12');
    await sim.scan('电子营业执照：皖企123', { encoding: 'gb18030' });
    await until(() => codes.length === 2);
    expect(codes.map((c) => c.text)).toEqual(['安徽省合肥市蜀山区政务服务中心 窗口12', '电子营业执照：皖企123']);
  });

  it('a code split across writes (and inside a UTF-8 character) is joined', async () => {
    const { sim, codes } = await rig('crlf');
    const bytes = sim.bytesOf('皖事通-办件-0042');
    await sim.garbage(bytes.subarray(0, 1)); // the first byte of 皖 alone
    await new Promise((r) => setTimeout(r, 20));
    await sim.garbage(bytes.subarray(1, bytes.length - 1)); // up to the CR
    await new Promise((r) => setTimeout(r, 20));
    await sim.garbage(bytes.subarray(bytes.length - 1)); // the LF
    await until(() => codes.length === 1);
    expect(codes.map((c) => c.text)).toEqual(['皖事通-办件-0042']);
  });

  it('garbage between codes: control noise makes no code; an unterminated burst is dropped at the timeout', async () => {
    const { sim, codes, errors } = await rig('cr', { interByteTimeoutMs: 40 });
    await sim.scan('FIRST-1');
    await sim.garbage(Uint8Array.of(0x00, 0x1b, 0x07, 0x7f, 0x0d, 0x0d)); // noise and stray suffixes
    await sim.garbage(Uint8Array.of(0xff, 0xfe, 0x41, 0x80)); // a broken half code, no suffix
    await until(() => errors.length === 1);
    await sim.scan('SECOND-2');
    await until(() => codes.length === 2);
    expect(codes.map((c) => c.text)).toEqual(['FIRST-1', 'SECOND-2']);
    expect(errors).toEqual(['scanner.partial']);
  });

  it('overlong input is discarded with scanner.overlong and the next code reads', async () => {
    const { sim, codes, errors } = await rig('cr', { maxLength: 64 });
    await sim.scan('Z'.repeat(500));
    await sim.scan('AFTER-OVERLONG');
    await until(() => codes.length === 1);
    expect(errors).toEqual(['scanner.overlong']);
    expect(codes.map((c) => c.text)).toEqual(['AFTER-OVERLONG']);
  });

  it('unplugged: status unplugged when the port path vanishes; plugged back in, it reads again', async () => {
    const { sim, reader, codes } = await rig('cr', { reconnectMs: 30 });
    const states: string[] = [];
    reader.onStatus((s) => states.push(s.state));
    await sim.unplug();
    await until(() => reader.status().state === 'unplugged');
    expect(reader.status().state).toBe('unplugged');
    await sim.plugIn();
    await until(() => reader.status().state === 'online');
    await sim.scan('BACK-AGAIN');
    await until(() => codes.length === 1);
    expect(states).toEqual(['unplugged', 'online']);
    expect(codes.map((c) => c.text)).toEqual(['BACK-AGAIN']);
  });

  it('a hostile stream (16 KB of random bytes) through the pty: typed errors only, then a clean code reads', async () => {
    const { sim, reader, codes, errors } = await rig('cr', { maxLength: 256, interByteTimeoutMs: 30 });
    const noise = new Uint8Array(16384);
    let x = 12345;
    for (let i = 0; i < noise.length; i++) noise[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
    await sim.garbage(noise);
    // The write has returned, but the reader may still be taking the noise in (a loaded machine): wait until
    // it has said nothing new for well past the inter-byte timeout, so that any partial code is dropped.
    for (let seen = -1; seen !== codes.length + errors.length; ) {
      seen = codes.length + errors.length;
      await new Promise((r) => setTimeout(r, 250));
    }
    const before = codes.length;
    await sim.scan('CLEAN-AFTER-NOISE');
    await until(() => codes.length > before);
    expect(codes.at(-1)?.text).toBe('CLEAN-AFTER-NOISE');
    expect(errors.every((e) => e === 'scanner.overlong' || e === 'scanner.partial')).toBe(true);
    // eslint-disable-next-line no-control-regex -- the check is that none get through
    expect(codes.every((c) => !/[\u0000-\u001f\u007f-\u009f]/.test(c.text) && c.text.length <= 256)).toBe(true);
    expect(reader.status().state).toBe('online');
  });

  it('paced at the default 9600 baud', async () => {
    const sim = new ScannerSim({ link: join(mkdtempSync(join(tmpdir(), 'tongban-scan-')), 'tty') });
    expect(sim.baud).toBe(9600);
    expect([...sim.bytesOf('AB', { suffix: 'crlf' })]).toEqual([0x41, 0x42, 0x0d, 0x0a]);
  });
});
