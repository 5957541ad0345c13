/**
 * How a driver's failure becomes a completion: the XFS4IoT completionCode class, the driver's own stable
 * code as payload.errorCode (e.g. "printer.paperOut", "idcard.sw3.41"), and its message (drivers write
 * Chinese for the operator and English for the log) as errorDescription. Pure.
 */
import { DeviceError, InputError, UsageError, isTongbanError, messageOf } from '../../base/errors.js';
import type { CompletionCode } from './messages.js';

export interface Outcome {
  readonly completionCode: CompletionCode;
  readonly errorCode?: string;
  readonly errorDescription: string;
}

/** The device is not there or not taking work: the client may retry later. */
const NOT_READY = new Set(['device.unplugged', 'device.openFailed', 'device.notFound', 'device.busy', 'device.notReady', 'printer.offline', 'docprint.printerStopped', 'scanner.hidUnavailable']);
/** The device answered nonsense or broke: someone has to look at it. */
const HARDWARE = new Set(['device.garbled', 'device.timeout', 'device.ioError', 'printer.cutterError', 'printer.unrecoverable']);

export function outcomeOfError(err: unknown): Outcome {
  if (err instanceof InputError || err instanceof UsageError) {
    return { completionCode: 'invalidData', errorCode: err.code, errorDescription: err.message };
  }
  if (err instanceof DeviceError) {
    const code = err.code;
    if (code === 'device.canceled') return { completionCode: 'canceled', errorCode: code, errorDescription: err.message };
    const completionCode: CompletionCode = NOT_READY.has(code) ? 'deviceNotReady' : HARDWARE.has(code) ? 'hardwareError' : 'commandErrorCode';
    return { completionCode, errorCode: code, errorDescription: err.message };
  }
  if (isTongbanError(err)) {
    // EnvironmentError and the like: the machine, not the request, is wrong.
    return { completionCode: 'deviceNotReady', errorCode: err.code, errorDescription: err.message };
  }
  if (err instanceof Error && err.name === 'AbortError') {
    return { completionCode: 'canceled', errorDescription: 'canceled' };
  }
  return { completionCode: 'internalError', errorDescription: `internal error: ${messageOf(err)}` };
}
