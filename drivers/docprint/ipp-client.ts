/**
 * IPP over HTTP: POST application/ipp to http://HOST:PORT/printers/QUEUE (CUPS on localhost:631 by
 * default) or over a unix socket. Replies are read up to a bound and decoded by the pure codec.
 *
 * Error codes: 'docprint.cupsUnreachable' (no server at the address), 'docprint.unknownPrinter' (no such
 * queue), 'docprint.ippError' (any other non-successful IPP status), 'docprint.httpError',
 * 'device.timeout', 'device.garbled'. All are DeviceError (exit 3).
 */
import { request } from 'node:http';
import { userInfo } from 'node:os';
import { DeviceError, UsageError } from '../../base/errors.js';
import { decode, encode, type IppMessage } from './ipp-codec.js';
import {
  Operation,
  Status,
  jobRequest,
  printJobRequest,
  printerRequest,
  readJob,
  readPrinter,
  readPrinters,
  statusMessage,
  statusName,
  type JobInfo,
  type PrinterInfo,
  type RequestBase,
} from './ipp-operations.js';

export type CupsServer = { host: string; port: number } | { socketPath: string };

export const DEFAULT_SERVER: CupsServer = { host: 'localhost', port: 631 };

/** A reply larger than this is refused: a queue list of a big print server is well under it. */
const MAX_REPLY_BYTES = 4 * 1024 * 1024;

export interface IppClientOptions {
  server?: CupsServer;
  /** requesting-user-name (default: the OS user). */
  userName?: string;
  /** Per request (default 10 s). */
  requestTimeoutMs?: number;
}

/** Parses `HOST:PORT`, `[::1]:PORT`, `HOST` (port 631) or a unix socket path (starting with `/`). */
export function parseServer(text: string): CupsServer {
  if (text.startsWith('/')) return { socketPath: text };
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+))(?::(\d{1,5}))?$/.exec(text);
  const port = m?.[3] === undefined ? 631 : Number(m[3]);
  if (!m || port < 1 || port > 65535) throw new UsageError(`--server takes HOST:PORT or a socket path, not "${text}"`, 'usage.badValue');
  return { host: m[1] ?? m[2]!, port };
}

export function describeServer(s: CupsServer): string {
  return 'socketPath' in s ? s.socketPath : `${s.host.includes(':') ? `[${s.host}]` : s.host}:${s.port}`;
}

export class IppClient {
  readonly server: CupsServer;
  private readonly userName: string;
  private readonly timeoutMs: number;
  private nextId = 1;

  constructor(options: IppClientOptions = {}) {
    this.server = options.server ?? DEFAULT_SERVER;
    this.userName = options.userName ?? safeUserName();
    this.timeoutMs = options.requestTimeoutMs ?? 10_000;
  }

  printerUri(queue: string): string {
    const host = 'socketPath' in this.server ? 'localhost' : describeServer(this.server);
    return `ipp://${host}/printers/${encodeURIComponent(queue)}`;
  }

  private base(queue: string | undefined): RequestBase {
    return { printerUri: queue === undefined ? '' : this.printerUri(queue), requestId: this.nextId++, userName: this.userName };
  }

  async getPrinterAttributes(queue: string, signal?: AbortSignal): Promise<PrinterInfo> {
    const reply = await this.call(`/printers/${encodeURIComponent(queue)}`, printerRequest(Operation.getPrinterAttributes, this.base(queue)), queue, signal);
    const info = readPrinter(reply);
    return { ...info, name: info.name || queue };
  }

  async cupsGetPrinters(signal?: AbortSignal): Promise<PrinterInfo[]> {
    const reply = await this.call('/', printerRequest(Operation.cupsGetPrinters, this.base(undefined)), undefined, signal, true);
    return readPrinters(reply);
  }

  async pausePrinter(queue: string): Promise<void> {
    await this.call(`/admin/`, printerRequest(Operation.pausePrinter, this.base(queue)), queue);
  }

  async resumePrinter(queue: string): Promise<void> {
    await this.call(`/admin/`, printerRequest(Operation.resumePrinter, this.base(queue)), queue);
  }

