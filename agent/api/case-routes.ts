/**
 * The cases over the API: submit (idempotent when the JSON carries an id), list, show, move where
 * staff may, and rate (好差评). Each answer comes after agent/cases' CaseService has committed (and
 * audited) the write, so a 2xx means the case is on disk. Every change is also pushed to the
 * WebSockets as `Agent.CaseChangedEvent`.
 */
import { isTongbanError } from '../../base/errors.js';
import { CheckError, array, integer, isPlainObject, kindOf, object, oneOf, optional, string, type Check } from '../../drivers/manager/check.js';
import type { CaseService, PurgedCase, StoredCase } from '../cases/case-service.js';
import { CaseValidationError } from '../cases/problems.js';
import { CASE_STATUSES, type CaseStatus } from '../cases/types.js';
import type { AgentEvents } from './device-socket.js';
import { ApiError } from './errors.js';
import { route, type AnyRoute } from './server.js';

/** A JSON object, its content checked by the case service (which names each bad field). */
const anyObject: Check<Record<string, unknown>> = (value, path) => {
  if (!isPlainObject(value)) throw new CheckError(path || 'value', `must be an object, not ${kindOf(value)}`);
  return value;
};

const transitionBody = object({
  to: oneOf(CASE_STATUSES),
  note: optional(string({ max: 1000 })),
  results: optional(array(anyObject, { min: 0, max: 20 })),
});
const ratingBody = object({
  score: integer(1, 5),
  occasion: oneOf(['completion', 'visit'] as const),
  comment: optional(string({ max: 500 })),
});

/** The case service's refusals as the API answers them. */
const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  'case.notFound': 404,
  'case.badId': 404,
  'store.caseConflict': 409,
  'case.illegalTransition': 409,
  'case.purged': 409,
  'case.notEditable': 409,
  'case.alreadyRated': 409,
  'case.notRatable': 409,
};

function apiErrorOf(err: unknown): unknown {
  if (err instanceof CaseValidationError) {
    const e = new ApiError(400, err.code, err.message, err.problems[0]!.path);
    e.problems = err.problems;
    return e;
  }
  if (isTongbanError(err) && err.exitCode === 2) return new ApiError(STATUS_BY_CODE[err.code] ?? 400, err.code, err.message);
  return err;
}

export async function guarded<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw apiErrorOf(err);
  }
}

export function caseRoutes(cases: CaseService, events: AgentEvents): AnyRoute[] {
  const changed = (c: StoredCase | PurgedCase): void => events.emit('Agent.CaseChangedEvent', { caseId: c.id, itemCode: c.itemCode, status: c.status });
  return [
    route({
      method: 'POST',
      path: '/api/cases',
      body: anyObject,
      handler: async ({ body }) => {
        // Group commit: the submissions of one event-loop turn share one durable transaction.
        const result = await guarded(() => cases.submitGrouped(body));
        if (result.created) changed(result.case);
        return { status: result.created ? 201 : 200, body: { created: result.created, case: result.case } };
      },
    }),
    {
      method: 'GET',
      path: '/api/cases',
      handler: async ({ query }) => {
        const status = query.get('status') ?? undefined;
        const limitText = query.get('limit');
        const before = query.get('before') ?? undefined;
        if (status !== undefined && !(CASE_STATUSES as readonly string[]).includes(status)) throw new ApiError(400, 'invalid', `status must be one of ${CASE_STATUSES.join(', ')}`, 'status');
        let limit: number | undefined;
        if (limitText !== null) {
          limit = /^\d{1,4}$/.test(limitText) ? Number(limitText) : NaN;
          if (!(limit >= 1 && limit <= 1000)) throw new ApiError(400, 'invalid', 'limit must be a whole number from 1 to 1000', 'limit');
        }
        const list = await guarded(() =>
          cases.list({ ...(status ? { status: status as CaseStatus } : {}), ...(limit ? { limit } : {}), ...(before ? { before } : {}) }),
        ).catch((err: unknown) => {
          throw err instanceof ApiError && err.code === 'case.badId' ? new ApiError(400, 'invalid', 'before must be a case id', 'before') : err;
        });
        return { status: 200, body: { cases: list } };
      },
    },
    {
      method: 'GET',
      path: '/api/cases/{id}',
      handler: async ({ params }) => {
        const c = await guarded(() => cases.get(params.id!));
        if (!c) throw new ApiError(404, 'case.notFound', `no case ${params.id}`, 'id');
        return { status: 200, body: c };
      },
    },
    route({
      method: 'POST',
      path: '/api/cases/{id}/transitions',
      body: transitionBody,
      handler: async ({ params, body }) => {
        // Over the local API a person moves a case: staff (a clerk, the remote window). The endpoint's
        // moves arrive through sync, the kiosk's through its own flows.
        const c = await guarded(() => cases.transition(params.id!, { ...body, actor: 'staff' } as Parameters<CaseService['transition']>[1]));
        changed(c);
        return { status: 200, body: c };
      },
    }),
    route({
      method: 'POST',
      path: '/api/cases/{id}/rating',
      body: ratingBody,
      handler: async ({ params, body }) => {
        const c = await guarded(() => cases.rate(params.id!, body));
        changed(c);
        return { status: 200, body: c };
      },
    }),
  ];
}
