/**
 * Identifying the applicant by the personal QR code (电子身份码): the page posts the scanned text, the
 * agent verifies it (agent/identify/personal-code.ts) and answers the holder, or 422 with the refusal's
 * code and the plain Chinese text for the citizen. In demo mode POST /api/demo/personal-code makes a
 * valid code for a demo card's person, to be shown on the scanner simulator. Logs and the audit log (type
 * identity, as a card read is cardRead) carry the outcome only, never the code or its holder.
 */
import type { Logger } from '../../base/log.js';
import type BetterSqlite3 from 'better-sqlite3';
import { appendAudit } from '../audit/audit-log.js';
import { CheckError, integer, kindOf, object, oneOf, optional, string } from '../../drivers/manager/check.js';
import { loadCardFixture } from '../../drivers/sim/idcard-sim.js';
import { PERSONAL_CODE_MAX, PersonalCodeError, encodePersonalCode, verifyPersonalCode } from '../identify/personal-code.js';
import { isValidIdNumber } from '../pii/id-number.js';
import type { DemoSimulators } from '../devices/demo-simulators.js';
import { ApiError } from './errors.js';
import { route, type AnyRoute } from './server.js';

/**
 * The scanned text as the scanner gave it: any string (a garbage scan may hold control characters; it is
 * refused as code.garbled with the citizen's text, not as a malformed request). A runaway one is 400.
 */
const scannedText = (value: unknown, path: string): string => {
  if (typeof value !== 'string') throw new CheckError(path, value === undefined ? 'is missing' : `must be a string, not ${kindOf(value)}`);
  if (value.length > 4096) throw new CheckError(path, 'is longer than 4096 characters');
  return value;
};
const codeBody = object({ text: scannedText });

export function identifyRoutes(key: Uint8Array, db: BetterSqlite3.Database, log: Logger): AnyRoute[] {
  const audit = (outcome: string): void => {
    try {
      appendAudit(db, { type: 'identity', actor: 'citizen', subject: null, details: { method: 'personalCode', outcome } });
    } catch (err) {
      log.warn('audit of a personal code failed', { err });
    }
  };
  return [
    route({
      method: 'POST',
      path: '/api/identify/code',
      body: codeBody,
      handler: ({ body }) => {
        try {
          const holder = verifyPersonalCode(key, body.text);
          log.info('personal code verified');
          audit('verified');
          return { status: 200, body: { applicant: { name: holder.name, idNumber: holder.idNumber, source: 'code' }, expiresAt: holder.expiresAt.toISOString() } };
        } catch (err) {
          if (!(err instanceof PersonalCodeError)) throw err;
          // The reason names the check that failed, never the scanned content.
          log.info('personal code refused', { code: err.code, reason: err.reason, length: Math.min(body.text.length, PERSONAL_CODE_MAX + 1) });
          audit(err.code);
          throw new ApiError(422, err.code, err.message, 'text');
        }
      },
    }),
  ];
}

const DEFAULT_VALID_SECONDS = 600;
const demoCodeBody = object({
  fixture: optional(string({ max: 255, pattern: /^[\w.-]+\.json$/, hint: 'the name of a card fixture in drivers/sim/fixtures/ (e.g. resident-longterm.json)' })),
  /** Seconds from now the code is good for; a negative number makes an expired one (to show the refusal). */
  validSeconds: optional(integer(-86_400, 86_400)),
});

const cardReaderBody = object({ fault: oneOf(['unreadable', 'none'] as const) });

/**
 * Demo mode only: a valid personal code for a demo card's person (the configured demo card by default),
 * and a card that will not read (the next read fails as a dirty or damaged card does).
 */
export function demoIdentifyRoutes(key: Uint8Array, defaultCard: string, demo: DemoSimulators): AnyRoute[] {
  return [
    route({
      method: 'PUT',
      path: '/api/demo/card-reader',
      body: cardReaderBody,
      handler: ({ body }) => {
        demo.cardFault(body.fault === 'none' ? undefined : body.fault);
        return { status: 200, body: demo.state() };
      },
    }),
    route({
      method: 'POST',
      path: '/api/demo/personal-code',
      body: demoCodeBody,
      handler: ({ body }) => {
        const card = loadCardFixture(body.fixture ?? defaultCard).content;
        const name = card.name ?? card.englishName;
        if (!name || !/^\d{17}[\dX]$/.test(card.idNumber) || !isValidIdNumber(card.idNumber)) {
          throw new ApiError(400, 'invalid', `the card fixture's holder has no name or no 18-character ID number with a valid check character`, 'fixture');
        }
        // Whole seconds, as the code carries it.
        const expiresAt = new Date((Math.floor(Date.now() / 1000) + (body.validSeconds ?? DEFAULT_VALID_SECONDS)) * 1000);
        return { status: 200, body: { text: encodePersonalCode(key, { name, idNumber: card.idNumber }, expiresAt), expiresAt: expiresAt.toISOString() } };
      },
    }),
  ];
}
