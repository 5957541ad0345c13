/**
 * A case's documents on the A4 printer and on the screen:
 * - POST /api/cases/{id}/documents/{documentId}/print prints an issued certificate or a result document
 *   that came back from the endpoint (the case's file `result:<documentId>`) as a durable print job
 *   (printing/document-jobs.ts): 201 { job } once the printer completed it; 503 with the printer's
 *   reason and the kept job when it refused (retried by POST /api/print-jobs/{id}/retry); 503
 *   printer.noDocumentPrinter when this kiosk has no A4 printer (no job kept).
 * - GET /api/cases/{id}/certificates/{documentId}/preview.png is a picture of a page of the sealed
 *   certificate (issuing/page-preview.ts), `?page=N` (1-based, default 1) and `?width=PX` (default
 *   1000), with the document's page count in x-page-count; it holds personal data: answered with
 *   cache-control no-store, like every answer here.
 */
import { isTongbanError } from '../../base/errors.js';
import type { CaseService } from '../cases/case-service.js';
import { renderPagePreview } from '../issuing/page-preview.js';
import type { DocumentJobs } from '../printing/document-jobs.js';
import { PrintRefused } from '../printing/receipt-jobs.js';
import type { Store } from '../store/store.js';
import { guarded } from './case-routes.js';
import { ApiError } from './errors.js';
import type { AnyRoute } from './server.js';

const DOCUMENT_ID = /^[A-Za-z0-9._:-]{1,100}$/;
const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  'document.notFound': 404,
  'document.purged': 410,
  'document.notPrintable': 409,
  'printer.noDocumentPrinter': 503,
};

function documentIdOf(params: Readonly<Record<string, string>>): string {
  const documentId = params.documentId!;
  if (!DOCUMENT_ID.test(documentId)) throw new ApiError(400, 'invalid', 'documentId is not a document id', 'documentId');
  return documentId;
}

export function documentRoutes(cases: CaseService, store: Store, documents: DocumentJobs): AnyRoute[] {
  return [
    {
      method: 'POST',
      path: '/api/cases/{id}/documents/{documentId}/print',
      handler: async ({ params }) => {
        const documentId = documentIdOf(params);
        // The printer's and the documents' refusals here; the case's (unknown, purged) as the case routes answer them.
        const job = await guarded(async () => {
          try {
            return await documents.printDocument(params.id!, documentId);
          } catch (err) {
            if (err instanceof PrintRefused) {
              const e = new ApiError(503, err.code, err.message);
              e.job = err.job;
              throw e;
            }
            if (isTongbanError(err) && STATUS_BY_CODE[err.code] !== undefined) throw new ApiError(STATUS_BY_CODE[err.code]!, err.code, err.message, err.code.startsWith('document.') ? 'documentId' : undefined);
            throw err;
          }
        });
        return { status: 201, body: { job } };
      },
    },
    {
      method: 'GET',
      path: '/api/cases/{id}/certificates/{documentId}/preview.png',
      handler: async ({ params, query }) => {
        const documentId = documentIdOf(params);
        const page = query.get('page') === null ? 1 : Number(query.get('page'));
        if (!Number.isSafeInteger(page) || page < 1 || page > 1000) throw new ApiError(400, 'invalid', 'page is a page number from 1', 'page');
        const width = query.get('width') === null ? 1000 : Number(query.get('width'));
        if (!Number.isSafeInteger(width) || width < 200 || width > 2400) throw new ApiError(400, 'invalid', 'width is a number of pixels from 200 to 2400', 'width');
        const c = await guarded(() => cases.get(params.id!));
        if (!c) throw new ApiError(404, 'case.notFound', `no case ${params.id}`, 'id');
        const cert = store.certificates.get(documentId);
        if (!cert || cert.caseId !== c.id) throw new ApiError(404, 'certificate.notFound', `case ${c.id} has no certificate ${documentId}`, 'documentId');
        const file = store.materials.forCase(c.id).find((m) => m.materialId === `result:${documentId}` && m.sm3 === cert.sm3);
        if (!file || file.purgedAt !== null) throw new ApiError(410, 'certificate.purged', `certificate ${documentId} was purged with the case's personal data`);
        const preview = renderPagePreview(store.materials.read(file), { page: page - 1, width });
        return { status: 200, contentType: 'image/png', body: preview.png, headers: { 'x-page-count': String(preview.pageCount) } };
      },
    },
  ];
}
