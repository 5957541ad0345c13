/**
 * The devices, through the agent's XFS4IoT WebSocket (/api/ws): one socket for the page, reconnected
 * with backoff when it drops (the agent restarting). A command resolves with its completion, passing its
 * events to onEvent on the way; unsolicited messages (Common.StatusChangedEvent, Agent.*) go to every
 * onUnsolicited listener. A command cut off by a lost socket resolves as canceled (never hangs).
 */
import { getToken } from './token';

export interface Completion {
  completionCode: string;
  errorDescription?: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  payload: any;
}

export interface CommandOptions {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  onEvent?(name: string, payload: any): void;
  signal?: AbortSignal;
  /** The command's own time limit in the agent (header.timeout); absent: none. */
  timeoutMs?: number;
}

interface Pending {
  readonly name: string;
  readonly options: CommandOptions;
  resolve(c: Completion): void;
  sent: boolean;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Listener = (name: string, payload: any) => void;

const VERSION = '1.0';
const BACKOFF_MS = [250, 500, 1000, 2000, 4000];

let socket: WebSocket | undefined;
let open = false;
let attempts = 0;
let nextId = 1;
const pending = new Map<number, Pending & { message: string }>();
const listeners = new Set<Listener>();
const connectionListeners = new Set<(connected: boolean) => void>();

function url(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/ws`;
}

function connect(): void {
  if (socket) return;
  const token = getToken();
  const ws = new WebSocket(url(), token ? ['tongban', `bearer.${token}`] : ['tongban']);
  socket = ws;
  ws.onopen = () => {
    open = true;
    attempts = 0;
    for (const [, p] of pending) {
      if (!p.sent) {
        ws.send(p.message);
        p.sent = true;
      }
    }
    for (const l of [...connectionListeners]) l(true);
  };
  ws.onmessage = (ev) => {
    if (typeof ev.data !== 'string') return;
    let m: { header?: { name?: string; requestId?: number; type?: string; status?: string; completionCode?: string; errorDescription?: string }; payload?: unknown };
    try {
      m = JSON.parse(ev.data);
    } catch {
      return;
    }
    const h = m.header;
    if (!h || typeof h.name !== 'string') return;
    if (h.type === 'unsolicited') {
      for (const l of [...listeners]) {
        try {
          l(h.name, m.payload ?? {});
        } catch {
          // one listener's failure does not stop the others
        }
      }
      return;
    }
    const p = typeof h.requestId === 'number' ? pending.get(h.requestId) : undefined;
    if (!p) return;
    if (h.type === 'acknowledge' && h.status) {
      finish(h.requestId!, { completionCode: 'invalidData', errorDescription: `${h.status}: ${h.errorDescription ?? ''}`, payload: {} });
    } else if (h.type === 'event') {
      p.options.onEvent?.(h.name, m.payload ?? {});
    } else if (h.type === 'completion') {
      finish(h.requestId!, { completionCode: h.completionCode ?? 'internalError', ...(h.errorDescription ? { errorDescription: h.errorDescription } : {}), payload: m.payload ?? {} });
    }
  };
  ws.onclose = () => {
    socket = undefined;
    const was = open;
    open = false;
    // Commands under way are gone with the socket (the agent cancels them): tell their callers.
    for (const [id, p] of pending) if (p.sent) finish(id, { completionCode: 'canceled', errorDescription: 'connection lost', payload: {} });
    if (was) for (const l of [...connectionListeners]) l(false);
    const delay = BACKOFF_MS[Math.min(attempts, BACKOFF_MS.length - 1)]!;
    attempts++;
    setTimeout(connect, delay);
  };
}

function finish(id: number, c: Completion): void {
  const p = pending.get(id);
  if (!p) return;
  pending.delete(id);
  p.resolve(c);
}

export const devices = {
  command(name: string, payload: object, opts: CommandOptions = {}): Promise<Completion> {
    connect();
    const requestId = nextId++;
    const header: Record<string, unknown> = { name, requestId, type: 'command', version: VERSION };
    if (opts.timeoutMs !== undefined) header.timeout = opts.timeoutMs;
    const message = JSON.stringify({ header, payload });
    return new Promise<Completion>((resolve) => {
      const entry = { name, options: opts, resolve, sent: false, message };
      pending.set(requestId, entry);
      if (opts.signal) {
        const abort = (): void => {
          if (!pending.has(requestId)) return;
          if (entry.sent && open) send({ header: { name: 'Common.Cancel', requestId: nextId++, type: 'command', version: VERSION }, payload: { requestIds: [requestId] } });
          finish(requestId, { completionCode: 'canceled', errorDescription: 'aborted', payload: {} });
        };
        if (opts.signal.aborted) return abort();
        opts.signal.addEventListener('abort', abort, { once: true });
      }
      if (open && socket) {
        socket.send(message);
        entry.sent = true;
      }
    });
  },
  onUnsolicited(listener: Listener): () => void {
    connect();
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  /** Called with true/false as the socket opens and drops (a banner "设备连接中"). */
  onConnection(listener: (connected: boolean) => void): () => void {
    connect();
    connectionListeners.add(listener);
    return () => connectionListeners.delete(listener);
  },
  connected(): boolean {
    return open;
  },
};

function send(m: unknown): void {
  socket?.send(JSON.stringify(m));
}
