/**
 * POST /api/staff/quit (issue 8): staff mode ends the kiosk, only under the kiosk shell and only with the
 * session a right PIN opened minutes before. The agent here is real; the shell is the hook
 * agent/electron/shell.ts passes (startAgent's `shell` option), recording what it was asked.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type RunningAgent } from '../agent.js';
import { STAFF_SESSION_MS, StaffSessions } from '../api/kiosk-routes.js';
import { readAudit } from '../audit/audit-log.js';
import { parseConfig } from '../config/config.js';
import { STORE_FILE } from '../store/store.js';
import { apiCall } from './helpers/api.js';
import { resolveRef, schemaProblems } from './api-schema.js';

const PIN = '97531';
const doc = JSON.parse(readFileSync(new URL('../api/openapi.json', import.meta.url), 'utf8')) as Record<string, any>;
let dataDir = '';
let agent: RunningAgent;
const quits: string[] = [];
const call = (method: string, path: string, body?: unknown) => apiCall(agent, method, path, body);

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'tongban-staff-quit-'));
  agent = await startAgent({
    dataDir,
    port: 0,
    logLevel: 'warn',
    config: parseConfig({ sync: { endpoints: [] }, ui: { staffPin: PIN } }),
    shell: { name: 'electron', quit: (reason) => quits.push(reason) },
  });
});
afterAll(async () => {
  await agent?.stop('test over');
});

function staffAudit(): string[] {
  const db = new Database(join(dataDir, STORE_FILE), { readonly: true });
  try {
    return readAudit(db)
      .filter((e) => e.actor === 'staff')
      .map((e) => String(e.details.action));
  } finally {
    db.close();
  }
}

async function login(): Promise<string> {
  const r = await call('POST', '/api/staff/session', { pin: PIN });
  expect(r.status).toBe(200);
  const schema = doc.paths['/api/staff/session'].post.responses['200'].content['application/json'].schema;
  expect(schemaProblems(doc, schema, r.json)).toEqual([]);
  return r.json.session as string;
}

describe('POST /api/staff/quit under the kiosk shell', () => {
  it('GET /api/kiosk tells the page that staff may quit', async () => {
    expect((await call('GET', '/api/kiosk')).json.canQuit).toBe(true);
  });

  it('refuses a session no right PIN opened, and one a later login replaced; the shell is not asked', async () => {
    const guessed = await call('POST', '/api/staff/quit', { session: '0123456789abcdef0123456789abcdef' });
    expect(guessed.status).toBe(401);
    expect(guessed.json.error).toMatchObject({ code: 'staff.sessionInvalid', field: 'session' });
    const first = await login();
    const second = await login();
    expect(second).not.toBe(first);
    expect((await call('POST', '/api/staff/quit', { session: first })).status).toBe(401);
    expect((await call('POST', '/api/staff/quit', {})).status).toBe(400);
    expect(quits).toEqual([]);
  });

  it('quits with a fresh session: 202, the shell asked once, audited; the session is used up', async () => {
    const session = await login();
    const r = await call('POST', '/api/staff/quit', { session });
    expect(r.status).toBe(202);
    const op = doc.paths['/api/staff/quit'].post;
    expect(schemaProblems(doc, op.responses['202'].content['application/json'].schema, r.json)).toEqual([]);
    expect(quits).toEqual(['staff']);
    const again = await call('POST', '/api/staff/quit', { session });
    expect(again.status).toBe(401);
    expect(schemaProblems(doc, resolveRef(doc, '#/components/schemas/Error') as Record<string, unknown>, again.json)).toEqual([]);
    expect(quits).toEqual(['staff']);
    expect(staffAudit().filter((a) => a.startsWith('staffQuit'))).toEqual(['staffQuitRefused', 'staffQuitRefused', 'staffQuit', 'staffQuitRefused']);
    // the session id is a credential: never in the log
    expect(readFileSync(join(dataDir, 'logs', 'agent.log'), 'utf8')).not.toContain(session);
  });
});

describe('staff sessions', () => {
  it('one at a time, valid for STAFF_SESSION_MS after the PIN, then refused; closed for good', () => {
    let now = 1_000_000;
    const s = new StaffSessions(() => now);
    const id = s.open();
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(s.valid(id)).toBe(true);
    expect(s.valid(id.replace(/.$/, (c) => (c === '0' ? '1' : '0')))).toBe(false);
    now += STAFF_SESSION_MS - 1;
    expect(s.valid(id)).toBe(true);
    now += 1;
    expect(s.valid(id)).toBe(false);
    const next = s.open();
    s.close();
    expect(s.valid(next)).toBe(false);
  });
});

describe('POST /api/staff/quit without the shell (tongban start)', () => {
  it('is refused with staff.noShell, even with a fresh session', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tongban-staff-quit-bare-'));
    const bare = await startAgent({ dataDir: dir, port: 0, logLevel: 'error', config: parseConfig({ sync: { endpoints: [] }, ui: { staffPin: PIN } }) });
    try {
      expect((await apiCall(bare, 'GET', '/api/kiosk')).json.canQuit).toBe(false);
      const session = (await apiCall(bare, 'POST', '/api/staff/session', { pin: PIN })).json.session as string;
      const r = await apiCall(bare, 'POST', '/api/staff/quit', { session });
      expect(r.status).toBe(409);
      expect(r.json.error.code).toBe('staff.noShell');
    } finally {
      await bare.stop('test over');
    }
  });
});
