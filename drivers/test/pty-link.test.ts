import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { PtyLink } from '../sim/pty-link.js';

const links: PtyLink[] = [];
afterEach(async () => {
  await Promise.all(links.splice(0).map((l) => l.close()));
});

async function openLink(baud?: number): Promise<PtyLink> {
  const link = await PtyLink.open(join(mkdtempSync(join(tmpdir(), 'tongban-pty-')), 'tty'), { baud });
  links.push(link);
  return link;
}

function openPort(path: string): Promise<SerialPort> {
  return new Promise((resolve, reject) => {
    const port = new SerialPort({ path, baudRate: 115200 }, (err) => (err ? reject(err) : resolve(port)));
  });
}

function collect(port: SerialPort, n: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let have = 0;
    const on = (d: Buffer) => {
      parts.push(d);
      have += d.length;
      if (have >= n) {
        port.off('data', on);
        resolve(Buffer.concat(parts));
      }
    };
    port.on('data', on);
  });
}

describe('PtyLink', () => {
  it('carries all 256 byte values both ways through a real serial port', async () => {
    const link = await openLink();
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const fromDriver: Uint8Array[] = [];
    link.onData((c) => fromDriver.push(c));
    const port = await openPort(link.path);
    const got = collect(port, 512);
    await link.write(all);
    await link.write(all);
    expect([...(await got)]).toEqual([...all, ...all]);
    port.write(Buffer.from(all));
    await new Promise((r) => port.drain(r));
    for (let i = 0; i < 100 && fromDriver.reduce((n, c) => n + c.length, 0) < 256; i++) await new Promise((r) => setTimeout(r, 10));
    expect([...Buffer.concat(fromDriver)]).toEqual([...all]);
    await new Promise((r) => port.close(r));
  });

  it('survives the driver closing and reopening the port', async () => {
    const link = await openLink();
    for (let round = 0; round < 2; round++) {
      const port = await openPort(link.path);
      const got = collect(port, 3);
      await link.write(Uint8Array.of(1, 2, round));
      expect([...(await got)]).toEqual([1, 2, round]);
      await new Promise((r) => port.close(r));
    }
  });

  it('paces writes to the line speed when a baud rate is given', async () => {
    const link = await openLink(9600); // 960 bytes/s: 480 bytes take 500 ms of line time
    const port = await openPort(link.path);
    const got = collect(port, 480);
    const t0 = performance.now();
    await link.write(new Uint8Array(480).fill(0x55));
    await got;
    // A lower bound only (a loaded machine may be slower, never faster than the line).
    expect(performance.now() - t0).toBeGreaterThanOrEqual(450);
    await new Promise((r) => port.close(r));
  });

  it('unplugging removes the path (opening fails) and plugging in brings it back', async () => {
    const link = await openLink();
    const port = await openPort(link.path);
    await link.unplug();
    expect(existsSync(link.path)).toBe(false);
    expect(link.pluggedIn).toBe(false);
    await expect(openPort(link.path)).rejects.toThrow(/No such file or directory|ENOENT/);
    await new Promise((r) => port.close(r));
    await link.plugIn();
    expect(existsSync(link.path)).toBe(true);
    const again = await openPort(link.path);
    const got = collect(again, 1);
    await link.write(Uint8Array.of(42));
    expect([...(await got)]).toEqual([42]);
    await new Promise((r) => again.close(r));
  });
});
