/** Test plumbing for the device manager: a client that records its messages and waits for them. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeviceManager } from '../manager/manager.js';
import type { Message } from '../manager/messages.js';

type Pred = (m: Message) => boolean;

export class Recorder {
  readonly messages: Message[] = [];
  private waiters: { pred: Pred; resolve: (m: Message) => void }[] = [];

  /** Keeps each message as a WebSocket client would see it: through JSON (a Date or bytes left in a payload would show). */
  readonly sink = (sent: Message): void => {
    const m = JSON.parse(JSON.stringify(sent)) as Message;
    this.messages.push(m);
    for (const w of [...this.waiters]) {
      if (w.pred(m)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };

  /** How many messages so far: a mark for waitFor(pred, mark) to look only at what comes after it. */
  get mark(): number {
    return this.messages.length;
  }

  /** The first message (already received from index `from` on, or still to come) that matches. */
  waitFor(pred: Pred, from = 0): Promise<Message> {
    const have = this.messages.slice(from).find(pred);
    if (have) return Promise.resolve(have);
    return new Promise((resolve) => this.waiters.push({ pred, resolve }));
  }

  of(requestId: number): Message[] {
    return this.messages.filter((m) => m.header.requestId === requestId);
  }

  completion(requestId: number): Promise<Message> {
    return this.waitFor((m) => m.header.type === 'completion' && m.header.requestId === requestId);
  }

  event(requestId: number, name: string): Promise<Message> {
    return this.waitFor((m) => m.header.type === 'event' && m.header.requestId === requestId && m.header.name === name);
  }
}

let lastId = 0;
export function command(name: string, payload: Record<string, unknown> = {}, timeout?: number): { requestId: number; message: Message } {
  const requestId = ++lastId;
  return { requestId, message: { header: { name, requestId, type: 'command', version: '1.0', ...(timeout !== undefined ? { timeout } : {}) }, payload } };
}

/** Submits a command and returns its requestId. */
export function send(manager: DeviceManager, client: Recorder, name: string, payload: Record<string, unknown> = {}, options: { timeout?: number; device?: string } = {}): number {
  const { requestId, message } = command(name, payload, options.timeout);
  manager.submit(message, client.sink, options.device !== undefined ? { device: options.device } : {});
  return requestId;
}

/** The unsolicited StatusChangedEvents of one device, as recorded by a subscriber. */
export function statusRecorder(manager: DeviceManager): Recorder {
  const r = new Recorder();
  manager.subscribe(r.sink);
  return r;
}

export function stateIs(device: string, state: string): (m: Message) => boolean {
  return (m) => m.header.name === 'Common.StatusChangedEvent' && (m.payload as { device: string }).device === device && (m.payload as { status: { state: string } }).status.state === state;
}

export function tempPath(name: string): string {
  return join(mkdtempSync(join(tmpdir(), 'tongban-mgr-')), name);
}
