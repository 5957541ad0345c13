/**
 * Submitting the case: POST /api/cases (the agent commits it before answering: a 2xx means it is on the
 * kiosk's disk and will reach the government system by itself), then whether it has reached the endpoint
 * yet: `queued` when no connected endpoint serves the item's region (GET /api/sync), or when the case is
 * still only `submitted` after a short wait. The done screen words a queued case as
 * "已保存，网络恢复后自动提交".
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

/** How long the page waits for a connected endpoint to take the case before calling it queued. */
const UPLOAD_WAIT_MS = 3000;
const POLL_MS = 200;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function reachedEndpoint(id: string, targetRegion: string): Promise<{ reached: boolean; status?: string }> {
  try {
    const sync = await api.get<{ endpoints: EndpointStatus[] }>('/api/sync');
    const serving = sync.endpoints.filter((e) => e.regions === '*' || e.regions.includes(targetRegion));
    if (!serving.some((e) => e.connected)) return { reached: false };
    const deadline = Date.now() + UPLOAD_WAIT_MS;
    for (;;) {
      const c = await api.get<StoredCase>(`/api/cases/${id}`);
      if (c.status !== 'submitted' && c.status !== 'draft') return { reached: true, status: c.status };
      if (Date.now() >= deadline) return { reached: false, status: c.status };
      await sleep(POLL_MS);
    }
  } catch (err) {
    // The case is saved (the POST answered); not knowing more, the citizen is told it goes when it can.
    if (err instanceof AgentUnreachable || err instanceof ApiError) return { reached: false };
    throw err;
  }
}

export async function submitCase(body: CaseBody, targetRegion: string): Promise<SubmittedCase> {
  const answer = await api.post<{ created: boolean; case: StoredCase }>('/api/cases', body);
  const c = answer.case;
  const { reached, status } = await reachedEndpoint(c.id, targetRegion);
  return { id: c.id, serial: c.serial, status: status ?? c.status, contentHash: c.contentHash, itemCode: c.itemCode, queued: !reached };
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
