/**
 * The ID card reader's typed failures. Codes (stable, for the UI and the device manager):
 *   idcard.sw3.XX   the SAM answered with status SW3 = XX (hex), e.g. idcard.sw3.41 read failure
 *   idcard.noCard   no card was found within the timeout
 *   idcard.readFailed  the card's data was read but is not a valid card (bad check digit, bad date, unknown code)
 *   device.garbled  replies kept failing their checksum/length after the retries
 *   device.timeout  the reader stopped answering (powered off, or unplugged without the path vanishing)
 *   device.unplugged  the port path is gone
 * Messages carry Chinese for the kiosk operator and English for the log, and never personal data.
 */
import { DeviceError } from '../../base/errors.js';

/** SW3 codes of the SAM (idcard-sam.md): Chinese and English explanations. */
export const SW3_MESSAGES: ReadonlyMap<number, readonly [zh: string, en: string]> = new Map([
  [0x10, ['校验和错误', 'the SAM received a frame with a bad checksum']],
  [0x11, ['长度错误', 'the SAM received a frame with a bad length']],
  [0x21, ['命令错误', 'the SAM does not know the command']],
  [0x23, ['越权操作', 'the command is not permitted']],
  [0x24, ['未知错误', 'unknown SAM error']],
  [0x31, ['卡认证SAM失败', 'card authentication of the SAM failed']],
  [0x32, ['SAM认证卡失败', 'SAM authentication of the card failed']],
  [0x33, ['信息验证错误', 'card information verification failed']],
  [0x40, ['无法识别的卡类型', 'unrecognised card type or read failure']],
  [0x41, ['读卡操作失败', 'reading the card failed']],
  [0x47, ['取随机数失败', 'getting a random number from the card failed']],
  [0x60, ['SAM自检失败', 'the SAM self-test failed']],
  [0x66, ['SAM未经授权', 'the SAM is not authorised']],
  [0x80, ['寻卡失败（无卡）', 'no card found']],
  [0x81, ['选卡失败', 'selecting the card failed']],
  [0x91, ['无此内容', 'the card has no such content']],
]);

export const SW3_OK = 0x90;
export const SW3_CARD_FOUND = 0x9f;
export const SW3_NO_CARD = 0x80;

const hex = (n: number): string => n.toString(16).toUpperCase().padStart(2, '0');

/** The SAM said something other than success. */
export class Sw3Error extends DeviceError {
  constructor(
    readonly sw3: number,
    readonly command: string,
  ) {
    const [zh, en] = SW3_MESSAGES.get(sw3) ?? ['未知状态', 'unknown SAM status'];
    super(`idcard.sw3.${hex(sw3).toLowerCase()}`, `ID card reader: ${zh} / ${en} (SW3 ${hex(sw3)} on ${command})`);
  }
}

export class NoCardError extends DeviceError {
  constructor(timeoutMs: number) {
    super('idcard.noCard', `ID card reader: 未检测到身份证 / no card was placed on the reader within ${timeoutMs} ms`);
  }
}

/** The card's data does not hold together (a wrong check digit, an impossible date, an unknown code). */
export class CardDataError extends DeviceError {
  constructor(what: string) {
    super('idcard.readFailed', `ID card reader: 读卡数据无效 / the card data is invalid: ${what}`);
  }
}

export class ReaderTimeoutError extends DeviceError {
  constructor(command: string, timeoutMs: number, attempts: number) {
    super('device.timeout', `ID card reader: 读卡器无响应 / no reply to ${command} within ${timeoutMs} ms (${attempts} attempt(s)); is it powered and connected?`);
  }
}

export class UnpluggedError extends DeviceError {
  constructor(path: string) {
    super('device.unplugged', `ID card reader: 读卡器已断开 / the reader at ${path} is not connected`);
  }
}
