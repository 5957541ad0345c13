/** ESC/POS command bytes (scanners-printers.md has the table). */
export const ESC = 0x1b;
export const GS = 0x1d;
export const FS = 0x1c;
export const DLE = 0x10;
export const EOT = 0x04;
export const LF = 0x0a;

export const INIT = [ESC, 0x40] as const;
export const CHINESE_ON = [FS, 0x26] as const;
export const CHINESE_OFF = [FS, 0x2e] as const;
export const CUT_FULL = [GS, 0x56, 0x00] as const;
export const CUT_PARTIAL = [GS, 0x56, 0x01] as const;
export const PAPER_SENSOR_STATUS = [GS, 0x72, 0x01] as const;

export type Align = 'left' | 'center' | 'right';
export const ALIGN_CODE: Readonly<Record<Align, number>> = { left: 0, center: 1, right: 2 };

export type QrErrorLevel = 'L' | 'M' | 'Q' | 'H';
export const QR_LEVEL_CODE: Readonly<Record<QrErrorLevel, number>> = { L: 0x30, M: 0x31, Q: 0x32, H: 0x33 };

/** DLE EOT n: real-time status, n = 1 printer, 2 offline cause, 3 error cause, 4 paper. */
export function realtimeStatus(n: 1 | 2 | 3 | 4): Uint8Array {
  return Uint8Array.of(DLE, EOT, n);
}

/** The most a QR store command may carry (pL/pH is 16 bits and model 2 holds at most 7089 digits). */
export const QR_MAX_BYTES = 7089;
