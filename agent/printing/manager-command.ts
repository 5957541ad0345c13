/**
 * One command to the device manager, answered by its completion: the print job modules' client identity
 * towards drivers/manager. Replies are matched by requestId; an acknowledge that refuses the command
 * (device busy, offline) is answered as a `deviceNotReady` completion whose errorCode is `<prefix>.<status>`.
 */
import type { DeviceManager, SubmitOptions } from '../../drivers/manager/manager.js';
import { MESSAGE_VERSION, type Message } from '../../drivers/manager/messages.js';

export class ManagerCommands {
  private requestId = 0;
  private readonly waiting = new Map<number, (m: Message) => void>();

  constructor(
    private readonly manager: DeviceManager,
    /** `printer` or `device`: the errorCode prefix of a refusing acknowledge. */
    private readonly refusalPrefix: string,
  ) {}

  /** Sends `name` with `payload`; resolves with its completion (or the refusing acknowledge made one). */
  send(name: string, payload: Record<string, unknown>, timeoutMs: number, options: SubmitOptions = {}): Promise<Message> {
    const requestId = ++this.requestId;
    return new Promise((resolve) => {
      this.waiting.set(requestId, resolve);
      this.manager.submit({ header: { name, requestId, type: 'command', version: MESSAGE_VERSION, timeout: timeoutMs }, payload }, this.sink, options);
    });
  }

  private readonly sink = (m: Message): void => {
    const resolve = this.waiting.get(m.header.requestId);
    if (!resolve) return;
    if (m.header.type === 'completion') {
      this.waiting.delete(m.header.requestId);
      resolve(m);
    } else if (m.header.type === 'acknowledge' && m.header.status !== undefined) {
      this.waiting.delete(m.header.requestId);
      resolve({ header: { ...m.header, type: 'completion', completionCode: 'deviceNotReady' }, payload: { errorCode: `${this.refusalPrefix}.${m.header.status}` } });
    }
  };
}
