/**
 * The agent calls of the done and certificate screens: the receipt, issuing (证明开具), the preview of
 * the sealed page, printing on the A4 printer, and a kept print job's retry. The state of each case's
 * receipt and certificate is kept here for the session only (module memory, tied to the session's
 * generation), so that going back and forth between the two screens neither prints a receipt twice
 * nor issues twice; nothing here is written to the browser's storage.
 */
import { api, ApiError, AgentUnreachable } from '../api/client';
import { getToken } from '../api/token';
import { sessionGeneration } from '../state/session';
import type { PrintJob } from '../api/print-jobs';

export { keptJob, printDocument, printReceipt, retryJob, type PrintJob } from '../api/print-jobs';

export interface Issued {
  documentId: string;
  template: string;
}

/** 当场出证: the agent takes the department's record itself (demo mode: the demo departments). */
export async function issueCertificate(caseId: string): Promise<Issued> {
  const r = await api.post<{ documentId: string; template: string }>(`/api/cases/${encodeURIComponent(caseId)}/issue`, {});
  return { documentId: r.documentId, template: r.template };
}

/**
 * The certificate already issued for the case, if any (the case completed with a result document that a
 * certs template made): after a page reload or a lost answer, issuing again is refused, and the citizen
 * gets the one already sealed instead.
 */
export async function issuedBefore(caseId: string): Promise<Issued | undefined> {
  const c = await api.get<{ status: string; results?: { documentId: string; template?: string }[] }>(`/api/cases/${encodeURIComponent(caseId)}`);
  const r = c.results?.find((x) => typeof x.template === 'string');
  return c.status === 'completed' && r ? { documentId: r.documentId, template: r.template! } : undefined;
}

export interface PreviewPage {
  /** An object URL of the PNG (revoke it when it is no longer shown). */
  url: string;
  pageCount: number;
}

/**
 * A page of the sealed certificate as a picture. Fetched here rather than through api.bytes because its
 * page count comes in a header; errors come back as the client's ApiError/AgentUnreachable.
 */
export async function previewPage(caseId: string, documentId: string, page: number, width: number): Promise<PreviewPage> {
  const path = `/api/cases/${encodeURIComponent(caseId)}/certificates/${encodeURIComponent(documentId)}/preview.png?page=${page}&width=${width}`;
  const token = getToken();
  let res: Response;
  try {
    res = await fetch(path, { headers: token ? { authorization: `Bearer ${token}` } : {}, cache: 'no-store' });
  } catch (err) {
    throw new AgentUnreachable(`GET ${path}: ${String(err)}`, { cause: err });
  }
  if (!res.ok) {
    let e: Record<string, unknown> | undefined;
    try {
      e = ((await res.json()) as { error?: Record<string, unknown> }).error;
    } catch {
      e = undefined;
    }
    throw new ApiError(res.status, typeof e?.code === 'string' ? e.code : res.status >= 500 ? 'internal' : `http${res.status}`, typeof e?.message === 'string' ? e.message : `HTTP ${res.status}`, undefined, e ?? {});
  }
  const pageCount = Number(res.headers.get('x-page-count') ?? '1');
  return { url: URL.createObjectURL(await res.blob()), pageCount: Number.isSafeInteger(pageCount) && pageCount > 0 ? pageCount : 1 };
}

/** What happened to one case's receipt and certificate in this session. */
export interface CaseProgress {
  receipt?: { state: 'printing' | 'printed' | 'failed'; job?: PrintJob; error?: unknown };
  issued?: Issued;
  certificatePrinted?: boolean;
}

let memo: { generation: number; byCase: Map<string, CaseProgress> } | undefined;
const listeners = new Set<() => void>();

/** Called when a case's progress changes (a print that finished after its screen was left and entered again). */
export function onProgress(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Records a change of a case's progress and tells the screens. */
export function setProgress(caseId: string, patch: Partial<CaseProgress>): CaseProgress {
  const p = Object.assign(progressOf(caseId), patch);
  for (const l of [...listeners]) l();
  return p;
}

/** Whether a kept print job is still waiting (the agent may have printed it by itself after a refill). */
export async function jobPending(jobId: string): Promise<boolean> {
  const { jobs } = await api.get<{ jobs: PrintJob[] }>('/api/print-jobs');
  return jobs.some((j) => j.id === jobId);
}

/** This session's progress of a case (a new session starts empty). */
export function progressOf(caseId: string): CaseProgress {
  if (!memo || memo.generation !== sessionGeneration()) memo = { generation: sessionGeneration(), byCase: new Map() };
  let p = memo.byCase.get(caseId);
  if (!p) {
    p = {};
    memo.byCase.set(caseId, p);
  }
  return p;
}
