/**
 * A case's material files over the API: POST /api/cases/{id}/materials?materialId=...&form=... with the
 * file as the raw body (application/pdf, image/jpeg, image/png, or application/octet-stream recognised by
 * its first bytes), stored content-addressed and encrypted through CaseService.attachMaterial; GET lists
 * what a case holds (ids, SM3, sizes, types; never the contents). The files are personal: never logged.
 */
import { MAX_MATERIAL_BYTES } from '../cases/index.js';
import type { CaseService } from '../cases/case-service.js';
import type { Catalog } from '../catalog/index.js';
import type { Store } from '../store/store.js';
import { guarded } from './case-routes.js';
import type { AgentEvents } from './device-socket.js';
import { ApiError } from './errors.js';
import { route, type AnyRoute, type RawBody } from './server.js';

type MediaType = 'image/jpeg' | 'image/png' | 'application/pdf';
const ACCEPTED = new Set(['application/octet-stream', 'application/pdf', 'image/jpeg', 'image/png']);
const MATERIAL_ID = /^[a-z][a-z0-9-]{0,39}$/;

/** The type the bytes are (their signature), or undefined for anything else. */
export function sniffMediaType(bytes: Uint8Array): MediaType | undefined {
  const starts = (sig: number[]): boolean => sig.every((b, i) => bytes[i] === b);
  if (starts([0x25, 0x50, 0x44, 0x46, 0x2d])) return 'application/pdf'; // %PDF-
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg';
  return undefined;
}

export function materialRoutes(cases: CaseService, store: Store, catalog: () => Catalog, events: AgentEvents): AnyRoute[] {
  return [
    route<RawBody>({
      method: 'POST',
      path: '/api/cases/{id}/materials',
      raw: { accepts: (t) => ACCEPTED.has(t) || t.startsWith('image/'), maxBytes: MAX_MATERIAL_BYTES, types: 'application/pdf, image/jpeg, image/png or application/octet-stream' },
      handler: async ({ params, query, body }) => {
        const materialId = query.get('materialId');
        if (materialId === null || !MATERIAL_ID.test(materialId)) throw new ApiError(400, 'invalid', 'materialId (query) must name a material of the item, e.g. ?materialId=id-card', 'materialId');
        const formParam = query.get('form');
        if (formParam !== null && formParam !== '原件' && formParam !== '复印件') throw new ApiError(400, 'invalid', 'form (query) must be 原件 or 复印件', 'form');
        if (body.bytes.length === 0) throw new ApiError(400, 'invalid', 'the file is empty', 'body');
        const sniffed = sniffMediaType(body.bytes);
        if (!sniffed) throw new ApiError(415, 'unsupportedMediaType', 'the file is not a PDF, JPEG or PNG');
        if (body.type !== 'application/octet-stream' && body.type !== sniffed) throw new ApiError(415, 'unsupportedMediaType', `the body was declared ${body.type} but is ${sniffed}`);
        const c = await guarded(() => cases.get(params.id!));
        if (!c) throw new ApiError(404, 'case.notFound', `no case ${params.id}`, 'id');
        const declared = catalog().items.find((it) => it.code === c.itemCode)?.materials.find((m) => m.id === materialId);
        if (!declared) throw new ApiError(400, 'invalid', `item ${c.itemCode} has no material ${materialId}`, 'materialId');
        const form = formParam ?? (declared.form === '电子证照' ? undefined : declared.form);
        if (form === undefined) throw new ApiError(400, 'invalid', `material ${materialId} is an electronic licence by default: say ?form=原件 or ?form=复印件 for a scanned one`, 'form');
        const updated = await guarded(() => cases.attachMaterial(params.id!, { materialId, form, bytes: body.bytes, mediaType: sniffed }));
        events.emit('Agent.CaseChangedEvent', { caseId: updated.id, itemCode: updated.itemCode, status: updated.status });
        const entry = updated.materials.find((m) => m.id === materialId)!;
        return { status: 201, body: { material: entry, case: updated } };
      },
    }),
    {
      method: 'GET',
      path: '/api/cases/{id}/materials',
      handler: async ({ params }) => {
        const c = await guarded(() => cases.get(params.id!));
        if (!c) throw new ApiError(404, 'case.notFound', `no case ${params.id}`, 'id');
        const files = store.materials.forCase(c.id).map((m) => ({
          materialId: m.materialId,
          sm3: m.sm3,
          size: m.size,
          mediaType: m.mime,
          storedAt: new Date(m.createdAt).toISOString(),
          purged: m.purgedAt !== null,
        }));
        return { status: 200, body: { materials: files } };
      },
    },
  ];
}
