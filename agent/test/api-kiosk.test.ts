import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type RunningAgent } from '../agent.js';
import { STAFF_LOCK_MS, STAFF_MAX_FAILURES, StaffPin } from '../api/kiosk-routes.js';
import { readAudit } from '../audit/audit-log.js';
import { parseConfig } from '../config/config.js';
import { STORE_FILE } from '../store/store.js';
import { apiCall } from './helpers/api.js';

const PIN = '13579';
let dataDir = '';
let agent: RunningAgent;
const call = (method: string, path: string, body?: unknown) => apiCall(agent, method, path, body);

function audit(): ReturnType<typeof readAudit> {
  const db = new Database(join(dataDir, STORE_FILE), { readonly: true });
  try {
    return readAudit(db).filter((e) => e.actor === 'staff');
  } finally {
    db.close();
  }
}

async function paper(state: 'ok' | 'out'): Promise<void> {
  expect((await call('PUT', '/api/demo/paper', { paper: state })).status).toBe(200);
  // the printer's idle poll notices the paper (statusPollMs 1 s in demo mode)
  while ((await call('GET', '/api/devices/receipt')).json.device?.paper !== state) await new Promise((r) => setTimeout(r, 50));
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'tongban-api-kiosk-'));
  agent = await startAgent({ dataDir, port: 0, logLevel: 'warn', config: parseConfig({ sync: { endpoints: [] }, ui: { idleSeconds: 45, countdownSeconds: 7, staffPin: PIN, kioskName: '测试大厅 1 号机' } }) });
});
afterAll(async () => {
  await agent?.stop('test over');
});

describe('GET /api/kiosk', () => {
  it('gives the page its settings (never the PIN itself)', async () => {
    const r = await call('GET', '/api/kiosk');
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ idleSeconds: 45, countdownSeconds: 7, demo: true, kioskName: '测试大厅 1 号机', staffPin: true, canQuit: false });
    expect(JSON.stringify(r.json)).not.toContain(PIN);
    const anonymous = await fetch(new URL('api/kiosk', agent.url));
    expect(anonymous.status).toBe(401);
  });
});

describe('POST /api/staff/session (the staff PIN)', () => {
  it('takes the right PIN, refuses a wrong one (401 staff.pinWrong), locks after five wrong in a row (429 staff.locked, the right one too); audited without the PIN; the PIN never in the log', async () => {
    expect((await call('POST', '/api/staff/session', { pin: PIN })).status).toBe(200);
    const wrong = await call('POST', '/api/staff/session', { pin: '0000' });
    expect(wrong.status).toBe(401);
    expect(wrong.json.error.code).toBe('staff.pinWrong');
    // the right PIN clears the count: four more wrong do not lock
    expect((await call('POST', '/api/staff/session', { pin: PIN })).status).toBe(200);
    for (let i = 1; i < STAFF_MAX_FAILURES; i++) expect((await call('POST', '/api/staff/session', { pin: `99${i}9` })).status).toBe(401);
    const fifth = await call('POST', '/api/staff/session', { pin: 'abcd' });
    expect(fifth.status).toBe(429);
    expect(fifth.json.error.code).toBe('staff.locked');
    const right = await call('POST', '/api/staff/session', { pin: PIN });
    expect(right.status).toBe(429);
    expect(right.json.error.code).toBe('staff.locked');

    const entries = audit().map((e) => e.details.action);
    expect(entries).toEqual(['staffLogin', 'staffPinWrong', 'staffLogin', 'staffPinWrong', 'staffPinWrong', 'staffPinWrong', 'staffPinWrong', 'staffPinWrong', 'staffLoginRefused']);
    expect(audit().at(-2)!.details).toMatchObject({ failures: STAFF_MAX_FAILURES, locked: true });
    const all = JSON.stringify(audit());
    for (const p of [PIN, '0000', '9919', 'abcd']) expect(all).not.toContain(p);
    const log = readFileSync(join(dataDir, 'logs', 'agent.log'), 'utf8');
    expect(log).toContain('staff PIN wrong');
    for (const p of [PIN, '0000', '9919', 'abcd']) expect(log).not.toContain(`"${p}"`);
  });

  it('checks the body (a PIN string of at most 8 characters)', async () => {
    expect((await call('POST', '/api/staff/session', {})).status).toBe(400);
    expect((await call('POST', '/api/staff/session', { pin: 1234 })).status).toBe(400);
    expect((await call('POST', '/api/staff/session', { pin: '123456789' })).status).toBe(400);
  });

  it('the lock lasts a minute, then the count starts again (clock of the check)', () => {
    let now = 1_000_000;
    const pin = new StaffPin('2468', () => now);
    for (let i = 1; i < STAFF_MAX_FAILURES; i++) expect(pin.check('1111')).toEqual({ result: 'wrong', failures: i, locked: false });
    expect(pin.check('1111')).toEqual({ result: 'wrong', failures: STAFF_MAX_FAILURES, locked: true });
    expect(pin.check('2468')).toEqual({ result: 'locked', seconds: STAFF_LOCK_MS / 1000 });
    now += STAFF_LOCK_MS - 1500;
    expect(pin.check('2468')).toEqual({ result: 'locked', seconds: 2 });
    now += 1500;
    expect(pin.check('1111')).toEqual({ result: 'wrong', failures: 1, locked: false });
    expect(pin.check('2468')).toEqual({ result: 'ok' });
    expect(new StaffPin(undefined).configured).toBe(false);
    expect(new StaffPin(undefined).check('')).toMatchObject({ result: 'wrong' });
  });
});

