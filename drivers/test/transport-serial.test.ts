import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DeviceError } from '../../base/errors.js';
import { PtyLink } from '../sim/pty-link.js';
import { SerialTransport } from '../transport/serial.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function link(): Promise<PtyLink> {
  const l = await PtyLink.open(join(mkdtempSync(join(tmpdir(), 'tongban-serial-')), 'tty'));
  cleanup.push(() => l.close());
  return l;
}

function until<T>(check: () => T | undefined): Promise<T> {
  return new Promise((resolve) => {
    const tick = () => {
      const v = check();
      if (v !== undefined) resolve(v);
      else setTimeout(tick, 5);
    };
    tick();
  });
}

describe('SerialTransport', () => {
  it('describes itself with 115200 by default', () => {
    expect(new SerialTransport({ path: '/dev/ttyX' }).description).toBe('serial /dev/ttyX @115200');
  });

  it('carries all byte values both ways and keeps reading', async () => {
    const l = await link();
    const fromDriver: number[] = [];
    l.onData((c) => fromDriver.push(...c));
    const t = new SerialTransport({ path: l.path });
    await t.open();
    cleanup.push(() => t.close());
    expect(t.isOpen).toBe(true);
    const got: number[] = [];
    t.onData((c) => got.push(...c));
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    for (let i = 0; i < 4; i++) await l.write(all);
    await until(() => (got.length >= 1024 ? true : undefined));
    expect(got).toEqual([...all, ...all, ...all, ...all]);
    await t.write(all);
    await until(() => (fromDriver.length >= 256 ? true : undefined));
    expect(fromDriver).toEqual([...all]);
  });

  it('refuses a missing path with device.unplugged', async () => {
    const t = new SerialTransport({ path: '/nonexistent/tty' });
    await expect(t.open()).rejects.toMatchObject({ code: 'device.unplugged' });
  });

  it('closes itself with device.unplugged when the path vanishes', async () => {
    const l = await link();
    const t = new SerialTransport({ path: l.path, presencePollMs: 20 });
    await t.open();
    const closed = new Promise<Error | undefined>((resolve) => t.onClose(resolve));
    await l.unplug();
    const err = await closed;
    expect(err).toBeInstanceOf(DeviceError);
    expect((err as DeviceError).code).toBe('device.unplugged');
    expect(t.isOpen).toBe(false);
    await expect(t.write(Uint8Array.of(1))).rejects.toMatchObject({ code: 'device.notOpen' });
    // plugged back in: the same transport opens again
    await l.plugIn();
    await t.open();
    expect(t.isOpen).toBe(true);
    await t.close();
  });

  it('reports a clean close without an error', async () => {
    const l = await link();
    const t = new SerialTransport({ path: l.path });
    await t.open();
    const closed = new Promise<Error | undefined>((resolve) => t.onClose(resolve));
    await t.close();
    expect(await closed).toBeUndefined();
  });
});
