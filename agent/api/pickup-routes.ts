/**
 * 取件打印 over the API: POST /api/pickup { idNumber } answers the person's cases with their status in
 * plain words and the documents the kiosk can print for them (agent/cases/pickup.ts). POST, so that
 * the ID number travels in the body and never in a URL, an access log or a browser history.
 */
import { object, string } from '../../drivers/manager/check.js';
import { PickupRefused, pickupCases, type PickupOptions } from '../cases/pickup.js';
import { ApiError } from './errors.js';
import { route, type AnyRoute } from './server.js';

const pickupBody = object({ idNumber: string({ max: 32 }) });

export function pickupRoutes(options: PickupOptions): AnyRoute[] {
  return [
    route({
      method: 'POST',
      path: '/api/pickup',
      body: pickupBody,
      handler: ({ body }) => {
        try {
          return { status: 200, body: { cases: pickupCases(options, body.idNumber, 'citizen') } };
        } catch (err) {
          if (err instanceof PickupRefused) throw new ApiError(400, err.code, err.message, 'idNumber');
          throw err;
        }
      },
    }),
  ];
}
