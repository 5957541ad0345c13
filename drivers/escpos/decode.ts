/**
 * A streaming ESC/POS decoder (pure): bytes as a printer receives them in, structured content out: text
 * lines with their style (GB18030 decoded while Chinese mode is on), QR payloads, feeds, cuts, and the
 * status queries a printer must answer. The simulator prints with it; tests read receipts back with it.
 *
 * Bytes may arrive split anywhere: an incomplete command waits in `pending` for the rest. Length-prefixed
 * commands (GS ( k, raster images, barcodes) are skipped by their declared length, so their payloads are
 * never taken for commands. Unknown commands become 'unknown' events (their length guessed as the
 * common two bytes after the prefix); no input makes the decoder throw, and memory is bounded (a line of
 * more than MAX_LINE bytes is cut, length fields are 16-bit, a raster image is at most MAX_IMAGE).
 */
import type { Align } from './commands.js';
import { decodeGb18030 } from './text.js';

export interface TextSegment {
  readonly text: string;
  readonly bold: boolean;
  /** Character magnification (GS ! / ESC ! / FS !), 1..8. */
  readonly width: number;
  readonly height: number;
}

export type EscPosEvent =
  | { readonly type: 'init' }
  | {
      readonly type: 'line';
      readonly text: string;
      readonly align: Align;
      readonly bold: boolean;
      readonly width: number;
      readonly height: number;
      readonly segments: readonly TextSegment[];
    }
  | { readonly type: 'qr'; readonly data: string; readonly bytes: Uint8Array; readonly moduleSize: number; readonly errorLevel: 'L' | 'M' | 'Q' | 'H' }
  | { readonly type: 'feed'; readonly lines: number }
  | { readonly type: 'cut'; readonly partial: boolean }
  | { readonly type: 'chineseMode'; readonly on: boolean }
  | { readonly type: 'statusQuery'; readonly command: 'dleEot'; readonly n: number }
  | { readonly type: 'statusQuery'; readonly command: 'paperSensor'; readonly n: number }
  | { readonly type: 'image'; readonly bytes: number }
  | { readonly type: 'barcode'; readonly data: string }
  | { readonly type: 'unknown'; readonly bytes: Uint8Array };

export interface DecoderOptions {
  /** Many Chinese-market printers power on in Chinese mode; default false (the ESC/POS default). */
  readonly chineseByDefault?: boolean;
}

export const MAX_LINE = 4096;
/** The largest raster image accepted (bytes); a 80 mm printer's full-width 2 m strip is far below. */
export const MAX_IMAGE = 1 << 20;
const LEVELS = ['L', 'M', 'Q', 'H'] as const;

/** Bytes a command occupies starting at `i` (prefix included); 0 = need more bytes. */
type Sizer = (buf: Uint8Array, i: number, avail: number) => number;

const fixed =
  (n: number): Sizer =>
  (_b, _i, avail) =>
    avail >= n ? n : 0;

/** GS ( x pL pH ...: 5 + pL + 256 pH. */
const gsParen: Sizer = (b, i, avail) => (avail >= 5 ? (avail >= 5 + b[i + 3]! + 256 * b[i + 4]! ? 5 + b[i + 3]! + 256 * b[i + 4]! : 0) : 0);

const ESC_SIZES: Record<number, Sizer> = {
  0x40: fixed(2), 0x32: fixed(2), 0x69: fixed(2), 0x6d: fixed(2), 0x3c: fixed(2),
  0x61: fixed(3), 0x45: fixed(3), 0x21: fixed(3), 0x64: fixed(3), 0x4a: fixed(3), 0x2d: fixed(3), 0x33: fixed(3), 0x4d: fixed(3),
  0x74: fixed(3), 0x47: fixed(3), 0x20: fixed(3), 0x52: fixed(3), 0x56: fixed(3), 0x7b: fixed(3), 0x3d: fixed(3), 0x25: fixed(3),
  0x65: fixed(3), 0x4b: fixed(3), 0x55: fixed(3), 0x63: fixed(4), 0x24: fixed(4), 0x5c: fixed(4), 0x70: fixed(5),
  // ESC * m nL nH d1..dk: bit image, k = n (m 0/1) or 3n (m 32/33)
  0x2a: (b, i, avail) => {
    if (avail < 5) return 0;
    const n = b[i + 3]! + 256 * b[i + 4]!;
    const k = b[i + 2]! >= 32 ? 3 * n : n;
    return avail >= 5 + k ? 5 + k : 0;
  },
};

