/**
 * Receipts over the API: POST /api/cases/{id}/receipt/print writes the case's 受理回执 as a print job
 * and prints it on the receipt printer; when the printer refuses (paper out, cover open) the answer is
 * 503 with the printer's reason (中文 / English) and the kept job, which the agent prints by itself when
 * the printer reports ready again if it is recent (printing/receipt-jobs.ts watchPrinter); POST
 * /api/print-jobs/{id}/retry prints a kept job now (a printed job is answered as printed, never printed twice),
 * a receipt or an A4 document job (document-routes.ts) alike.
 * GET /api/print-jobs lists the jobs not printed yet (no document contents).
 */
import { isTongbanError } from '../../base/errors.js';
import { DOCUMENT_JOB_KIND, type DocumentJobs } from '../printing/document-jobs.js';
import { PrintRefused, viewOf, type ReceiptJobs } from '../printing/receipt-jobs.js';
import type { Store } from '../store/store.js';
import { guarded } from './case-routes.js';
import { ApiError } from './errors.js';
import type { AnyRoute } from './server.js';

const JOB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function printed(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof PrintRefused) {
      const e = new ApiError(503, err.code, err.message);
      e.job = err.job;
      throw e;
    }
    if (isTongbanError(err) && err.code === 'printJob.notFound') throw new ApiError(404, err.code, err.message, 'id');
    throw err;
  }
}

/** `documents`: the A4 printer's jobs (document-routes.ts), retried here too by their id. */
export function printRoutes(jobs: ReceiptJobs, store: Store, documents?: DocumentJobs): AnyRoute[] {
  return [
    {
      method: 'POST',
      path: '/api/cases/{id}/receipt/print',
      handler: async ({ params }) => {
        return { status: 201, body: { job: await printed(() => guarded(() => jobs.printCase(params.id!))) } };
      },
    },
    {
      method: 'POST',
      path: '/api/print-jobs/{id}/retry',
      handler: async ({ params }) => {
        if (!JOB_ID.test(params.id!)) throw new ApiError(404, 'printJob.notFound', `no print job ${params.id}`, 'id');
        const isDocument = documents !== undefined && store.printJobs.get(params.id!)?.kind === DOCUMENT_JOB_KIND;
        return { status: 200, body: { job: await printed(() => (isDocument ? documents.print(params.id!) : jobs.print(params.id!))) } };
      },
    },
    {
      method: 'GET',
      path: '/api/print-jobs',
      handler: () => ({ status: 200, body: { jobs: store.printJobs.pending().map(viewOf) } }),
    },
  ];
}