describe('staff mode closed without a PIN', () => {
  it('answers 409 staff.noPin and GET /api/kiosk says staffPin false', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tongban-api-kiosk-nopin-'));
    const bare = await startAgent({ dataDir: dir, port: 0, logLevel: 'error', config: parseConfig({ demo: { enabled: false }, sync: { endpoints: [] } }) });
    try {
      expect((await apiCall(bare, 'GET', '/api/kiosk')).json).toEqual({ idleSeconds: 120, countdownSeconds: 20, demo: false, kioskName: '政务服务自助终端', staffPin: false, canQuit: false });
      const r = await apiCall(bare, 'POST', '/api/staff/session', { pin: '246810' });
      expect(r.status).toBe(409);
      expect(r.json.error.code).toBe('staff.noPin');
    } finally {
      await bare.stop('test over');
    }
  });
});

describe('POST /api/staff/test-print', () => {
  it('prints a test slip on the receipt printer as a kept job (decoded from the simulator), audited', async () => {
    const before = (await call('GET', '/api/demo/receipts')).json.receipts.length;
    const r = await call('POST', '/api/staff/test-print');
    expect(r.status).toBe(201);
    expect(r.json.job).toMatchObject({ caseId: null, kind: 'receipt', state: 'printed', attempts: 1, lastError: null });
    const receipts = (await call('GET', '/api/demo/receipts')).json.receipts as { lines: string[] }[];
    expect(receipts.length).toBe(before + 1);
    const text = receipts.at(-1)!.lines.join('\n');
    expect(text).toContain('打印测试');
    expect(text).toContain('测试大厅 1 号机');
    expect(audit().at(-1)!.details).toEqual({ action: 'testPrint', job: r.json.job.id });
  });

  it('paper out: 503 with the printer reason and the kept job, listed in GET /api/print-jobs', async () => {
    await paper('out');
    try {
      const r = await call('POST', '/api/staff/test-print');
      expect(r.status).toBe(503);
      expect(r.json.error).toMatchObject({ code: 'printer.paperOut', job: { caseId: null, kind: 'receipt', state: 'failed' } });
      const pending = (await call('GET', '/api/print-jobs')).json.jobs.map((j: { id: string }) => j.id);
      expect(pending).toContain(r.json.error.job.id);
    } finally {
      await paper('ok');
    }
  });
});
