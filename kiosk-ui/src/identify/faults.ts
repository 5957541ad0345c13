/**
 * What the identify screen says when identifying fails: a device command that did not succeed (the card
 * reader or scanner missing, a card that will not read, waiting too long) in plain Chinese with what to do.
 * The agent's refusals of a personal code come with their own text (api/explain.ts, codes code.*).
 */
import type { Completion } from '../api/devices';

export type Channel = 'card' | 'scan';

/** The message for a failed ReadCard / BarcodeReader.Read (never for `canceled`: the screen canceled it). */
export function deviceFault(channel: Channel, c: Completion): string {
  const errorCode = typeof c.payload?.errorCode === 'string' ? (c.payload.errorCode as string) : '';
  if (c.completionCode === 'timeOut') {
    return channel === 'card'
      ? '等待超时，没有读到身份证。请点“重试”，再将身份证放在感应区，保持不动直到读取完成。'
      : '等待超时，没有扫到电子身份码。请点“重试”，再将手机上的电子身份码对准扫码口。';
  }
  if (c.completionCode === 'deviceNotReady' || c.completionCode === 'unsupportedCommand' || /^device\./.test(errorCode) && errorCode !== 'device.garbled') {
    return channel === 'card'
      ? '身份证阅读器暂时无法使用。您可以扫描手机上的电子身份码，或联系工作人员。'
      : '扫码器暂时无法使用。您可以刷身份证，或联系工作人员。';
  }
  // commandErrorCode (idcard.readFailed, idcard.sw3.*), hardwareError (garbled replies), invalidData, a bad read.
  return channel === 'card'
    ? '未能读取身份证。请取下身份证，擦拭干净后平放在感应区，再点“重试”；如仍无法读取，请扫描电子身份码或联系工作人员。'
    : '未能识别这个二维码。请打开手机上的“电子身份码”，调亮屏幕后对准扫码口重新扫描；也可以刷身份证。';
}
