/**
 * 证明开具 over the API: POST /api/cases/{id}/issue seals the certificate of an item the kiosk issues
 * (catalog `issuable`) from the department's record in the body, through CaseService.issueOnSite;
 * GET /api/cases/{id}/certificates/{documentId} answers the sealed PDF for preview and printing.
 * The record is personal data: it is never logged, and the PDF is read back from the encrypted store.
 */
import { CheckError, isPlainObject, kindOf, object, optional, type Check } from '../../drivers/manager/check.js';
import type { CaseService } from '../cases/case-service.js';
import type { Catalog } from '../catalog/index.js';
import type { RecordSource } from '../issuing/demo-records.js';
import type { Issuer } from '../issuing/issuer.js';
import type { Store } from '../store/store.js';
import type { AgentEvents } from './device-socket.js';
import { ApiError } from './errors.js';
import { guarded } from './case-routes.js';
import { route, type AnyRoute } from './server.js';

/** The record itself is checked by the certs template (an error names the bad field). */
const record: Check<Record<string, unknown>> = (value, path) => {
  if (!isPlainObject(value)) throw new CheckError(path || 'value', `must be an object, not ${kindOf(value)}`);
  return value;
};
const issueBody = object({ data: optional(record) });
const DOCUMENT_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/**
 * `records`: where the department's record comes from when the request carries none (demo mode: the
 * demo departments, issuing/demo-records.ts); without it a request without `data` is refused.
 */
export function issueRoutes(cases: CaseService, store: Store, catalog: () => Catalog, issuer: Issuer | undefined, events: AgentEvents, records?: RecordSource): AnyRoute[] {
  return [
    route({
      method: 'POST',
      path: '/api/cases/{id}/issue',
      body: issueBody,
      handler: async ({ params, body }) => {
        const c = await guarded(() => cases.get(params.id!));
        if (!c) throw new ApiError(404, 'case.notFound', `no case ${params.id}`, 'id');
        if (!issuer) throw new ApiError(409, 'issuer.notConfigured', 'no certificate signer is configured on this agent (configuration issuing.signers)');
        const item = catalog().items.find((it) => it.code === c.itemCode);
        const template = item?.issuable;
        if (!item || !template) throw new ApiError(409, 'case.notIssuable', `item ${c.itemCode} is not issued on site`);
        const signer = await issuer(template);
        if (!signer) throw new ApiError(409, 'issuer.notConfigured', `no signer is configured for template ${template} (configuration issuing.signers.${template})`);
        let data = body.data;
        if (data === undefined) {
          if ('purged' in c) throw new ApiError(409, 'case.purged', `case ${c.id} has been purged`);
          data = records ? await records(c, item, template) : undefined;
          if (!data) throw new ApiError(409, 'certificate.noRecord', `no department record for template ${template} is available here: send it as data`, 'data');
        }
        // A document id is issued once (the certificates table's key): a second record under it is refused here, not by the database.
        const documentId = data.documentId;
        if (typeof documentId === 'string' && store.certificates.get(documentId)) throw new ApiError(409, 'certificate.exists', `a certificate ${documentId} was issued already`, 'data.documentId');
        const issued = data;
        const done = await guarded(() => cases.issueOnSite(params.id!, { data: issued, ...signer }));
        events.emit('Agent.CaseChangedEvent', { caseId: done.case.id, itemCode: done.case.itemCode, status: done.case.status });
        const cert = store.certificates.get(done.documentId)!;
        return { status: 201, body: { documentId: done.documentId, sm3: cert.sm3, template, case: done.case } };
      },
    }),
    {
      method: 'GET',
      path: '/api/cases/{id}/certificates/{documentId}',
      handler: async ({ params }) => {
        const documentId = params.documentId!;
        if (!DOCUMENT_ID.test(documentId)) throw new ApiError(400, 'invalid', 'documentId is not a certificate document id', 'documentId');
        const c = await guarded(() => cases.get(params.id!));
        if (!c) throw new ApiError(404, 'case.notFound', `no case ${params.id}`, 'id');
        const cert = store.certificates.get(documentId);
        if (!cert || cert.caseId !== c.id) throw new ApiError(404, 'certificate.notFound', `case ${c.id} has no certificate ${documentId}`, 'documentId');
        const file = store.materials.forCase(c.id).find((m) => m.materialId === `result:${documentId}`);
        if (!file || file.purgedAt !== null) throw new ApiError(410, 'certificate.purged', `certificate ${documentId} was purged with the case's personal data`);
        return { status: 200, contentType: 'application/pdf', body: store.materials.read(file) };
      },
    },
  ];
}
