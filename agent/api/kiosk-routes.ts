/**
 * The kiosk pages' own routes (issue 7): GET /api/kiosk (the settings the page boots with), POST
 * /api/staff/session (the staff PIN typed on the page's keypad: checked here, never kept or logged;
 * five wrong in a row lock it for a minute; every attempt audited) and POST /api/staff/test-print (a
 * test slip on the receipt printer, a durable print job like a receipt). Under the Electron shell
 * (issue 8) POST /api/staff/quit ends the kiosk, with the session a right PIN opened minutes before.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Logger } from '../../base/log.js';
import { object, string } from '../../drivers/manager/check.js';
import { appendAudit } from '../audit/audit-log.js';
import type { AgentConfig } from '../config/config.js';
import { PrintRefused, RECEIPT_JOB_KIND, type ReceiptJobs } from '../printing/receipt-jobs.js';
import type { Store } from '../store/store.js';
import { ApiError } from './errors.js';
import { route, type AnyRoute } from './server.js';

/** Wrong PINs in a row that lock staff login, and for how long. */
export const STAFF_MAX_FAILURES = 5;
export const STAFF_LOCK_MS = 60_000;
/** How long a staff session (a right PIN) may quit the kiosk: a fresh login, not one left open. */
export const STAFF_SESSION_MS = 10 * 60_000;

// The PIN's form is checked as a string of up to 8 characters; whether it is digits is the PIN check's affair
// (a wrong form counts as a wrong PIN, so the answer tells nothing about the configured one).
const sessionBody = object({ pin: string({ max: 8, hint: 'the staff PIN' }) });
const quitBody = object({ session: string({ max: 64, hint: 'the session POST /api/staff/session answered' }) });

/** The kiosk shell the agent runs in (the Electron main process, agent/electron/shell.ts): it can end the kiosk. */
export interface KioskShell {
  readonly name: 'electron' | 'browser';
  /** Ends the kiosk (the shell stops the agent, which lets this request finish first). */
  quit(reason: string): void;
}

export interface KioskRouteOptions {
  readonly ui: AgentConfig['ui'];
  readonly demo: boolean;
  readonly store: Store;
  readonly receipts: ReceiptJobs;
  readonly log: Logger;
  /** For tests of the lock: default Date.now. */
  readonly now?: () => number;
  /** Set when the agent runs inside the kiosk shell: staff mode may quit it. */
  readonly shell?: KioskShell | undefined;
}

/** The one staff session of the kiosk (the latest right PIN): a random id the page keeps in memory. */
export class StaffSessions {
  private current: { digest: Buffer; expires: number } | undefined;
  constructor(private readonly now: () => number) {}

  open(): string {
    const id = randomBytes(16).toString('hex');
    this.current = { digest: sha256(id), expires: this.now() + STAFF_SESSION_MS };
    return id;
  }

  /** Whether `id` is the current session and still fresh. */
  valid(id: string): boolean {
    const c = this.current;
    if (!c || this.now() >= c.expires) return false;
    return timingSafeEqual(sha256(id), c.digest);
  }

  close(): void {
    this.current = undefined;
  }
}

/** The PIN check with its lock: consecutive failures counted in memory (a restart of the agent takes a minute anyway). */
export class StaffPin {
  private failures = 0;
  private lockedUntil = 0;
  private readonly digest: Buffer | undefined;

  constructor(
    pin: string | undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.digest = pin === undefined ? undefined : sha256(pin);
  }

  get configured(): boolean {
    return this.digest !== undefined;
  }