const GS_SIZES: Record<number, Sizer> = {
  0x21: fixed(3), 0x72: fixed(3), 0x42: fixed(3), 0x48: fixed(3), 0x66: fixed(3), 0x68: fixed(3), 0x77: fixed(3), 0x61: fixed(3),
  0x49: fixed(3), 0x2f: fixed(3), 0x62: fixed(3), 0x4c: fixed(4), 0x57: fixed(4), 0x24: fixed(4), 0x50: fixed(4), 0x28: gsParen,
  // GS V m [n]: function B (m 65/66, 97/98, 103/104) carries a feed amount
  0x56: (b, i, avail) => (avail < 3 ? 0 : [65, 66, 97, 98, 103, 104].includes(b[i + 2]!) ? (avail >= 4 ? 4 : 0) : 3),
  // GS v 0 m xL xH yL yH d1..dk: raster image, k = (xL + 256 xH)(yL + 256 yH)
  0x76: (b, i, avail) => {
    if (avail < 8) return 0;
    const k = (b[i + 4]! + 256 * b[i + 5]!) * (b[i + 6]! + 256 * b[i + 7]!);
    if (k > MAX_IMAGE) return 8; // no receipt printer takes such an image: skip the header, not gigabytes
    return avail >= 8 + k ? 8 + k : 0;
  },
  // GS * x y d1..d(x*y*8): downloaded bit image
  0x2a: (b, i, avail) => (avail < 4 ? 0 : avail >= 4 + b[i + 2]! * b[i + 3]! * 8 ? 4 + b[i + 2]! * b[i + 3]! * 8 : 0),
  // GS k m ...: barcode; m 0..6 NUL-terminated, m 65..79 with a length byte
  0x6b: (b, i, avail) => {
    if (avail < 3) return 0;
    const m = b[i + 2]!;
    if (m <= 6) {
      for (let j = i + 3; j < i + avail; j++) if (b[j] === 0) return j - i + 1;
      return avail > 258 ? 258 : 0; // a barcode without its NUL: give up on it past the longest legal one
    }
    if (avail < 4) return 0;
    return avail >= 4 + b[i + 3]! ? 4 + b[i + 3]! : 0;
  },
};

const FS_SIZES: Record<number, Sizer> = {
  0x26: fixed(2), 0x2e: fixed(2), 0x21: fixed(3), 0x2d: fixed(3), 0x57: fixed(3), 0x43: fixed(3), 0x53: fixed(4), 0x70: fixed(4),
};

export class EscPosDecoder {
  private pending = new Uint8Array(256);
  private pendingLength = 0;
  private chinese: boolean;
  private align: Align = 'left';
  private bold = false;
  private width = 1;
  private height = 1;
  /** The line being composed (printer's line buffer): bytes not yet decoded. */
  private readonly line = new Uint8Array(MAX_LINE);
  private lineLength = 0;
  private segments: TextSegment[] = [];
  private qrData: Uint8Array | undefined;
  private qrModule = 3;
  private qrLevel: 'L' | 'M' | 'Q' | 'H' = 'L';
  private events: EscPosEvent[] = [];

  constructor(private readonly options: DecoderOptions = {}) {
    this.chinese = options.chineseByDefault ?? false;
  }

  get chineseMode(): boolean {
    return this.chinese;
  }

