/**
 * A serial QR/barcode scanner on a virtual serial port: each "scan" writes the code's bytes and its
 * suffix to the pty, paced to the line speed as a real scanner's UART would send them.
 *
 * Defaults: 9600 baud (the factory setting of common kiosk scanners, Honeywell and Newland alike; 8N1,
 * so 960 bytes a second: a 200-byte QR payload takes about 210 ms on the wire), suffix CR, UTF-8 text.
 * `encoding: 'gb18030'` sends the text as GB18030, as scanners reading GBK-encoded QR codes do.
 * `garbage(bytes)` sends arbitrary bytes (noise, a half code); unplug()/plugIn() pull and replace the cable.
 */
import iconv from 'iconv-lite';
import type { Logger } from '../../base/log.js';
import { SUFFIX_BYTES, type Suffix } from '../scanner/serial-decoder.js';
import { PtyLink } from './pty-link.js';

export const DEFAULT_SCANNER_BAUD = 9600;

export interface ScannerSimOptions {
  /** Where the port appears (e.g. /tmp/tongban-scanner). */
  readonly link: string;
  /** Line speed to pace at (default 9600; 0: unpaced). */
  readonly baud?: number;
  /** Default suffix of each scan (default 'cr'). */
  readonly suffix?: Suffix;
  readonly log?: Logger;
}

export interface ScanOptions {
  readonly suffix?: Suffix;
  readonly encoding?: 'utf-8' | 'gb18030';
}

export interface ScannedRecord {
  readonly text: string;
  readonly bytes: number;
  readonly at: Date;
}

export class ScannerSim {
  private link: PtyLink | undefined;
  /** What was scanned, in order. */
  readonly scanned: ScannedRecord[] = [];

  constructor(private readonly options: ScannerSimOptions) {}

  get path(): string {
    return this.options.link;
  }

  get baud(): number {
    return this.options.baud ?? DEFAULT_SCANNER_BAUD;
  }

  async start(): Promise<void> {
    if (this.link) return;
    this.link = await PtyLink.open(this.options.link, { baud: this.baud, ...(this.options.log ? { log: this.options.log } : {}) });
  }

  async stop(): Promise<void> {
    const link = this.link;
    this.link = undefined;
    await link?.close();
  }

  /** The bytes a scan of `text` puts on the wire (text and suffix). */
  bytesOf(text: string, options: ScanOptions = {}): Uint8Array {
    const body = options.encoding === 'gb18030' ? iconv.encode(text, 'gb18030') : Buffer.from(text, 'utf8');
    const suffix = SUFFIX_BYTES[options.suffix ?? this.options.suffix ?? 'cr'];
    const out = new Uint8Array(body.length + suffix.length);
    out.set(body, 0);
    out.set(suffix, body.length);
    return out;
  }

  /** Scans `text`: resolves when its last byte is on the wire. */
  async scan(text: string, options: ScanOptions = {}): Promise<void> {
    const bytes = this.bytesOf(text, options);
    await this.running().write(bytes);
    this.scanned.push({ text, bytes: bytes.length, at: new Date() });
  }

  /** Sends raw bytes (noise, a code cut short, a code split across writes). */
  async garbage(bytes: Uint8Array): Promise<void> {
    await this.running().write(bytes);
  }

  async unplug(): Promise<void> {
    await this.running().unplug();
  }

  async plugIn(): Promise<void> {
    await this.running().plugIn();
  }

  private running(): PtyLink {
    if (!this.link) throw new Error('scanner simulator is not started');
    return this.link;
  }
}
