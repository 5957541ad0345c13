/**
 * A simulated A4 document printer: a small IPP/1.1 server over HTTP on 127.0.0.1 (port 0: any free
 * port) speaking the operations drivers/docprint uses — Print-Job, Get-Job-Attributes,
 * Get-Printer-Attributes, Cancel-Job, Pause-/Resume-Printer and CUPS-Get-Printers — encoded and decoded
 * with the driver's own codec (../docprint/ipp-codec.ts), so that the real DocumentPrinter prints on it
 * as on a CUPS queue. Each completed job's PDF is kept as a file in `dir` ("the paper").
 *
 * Paper on demand: 'nearEnd' reports media-low; 'out' stops the printer with media-empty-error (the
 * driver refuses to submit to a stopped printer, as on CUPS) and refuses Print-Job as not accepting jobs,
 * so nothing prints until paper is back. Printed files hold what the citizen's paper would: they are
 * written owner-only.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { silentLogger, type Logger } from '../../base/log.js';
import { attr, decode, encode, enumValue, findAttribute, integer, integerOf, keyword, name, stringsOf, text, uri, type IppAttribute, type IppMessage } from '../docprint/ipp-codec.js';
import { JobState, Operation, PrinterState, Status } from '../docprint/ipp-operations.js';

export type DocumentPaper = 'ok' | 'nearEnd' | 'out';

export interface IppPrinterSimOptions {
  /** Where printed PDFs are written (created owner-only). */
  readonly dir: string;
  /** The queue name (default "a4"). */
  readonly queue?: string;
  /** 0 (default): any free port on 127.0.0.1. */
  readonly port?: number;
  /** How long a job stays processing before it completes (default 150 ms). */
  readonly processingMs?: number;
  readonly log?: Logger;
}

export interface PrintedDocument {
  readonly jobId: number;
  /** job-name as the client sent it. */
  readonly title: string;
  readonly file: string;
  readonly bytes: number;
  readonly printedAt: string;
}

interface SimJob {
  readonly id: number;
  readonly title: string;
  state: keyof typeof JobState;
  /** Dropped once written (or canceled). */
  data: Uint8Array | undefined;
  timer?: NodeJS.Timeout;
}

/** Largest request taken (a certificate is well under 1 MiB). */
const MAX_REQUEST_BYTES = 32 * 1024 * 1024;
const OPERATION_NOT_SUPPORTED = 0x0501;
const BAD_REQUEST = 0x0400;
const FORMAT_NOT_SUPPORTED = 0x040a;

export class IppPrinterSim {
  private server: Server | undefined;
  private readonly jobs = new Map<number, SimJob>();
  private nextJobId = 1;
  private paper: DocumentPaper = 'ok';
  private paused = false;
  private fileSeq = 0;
  /** Every document printed since start, oldest first. */
  readonly printed: PrintedDocument[] = [];
  readonly queue: string;
  private readonly log: Logger;

  private constructor(private readonly options: IppPrinterSimOptions) {
    this.queue = options.queue ?? 'a4';
    this.log = (options.log ?? silentLogger).child({ component: 'drivers.sim.ipp' });
  }

  static async start(options: IppPrinterSimOptions): Promise<IppPrinterSim> {
    mkdirSync(options.dir, { recursive: true, mode: 0o700 });
    const sim = new IppPrinterSim(options);
    const server = createServer((req, res) => void sim.handle(req, res));
    sim.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    return sim;
  }