  /** Feeds received bytes; returns what they completed. */
  push(chunk: Uint8Array): EscPosEvent[] {
    this.events = [];
    let buf: Uint8Array;
    if (this.pendingLength) {
      // an incomplete command waits for more: append in place (amortised), never re-copy the whole wait per chunk
      if (this.pendingLength + chunk.length > this.pending.length) {
        const grown = new Uint8Array(Math.max(this.pending.length * 2, this.pendingLength + chunk.length));
        grown.set(this.pending.subarray(0, this.pendingLength));
        this.pending = grown;
      }
      this.pending.set(chunk, this.pendingLength);
      this.pendingLength += chunk.length;
      buf = this.pending.subarray(0, this.pendingLength);
    } else buf = chunk;
    let i = 0;
    while (i < buf.length) {
      const b = buf[i]!;
      if (b >= 0x20 && b !== 0x7f) {
        // a run of text (GB18030 trail bytes are never control codes), copied at once
        let end = i + 1;
        const stop = Math.min(buf.length, i + MAX_LINE - this.lineLength);
        while (end < stop) {
          const x = buf[end]!;
          if (x < 0x20 || x === 0x7f) break;
          end++;
        }
        this.line.set(buf.subarray(i, end), this.lineLength);
        this.lineLength += end - i;
        if (this.lineLength >= MAX_LINE) this.endLine();
        i = end;
        continue;
      }
      if (b === 0x0a || b === 0x0c) {
        this.endLine();
        i++;
        continue;
      }
      if (b === 0x09) {
        this.line[this.lineLength++] = 0x20;
        if (this.lineLength >= MAX_LINE) this.endLine();
        i++;
        continue;
      }
      if (b !== 0x1b && b !== 0x1d && b !== 0x1c && b !== 0x10) {
        i++; // CR, NUL and other C0 bytes print nothing
        continue;
      }
      const avail = buf.length - i;
      if (avail < 2) break;
      const n = this.commandLength(buf, i, avail);
      if (n === 0) break;
      this.execute(buf.subarray(i, i + n));
      i += n;
    }
    if (i >= buf.length) this.pendingLength = 0;
    else if (buf === chunk || i > 0) {
      const rest = buf.slice(i);
      if (this.pending.length < rest.length) this.pending = new Uint8Array(Math.max(256, rest.length * 2));
      this.pending.set(rest);
      this.pendingLength = rest.length;
    }
    const out = this.events;
    this.events = [];
    return out;
  }

  /** Ends the stream: a line still being composed is emitted. */
  flush(): EscPosEvent[] {
    this.events = [];
    this.endLine(true);
    const out = this.events;
    this.events = [];
    return out;
  }

  private commandLength(buf: Uint8Array, i: number, avail: number): number {
    const prefix = buf[i]!;
    const code = buf[i + 1]!;
    if (prefix === 0x10) {
      if (code === 0x04 || code === 0x05) return avail >= 3 ? 3 : 0;
      if (code === 0x14) return avail >= 5 ? 5 : 0;
      return 1; // a lone DLE
    }
    const table = prefix === 0x1b ? ESC_SIZES : prefix === 0x1d ? GS_SIZES : FS_SIZES;
    const sizer = table[code];
    if (sizer) return sizer(buf, i, avail);
    return 2;
  }

  private execute(cmd: Uint8Array): void {
    const [prefix, code] = [cmd[0]!, cmd[1]!];
    const arg = cmd[2] ?? 0;
    if (prefix === 0x10) {
      if (code === 0x04) this.events.push({ type: 'statusQuery', command: 'dleEot', n: arg });
      else if (code !== 0x05 && code !== 0x14) this.unknown(cmd);
      return;
    }
    if (prefix === 0x1b) {
      switch (code) {
        case 0x40:
          this.endLine(true);
          this.align = 'left';
          this.bold = false;
          this.width = this.height = 1;
          this.chinese = this.options.chineseByDefault ?? false;
          this.qrData = undefined;
          this.events.push({ type: 'init' });
          return;
        case 0x61:
          this.align = (['left', 'center', 'right'] as const)[arg % 48] ?? 'left';
          return;
        case 0x45:
          this.style(() => (this.bold = (arg & 1) === 1));
          return;
        case 0x21:
          this.style(() => {
            this.bold = (arg & 0x08) !== 0;
            this.height = arg & 0x10 ? 2 : 1;
            this.width = arg & 0x20 ? 2 : 1;
          });
          return;
        case 0x64:
          this.endLine(true);
          this.events.push({ type: 'feed', lines: arg });
          return;
        case 0x69:
        case 0x6d:
          this.cut(code === 0x6d);
          return;
        default:
          if (!(code in ESC_SIZES)) this.unknown(cmd);
          else if (code === 0x2a) this.events.push({ type: 'image', bytes: cmd.length - 5 });
          return; // known and harmless for content: spacing, fonts, code pages, pulses
      }
    }
    if (prefix === 0x1d) {
      switch (code) {
        case 0x21:
          this.style(() => {
            this.width = ((arg >> 4) & 7) + 1;
            this.height = (arg & 7) + 1;
          });
          return;
        case 0x56:
          this.cut(arg === 1 || arg === 49 || arg === 66 || arg === 98 || arg === 104);
          return;
        case 0x72:
          this.events.push({ type: 'statusQuery', command: 'paperSensor', n: arg });
          return;
        case 0x28:
          if (cmd[2] === 0x6b) this.qr(cmd.subarray(5));
          return;
        case 0x76:
          this.events.push({ type: 'image', bytes: cmd.length - 8 });
          return;
        case 0x6b:
          this.events.push({ type: 'barcode', data: latin1(cmd[2]! <= 6 ? cmd.subarray(3, cmd.length - 1) : cmd.subarray(4)) });
          return;
        default:
          if (!(code in GS_SIZES)) this.unknown(cmd);
          return;
      }
    }
    // FS
    switch (code) {
      case 0x26:
      case 0x2e:
        this.style(() => (this.chinese = code === 0x26));
        this.events.push({ type: 'chineseMode', on: code === 0x26 });
        return;
      case 0x21:
        this.style(() => {
          this.width = arg & 0x04 ? 2 : 1;
          this.height = arg & 0x08 ? 2 : 1;
        });
        return;
      default:
        if (!(code in FS_SIZES)) this.unknown(cmd);
    }
  }

