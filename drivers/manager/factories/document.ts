/**
 * A document (A4) printer as a service (DocumentPrinter interface): drivers/docprint's DocumentPrinter on
 * a CUPS queue. PrintPdf completes only when the CUPS job completed; its progress arrives as JobStateEvents.
 * The queue's state is asked while idle (options.statusPollMs, default 5 s; 0: only around jobs), so that
 * paper running out or a stopped queue shows before a citizen needs the printer, and its return too.
 */
import { parseServer } from '../../docprint/ipp-client.js';
import { DocumentPrinter } from '../../docprint/printer.js';
import type { DeviceFactory, ManagedDevice } from '../device.js';
import { idlePoller } from './idle-poll.js';

const DRIVER_TIMEOUT_MARGIN_MS = 1000;
const DEFAULT_POLL_MS = 5000;

export const documentFactory: DeviceFactory = (config) => {
  if (config.kind !== 'document' || config.transport.type !== 'cups') throw new Error(`${config.id}: not a CUPS document printer`);
  const t = config.transport;
  const printer = new DocumentPrinter({ queue: t.queue, ...(t.server ? { server: parseServer(t.server) } : {}) });
  const jobTimeoutMs = config.options?.jobTimeoutMs ?? 120_000;
  let open = false;
  // A failed refresh has set the status (offline) already; the poll only keeps it current.
  const poller = idlePoller({ pollMs: config.options?.statusPollMs ?? DEFAULT_POLL_MS, isOpen: () => open, query: () => printer.refresh() });
  const device: ManagedDevice = {
    description: printer.description,
    open: async () => {
      await printer.open();
      open = true;
      poller.start();
    },
    close: async () => {
      open = false;
      poller.stop();
      await printer.close();
    },
    status: () => printer.status(),
    onStatus: (l) => printer.onStatus(l),
    capabilities: () => ({ type: 'CUPS queue', queue: t.queue, formats: ['application/pdf'] }),
    commands: {
      'DocumentPrinter.PrintPdf': (payload, ctx) =>
        poller.job(async () => {
          const result = await printer.print(payload.data as Uint8Array, {
            ...(payload.title ? { title: payload.title as string } : {}),
            timeoutMs: ctx.timeoutMs > 0 ? ctx.timeoutMs + DRIVER_TIMEOUT_MARGIN_MS : jobTimeoutMs,
            signal: ctx.signal,
            onEvent: (e) => ctx.emit('DocumentPrinter.JobStateEvent', { jobId: e.jobId, state: e.type }),
          });
          return {
            jobId: result.jobId,
            queue: result.queue,
            state: result.state,
            submittedAt: result.submittedAt.toISOString(),
            completedAt: result.completedAt.toISOString(),
          };
        }),
    },
  };
  return device;
};
