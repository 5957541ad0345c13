/** Small text helpers of the pick-up screens: what a status means for the citizen, times, masked names. */
import type { PickupCase } from './api';

/** What the citizen can do about a case in this status, in plain words. */
export function statusHint(c: Pick<PickupCase, 'status' | 'documents'>): string {
  switch (c.status) {
    case 'submitted':
      return '您的申请已提交，正在报送审批部门。';
    case 'uploaded':
      return '已报送审批部门，正在等待受理。';
    case 'accepted':
      return '已受理，正在办理中。办结后可以在本机打印结果。';
    case 'correctionRequested':
      return '需要补正材料。请按下面的说明补充，或到服务窗口咨询。';
    case 'refused':
      return '不予受理。如有疑问，请到服务窗口咨询。';
    case 'completed':
      return c.documents.length ? '已办结，可以打印下面的办理结果。' : '已办结。办理结果将按您选择的方式送达，或请到服务窗口领取。';
  }
}

/** Beijing time to the minute (UTC+8, no daylight saving): 2026-11-22 08:48. */
export function beijingTime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return '';
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
}

/** 张三 -> 张*: the screen greets the citizen without showing the whole name to whoever stands behind. */
export function maskName(name: string): string {
  const chars = Array.from(name.trim());
  return chars.length <= 1 ? '*' : chars[0] + '*'.repeat(chars.length - 1);
}

export const KIND_LABEL: Record<'result' | 'certificate', string> = { result: '办理结果', certificate: '证明文件' };
