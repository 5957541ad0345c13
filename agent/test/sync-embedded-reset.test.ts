/**
 * The embedded endpoint's data removed between two starts (DATA/endpoint/ deleted): it no longer knows
 * the kiosk, so the agent forgets the credentials and cursor it held for it and enrols again by itself;
 * new cases sync (those sent before are not sent again: that endpoint's record of them is gone).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startAgent, type RunningAgent } from '../agent.js';
import { parseConfig } from '../config/config.js';
import { apiCall } from './helpers/api.js';
import { caseOf, until } from './helpers/sync.js';

const dir = mkdtempSync(join(tmpdir(), 'tongban-sync-reset-'));
let agent: RunningAgent | undefined;
afterAll(async () => {
  await agent?.stop('test over');
  rmSync(dir, { recursive: true, force: true });
});

const start = (): Promise<RunningAgent> => startAgent({ dataDir: dir, port: 0, logLevel: 'error', config: parseConfig({ demo: { enabled: false } }) });
async function submitAndUpload(a: RunningAgent): Promise<string> {
  const r = await apiCall(a, 'POST', '/api/cases', caseOf('341600-YB-0001'));
  expect(r.status).toBe(201);
  const id = r.json.case.id as string;
  await until('uploaded', async () => ((await apiCall(a, 'GET', `/api/cases/${id}`)).json.status === 'uploaded' ? true : undefined));
  return id;
}

describe('sync: the embedded endpoint’s data removed', () => {
  it('the kiosk enrols again by itself and new cases sync', async () => {
    agent = await start();
    await submitAndUpload(agent);
    await agent.stop('restart');
    rmSync(join(dir, 'endpoint'), { recursive: true, force: true });
    agent = await start();
    const id = await submitAndUpload(agent);
    const status = (await apiCall(agent, 'GET', '/api/sync')).json;
    expect(status.endpoints).toMatchObject([{ connected: true, kioskId: 'local-kiosk', quarantined: 0 }]);
    expect(status.endpoints[0].state).toBe('connected');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });
});
