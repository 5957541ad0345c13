/**
 * One small health check per kind of configured device, each a single question on the wire:
 *   idcard    SAM status (AA AA AA 96 69 00 03 11 FF ED), healthy when SW3 = 90
 *   receipt   DLE EOT 1..4 (10 04 n), healthy when online with paper and cover closed
 *   scanner   serial: the port opens (a scanner speaks only when it scans); hid: the device is enumerated
 *   document  Get-Printer-Attributes, healthy when not stopped and accepting jobs
 * The full drivers live elsewhere; these use only their pure codecs and the transports.
 */
import { messageOf } from '../../base/errors.js';
import { describeTransport, type DeviceConfig, type TransportConfig } from '../config.js';
import { IppClient, parseServer } from '../docprint/ipp-client.js';
import { explainReasons } from '../docprint/ipp-operations.js';
import { decodeStatusReplies, refusal } from '../escpos/status.js';
import { FrameExtractor, decodeReply, encodeCommand } from '../idcard/frame.js';
import { SW3_MESSAGES, SW3_OK } from '../idcard/errors.js';
import { DeviceFileTransport } from '../transport/device-file.js';
import { SerialTransport } from '../transport/serial.js';
import { TcpTransport } from '../transport/tcp.js';
import type { ByteTransport } from '../transport/types.js';
import type { HidEnumeration } from './hid-devices.js';

export interface DeviceHealth {
  id: string;
  kind: DeviceConfig['kind'];
  where: string;
  healthy: boolean;
  /** What was asked and what came back, in plain words. */
  detail: string;
  /** The typed error's code when unhealthy. */
  code?: string;
}

export interface ProbeOptions {
  /** Per exchange (default 1500 ms). */
  timeoutMs?: number;
  /** For scanner hid checks (enumerated once by the doctor). */
  hid?: HidEnumeration;
}

function transportFor(t: TransportConfig): ByteTransport {
  switch (t.type) {
    case 'serial':
      return new SerialTransport({ path: t.path, ...(t.baud ? { baud: t.baud } : {}) });
    case 'device':
      return new DeviceFileTransport({ path: t.path });
    case 'tcp':
      return new TcpTransport({ host: t.host, ...(t.port ? { port: t.port } : {}), reconnectOnWrite: false });
    default:
      throw new Error(`no byte transport for ${t.type}`);
  }
}

/** Sends `bytes` and collects the reply until `done(received)` says it is whole, or the timeout. */
async function exchange(t: ByteTransport, bytes: Uint8Array, done: (received: Uint8Array) => boolean, timeoutMs: number): Promise<Uint8Array | undefined> {
  let received = new Uint8Array(0);
  let finish: (r: Uint8Array | undefined) => void = () => undefined;
  const result = new Promise<Uint8Array | undefined>((resolve) => (finish = resolve));
  // On timeout, whatever came (a cut-off or garbled reply) is still a reply: the caller tells them apart.
  const timer = setTimeout(() => finish(received.length ? received : undefined), timeoutMs);
  const off = t.onData((chunk) => {
    const joined = new Uint8Array(received.length + chunk.length);
    joined.set(received);
    joined.set(chunk, received.length);
    received = joined.length > 65_536 ? joined.subarray(joined.length - 65_536) : joined;
    if (done(received)) finish(received);
  });
  try {
    await t.write(bytes);
    return await result;
  } finally {
    clearTimeout(timer);
    off();
  }
}

const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, '0').toUpperCase()).join(' ');

async function withTransport(config: DeviceConfig, body: (t: ByteTransport) => Promise<Omit<DeviceHealth, 'id' | 'kind' | 'where'>>): Promise<DeviceHealth> {
  const where = describeTransport(config.transport);
  const t = transportFor(config.transport);
  try {
    await t.open();
    return { id: config.id, kind: config.kind, where, ...(await body(t)) };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return { id: config.id, kind: config.kind, where, healthy: false, detail: messageOf(err), ...(typeof code === 'string' ? { code } : {}) };
  } finally {
    await t.close().catch(() => undefined);
  }
}

