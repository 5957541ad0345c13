/**
 * Printer status replies (pure codec). DLE EOT n (real-time status) answers one byte per query; bits 1
 * and 4 are always 1 and bit 7 always 0, so a reply that breaks that pattern is line noise or a different
 * device, reported as 'device.garbled' rather than guessed at.
 *   n=1 printer:        08 offline
 *   n=2 offline cause:  04 cover open, 20 stopped by paper end, 40 error
 *   n=3 error cause:    08 auto-cutter error, 20 unrecoverable, 40 auto-recoverable
 *   n=4 paper sensors:  0C paper near end, 60 paper out
 * GS r 1 (paper sensor status): bits 0-1 near end (03), bits 2-3 paper end (0C); 0F = out on many models.
 */
import { DeviceError } from '../../base/errors.js';

export interface PrinterStatus {
  readonly online: boolean;
  readonly coverOpen: boolean;
  readonly paperNearEnd: boolean;
  readonly paperOut: boolean;
  readonly cutterError: boolean;
  readonly unrecoverableError: boolean;
  readonly autoRecoverableError: boolean;
}

export type StatusQuery = 1 | 2 | 3 | 4;

/** Bits 1 and 4 set, bit 7 clear. */
function isWellFormed(b: number): boolean {
  return (b & 0x12) === 0x12 && (b & 0x80) === 0;
}

/** The fields one DLE EOT n reply determines. */
export function decodeRealtimeStatus(n: StatusQuery, byte: number): Partial<PrinterStatus> {
  if (!Number.isInteger(byte) || byte < 0 || byte > 0xff || !isWellFormed(byte)) {
    throw new DeviceError('device.garbled', `garbled status reply ${hex(byte)} to DLE EOT ${n} (bits 1 and 4 must be set, bit 7 clear)`);
  }
  switch (n) {
    case 1:
      return { online: (byte & 0x08) === 0 };
    case 2:
      // bit 6 (an error occurred) is detailed by n=3
      return { coverOpen: (byte & 0x04) !== 0, paperOut: (byte & 0x20) !== 0 };
    case 3:
      return { cutterError: (byte & 0x08) !== 0, unrecoverableError: (byte & 0x20) !== 0, autoRecoverableError: (byte & 0x40) !== 0 };
    case 4:
      return { paperNearEnd: (byte & 0x0c) !== 0, paperOut: (byte & 0x60) !== 0 };
  }
}

/** Combines the four replies (to DLE EOT 1, 2, 3, 4 in that order) into one status. */
export function decodeStatusReplies(replies: readonly [number, number, number, number]): PrinterStatus {
  const p1 = decodeRealtimeStatus(1, replies[0]);
  const p2 = decodeRealtimeStatus(2, replies[1]);
  const p3 = decodeRealtimeStatus(3, replies[2]);
  const p4 = decodeRealtimeStatus(4, replies[3]);
  return {
    online: p1.online as boolean,
    coverOpen: p2.coverOpen as boolean,
    // "stopped by paper end" (n=2) or the paper-end sensor (n=4)
    paperOut: (p2.paperOut as boolean) || (p4.paperOut as boolean),
    paperNearEnd: p4.paperNearEnd as boolean,
    cutterError: p3.cutterError as boolean,
    unrecoverableError: p3.unrecoverableError as boolean,
    autoRecoverableError: p3.autoRecoverableError as boolean,
  };
}

/** GS r 1 reply: paper sensors. Bits 4-7 are zero on a well-formed reply. */
export function decodePaperSensor(byte: number): { paperNearEnd: boolean; paperOut: boolean } {
  if (!Number.isInteger(byte) || byte < 0 || byte > 0xff || (byte & 0x90) !== 0) {
    throw new DeviceError('device.garbled', `garbled paper sensor reply ${hex(byte)} to GS r 1`);
  }
  return { paperNearEnd: (byte & 0x03) !== 0, paperOut: (byte & 0x0c) !== 0 };
}

/** The reply bytes a printer in `s` sends (for the simulator; inverse of decodeRealtimeStatus). */
export function encodeRealtimeStatus(n: StatusQuery, s: PrinterStatus): number {
  let b = 0x12;
  switch (n) {
    case 1:
      if (!s.online) b |= 0x08;
      break;
    case 2:
      if (s.coverOpen) b |= 0x04;
      if (s.paperOut) b |= 0x20;
      if (s.cutterError || s.unrecoverableError || s.autoRecoverableError) b |= 0x40;
      break;
    case 3:
      if (s.cutterError) b |= 0x08;
      if (s.unrecoverableError) b |= 0x20;
      if (s.autoRecoverableError) b |= 0x40;
      break;
    case 4:
      if (s.paperNearEnd || s.paperOut) b |= 0x0c;
      if (s.paperOut) b |= 0x60;
      break;
  }
  return b;
}

export function encodePaperSensor(s: Pick<PrinterStatus, 'paperNearEnd' | 'paperOut'>): number {
  return (s.paperNearEnd || s.paperOut ? 0x03 : 0) | (s.paperOut ? 0x0c : 0);
}

/** Why a printer in this state cannot print, as the typed error a job is refused with; undefined when it can. */
export function refusal(s: PrinterStatus): DeviceError | undefined {
  if (s.coverOpen) return new DeviceError('printer.coverOpen', '纸仓盖打开 / printer cover is open');
  if (s.paperOut) return new DeviceError('printer.paperOut', '缺纸 / printer is out of paper');
  if (s.cutterError) return new DeviceError('printer.cutterError', '切刀故障 / auto-cutter error');
  if (s.unrecoverableError) return new DeviceError('printer.error', '打印机故障（不可恢复）/ unrecoverable printer error');
  if (s.autoRecoverableError) return new DeviceError('printer.error', '打印机故障（可自动恢复，例如过热）/ recoverable printer error (e.g. head too hot)');
  if (!s.online) return new DeviceError('printer.offline', '打印机离线 / printer is offline');
  return undefined;
}

export const OFFLINE_NO_REPLY = '打印机无应答（离线或未连接）/ printer does not answer (offline or unplugged)';

function hex(b: number): string {
  return Number.isInteger(b) ? `0x${(b & 0xff).toString(16).padStart(2, '0')}` : String(b);
}
