/**
 * 取件打印 and 好差评 over the agent's API: the person's cases (POST /api/pickup: the ID number in the
 * body, never in a URL), printing one of their documents on the A4 printer (a durable print job: when the
 * printer refuses, the agent keeps the job and this retries it by its id), and rating a case.
 */
import { api } from '../api/client';
import { printDocument as print, retryJob as retry, type PrintJob } from '../api/print-jobs';

export interface PickupDocument {
  id: string;
  title: string;
  kind: 'result' | 'certificate';
  printed: boolean;
}

export interface PickupCase {
  id: string;
  serial: string;
  itemName: string;
  status: 'submitted' | 'uploaded' | 'accepted' | 'correctionRequested' | 'refused' | 'completed';
  statusLabel: string;
  updatedAt: string;
  /** Why, for a case sent back for correction or refused (meant for the applicant). */
  note?: string;
  documents: PickupDocument[];
}

export async function pickupCases(idNumber: string): Promise<PickupCase[]> {
  return (await api.post<{ cases: PickupCase[] }>('/api/pickup', { idNumber })).cases;
}

export { keptJob } from '../api/print-jobs';

/**
 * Prints the document, or retries the kept job `retryJob` (never a second job for the same attempt: a
 * retry of a job that printed meanwhile answers it as printed, so nothing prints twice).
 */
export function printDocument(caseId: string, documentId: string, retryJob?: string): Promise<PrintJob> {
  return retryJob ? retry(retryJob) : print(caseId, documentId);
}

export type RatingScore = 1 | 2 | 3 | 4 | 5;

export async function rateCase(caseId: string, rating: { score: RatingScore; occasion: 'completion' | 'visit'; comment?: string }): Promise<void> {
  await api.post(`/api/cases/${encodeURIComponent(caseId)}/rating`, rating);
}