export function probeIdCard(config: DeviceConfig, timeoutMs: number): Promise<DeviceHealth> {
  return withTransport(config, async (t) => {
    const extractor = new FrameExtractor();
    let body: Uint8Array | undefined;
    const reply = await exchange(
      t,
      encodeCommand(0x11, 0xff),
      (bytes) => {
        extractor.reset();
        const items = extractor.push(bytes);
        body = items.find((e) => e.kind === 'frame')?.body;
        // A frame that failed its checksum or length is the answer too (a garbled one): stop waiting.
        return body !== undefined || items.some((e) => e.kind === 'error');
      },
      timeoutMs,
    );
    if (!reply || !body) {
      return {
        healthy: false,
        code: reply ? 'device.garbled' : 'device.timeout',
        detail: reply ? `SAM status: no valid frame in the reply (${hex(reply.subarray(0, 32))})` : `SAM status: no reply within ${timeoutMs} ms`,
      };
    }
    const { sw3 } = decodeReply(body);
    if (sw3 === SW3_OK) return { healthy: true, detail: 'SAM status 90 (SAM ready)' };
    const words = SW3_MESSAGES.get(sw3);
    const h = sw3.toString(16).padStart(2, '0');
    return { healthy: false, code: `idcard.sw3.${h}`, detail: `SAM status ${h}${words ? ` (${words[0]} / ${words[1]})` : ''}` };
  });
}

export function probeReceipt(config: DeviceConfig, timeoutMs: number): Promise<DeviceHealth> {
  return withTransport(config, async (t) => {
    const replies: number[] = [];
    for (const n of [1, 2, 3, 4] as const) {
      const r = await exchange(t, Uint8Array.of(0x10, 0x04, n), (b) => b.length >= 1, timeoutMs);
      if (!r) return { healthy: false, code: 'printer.offline', detail: `no reply to DLE EOT ${n} within ${timeoutMs} ms (offline or unplugged)` };
      replies.push(r[r.length - 1]!);
    }
    const status = decodeStatusReplies(replies as [number, number, number, number]);
    const why = refusal(status);
    if (why) return { healthy: false, code: why.code, detail: why.message };
    return { healthy: true, detail: `online${status.paperNearEnd ? ', paper near end' : ', paper ok'}` };
  });
}

export async function probeScanner(config: DeviceConfig, hid: HidEnumeration | undefined): Promise<DeviceHealth> {
  const t = config.transport;
  const where = describeTransport(t);
  if (t.type === 'hid') {
    const base = { id: config.id, kind: config.kind, where };
    if (!hid?.available) return { ...base, healthy: false, code: 'device.unavailable', detail: hid?.error ?? 'HID devices were not enumerated' };
    const found = hid.devices.find((d) => d.vendorId === t.vendorId && d.productId === t.productId);
    return found
      ? { ...base, healthy: true, detail: `present${found.product ? `: ${found.product}` : ''}` }
      : { ...base, healthy: false, code: 'device.unplugged', detail: 'not among the HID devices (unplugged?)' };
  }
  return withTransport(config, async () => ({ healthy: true, detail: 'port opens (a scanner speaks only when it scans)' }));
}

export async function probeDocument(config: DeviceConfig, defaultServer: string | undefined): Promise<DeviceHealth> {
  const t = config.transport;
  const where = describeTransport(t);
  const base = { id: config.id, kind: config.kind, where };
  if (t.type !== 'cups') return { ...base, healthy: false, detail: `a document printer needs a cups transport, not ${t.type}` };
  try {
    const server = t.server ?? defaultServer;
    const client = new IppClient({ ...(server ? { server: parseServer(server) } : {}), requestTimeoutMs: 5000 });
    const p = await client.getPrinterAttributes(t.queue);
    const why = explainReasons(p.reasons);
    if (p.state === 'stopped' || !p.acceptingJobs) {
      return {
        ...base,
        healthy: false,
        code: 'docprint.printerStopped',
        detail: `${p.state === 'stopped' ? 'stopped' : 'not accepting jobs'}${why ? `: ${why}` : ''}${p.message ? ` — ${p.message}` : ''}`,
      };
    }
    return { ...base, healthy: true, detail: `${p.state}${why ? ` (${why})` : ''}` };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return { ...base, healthy: false, detail: messageOf(err), ...(typeof code === 'string' ? { code } : {}) };
  }
}

export function probe(config: DeviceConfig, options: ProbeOptions & { cupsServer?: string } = {}): Promise<DeviceHealth> {
  const timeoutMs = options.timeoutMs ?? 1500;
  switch (config.kind) {
    case 'idcard':
      return probeIdCard(config, timeoutMs);
    case 'receipt':
      return probeReceipt(config, timeoutMs);
    case 'scanner':
      return probeScanner(config, options.hid);
    case 'document':
      return probeDocument(config, options.cupsServer);
  }
}
