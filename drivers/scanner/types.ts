/**
 * What every scanner mode (serial, USB HID POS, keyboard wedge) hands to its users, and its typed
 * failures. Scanner data is untrusted input: every path into a `ScanCode` bounds its length, strips
 * control characters and decodes bytes as text only (nothing is ever evaluated or interpreted).
 *
 * Error codes (all `ScannerError`, a DeviceError: exit code 3):
 *   scanner.overlong    a run of bytes longer than the maximum code length without a suffix (serial), or a
 *                       multi-packet HID code over the bound; the run is discarded and the decoder resyncs
 *   scanner.partial     a partial code that stopped arriving (inter-byte timeout), dropped (see serial-decoder)
 *   device.garbled      a HID report that does not have the layout's shape (wrong report id, bad length)
 *   device.unplugged    the port path or HID device went away
 *   device.notFound     no port at the path / no HID device with that VID:PID
 *   scanner.hidUnavailable  node-hid (or libusb / hidraw under it) cannot be loaded
 */
import { DeviceError } from '../../base/errors.js';

export type ScannerSource = 'serial' | 'hid' | 'wedge';

export interface ScanCode {
  /** The decoded text, control characters removed. */
  readonly text: string;
  /** Normalised symbology name when known ('qr', 'code128', 'ean13', ...). */
  readonly symbology?: string;
  /** The AIM identifier as sent (e.g. "]Q1"), when the scanner sent one. */
  readonly aim?: string;
  /** The vendor's own code id character (Honeywell / Newland), when sent. */
  readonly codeId?: string;
  /** When the code was complete (ISO 8601). */
  readonly at: string;
  /** Where it came from: "serial /dev/ttyUSB0", "hid 0c2e:0b61". */
  readonly source: string;
}

export type ScannerErrorCode =
  | 'scanner.overlong'
  | 'scanner.partial'
  | 'device.garbled'
  | 'device.unplugged'
  | 'device.notFound'
  | 'scanner.hidUnavailable';

export class ScannerError extends DeviceError {
  declare readonly code: ScannerErrorCode;
  constructor(code: ScannerErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Default bound on one code, in bytes: QR version 40 holds 2,953 bytes or 7,089 digits. */
export const DEFAULT_MAX_CODE_BYTES = 7168;

/**
 * AIM symbology identifiers (ISO/IEC 15424: "]" + code character + modifier), by code character.
 * Only the first two characters decide the symbology; the modifier says options (e.g. ]Q1 = QR model 2).
 */
const AIM_SYMBOLOGIES: Readonly<Record<string, string>> = {
  A: 'code39',
  C: 'code128',
  E: 'ean-upc',
  F: 'codabar',
  G: 'code93',
  I: 'itf',
  L: 'pdf417',
  Q: 'qr',
  d: 'datamatrix',
  e: 'gs1-databar',
  z: 'aztec',
  X: 'other',
};

/** The symbology name of an AIM id such as "]Q1", or undefined. ]E0 is EAN-13/UPC-A, ]E4 EAN-8. */
export function symbologyOfAim(aim: string): string | undefined {
  if (aim.length < 2 || aim[0] !== ']') return undefined;
  if (aim[1] === 'E') return aim[2] === '4' ? 'ean8' : aim[2] === '0' ? 'ean13' : 'ean-upc';
  return AIM_SYMBOLOGIES[aim[1]!];
}

/** Honeywell code ids (the one-character "Code ID" of their manuals). */
const HONEYWELL_CODE_IDS: Readonly<Record<string, string>> = {
  s: 'qr',
  j: 'code128',
  d: 'ean13',
  D: 'ean8',
  c: 'upca',
  E: 'upce',
  b: 'code39',
  e: 'itf',
  w: 'datamatrix',
  r: 'pdf417',
  z: 'aztec',
};

/** Newland code ids (their "Code ID" table; QR is "Q"). */
const NEWLAND_CODE_IDS: Readonly<Record<string, string>> = {
  Q: 'qr',
  j: 'code128',
  d: 'ean13',
  D: 'ean8',
  c: 'upca',
  h: 'upce',
  b: 'code39',
  e: 'itf',
  u: 'datamatrix',
  r: 'pdf417',
  z: 'aztec',
};

export function symbologyOfCodeId(vendor: 'honeywell' | 'newland', id: string): string | undefined {
  return (vendor === 'honeywell' ? HONEYWELL_CODE_IDS : NEWLAND_CODE_IDS)[id];
}
