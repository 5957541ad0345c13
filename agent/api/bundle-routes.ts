/**
 * 一件事一次办 over the API: POST /api/bundles submits the cases of one bundle together or not at all
 * (CaseService.submitBundle, one transaction). Cases without a bundleId get the bundle's (the body's
 * `bundleId`, else a fresh UUID); a case that does not validate is named by its index (cases[1].form...).
 */
import { randomUUID } from 'node:crypto';
import { CheckError, array, isPlainObject, kindOf, object, optional, string, type Check } from '../../drivers/manager/check.js';
import type { CaseService } from '../cases/case-service.js';
import { UUID, parseCaseInput } from '../cases/index.js';
import { CaseValidationError } from '../cases/problems.js';
import type { Catalog } from '../catalog/index.js';
import { guarded } from './case-routes.js';
import type { AgentEvents } from './device-socket.js';
import { ApiError } from './errors.js';
import { route, type AnyRoute } from './server.js';

const anyObject: Check<Record<string, unknown>> = (value, path) => {
  if (!isPlainObject(value)) throw new CheckError(path || 'value', `must be an object, not ${kindOf(value)}`);
  return value;
};
const bundleBody = object({
  bundleCode: string({ min: 1, max: 40 }),
  bundleId: optional(string({ max: 36, pattern: UUID, hint: 'a lower-case UUID' })),
  cases: array(anyObject, { min: 2, max: 20 }),
});

export function bundleRoutes(cases: CaseService, catalog: () => Catalog, events: AgentEvents): AnyRoute[] {
  return [
    route({
      method: 'POST',
      path: '/api/bundles',
      body: bundleBody,
      handler: async ({ body }) => {
        const bundleId = body.bundleId ?? (body.cases.find((c) => typeof c.bundleId === 'string')?.bundleId as string | undefined) ?? randomUUID();
        const raws = body.cases.map((c) => ('bundleId' in c ? c : { ...c, bundleId }));
        // Each case checked on its own first, so that a problem is named with its index.
        raws.forEach((raw, i) => {
          try {
            parseCaseInput(raw, catalog());
          } catch (err) {
            if (!(err instanceof CaseValidationError)) throw err;
            const problems = err.problems.map((p) => ({ ...p, path: `cases[${i}].${p.path}` }));
            const e = new ApiError(400, err.code, `cases[${i}]: ${err.message}`, problems[0]!.path);
            e.problems = problems;
            throw e;
          }
        });
        const results = await guarded(() => cases.submitBundle(body.bundleCode, raws));
        for (const r of results) if (r.created) events.emit('Agent.CaseChangedEvent', { caseId: r.case.id, itemCode: r.case.itemCode, status: r.case.status });
        const created = results.some((r) => r.created);
        return { status: created ? 201 : 200, body: { bundleId: results[0]!.case.bundleId ?? bundleId, created, cases: results.map((r) => r.case) } };
      },
    }),
  ];
}
