/**
 * A simulated ESC/POS receipt printer on a virtual serial port (PtyLink), and optionally on a raw TCP
 * port on 127.0.0.1 (as a network printer's port 9100). It decodes what it receives with the real
 * streaming decoder (drivers/escpos/decode.ts) back into text lines, QR payloads and cuts, collects a
 * receipt per cut, and answers DLE EOT 1..4 and GS r 1 from its state.
 *
 * Faults on demand: paper near end or out, cover open, cutter error, and `setOnline(false)`, which makes
 * it silent (no replies, nothing printed: a printer switched off at its own power switch while the
 * cable stays). While it cannot print (paper out, cover open, error) it discards print data, so a job
 * the driver resends after a refill prints once; a receipt cut short by the paper running out
 * (`runOutOfPaperAfter(lines)`) is reported as printed so far, with cut 'none'.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { silentLogger, type Logger } from '../../base/log.js';
import { EscPosDecoder, ReceiptCollector, type DecodedReceipt, type EscPosEvent } from '../escpos/decode.js';
import { encodePaperSensor, encodeRealtimeStatus, refusal, type PrinterStatus } from '../escpos/status.js';
import { PtyLink } from './pty-link.js';

export interface PrinterSimOptions {
  /** Path of the virtual serial port to create. Omit for a TCP-only printer. */
  readonly link?: string;
  /** Pace replies to this baud rate (PtyLink). */
  readonly baud?: number;
  /** Also listen on 127.0.0.1 at this port (0: any free port). */
  readonly tcpPort?: number;
  /** Power on in Chinese mode (default true, as many Chinese-market printers do). */
  readonly chineseByDefault?: boolean;
  readonly log?: Logger;
}

export type Paper = 'ok' | 'nearEnd' | 'out';

interface Source {
  readonly decoder: EscPosDecoder;
  reply(bytes: Uint8Array): void;
}

export class PrinterSim {
  private link: PtyLink | undefined;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly collector = new ReceiptCollector();
  private readonly receiptListeners = new Set<(r: DecodedReceipt) => void>();
  private readonly eventListeners = new Set<(e: EscPosEvent) => void>();
  private paper: Paper = 'ok';
  private cover: 'open' | 'closed' = 'closed';
  private cutterError = false;
  private online = true;
  private linesLeft: number | undefined;
  /** Every receipt printed since start. */
  readonly receipts: DecodedReceipt[] = [];
  /** Status queries answered (DLE EOT and GS r), for tests and the CLI's log. */
  statusQueries = 0;
  private readonly log: Logger;

  private constructor(private readonly options: PrinterSimOptions) {
    this.log = (options.log ?? silentLogger).child({ component: 'drivers.sim.printer' });
  }

  static async start(options: PrinterSimOptions): Promise<PrinterSim> {
    const sim = new PrinterSim(options);
    try {
      if (options.link !== undefined) {
        sim.link = await PtyLink.open(options.link, { ...(options.baud ? { baud: options.baud } : {}), ...(options.log ? { log: options.log } : {}) });
        const link = sim.link;
        const source: Source = { decoder: sim.newDecoder(), reply: (b) => void link.write(b) };
        link.onData((chunk) => sim.receive(source, chunk));
      }
      if (options.tcpPort !== undefined) await sim.listen(options.tcpPort);
    } catch (err) {
      await sim.stop();
      throw err;
    }
    return sim;
  }

  private newDecoder(): EscPosDecoder {
    return new EscPosDecoder({ chineseByDefault: this.options.chineseByDefault ?? true });
  }

  private listen(port: number): Promise<void> {
    const server = createServer((socket) => {
      this.sockets.add(socket);
      socket.setNoDelay(true);
      const source: Source = { decoder: this.newDecoder(), reply: (b) => void socket.write(b) };
      socket.on('data', (chunk: Buffer) => this.receive(source, new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
      socket.on('error', () => undefined);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
  }

  get path(): string | undefined {
    return this.link?.path;
  }

  get tcpPort(): number | undefined {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a.port : undefined;
  }

  /** The status the printer reports now. */
  get state(): PrinterStatus {
    const paperOut = this.paper === 'out';
    const s = {
      coverOpen: this.cover === 'open',
      paperOut,
      paperNearEnd: this.paper !== 'ok',
      cutterError: this.cutterError,
      unrecoverableError: false,
      autoRecoverableError: false,
    };
    return { ...s, online: !(s.coverOpen || paperOut || s.cutterError) };
  }

  setPaper(p: Paper): void {
    this.paper = p;
  }

  openCover(): void {
    this.cover = 'open';
  }

  closeCover(): void {
    this.cover = 'closed';
  }

  setCutterError(on: boolean): void {
    this.cutterError = on;
  }

  /** false: the printer answers nothing and prints nothing. */
  setOnline(on: boolean): void {
    this.online = on;
  }

  /** Pulls the serial cable (the path disappears) / plugs it back in. */
  async unplug(): Promise<void> {
    await this.link?.unplug();
  }

  async plugIn(): Promise<void> {
    await this.link?.plugIn();
  }

  onReceipt(listener: (r: DecodedReceipt) => void): () => void {
    this.receiptListeners.add(listener);
    return () => this.receiptListeners.delete(listener);
  }

  onEvent(listener: (e: EscPosEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** The paper runs out after this many more printed lines (mid-job, as a roll does). */
  runOutOfPaperAfter(lines: number): void {
    this.linesLeft = lines;
  }

  private receive(source: Source, chunk: Uint8Array): void {
    if (!this.online) return;
    for (const e of source.decoder.push(chunk)) {
      for (const l of this.eventListeners) l(e);
      if (e.type === 'statusQuery') {
        this.statusQueries++;
        const s = this.state;
        if (e.command === 'dleEot' && e.n >= 1 && e.n <= 4) source.reply(Uint8Array.of(encodeRealtimeStatus(e.n as 1 | 2 | 3 | 4, s)));
        else if (e.command === 'paperSensor' && (e.n === 1 || e.n === 49)) source.reply(Uint8Array.of(encodePaperSensor(s)));
        continue;
      }
      if (refusal(this.state) !== undefined) {
        // cannot print: what came out before the stop is torn off as it is; the rest is discarded
        const torn = this.collector.rest();
        if (torn) this.printed(torn);
        continue;
      }
      for (const r of this.collector.add([e])) this.printed(r);
      if (e.type === 'line' && this.linesLeft !== undefined && --this.linesLeft <= 0) {
        this.linesLeft = undefined;
        this.paper = 'out';
      }
    }
  }

  private printed(r: DecodedReceipt): void {
    this.receipts.push(r);
    this.log.info('receipt printed', { lines: r.lines.length, qr: r.qr.length, cut: r.cut });
    for (const l of this.receiptListeners) l(r);
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    await this.link?.close();
    this.link = undefined;
  }
}
