/**
 * The 受理回执 slip the kiosk prints for a case (drivers/escpos Receipt): serial number, item,
 * department, the applicant masked (a slip may be left behind), time limit, materials still to hand in,
 * and a QR code with the case id and content hash to look the case up and check it was not altered.
 * A case still waiting to reach the endpoint while the endpoint cannot be reached says so (offline).
 */
import { maskIdNumber, maskName } from '../../base/redact.js';
import type { Receipt } from '../../drivers/escpos/receipt.js';
import type { CatalogItem } from '../catalog/types.js';
import { missingRequiredMaterials } from './state-machine.js';
import type { Case, CaseStatus } from './types.js';

export const STATUS_LABELS: Record<CaseStatus, string> = {
  draft: '草稿',
  submitted: '已申报',
  uploaded: '已报送',
  accepted: '已受理',
  correctionRequested: '待补正',
  refused: '不予受理',
  completed: '已办结',
};

/** Beijing time (UTC+8, no daylight saving), minutes: 2026-11-21 16:00. */
export function beijingTime(iso: string): string {
  return new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
}

/** `TBC1:<CASE ID>:<CONTENT HASH>`, all in the QR alphanumeric set (upper case) to keep the code small. */
export function caseReference(c: { id: string; contentHash: string }): string {
  return `TBC1:${c.id.toUpperCase()}:${c.contentHash.toUpperCase()}`;
}

/** What the receipt says when the case is kept at the kiosk because the endpoint cannot be reached. */
export const OFFLINE_RECEIPT_LINES = ['网络暂时中断，本件已保存，', '网络恢复后自动提交。'] as const;

export interface ReceiptOptions {
  /** The endpoint the case goes to is not reachable now (the sync is not connected for its region). */
  readonly offline?: boolean;
}

export function caseReceipt(c: Case & { serial: string; contentHash: string }, item: CatalogItem, options: ReceiptOptions = {}): Receipt {
  const submitted = c.history.find((h) => h.to === 'submitted')?.at ?? c.createdAt;
  const missing = missingRequiredMaterials(c, item).map((id) => item.materials.find((m) => m.id === id)?.name ?? id);
  const lines: string[] = [];
  // Not at the endpoint yet, and no way to send it now: the citizen is told it goes later by itself.
  if (c.status === 'submitted' && options.offline) lines.push('---', ...OFFLINE_RECEIPT_LINES);
  if (missing.length) lines.push('---', '待补交材料：', ...missing.map((n) => `· ${n}`));
  if (c.bundleId) lines.push('---', '本件属“一件事”联办，其余事项一并办理');
  return {
    title: '受理回执',
    rows: [
      { key: '申办流水号', value: c.serial },
      { key: '事项', value: item.name },
      { key: '承办部门', value: item.department },
      { key: '申请人', value: maskName(c.applicant.name) },
      { key: '证件号码', value: maskIdNumber(c.applicant.idNumber) },
      { key: '办理方式', value: item.modes.join('、') },
      { key: '承诺时限', value: item.timeLimitDays === 0 ? '即办' : `${item.timeLimitDays}个工作日` },
      { key: '提交时间', value: beijingTime(submitted) },
      { key: '状态', value: STATUS_LABELS[c.status] },
    ],
    lines,
    qr: caseReference(c),
    footer: '请妥善保管本回执，可凭申办流水号查询办理进度',
  };
}
