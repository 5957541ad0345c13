/**
 * A QR/barcode scanner as a service (BarcodeReader interface): drivers/scanner's serial or HID POS reader.
 * BarcodeReader.Read waits for `count` codes; each is sent as a ReadEvent as it arrives and all of them
 * come in the completion. A code scanned while no Read is running goes nowhere: a stray scan must not be
 * kept and handed to the next citizen's session. The reader's own reconnect is off: the manager rebuilds
 * a pulled scanner with its backoff.
 */
import { DeviceError } from '../../../base/errors.js';
import { DEFAULT_BAUD } from '../../config.js';
import { HidScannerReader, openHidDevice } from '../../scanner/hid-reader.js';
import { SerialScannerReader } from '../../scanner/serial-reader.js';
import type { ScannerReader } from '../../scanner/status.js';
import type { ScanCode } from '../../scanner/types.js';
import { SerialTransport } from '../../transport/serial.js';
import type { DeviceFactory, ManagedDevice } from '../device.js';

function codePayload(c: ScanCode): Record<string, unknown> {
  return { text: c.text, ...(c.symbology ? { symbology: c.symbology } : {}), ...(c.aim ? { aim: c.aim } : {}), at: c.at };
}

export const scannerFactory: DeviceFactory = (config, env) => {
  if (config.kind !== 'scanner') throw new Error(`${config.id}: not a scanner`);
  const options = config.options ?? {};
  const t = config.transport;
  let reader: ScannerReader;
  if (t.type === 'serial') {
    const transport = new SerialTransport({ path: t.path, baud: t.baud ?? DEFAULT_BAUD.scanner });
    reader = new SerialScannerReader(transport, {
      ...(options.suffix ? { suffix: options.suffix } : {}),
      ...(options.maxLength ? { maxLength: options.maxLength } : {}),
      reconnectMs: 0,
    });
  } else if (t.type === 'hid') {
    reader = new HidScannerReader(() => openHidDevice(t.vendorId, t.productId), {
      vendorId: t.vendorId,
      productId: t.productId,
      ...(t.layout ? { layout: t.layout } : {}),
      ...(options.maxLength ? { maxLength: options.maxLength } : {}),
      reconnectMs: 0,
    });
  } else {
    throw new Error(`${config.id}: a scanner cannot sit on a ${(t as { type: string }).type} transport`);
  }
  let reading = 0;
  // Only the fact is logged, never the text: a code can carry a personal token.
  reader.onCode((c) => {
    if (reading === 0) env.log.info('code dropped: no BarcodeReader.Read running', { length: c.text.length });
  });
  const device: ManagedDevice = {
    description: reader.source,
    open: () => reader.open(),
    close: () => reader.close(),
    status: () => reader.status(),
    onStatus: (l) => reader.onStatus(l),
    capabilities: () => ({ type: t.type === 'hid' ? 'HID POS scanner' : 'serial scanner', ...(t.type === 'serial' ? { suffix: options.suffix ?? 'cr' } : {}) }),
    commands: {
      'BarcodeReader.Read': (payload, ctx) =>
        new Promise<Record<string, unknown>>((resolve, reject) => {
          const want = (payload.count as number | undefined) ?? 1;
          const codes: Record<string, unknown>[] = [];
          reading++;
          const stop = (): void => {
            reading--;
            offCode();
            offStatus();
            ctx.signal.removeEventListener('abort', onAbort);
          };
          const onAbort = (): void => {
            stop();
            reject(new DeviceError('device.canceled', 'scanner: 已取消 / the read was canceled'));
          };
          const offCode = reader.onCode((c) => {
            const p = codePayload(c);
            codes.push(p);
            ctx.emit('BarcodeReader.ReadEvent', p);
            if (codes.length >= want) {
              stop();
              resolve({ codes });
            }
          });
          const offStatus = reader.onStatus((s) => {
            if (s.state === 'unplugged' || s.state === 'error') {
              stop();
              reject(new DeviceError(s.state === 'unplugged' ? 'device.unplugged' : 'device.ioError', s.detail ?? `scanner ${s.state}`));
            }
          });
          if (ctx.signal.aborted) return onAbort();
          ctx.signal.addEventListener('abort', onAbort, { once: true });
        }),
    },
  };
  return device;
};
