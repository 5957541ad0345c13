/**
 * GET /api/regions: the names of administrative regions (agent/catalog/regions.ts) for the kiosk's
 * region picker and for showing a region field's value by name. Public knowledge, nothing personal.
 */
import { REGIONS } from '../catalog/regions.js';
import type { AnyRoute } from './server.js';

export function regionRoutes(): AnyRoute[] {
  return [{ method: 'GET', path: '/api/regions', handler: () => ({ status: 200, body: { regions: REGIONS } }) }];
}
