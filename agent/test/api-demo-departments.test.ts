/**
 * PUT /api/demo/departments: the demo departments certificates are issued from made unreachable, so that
 * the kiosk's refused issue can be shown end to end. Unreachable: issuing without a record is refused
 * (409 certificate.noRecord) and the case is untouched; reachable again: the same request issues it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type RunningAgent } from '../agent.js';
import { exampleCase } from '../cases/index.js';
import { demoCatalog } from '../catalog/catalog.js';
import { requireItem } from '../catalog/index.js';
import { parseConfig } from '../config/config.js';
import { apiCall } from './helpers/api.js';

let agent: RunningAgent;
beforeAll(async () => {
  agent = await startAgent({ dataDir: mkdtempSync(join(tmpdir(), 'tongban-api-departments-')), port: 0, logLevel: 'error' });
});
afterAll(async () => {
  await agent?.stop('test over');
});

describe('demo: the departments unreachable', () => {
  it('issuing without a record is refused with certificate.noRecord and the case kept; reachable again, it is issued', async () => {
    const id = (await apiCall(agent, 'POST', '/api/cases', exampleCase(requireItem(demoCatalog(), '341600-SB-0003')))).json.case.id as string;
    expect(await apiCall(agent, 'PUT', '/api/demo/departments', { reachable: false })).toEqual({ status: 200, json: { reachable: false } });
    const refused = await apiCall(agent, 'POST', `/api/cases/${id}/issue`, {});
    expect(refused.status).toBe(409);
    expect(refused.json.error).toMatchObject({ code: 'certificate.noRecord' });
    expect((await apiCall(agent, 'GET', `/api/cases/${id}`)).json).toMatchObject({ status: 'submitted', results: [] });

    expect(await apiCall(agent, 'PUT', '/api/demo/departments', { reachable: true })).toEqual({ status: 200, json: { reachable: true } });
    const issued = await apiCall(agent, 'POST', `/api/cases/${id}/issue`, {});
    expect(issued.status).toBe(201);
    expect(issued.json.case.status).toBe('completed');
  });

  it('refuses a body that is not { reachable: true|false }', async () => {
    const bad = await apiCall(agent, 'PUT', '/api/demo/departments', { reachable: 'no' });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ code: 'invalid', field: 'reachable' });
  });

  it('is not there outside demo mode', async () => {
    const plain = await startAgent({ dataDir: mkdtempSync(join(tmpdir(), 'tongban-api-departments-plain-')), port: 0, logLevel: 'error', config: parseConfig({ demo: { enabled: false } }) });
    try {
      expect((await apiCall(plain, 'PUT', '/api/demo/departments', { reachable: false })).status).toBe(404);
    } finally {
      await plain.stop('test over');
    }
  });
});
