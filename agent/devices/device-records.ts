/**
 * What the agent keeps of its devices' traffic: every state change of a device in the store's
 * device_events (for staff tools and `doctor`-like views after the fact), and in the audit log every
 * card read and every print, as issue 5 wants them audited. Nothing personal is kept: a card read is
 * recorded by device, card type and the client's request, never by name or number.
 */
import { messageOf } from '../../base/errors.js';
import type { Logger } from '../../base/log.js';
import type { Message } from '../../drivers/manager/messages.js';
import { appendAudit } from '../audit/audit-log.js';
import type { Store } from '../store/store.js';

export interface DeviceRecorder {
  /** An unsolicited message of the manager (Common.StatusChangedEvent). */
  status(message: Message): void;
  /** A message the manager sent to a client (completions and events of its commands). */
  reply(message: Message, device: string | undefined): void;
}

const PRINTS = new Set(['Printer.PrintForm', 'Printer.PrintRaw', 'DocumentPrinter.PrintPdf']);

export function deviceRecorder(store: Store, log: Logger): DeviceRecorder {
  // A record that cannot be written (disk full) is logged; the device traffic goes on.
  const safely = (what: string, fn: () => void): void => {
    try {
      fn();
    } catch (err) {
      log.error('device record not written', { what, err: messageOf(err) });
    }
  };
  return {
    status(message) {
      if (message.header.name !== 'Common.StatusChangedEvent') return;
      const { device, status } = message.payload as { device?: unknown; status?: { state?: unknown; detail?: unknown; device?: unknown } };
      if (typeof device !== 'string' || !status) return;
      safely('device event', () =>
        store.deviceEvents.append({
          device,
          type: 'status',
          details: { state: status.state, ...(typeof status.detail === 'string' ? { detail: status.detail } : {}), ...(status.device !== undefined ? { device: status.device } : {}) },
        }),
      );
    },
    reply(message, device) {
      const { name, type, completionCode } = message.header;
      const payload = message.payload as { card?: { cardType?: unknown }; bytes?: unknown; jobId?: unknown };
      const cardRead = (name === 'IdentityCard.ReadCard' && type === 'completion' && completionCode === 'success') || (name === 'IdentityCard.CardReadEvent' && type === 'event' && payload.card);
      if (cardRead) {
        safely('card read', () =>
          appendAudit(store.db, { type: 'cardRead', actor: 'agent', subject: null, details: { device: device ?? 'idcard', cardType: String(payload.card?.cardType ?? 'unknown') } }),
        );
        return;
      }
      if (PRINTS.has(name) && type === 'completion' && completionCode === 'success') {
        safely('print', () =>
          appendAudit(store.db, {
            type: 'print',
            actor: 'agent',
            subject: null,
            details: { device: device ?? (name.startsWith('Document') ? 'document' : 'receipt'), command: name, ...(typeof payload.bytes === 'number' ? { bytes: payload.bytes } : {}) },
          }),
        );
      }
    },
  };
}
