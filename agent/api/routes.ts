/**
 * The routes of the local API, built from the parts the agent composed. Kept as one list so that the
 * OpenAPI test can hold the implementation and agent/api/openapi.json to each other.
 */
import type { Catalog } from '../catalog/types.js';
import { findItem, searchCatalog } from '../catalog/catalog.js';
import type { DeviceManager } from '../../drivers/manager/manager.js';
import { boolean, object, oneOf, optional, string } from '../../drivers/manager/check.js';
import type { DemoSimulators } from '../devices/demo-simulators.js';
import type { DemoDepartments } from '../issuing/demo-records.js';
import { ApiError } from './errors.js';
import { route, type AnyRoute } from './server.js';

const QUERY_MAX = 100;

export interface HealthFacts {
  readonly version: string;
  readonly startedAt: Date;
  readonly demo: boolean;
}

export function healthRoutes(facts: HealthFacts): AnyRoute[] {
  return [
    {
      method: 'GET',
      path: '/api/health',
      public: true,
      handler: () => ({
        status: 200,
        body: {
          status: 'ok',
          version: facts.version,
          pid: process.pid,
          startedAt: facts.startedAt.toISOString(),
          uptimeMs: Date.now() - facts.startedAt.getTime(),
          demo: facts.demo,
        },
      }),
    },
  ];
}

export function deviceRoutes(manager: DeviceManager): AnyRoute[] {
  return [
    { method: 'GET', path: '/api/devices', handler: () => ({ status: 200, body: { devices: manager.status() } }) },
    {
      method: 'GET',
      path: '/api/devices/{id}',
      handler: ({ params }) => {
        const health = manager.deviceStatus(params.id!);
        if (!health) throw new ApiError(404, 'unknownDevice', `no device "${params.id}" is configured`, 'id');
        return { status: 200, body: health };
      },
    },
  ];
}

const cardBody = object({ fixture: optional(string({ max: 255, pattern: /^[\w.-]+\.json$/, hint: 'the name of a card fixture in drivers/sim/fixtures/ (e.g. gat-j.json)' })) });
const scanBody = object({ text: string({ max: 4096 }) });
const paperBody = object({ paper: oneOf(['ok', 'nearEnd', 'out'] as const), printer: optional(oneOf(['receipt', 'a4'] as const)) });
const coverBody = object({ cover: oneOf(['open', 'closed'] as const) });
const departmentsBody = object({ reachable: boolean() });

/**
 * Demo mode only: drive the simulators behind the devices, and (with `departments`) make the demo
 * departments that certificates are issued from unreachable, so that a refused issue can be shown.
 */
export function demoRoutes(demo: DemoSimulators, departments?: DemoDepartments): AnyRoute[] {
  const state = () => ({ status: 200, body: demo.state() });
  const routes: AnyRoute[] = [
    { method: 'GET', path: '/api/demo', handler: state },
    route({
      method: 'POST',
      path: '/api/demo/card',
      body: cardBody,
      handler: ({ body }) => {
        demo.insertCard(body.fixture);
        return state();
      },
    }),
    {
      method: 'DELETE',
      path: '/api/demo/card',
      handler: () => {
        demo.removeCard();
        return state();
      },
    },
    route({
      method: 'POST',
      path: '/api/demo/scan',
      body: scanBody,
      handler: async ({ body }) => {
        await demo.scan(body.text);
        return state();
      },
    }),
    route({
      method: 'PUT',
      path: '/api/demo/paper',
      body: paperBody,
      handler: ({ body }) => {
        // The receipt printer unless the A4 printer is named.
        if (body.printer === 'a4') demo.setDocumentPaper(body.paper);
        else demo.setPaper(body.paper);
        return state();
      },
    }),
    route({
      method: 'PUT',
      path: '/api/demo/cover',
      body: coverBody,
      handler: ({ body }) => {
        demo.setCover(body.cover);
        return state();
      },
    }),
    { method: 'GET', path: '/api/demo/receipts', handler: () => ({ status: 200, body: { receipts: demo.receipts() } }) },
    ...(departments
      ? [
          route({
            method: 'PUT',
            path: '/api/demo/departments',
            body: departmentsBody,
            handler: ({ body }) => {
              departments.reachable = body.reachable;
              return { status: 200, body: { reachable: departments.reachable } };
            },
          }),
        ]
      : []),
    { method: 'GET', path: '/api/demo/documents', handler: () => ({ status: 200, body: { documents: demo.documents() } }) },
  ];
  return routes;
}

/** The service catalog the kiosk offers: a summary list (searchable with ?q=) and each item whole. */
export function catalogRoutes(catalog: () => Catalog): AnyRoute[] {
  return [
    {
      method: 'GET',
      path: '/api/catalog',
      handler: ({ query }) => {
        const c = catalog();
        const q = query.get('q');
        if (q !== null && q.length > QUERY_MAX) throw new ApiError(400, 'invalid', `q is longer than ${QUERY_MAX} characters`, 'q');
        const items = q === null || q.trim() === '' ? c.items : searchCatalog(c, q);
        return {
          status: 200,
          body: {
            version: c.version,
            publishedAt: c.publishedAt,
            items: items.map((i) => ({
              code: i.code,
              name: i.name,
              department: i.department,
              region: i.region,
              targetRegion: i.targetRegion,
              modes: i.modes,
              category: i.category,
              timeLimitDays: i.timeLimitDays,
              initials: i.initials,
              ...(i.issuable !== undefined ? { issuable: i.issuable } : {}),
            })),
            bundles: c.bundles,
            // 智能导办 (small: a few questions each) for the kiosk's guide screen.
            guides: c.guides ?? [],
          },
        };
      },
    },
    {
      method: 'GET',
      path: '/api/catalog/{code}',
      handler: ({ params }) => {
        const item = findItem(catalog(), params.code!);
        if (!item) throw new ApiError(404, 'unknownItem', `no catalog item has the code "${params.code}"`, 'code');
        return { status: 200, body: item };
      },
    },
  ];
}
