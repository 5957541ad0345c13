/**
 * The devices over WebSocket, in the XFS4IoT manner: each socket is one client of drivers/manager's
 * DeviceManager. Text frames are commands (`{ header: { name, requestId, type: "command", ... },
 * payload }`); the socket receives their acknowledge, events and completion, every device's unsolicited
 * status, and the agent's own unsolicited events (a case changed). `/api/ws` addresses commands by
 * interface (the one device offering it); `/api/ws/devices/{id}` is one device's service endpoint.
 */
import type { WebSocket } from 'ws';
import type { Logger } from '../../base/log.js';
import type { DeviceManager, MessageSink } from '../../drivers/manager/manager.js';
import { MESSAGE_VERSION, type Message } from '../../drivers/manager/messages.js';
import { ApiError } from './errors.js';
import type { SocketRoute } from './server.js';

/** The agent's own unsolicited events (case changes), fanned out to every socket. */
export class AgentEvents {
  private readonly listeners = new Set<(m: Message) => void>();

  subscribe(listener: (m: Message) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** `Agent.CaseChangedEvent { caseId, status, itemCode }` and the like. */
  emit(name: `Agent.${string}`, payload: Record<string, unknown>): void {
    const message: Message = { header: { name, requestId: 0, type: 'unsolicited', version: MESSAGE_VERSION }, payload };
    for (const l of [...this.listeners]) {
      try {
        l(message);
      } catch {
        // a listener's failure (a closed socket) is its own affair
      }
    }
  }
}

/** Socket buffer above which a client that does not read is dropped rather than buffered without end. */
const MAX_BUFFERED = 16 * 1024 * 1024;

export interface DeviceSocketOptions {
  readonly manager: DeviceManager;
  readonly events: AgentEvents;
  readonly log: Logger;
  /** Sees every message the manager sends a client, with the device the socket addresses (records, audit). */
  readonly observe?: (m: Message, device: string | undefined) => void;
}

export function deviceSockets(options: DeviceSocketOptions): SocketRoute[] {
  const { manager, events, log, observe } = options;
  const accept = (ws: WebSocket, device: string | undefined): void => {
    const sink: MessageSink = (m) => {
      observe?.(m, device);
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > MAX_BUFFERED) {
        log.warn('websocket client not reading: dropped', { buffered: ws.bufferedAmount });
        ws.terminate();
        return;
      }
      ws.send(JSON.stringify(m));
    };
    const offStatus = manager.subscribe((m) => {
      if (device === undefined || (m.payload as { device?: unknown }).device === device) sink(m);
    });
    const offEvents = events.subscribe(sink);
    ws.on('message', (data, isBinary) => {
      // The manager answers anything (not JSON, too large, unknown command) with an acknowledge.
      const raw = isBinary ? data : data.toString();
      manager.submit(raw, sink, device === undefined ? {} : { device });
    });
    ws.on('close', () => {
      offStatus();
      offEvents();
      manager.disconnect(sink); // its commands are canceled
    });
    ws.on('error', (err) => log.warn('websocket error', { err }));
  };
  return [
    { path: '/api/ws', accept: (ws) => accept(ws, undefined) },
    {
      path: '/api/ws/devices/{id}',
      check: (params) => (manager.deviceStatus(params.id!) ? undefined : new ApiError(404, 'unknownDevice', `no device "${params.id}" is configured`, 'id')),
      accept: (ws, params) => accept(ws, params.id),
    },
  ];
}
