/**
 * What went wrong, in plain Chinese for the citizen: what happened and what to do. One table of the
 * agent's error codes; each flow adds its codes in its own section below. Anything not in the table gets
 * a general sentence (never the agent's English message, which is for logs and staff).
 */
import { AgentUnreachable, ApiError } from './client';

const TEXT: Record<string, string> = {
  // --- general (H1) ---
  unauthorized: '终端页面已过期，请联系工作人员重新打开本页面。',
  notFound: '没有找到您要的内容，请返回上一步重新选择。',
  invalid: '填写的内容有误，请检查后重试。',
  tooLarge: '文件太大，无法上传，请换一个较小的文件或联系工作人员。',
  internal: '系统暂时出现问题，请稍后重试或联系工作人员。您的办件已保存，不会丢失。',
  'env.portInUse': '系统暂时出现问题，请联系工作人员。',
  // --- devices (H1) ---
  deviceNotReady: '设备暂时无法使用，请联系工作人员。',
  hardwareError: '设备发生故障，请联系工作人员。',
  timeOut: '等待超时，请重试。',
  'printer.paperOut': '打印机缺纸，请联系工作人员添加纸张。您的办件已保存，不会丢失。',
  'printer.coverOpen': '打印机盖板没有关好，请联系工作人员处理。您的办件已保存，不会丢失。',
  'printer.cutterError': '打印机切纸故障，请联系工作人员处理。您的办件已保存，不会丢失。',
  'printer.offline': '打印机暂时无法使用，请联系工作人员。您的办件已保存，不会丢失。',
  'printer.error': '打印机发生故障，请联系工作人员。您的办件已保存，不会丢失。',
  // --- staff (H1) ---
  'staff.pinWrong': '密码不正确，请重新输入。',
  'staff.locked': '密码错误次数过多，已锁定 1 分钟，请稍后再试。',
  'staff.noPin': '本机未设置工作人员密码（配置项 ui.staffPin），无法进入工作人员模式。',
  // --- identify + items (H2) ---
  'code.garbled': '未能识别这个二维码。请打开手机上的“电子身份码”，调亮屏幕后对准扫码口重新扫描；也可以刷身份证。',
  'code.unknown': '这个电子身份码的版本本机暂不支持。请刷身份证，或请工作人员协助。',
  'code.forged': '这个电子身份码未通过校验，不能使用。请在手机上重新打开“电子身份码”后再扫，或刷身份证。',
  'code.expired': '电子身份码已过期。请在手机上刷新电子身份码后重新扫描，或刷身份证。',
  unknownItem: '没有找到这个事项，事项目录可能刚刚更新。请返回重新选择。',
  // --- form + materials + review (H4) ---
  // --- done + certificate + A4 (H5) ---
  // --- pickup + rating (H6) ---
  'pickup.badIdNumber': '证件号码没有通过校验，请重新刷身份证或扫码。',
  'case.alreadyRated': '这件办件已经评价过了，每件办件只能评价一次。',
  'case.notRatable': '这件办件现在还不能评价，办结后可以再评价。',
  'case.badRating': '评价没有提交成功，请重新选择后提交。',
};

/** Adds the codes of one flow (each flow's module calls it once at load time). */
export function addExplanations(entries: Record<string, string>): void {
  Object.assign(TEXT, entries);
}

export function explain(err: unknown): string {
  if (err instanceof AgentUnreachable) return '终端服务暂时没有响应，请稍候片刻再试；如仍无法使用，请联系工作人员。您已填写的内容仍在本页面上。';
  if (err instanceof ApiError) {
    const text = TEXT[err.code] ?? (err.code.startsWith('printer.') ? TEXT['printer.error'] : undefined);
    return text ?? (err.status >= 500 ? TEXT.internal! : '操作没有成功，请重试；如仍无法完成，请联系工作人员。');
  }
  if (err instanceof DeviceError) return TEXT[err.completionCode] ?? '设备暂时无法完成操作，请重试或联系工作人员。';
  if (err instanceof DOMException && err.name === 'AbortError') return '操作已取消。';
  return '操作没有成功，请重试；如仍无法完成，请联系工作人员。';
}

/** A device command that did not complete with success (thrown by whoever chooses to treat it as an error). */
export class DeviceError extends Error {
  override readonly name = 'DeviceError';
  constructor(
    readonly completionCode: string,
    message: string,
  ) {
    super(message);
  }
}