  /** GS ( k with cn = 49 (QR code): fn 67 module size, 69 level, 80 store, 81 print. */
  private qr(p: Uint8Array): void {
    if (p.length < 2 || p[0] !== 0x31) return;
    const fn = p[1]!;
    if (fn === 0x43 && p.length >= 3) this.qrModule = p[2]!;
    else if (fn === 0x45 && p.length >= 3) this.qrLevel = LEVELS[p[2]! - 0x30] ?? this.qrLevel;
    else if (fn === 0x50 && p.length >= 3) this.qrData = p.slice(3);
    else if (fn === 0x51 && this.qrData) {
      this.endLine(true);
      const bytes = this.qrData;
      this.events.push({ type: 'qr', data: new TextDecoder().decode(bytes), bytes, moduleSize: this.qrModule, errorLevel: this.qrLevel });
    }
  }

  private cut(partial: boolean): void {
    this.endLine(true);
    this.events.push({ type: 'cut', partial });
  }

  private unknown(cmd: Uint8Array): void {
    this.events.push({ type: 'unknown', bytes: cmd.slice() });
  }

  /** A style change mid-line closes the current segment. */
  private style(change: () => void): void {
    this.closeSegment();
    change();
  }

  private closeSegment(): void {
    if (this.lineLength === 0) return;
    const bytes = this.line.subarray(0, this.lineLength);
    this.lineLength = 0;
    const text = this.chinese ? decodeGb18030(bytes) : latin1(bytes);
    this.segments.push({ text, bold: this.bold, width: this.width, height: this.height });
  }

  /** LF: the line is printed. `onlyIfPending`: commands that print the buffer only when it holds text. */
  private endLine(onlyIfPending = false): void {
    this.closeSegment();
    if (onlyIfPending && this.segments.length === 0) return;
    const segments = this.segments;
    this.segments = [];
    this.events.push({
      type: 'line',
      text: segments.map((s) => s.text).join(''),
      align: this.align,
      bold: segments.length > 0 ? segments.every((s) => s.bold) : this.bold,
      width: Math.max(this.width, ...segments.map((s) => s.width)),
      height: Math.max(this.height, ...segments.map((s) => s.height)),
      segments,
    });
  }
}

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

/** One receipt as printed between two cuts. */
export interface DecodedReceipt {
  readonly lines: readonly Extract<EscPosEvent, { type: 'line' }>[];
  readonly qr: readonly string[];
  readonly cut: 'full' | 'partial' | 'none';
  /** The printed text, one line each (QR codes shown as [QR: payload]). */
  readonly text: string;
}

/** Groups decoder events into receipts, one per cut. */
export class ReceiptCollector {
  private lines: Extract<EscPosEvent, { type: 'line' }>[] = [];
  private qrs: string[] = [];
  private order: string[] = [];

  /** Returns the receipts these events completed. */
  add(events: readonly EscPosEvent[]): DecodedReceipt[] {
    const done: DecodedReceipt[] = [];
    for (const e of events) {
      if (e.type === 'line') {
        this.lines.push(e);
        this.order.push(e.text);
      } else if (e.type === 'qr') {
        this.qrs.push(e.data);
        this.order.push(`[QR: ${e.data}]`);
      } else if (e.type === 'cut') done.push(this.take(e.partial ? 'partial' : 'full'));
    }
    return done;
  }

  /** What was printed since the last cut (e.g. when the stream ends without one), if anything. */
  rest(): DecodedReceipt | undefined {
    return this.order.length ? this.take('none') : undefined;
  }

  private take(cut: DecodedReceipt['cut']): DecodedReceipt {
    const r: DecodedReceipt = { lines: this.lines, qr: this.qrs, cut, text: this.order.join('\n') };
    this.lines = [];
    this.qrs = [];
    this.order = [];
    return r;
  }
}

