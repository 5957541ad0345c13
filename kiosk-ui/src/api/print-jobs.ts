/**
 * The agent's durable print jobs as the pages use them (receipts on the receipt printer, certificates and
 * result documents on the A4 printer): a refused print leaves the job kept, and a retry names it by id, so
 * nothing prints twice (a retry of a job that printed meanwhile is answered as printed).
 */
import { api, ApiError } from './client';

export interface PrintJob {
  id: string;
  caseId: string | null;
  kind: string;
  state: 'queued' | 'printing' | 'printed' | 'failed';
  attempts: number;
  lastError: string | null;
  createdAt: string;
}

/** The print job the agent kept when the printer refused (the error's `job`), if any. */
export function keptJob(err: unknown): PrintJob | undefined {
  const job = err instanceof ApiError ? (err.detail.job as PrintJob | undefined) : undefined;
  return job && typeof job.id === 'string' ? job : undefined;
}

export async function printReceipt(caseId: string): Promise<PrintJob> {
  return (await api.post<{ job: PrintJob }>(`/api/cases/${encodeURIComponent(caseId)}/receipt/print`)).job;
}

/** A certificate or result document of the case, on the A4 printer. */
export async function printDocument(caseId: string, documentId: string): Promise<PrintJob> {
  return (await api.post<{ job: PrintJob }>(`/api/cases/${encodeURIComponent(caseId)}/documents/${encodeURIComponent(documentId)}/print`)).job;
}

export async function retryJob(jobId: string): Promise<PrintJob> {
  return (await api.post<{ job: PrintJob }>(`/api/print-jobs/${encodeURIComponent(jobId)}/retry`)).job;
}
