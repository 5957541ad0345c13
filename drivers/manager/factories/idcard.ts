/**
 * The ID card reader as a service (IdentityCard interface): drivers/idcard's IdCardReader on a serial port.
 * ReadCard waits for a card with the command's own timeout (none: it waits until canceled); WatchStart
 * reports cards put down and taken away until WatchStop or Cancel. Card data goes only to the client that
 * asked (events and completion), never into unsolicited status: it is personal.
 */
import { DeviceError } from '../../../base/errors.js';
import type { IdCard } from '../../idcard/base-info.js';
import { IdCardReader, type IdCardEvent } from '../../idcard/reader.js';
import { IdCardWatcher } from '../../idcard/watch.js';
import type { CommandContext, DeviceFactory, ManagedDevice } from '../device.js';
import { idlePoller } from './idle-poll.js';

/** The driver's own limit sits past the manager's, so that a command's timeout completes as timeOut. */
const DRIVER_TIMEOUT_MARGIN_MS = 1000;
/** "No timeout": a day, as far as the driver is concerned (Cancel ends it sooner). */
const NO_TIMEOUT_MS = 24 * 3600_000;
const DEFAULT_POLL_MS = 5000;

export function cardPayload(card: IdCard): Record<string, unknown> {
  const { photo, fingerprint, ...fields } = card;
  return {
    ...fields,
    photo: Buffer.from(photo.buffer, photo.byteOffset, photo.byteLength).toString('base64'),
    ...(fingerprint ? { fingerprint: Buffer.from(fingerprint.buffer, fingerprint.byteOffset, fingerprint.byteLength).toString('base64') } : {}),
  };
}

const READ_EVENTS: Partial<Record<IdCardEvent['type'], 'IdentityCard.InsertCardEvent' | 'IdentityCard.MediaInsertedEvent'>> = {
  waitingForCard: 'IdentityCard.InsertCardEvent',
  cardFound: 'IdentityCard.MediaInsertedEvent',
};

export const idCardFactory: DeviceFactory = (config, env) => {
  if (config.kind !== 'idcard' || config.transport.type !== 'serial') throw new Error(`${config.id}: not a serial ID card reader`);
  const options = config.options ?? {};
  const reader = IdCardReader.serial(config.transport.path, {
    log: env.log,
    ...(config.transport.baud ? { baud: config.transport.baud } : {}),
    ...(options.replyTimeoutMs ? { commandTimeoutMs: options.replyTimeoutMs } : {}),
  });
  // While idle the SAM is asked for its status now and then: a reader switched off (its USB-serial adapter
  // still plugged in) shows as offline before a citizen puts a card down, and as online when it is back.
  const pollMs = options.statusPollMs ?? DEFAULT_POLL_MS;
  const poller = idlePoller({ pollMs, isOpen: () => reader.isOpen, query: () => reader.samStatus() });
  const job = poller.job;
  const device: ManagedDevice = {
    description: reader.description,
    open: async () => {
      await reader.open();
      poller.start();
    },
    close: async () => {
      poller.stop();
      await reader.close();
    },
    status: () => reader.status(),
    onStatus: (l) => reader.onStatus(l),
    capabilities: () => ({ type: 'resident ID card reader (SAM)', cardTypes: ['resident', 'gat', 'foreigner'], fingerprint: options.fingerprint ?? false }),
    commands: {
      'IdentityCard.ReadCard': (payload, ctx) => job(() => readCard(payload, ctx)),
      'IdentityCard.WatchStart': (_payload, ctx) => job(() => watch(ctx)),
    },
  };

  async function readCard(payload: Record<string, unknown>, ctx: CommandContext): Promise<Record<string, unknown>> {
    const card = await reader.readCard({
      signal: ctx.signal,
      timeoutMs: ctx.timeoutMs > 0 ? ctx.timeoutMs + DRIVER_TIMEOUT_MARGIN_MS : NO_TIMEOUT_MS,
      withFingerprint: (payload.fingerprint as boolean | undefined) ?? options.fingerprint ?? false,
      onEvent: (e) => {
        const name = READ_EVENTS[e.type];
        if (name) ctx.emit(name, {});
      },
    });
    return { card: cardPayload(card) };
  }

  function watch(ctx: CommandContext): Promise<Record<string, unknown>> {
    return new Promise<Record<string, unknown>>((resolve, reject) => {
      const watcher = new IdCardWatcher(reader, { log: env.log, ...(options.fingerprint ? { withFingerprint: true } : {}) });
      const end = (err?: Error): void => {
        ctx.signal.removeEventListener('abort', onAbort);
        void watcher.stop().then(() => (err ? reject(err) : resolve({})));
      };
      const onAbort = (): void => end();
      watcher.onEvent((e) => {
        switch (e.type) {
          case 'card-inserted':
            return ctx.emit('IdentityCard.MediaInsertedEvent', {});
          case 'card-read':
            return ctx.emit('IdentityCard.CardReadEvent', { card: cardPayload(e.card) });
          case 'card-error':
            return ctx.emit('IdentityCard.CardReadEvent', { errorCode: e.code, errorDescription: e.message });
          case 'card-removed':
            return ctx.emit('IdentityCard.MediaRemovedEvent', {});
          case 'status':
            // The manager reconnects a pulled reader itself: the watch ends rather than reopening behind it.
            if (e.state === 'unplugged') end(new DeviceError('device.unplugged', e.detail ?? 'ID card reader: 读卡器已断开 / the reader was unplugged'));
            return;
        }
      });
      if (ctx.signal.aborted) return end();
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      watcher.start();
    });
  }

  return device;
};
