import { mkdtempSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DeviceError } from '../../base/errors.js';
import { PtyLink } from '../sim/pty-link.js';
import { DeviceFileTransport } from '../transport/device-file.js';
import { TcpTransport, parseHostPort } from '../transport/tcp.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

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

const all = Uint8Array.from({ length: 256 }, (_, i) => i);

describe('DeviceFileTransport (on a pty slave, a character device)', () => {
  it('carries all byte values both ways', async () => {
    const l = await PtyLink.open(join(mkdtempSync(join(tmpdir(), 'tongban-dev-')), 'lp0'));
    cleanup.push(() => l.close());
    const fromDriver: number[] = [];
    l.onData((c) => fromDriver.push(...c));
    const t = new DeviceFileTransport({ path: l.path });
    await t.open();
    cleanup.push(() => t.close());
    const got: number[] = [];
    t.onData((c) => got.push(...c));
    await t.write(all);
    await until(() => (fromDriver.length >= 256 ? true : undefined));
    expect(fromDriver).toEqual([...all]);
    await l.write(all);
    await l.write(all);
    await until(() => (got.length >= 512 ? true : undefined));
    expect(got).toEqual([...all, ...all]);
  });

  it('refuses a missing device and closes with device.unplugged when it goes', async () => {
    await expect(new DeviceFileTransport({ path: '/nonexistent/lp9' }).open()).rejects.toMatchObject({ code: 'device.unplugged' });
    const l = await PtyLink.open(join(mkdtempSync(join(tmpdir(), 'tongban-dev-')), 'lp0'));
    cleanup.push(() => l.close());
    const t = new DeviceFileTransport({ path: l.path });
    await t.open();
    const closed = new Promise<Error | undefined>((resolve) => t.onClose(resolve));
    await l.unplug();
    const err = await closed;
    expect(err).toBeInstanceOf(DeviceError);
    expect((err as DeviceError).code).toBe('device.unplugged');
    expect(t.isOpen).toBe(false);
  });
});

async function listen(onSocket: (s: Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer(onSocket);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
  return { server, port: (server.address() as { port: number }).port };
}

describe('TcpTransport', () => {
  it('parses HOST:PORT with 9100 as the default port', () => {
    expect(parseHostPort('10.0.0.5')).toEqual({ host: '10.0.0.5', port: 9100 });
    expect(parseHostPort('printer.local:9101')).toEqual({ host: 'printer.local', port: 9101 });
    expect(parseHostPort('[::1]:9100')).toEqual({ host: '::1', port: 9100 });
    expect(() => parseHostPort('a:b:c')).toThrow(/HOST:PORT/);
    expect(() => parseHostPort('x:70000')).toThrow(/HOST:PORT/);
  });

  it('carries bytes both ways, and reconnects on write after the peer drops it', async () => {
    const sockets: Socket[] = [];
    const received: number[] = [];
    const { port } = await listen((s) => {
      sockets.push(s);
      s.on('data', (d) => received.push(...d));
    });
    const t = new TcpTransport({ host: '127.0.0.1', port });
    expect(t.description).toBe(`tcp 127.0.0.1:${port}`);
    await t.open();
    cleanup.push(() => t.close());
    const got: number[] = [];
    t.onData((c) => got.push(...c));
    await t.write(all);
    await until(() => (received.length >= 256 ? true : undefined));
    expect(received).toEqual([...all]);
    sockets[0]!.write(all);
    await until(() => (got.length >= 256 ? true : undefined));
    expect(got).toEqual([...all]);

    const closed = new Promise<Error | undefined>((resolve) => t.onClose(resolve));
    sockets[0]!.destroy();
    expect(await closed).toMatchObject({ code: 'device.disconnected' });
    expect(t.isOpen).toBe(false);
    await t.write(Uint8Array.of(0x1b, 0x40));
    await until(() => (received.length >= 258 ? true : undefined));
    expect(sockets).toHaveLength(2);
    expect(received.slice(256)).toEqual([0x1b, 0x40]);
  });

  it('fails to connect with a typed error when nothing listens', async () => {
    const { server, port } = await listen(() => undefined);
    await new Promise<void>((r) => server.close(() => r()));
    await expect(new TcpTransport({ host: '127.0.0.1', port }).open()).rejects.toMatchObject({ code: 'device.unreachable' });
  });

  it('does not write after an explicit close', async () => {
    const { port } = await listen(() => undefined);
    const t = new TcpTransport({ host: '127.0.0.1', port });
    await t.open();
    await t.close();
    await expect(t.write(Uint8Array.of(1))).rejects.toMatchObject({ code: 'device.notOpen' });
  });
});
