/**
 * Submitting the case: POST /api/cases (the agent commits it before answering: a 2xx means it is on the
 * kiosk's disk and will reach the government system by itself), then whether it goes on now: `queued`
 * when no connected endpoint serves the item's target region (GET /api/sync). The done screen words a
 * queued case as "已保存，网络恢复后自动提交".
 */
import { AgentUnreachable, ApiError, api } from '../api/client';
import { addExplanations } from '../api/explain';
import type { SubmittedCase } from '../state/session';
import type { CaseBody } from './case-body';

// --- form + materials + review (H4) ---
addExplanations({
  'case.invalid': '填写的内容没有通过检查，请按提示修改后再提交。',
  'store.caseConflict': '这份申请与已保存的申请不一致，请重新提交。',
  unknownItem: '本机的事项目录中没有这个事项，请返回重新选择。',
});

interface StoredCase {
  id: string;
  serial: string;
  status: string;
  contentHash: string;
  itemCode: string;
}

interface EndpointStatus {
  regions: string[] | '*';
  connected: boolean;
}

/**
 * Whether the case can go on to the government system now: a connected endpoint serves the item's
 * target region (the sync sends a committed case at once). Not connected, not routed, or not knowable
 * (the agent did not answer after the case was saved): queued.
 */
async function endpointReachable(targetRegion: string): Promise<boolean> {
  try {
    const sync = await api.get<{ endpoints: EndpointStatus[] }>('/api/sync');
    return sync.endpoints.some((e) => e.connected && (e.regions === '*' || e.regions.includes(targetRegion)));
  } catch (err) {
    if (err instanceof AgentUnreachable || err instanceof ApiError) return false;
    throw err;
  }
}

export async function submitCase(body: CaseBody, targetRegion: string): Promise<SubmittedCase> {
  const answer = await api.post<{ created: boolean; case: StoredCase }>('/api/cases', body);
  const c = answer.case;
  // Already past `submitted` (a repeated submission of a case the endpoint has): not queued, whatever the link does now.
  const reached = (c.status !== 'submitted' && c.status !== 'draft') || (await endpointReachable(targetRegion));
  return { id: c.id, serial: c.serial, status: c.status, contentHash: c.contentHash, itemCode: c.itemCode, queued: !reached };
}

export interface Problem {
  path: string;
  zh: string;
}

/** The agent's field-named problems of a refused case (empty for any other error). */
export function problemsOf(err: unknown): Problem[] {
  if (!(err instanceof ApiError) || err.code !== 'case.invalid') return [];
  const list = err.detail.problems;
  return Array.isArray(list) ? list.filter((p): p is Problem => typeof p === 'object' && p !== null && typeof p.path === 'string' && typeof p.zh === 'string') : [];
}