  /** 'ok', 'wrong' (failures so far), or 'locked' (seconds left). */
  check(pin: string): { result: 'ok' } | { result: 'wrong'; failures: number; locked: boolean } | { result: 'locked'; seconds: number } {
    const now = this.now();
    if (now < this.lockedUntil) return { result: 'locked', seconds: Math.ceil((this.lockedUntil - now) / 1000) };
    if (this.digest && timingSafeEqual(sha256(pin), this.digest)) {
      this.failures = 0;
      return { result: 'ok' };
    }
    this.failures++;
    const locked = this.failures >= STAFF_MAX_FAILURES;
    if (locked) {
      this.lockedUntil = now + STAFF_LOCK_MS;
      this.failures = 0;
    }
    return { result: 'wrong', failures: locked ? STAFF_MAX_FAILURES : this.failures, locked };
  }
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

export function kioskRoutes(options: KioskRouteOptions): AnyRoute[] {
  const { ui, store, receipts, log } = options;
  const pin = new StaffPin(ui.staffPin, options.now);
  const sessions = new StaffSessions(options.now ?? Date.now);
  const { shell } = options;
  const audit = (details: Record<string, string | number | boolean>): void => {
    appendAudit(store.db, { type: 'admin', actor: 'staff', subject: 'kiosk:staff', details });
  };
  return [
    {
      method: 'GET',
      path: '/api/kiosk',
      handler: () => ({
        status: 200,
        body: { idleSeconds: ui.idleSeconds, countdownSeconds: ui.countdownSeconds, demo: options.demo, kioskName: ui.kioskName, staffPin: pin.configured, canQuit: shell !== undefined },
      }),
    },
    route({
      method: 'POST',
      path: '/api/staff/session',
      body: sessionBody,
      handler: ({ body }) => {
        if (!pin.configured) throw new ApiError(409, 'staff.noPin', 'no staff PIN is configured (ui.staffPin): staff mode is closed');
        const r = pin.check(body.pin);
        if (r.result === 'locked') {
          audit({ action: 'staffLoginRefused', lockedSeconds: r.seconds });
          throw new ApiError(429, 'staff.locked', `too many wrong PINs: staff login is locked for ${r.seconds} s`);
        }
        if (r.result === 'wrong') {
          audit({ action: 'staffPinWrong', failures: r.failures, locked: r.locked });
          log.warn('staff PIN wrong', { failures: r.failures, locked: r.locked });
          if (r.locked) throw new ApiError(429, 'staff.locked', `${STAFF_MAX_FAILURES} wrong PINs: staff login is locked for ${STAFF_LOCK_MS / 1000} s`);
          throw new ApiError(401, 'staff.pinWrong', 'the staff PIN is wrong');
        }
        audit({ action: 'staffLogin' });
        log.info('staff mode opened');
        return { status: 200, body: { session: sessions.open(), expiresInSeconds: STAFF_SESSION_MS / 1000 } };
      },
    }),
    route({
      method: 'POST',
      path: '/api/staff/quit',
      body: quitBody,
      handler: ({ body }) => {
        if (!shell) throw new ApiError(409, 'staff.noShell', 'the agent does not run in the kiosk shell (Electron): stop it with SIGTERM or Ctrl-C');
        if (!sessions.valid(body.session)) {
          audit({ action: 'staffQuitRefused' });
          throw new ApiError(401, 'staff.sessionInvalid', `no staff session of the last ${STAFF_SESSION_MS / 60_000} minutes has this id: enter the staff PIN again`, 'session');
        }
        sessions.close();
        audit({ action: 'staffQuit', shell: shell.name });
        log.info('staff quit the kiosk', { shell: shell.name });
        shell.quit('staff');
        return { status: 202, body: { quitting: true } };
      },
    }),
    {
      method: 'POST',
      path: '/api/staff/test-print',
      handler: async () => {
        const at = new Date(options.now?.() ?? Date.now());
        const slip = {
          title: '打印测试',
          lines: [{ text: ui.kioskName, align: 'center' as const, bold: true }, '凭条打印机工作正常。', `时间: ${beijingTime(at)}`],
          footer: '此页为工作人员测试打印，无需保留。',
          cut: 'full' as const,
        };
        const id = store.printJobs.enqueue({ caseId: null, kind: RECEIPT_JOB_KIND, document: new TextEncoder().encode(JSON.stringify(slip)) });
        audit({ action: 'testPrint', job: id });
        try {
          return { status: 201, body: { job: await receipts.print(id) } };
        } catch (err) {
          if (err instanceof PrintRefused) {
            const e = new ApiError(503, err.code, err.message);
            e.job = err.job;
            throw e;
          }
          throw err;
        }
      },
    },
  ];
}

/** yyyy-mm-dd hh:mm in China Standard Time (UTC+8, no daylight saving), as the slip is read in the hall. */
function beijingTime(d: Date): string {
  return new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
}
