/**
 * A byte-level ESC/POS receipt builder (pure: no I/O). Each method appends one command; `bytes()` gives the
 * result. Text goes out as GB18030 after `chineseMode(true)` (FS &): a printer left in its ASCII mode
 * would print GB18030 bytes as pairs of Latin glyphs, the weak spot of many npm printer packages.
 */
import {
  ALIGN_CODE,
  CHINESE_OFF,
  CHINESE_ON,
  CUT_FULL,
  CUT_PARTIAL,
  ESC,
  GS,
  INIT,
  LF,
  QR_LEVEL_CODE,
  QR_MAX_BYTES,
  type Align,
  type QrErrorLevel,
} from './commands.js';
import { maxGb18030Length, writeGb18030 } from './text.js';

const utf8 = new TextEncoder();

export class EscPosBuilder {
  private out = new Uint8Array(1024);
  private length = 0;
  private chinese = false;

  private room(n: number): void {
    if (this.length + n > this.out.length) {
      const grown = new Uint8Array(Math.max(this.out.length * 2, this.length + n));
      grown.set(this.out.subarray(0, this.length));
      this.out = grown;
    }
  }

  private push(bytes: ArrayLike<number>): this {
    const n = bytes.length;
    this.room(n);
    if (bytes instanceof Uint8Array) this.out.set(bytes, this.length);
    else for (let i = 0; i < n; i++) this.out[this.length + i] = bytes[i]!;
    this.length += n;
    return this;
  }

  /** ESC @: clears the printer's modes (not its buffer of printed lines). */
  initialize(): this {
    return this.push(INIT);
  }

  /** FS & / FS .: Chinese (GB18030 double-byte) mode on or off. */
  chineseMode(on: boolean): this {
    this.chinese = on;
    return this.push(on ? CHINESE_ON : CHINESE_OFF);
  }

  align(a: Align): this {
    return this.push([ESC, 0x61, ALIGN_CODE[a]]);
  }

  bold(on: boolean): this {
    return this.push([ESC, 0x45, on ? 1 : 0]);
  }

  /** ESC ! n: print mode byte (0x08 emphasised, 0x10 double height, 0x20 double width). */
  printMode(n: number): this {
    return this.push([ESC, 0x21, n & 0xff]);
  }

  /** GS ! n: character size, 1..8 times in each direction; applies to ASCII and Chinese characters alike. */
  size(width: number, height: number): this {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || width > 8 || height < 1 || height > 8) {
      throw new RangeError(`character size must be 1..8, got ${width}x${height}`);
    }
    return this.push([GS, 0x21, ((width - 1) << 4) | (height - 1)]);
  }

  /** Text without a line feed. Control characters are the caller's to strip (see receipt.ts). */
  text(s: string): this {
    if (!this.chinese && /[^\x20-\x7e]/.test(s)) throw new RangeError('non-ASCII text needs chineseMode(true) first');
    this.room(maxGb18030Length(s));
    this.length = writeGb18030(s, this.out, this.length);
    return this;
  }

  line(s = ''): this {
    if (s) this.text(s);
    return this.push([LF]);
  }

  /** ESC d n: print and feed n lines. */
  feed(lines: number): this {
    return this.push([ESC, 0x64, Math.max(0, Math.min(255, Math.trunc(lines)))]);
  }

  /** GS ( k: QR code (model 2), stored then printed; `data` is UTF-8, as phone scanners expect. */
  qr(data: string | Uint8Array, options: { moduleSize?: number; errorLevel?: QrErrorLevel } = {}): this {
    const bytes = typeof data === 'string' ? utf8.encode(data) : data;
    if (bytes.length === 0 || bytes.length > QR_MAX_BYTES) throw new RangeError(`QR data must be 1..${QR_MAX_BYTES} bytes, got ${bytes.length}`);
    const module = options.moduleSize ?? 6;
    if (!Number.isInteger(module) || module < 1 || module > 16) throw new RangeError(`QR module size must be 1..16, got ${module}`);
    const n = bytes.length + 3;
    this.push([GS, 0x28, 0x6b, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00]); // model 2
    this.push([GS, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x43, module]);
    this.push([GS, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x45, QR_LEVEL_CODE[options.errorLevel ?? 'M']]);
    this.push([GS, 0x28, 0x6b, n & 0xff, n >> 8, 0x31, 0x50, 0x30]);
    this.push(bytes);
    return this.push([GS, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x51, 0x30]);
  }

  /** GS V 0 / GS V 1. */
  cut(kind: 'full' | 'partial' = 'full'): this {
    return this.push(kind === 'full' ? CUT_FULL : CUT_PARTIAL);
  }

  raw(bytes: ArrayLike<number>): this {
    return this.push(bytes);
  }

  bytes(): Uint8Array {
    return this.out.slice(0, this.length);
  }
}