  /** Submits a PDF; resolves with the job as the server first reports it. */
  async printJob(queue: string, jobName: string, pdf: Uint8Array, signal?: AbortSignal): Promise<JobInfo> {
    const reply = await this.call(`/printers/${encodeURIComponent(queue)}`, printJobRequest(this.base(queue), jobName, pdf), queue, signal);
    const job = readJob(reply);
    if (!job.id) throw new DeviceError('device.garbled', `CUPS accepted the job on ${queue} but gave no job-id`);
    return job;
  }

  async getJobAttributes(queue: string, jobId: number, signal?: AbortSignal): Promise<JobInfo> {
    const reply = await this.call(`/printers/${encodeURIComponent(queue)}`, jobRequest(Operation.getJobAttributes, this.base(queue), jobId), queue, signal);
    return readJob(reply, jobId);
  }

  async cancelJob(queue: string, jobId: number): Promise<void> {
    await this.call(`/printers/${encodeURIComponent(queue)}`, jobRequest(Operation.cancelJob, this.base(queue), jobId), queue);
  }

  /** One request/reply; throws typed errors for transport failures and non-successful statuses. */
  async call(path: string, msg: IppMessage, queue: string | undefined, signal?: AbortSignal, notFoundIsEmpty = false): Promise<IppMessage> {
    const body = await this.post(path, encode(msg), signal);
    const reply = decode(body);
    if (reply.requestId !== msg.requestId) throw new DeviceError('device.garbled', `IPP reply for request ${reply.requestId}, expected ${msg.requestId}`);
    if (reply.code <= 0x00ff) return reply;
    if (reply.code === Status.clientErrorNotFound) {
      if (notFoundIsEmpty) return { ...reply, groups: [] };
      if (queue !== undefined) throw new DeviceError('docprint.unknownPrinter', `no printer queue "${queue}" on CUPS at ${describeServer(this.server)} (lpstat -p lists them)`);
    }
    const detail = statusMessage(reply);
    throw new DeviceError(
      reply.code === Status.serverErrorNotAcceptingJobs ? 'docprint.printerStopped' : 'docprint.ippError',
      `CUPS at ${describeServer(this.server)} answered ${statusName(reply.code)}${detail ? `: ${detail}` : ''}`,
    );
  }

  private post(path: string, body: Uint8Array, signal?: AbortSignal): Promise<Uint8Array> {
    const where = describeServer(this.server);
    return new Promise((resolve, reject) => {
      const req = request({
        ...('socketPath' in this.server ? { socketPath: this.server.socketPath } : { host: this.server.host, port: this.server.port }),
        method: 'POST',
        path,
        headers: { 'content-type': 'application/ipp', 'content-length': body.length },
        timeout: this.timeoutMs,
        signal,
      });
      req.on('timeout', () => req.destroy(new DeviceError('device.timeout', `CUPS at ${where} did not answer within ${this.timeoutMs} ms`)));
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err instanceof DeviceError) return reject(err);
        if (err.name === 'AbortError') return reject(new DeviceError('device.canceled', 'canceled'));
        reject(new DeviceError('docprint.cupsUnreachable', `CUPS is not reachable at ${where} (${err.code ?? err.message}); is cupsd running?`, { cause: err }));
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_REPLY_BYTES) {
            req.destroy(new DeviceError('device.garbled', `IPP reply from ${where} is larger than ${MAX_REPLY_BYTES} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on('error', (err) => reject(err instanceof DeviceError ? err : new DeviceError('docprint.cupsUnreachable', `connection to CUPS at ${where} broke: ${err.message}`)));
        res.on('end', () => {
          if (res.statusCode !== 200) {
            const hint = res.statusCode === 401 || res.statusCode === 403 ? ' (not allowed: check the Policy in cupsd.conf)' : '';
            return reject(new DeviceError('docprint.httpError', `CUPS at ${where} answered HTTP ${res.statusCode}${hint}`));
          }
          resolve(new Uint8Array(Buffer.concat(chunks)));
        });
      });
      req.end(body);
    });
  }
}

function safeUserName(): string {
  try {
    return userInfo().username || 'tongban';
  } catch {
    return 'tongban';
  }
}
