/**
 * The serial (and USB virtual COM) scanner protocol: the decoded text of each code followed by a suffix,
 * CR (0D) by factory default, sometimes CR LF or LF. A pure streaming decoder: bytes in, in any
 * chunking, codes out; no I/O and no timers (the reader owns the inter-byte timer and calls `expire`).
 *
 * Hostile or broken input is bounded:
 * - at most `maxLength` bytes of a code are held (one preallocated buffer); a longer run without a
 *   suffix yields one `scanner.overlong` error, is discarded, and the decoder resyncs at the next suffix
 *   (or at an inter-byte timeout, which also ends a run);
 * - control bytes (00-1F, 7F) other than the suffix are dropped as they arrive: multi-byte UTF-8 and
 *   GB18030 sequences never contain bytes below 0x30, so this cannot cut a character. A lone CR under
 *   the crlf suffix is such a control byte. (GS, 1D, of GS1 payloads is dropped too.)
 * - text is UTF-8, or GB18030 when the bytes are not valid UTF-8 (text.ts).
 *
 * Inter-byte timeout (decided here, applied by the reader): a partial code whose bytes stop arriving is
 * DROPPED by default with a `scanner.partial` error. A scanner sends a code in one burst; a code without
 * its suffix was cut short (scanner reset, cable pulled, a noise burst), and a truncated code typed into
 * a form is worse than asking for another scan. Scanners configured with no suffix at all can use
 * `expire('flush')`, which hands the partial code on as complete.
 */
import { decodeCodeText, type TextEncoding } from './text.js';
import { DEFAULT_MAX_CODE_BYTES, ScannerError, symbologyOfAim } from './types.js';

export type Suffix = 'cr' | 'crlf' | 'lf';
export const SUFFIXES: readonly Suffix[] = ['cr', 'crlf', 'lf'];

export const SUFFIX_BYTES: Readonly<Record<Suffix, Uint8Array>> = {
  cr: Uint8Array.of(0x0d),
  crlf: Uint8Array.of(0x0d, 0x0a),
  lf: Uint8Array.of(0x0a),
};

export interface SerialDecoderOptions {
  /** The suffix the scanner is configured to send (default 'cr'). */
  readonly suffix?: Suffix;
  /** Most bytes one code may have (default 7168: a full QR code in numeric mode). */
  readonly maxLength?: number;
  /** The scanner prefixes an AIM id (e.g. "]Q1"): split it off into `aim` / `symbology`. */
  readonly aimPrefix?: boolean;
}

export interface DecodedCode {
  readonly kind: 'code';
  readonly text: string;
  readonly encoding: TextEncoding;
  readonly aim?: string;
  readonly symbology?: string;
}

export interface DecodeFailure {
  readonly kind: 'error';
  readonly error: ScannerError;
}

export type SerialDecoderOutput = DecodedCode | DecodeFailure;

const CR = 0x0d;
const LF = 0x0a;

export class SerialCodeDecoder {
  readonly suffix: Suffix;
  readonly maxLength: number;
  private readonly aimPrefix: boolean;
  private readonly buf: Uint8Array;
  private len = 0;
  /** Inside an overlong run: dropping bytes until the next suffix. */
  private discarding = false;
  /** crlf: a CR was seen, waiting for its LF. */
  private pendingCr = false;

  constructor(options: SerialDecoderOptions = {}) {
    this.suffix = options.suffix ?? 'cr';
    this.maxLength = options.maxLength ?? DEFAULT_MAX_CODE_BYTES;
    if (!Number.isInteger(this.maxLength) || this.maxLength < 1) throw new RangeError('maxLength must be a positive integer');
    this.aimPrefix = options.aimPrefix ?? false;
    this.buf = new Uint8Array(this.maxLength);
  }

  /** Bytes of a partial code held now (0 between codes). */
  get pending(): number {
    return this.len + (this.pendingCr ? 1 : 0);
  }

  /** Whether anything is in flight (a partial code, an overlong run or a CR awaiting its LF). */
  get busy(): boolean {
    return this.len > 0 || this.discarding || this.pendingCr;
  }

  push(chunk: Uint8Array): SerialDecoderOutput[] {
    const out: SerialDecoderOutput[] = [];
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (this.pendingCr) {
        this.pendingCr = false;
        if (b === LF) {
          this.end(out);
          continue;
        }
        // a lone CR under crlf: a control byte, dropped; b is handled below
      }
      if (this.suffix === 'cr' ? b === CR : this.suffix === 'lf' ? b === LF : false) {
        this.end(out);
        continue;
      }
      if (this.suffix === 'crlf' && b === CR) {
        this.pendingCr = true;
        continue;
      }
      if (b < 0x20 || b === 0x7f) continue;
      if (this.discarding) continue;
      if (this.len === this.maxLength) {
        this.discarding = true;
        this.len = 0;
        out.push({
          kind: 'error',
          error: new ScannerError('scanner.overlong', `scanner sent more than ${this.maxLength} bytes without a ${this.suffix} suffix; discarded them`),
        });
        continue;
      }
      this.buf[this.len++] = b;
    }
    return out;
  }

  /**
   * The inter-byte timeout fired: ends whatever is in flight. 'drop' (default) discards a partial code
   * with a `scanner.partial` error; 'flush' hands it on as a complete code. Either way an overlong run
   * ends here and the decoder is back in sync.
   */
  expire(mode: 'drop' | 'flush' = 'drop'): SerialDecoderOutput[] {
    const out: SerialDecoderOutput[] = [];
    this.pendingCr = false;
    if (this.discarding) {
      this.discarding = false;
      this.len = 0;
      return out;
    }
    if (this.len === 0) return out;
    if (mode === 'flush') {
      this.end(out);
    } else {
      out.push({ kind: 'error', error: new ScannerError('scanner.partial', `dropped ${this.len} bytes of a code that stopped before its ${this.suffix} suffix`) });
      this.len = 0;
    }
    return out;
  }

  reset(): void {
    this.len = 0;
    this.discarding = false;
    this.pendingCr = false;
  }

  private end(out: SerialDecoderOutput[]): void {
    if (this.discarding) {
      this.discarding = false; // resync: the next byte starts a new code
      this.len = 0;
      return;
    }
    if (this.len === 0) return; // an empty line (e.g. LF after CR under the cr suffix is dropped already)
    const bytes = this.buf.slice(0, this.len);
    this.len = 0;
    const { text, encoding } = decodeCodeText(bytes);
    if (text.length === 0) return;
    if (this.aimPrefix && text.length >= 3 && text[0] === ']') {
      const aim = text.slice(0, 3);
      if (text.length === 3) return; // an AIM id with no data
      const symbology = symbologyOfAim(aim);
      out.push({ kind: 'code', text: text.slice(3), encoding, aim, ...(symbology ? { symbology } : {}) });
      return;
    }
    out.push({ kind: 'code', text, encoding });
  }
}