  /** `127.0.0.1:PORT`, as a devices config's cups transport `server` takes it. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  get paperState(): DocumentPaper {
    return this.paper;
  }

  setPaper(p: DocumentPaper): void {
    this.paper = p;
    this.log.info('paper', { paper: p });
  }

  async stop(): Promise<void> {
    for (const j of this.jobs.values()) clearTimeout(j.timer);
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private printerState(): number {
    if (this.paper === 'out' || this.paused) return PrinterState.stopped;
    return [...this.jobs.values()].some((j) => j.state === 'processing') ? PrinterState.processing : PrinterState.idle;
  }

  private reasons(): string[] {
    const r: string[] = [];
    if (this.paused) r.push('paused');
    if (this.paper === 'out') r.push('media-empty-error');
    if (this.paper === 'nearEnd') r.push('media-low-report');
    return r.length ? r : ['none'];
  }

  private printerAttributes(): IppAttribute[] {
    const message = this.paper === 'out' ? 'Out of paper' : this.paused ? 'Paused' : '';
    return [
      attr('printer-name', name(this.queue)),
      attr('printer-state', enumValue(this.printerState())),
      attr('printer-state-reasons', ...this.reasons().map(keyword)),
      attr('printer-state-message', text(message)),
      attr('printer-is-accepting-jobs', { tag: 'boolean', value: true }),
      attr('printer-uri-supported', uri(`ipp://${this.address}/printers/${this.queue}`)),
      attr('device-uri', uri('tongban-sim:/a4')),
      attr('printer-make-and-model', text('tongban IPP printer simulator (A4)')),
    ];
  }

  private jobAttributes(j: SimJob): IppAttribute[] {
    const reasons = j.state === 'completed' ? 'job-completed-successfully' : j.state === 'processing' ? 'job-printing' : j.state === 'canceled' ? 'job-canceled-by-user' : 'none';
    return [
      attr('job-id', integer(j.id)),
      attr('job-uri', uri(`ipp://${this.address}/jobs/${j.id}`)),
      attr('job-state', enumValue(JobState[j.state])),
      attr('job-state-reasons', keyword(reasons)),
    ];
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST' || (req.headers['content-type'] ?? '').split(';')[0]!.trim() !== 'application/ipp') {
      res.writeHead(req.method === 'POST' ? 415 : 405).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req as AsyncIterable<Buffer>) {
      size += c.length;
      if (size > MAX_REQUEST_BYTES) {
        res.writeHead(413, { connection: 'close' }).end();
        return;
      }
      chunks.push(c);
    }
    let request: IppMessage;
    try {
      request = decode(new Uint8Array(Buffer.concat(chunks)));
    } catch {
      res.writeHead(400).end();
      return;
    }
    const reply = this.answer(request, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const body = encode(reply);
    res.writeHead(200, { 'content-type': 'application/ipp', 'content-length': body.length });
    res.end(body);
  }

  private answer(req: IppMessage, path: string): IppMessage {
    const status = (code: number, groups: IppMessage['groups'] = [], message?: string): IppMessage => ({
      version: { major: 1, minor: 1 },
      code,
      requestId: req.requestId,
      groups: [
        {
          tag: 'operation',
          attributes: [
            attr('attributes-charset', { tag: 'charset', value: 'utf-8' }),
            attr('attributes-natural-language', { tag: 'naturalLanguage', value: 'en' }),
            ...(message ? [attr('status-message', text(message))] : []),
          ],
        },
        ...groups,
      ],
    });
    const printerUri = stringsOf(findAttribute(req, 'printer-uri', 'operation'))[0] ?? '';
    const queueOf = (p: string): string | undefined => /\/printers\/([^/]+)$/.exec(p)?.[1];
    const addressed = queueOf(path) ?? queueOf(printerUri);
    if (req.code === Operation.cupsGetPrinters) return status(Status.successfulOk, [{ tag: 'printer', attributes: this.printerAttributes() }]);
    if (addressed !== this.queue) return status(Status.clientErrorNotFound, [], `no printer ${addressed ?? ''}`);
    switch (req.code) {
      case Operation.getPrinterAttributes:
        return status(Status.successfulOk, [{ tag: 'printer', attributes: this.printerAttributes() }]);
      case Operation.pausePrinter:
        this.paused = true;
        return status(Status.successfulOk);
      case Operation.resumePrinter:
        this.paused = false;
        return status(Status.successfulOk);
      case Operation.printJob: {
        if (this.printerState() === PrinterState.stopped) return status(Status.serverErrorNotAcceptingJobs, [], this.paper === 'out' ? 'Out of paper (media-empty-error)' : 'Printer paused');
        const data = req.data ?? new Uint8Array();
        if (data.length < 5 || Buffer.from(data.subarray(0, 5)).toString('latin1') !== '%PDF-') return status(FORMAT_NOT_SUPPORTED, [], 'only application/pdf is printed');
        const title = stringsOf(findAttribute(req, 'job-name', 'operation'))[0] ?? 'untitled';
        const job: SimJob = { id: this.nextJobId++, title, state: 'processing', data };
        this.jobs.set(job.id, job);
        job.timer = setTimeout(() => this.complete(job), this.options.processingMs ?? 150);
        job.timer.unref();
        return status(Status.successfulOk, [{ tag: 'job', attributes: this.jobAttributes(job) }]);
      }
      case Operation.getJobAttributes:
      case Operation.cancelJob: {
        const id = integerOf(findAttribute(req, 'job-id', 'operation'));
        if (id === undefined) return status(BAD_REQUEST, [], 'job-id is missing');
        const job = this.jobs.get(id);
        if (!job) return status(Status.clientErrorNotFound, [], `no job ${id}`);
        if (req.code === Operation.cancelJob) {
          if (job.state === 'completed' || job.state === 'canceled') return status(0x0404, [], `job ${id} is ${job.state}`);
          clearTimeout(job.timer);
          job.state = 'canceled';
          job.data = undefined;
          return status(Status.successfulOk);
        }
        return status(Status.successfulOk, [{ tag: 'job', attributes: this.jobAttributes(job) }]);
      }
      default:
        return status(OPERATION_NOT_SUPPORTED, [], `operation 0x${req.code.toString(16)} is not simulated`);
    }
  }

  private complete(job: SimJob): void {
    const data = job.data;
    job.data = undefined;
    if (job.state !== 'processing' || !data) return;
    const printedAt = new Date();
    const file = join(this.options.dir, `${printedAt.toISOString().replace(/[:.]/g, '-')}-${++this.fileSeq}-job${job.id}.pdf`);
    try {
      writeFileSync(file, data, { mode: 0o600 });
    } catch (err) {
      // The sheet cannot come out: the job aborts, as a real printer's jammed page would.
      job.state = 'aborted';
      this.log.warn('printed document not written', { job: job.id, err });
      return;
    }
    job.state = 'completed';
    this.printed.push({ jobId: job.id, title: job.title, file, bytes: data.length, printedAt: printedAt.toISOString() });
    this.log.info('document printed', { job: job.id, bytes: data.length });
  }
}
