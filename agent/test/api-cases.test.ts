import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { apiCall } from './helpers/api.js';
import { startAgent, type RunningAgent } from '../agent.js';
import { exampleCase, exampleItem } from '../cases/example.js';
import { demoCatalog } from '../catalog/catalog.js';
import { parseConfig } from '../config/config.js';

let agent: RunningAgent;
beforeAll(async () => {
  // No devices: the cases need none, and the file stays fast.
  // No sync (sync.endpoints []): cases stay at the kiosk, `submitted` (the embedded endpoint would upload them at once).
  agent = await startAgent({ dataDir: mkdtempSync(join(tmpdir(), 'tongban-api-cases-')), port: 0, logLevel: 'error', config: parseConfig({ demo: { enabled: false }, sync: { endpoints: [] } }) });
});
afterAll(async () => {
  await agent?.stop('test over');
});

const call = (method: string, path: string, body?: unknown) => apiCall(agent, method, path, body);

const item = exampleItem(demoCatalog());
const example = exampleCase(item) as Record<string, any>;

describe('local API: cases', () => {
  it('a submission without an id is a new case each time (201), persisted with its content hash', async () => {
    const a = await call('POST', '/api/cases', example);
    const b = await call('POST', '/api/cases', example);
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(a.json.created).toBe(true);
    expect(a.json.case.id).not.toBe(b.json.case.id);
    expect(a.json.case).toMatchObject({ itemCode: item.code, status: 'submitted', contentHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const shown = await call('GET', `/api/cases/${a.json.case.id}`);
    expect(shown.status).toBe(200);
    expect(shown.json).toEqual(a.json.case);
    const list = await call('GET', '/api/cases');
    expect(list.json.cases.map((c: { id: string }) => c.id)).toEqual(expect.arrayContaining([a.json.case.id, b.json.case.id]));
    expect(list.json.cases.find((c: { id: string }) => c.id === a.json.case.id)).toEqual({
      id: a.json.case.id,
      serial: a.json.case.serial,
      itemCode: item.code,
      status: 'submitted',
      contentHash: a.json.case.contentHash,
      updatedAt: a.json.case.updatedAt,
    });
  });

  it('a submission with an id is idempotent (200, the same case); other content under that id is a conflict (409)', async () => {
    const id = randomUUID();
    const first = await call('POST', '/api/cases', { ...example, id });
    const again = await call('POST', '/api/cases', { ...example, id });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.json).toEqual({ created: false, case: first.json.case });
    const other = await call('POST', '/api/cases', { ...example, id, applicant: { ...example.applicant, name: '李演示' } });
    expect(other.status).toBe(409);
    expect(other.json.error.code).toBe('store.caseConflict');
  });

  it('names the field of a case that does not validate, with every problem', async () => {
    const bad = await call('POST', '/api/cases', { ...example, applicant: { ...example.applicant, idNumber: '341602199001011235' } });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ code: 'case.invalid', field: 'applicant.idNumber' });
    expect(bad.json.error.problems[0]).toMatchObject({ path: 'applicant.idNumber', zh: expect.any(String), en: expect.any(String) });
    expect((await call('POST', '/api/cases', { ...example, itemCode: 'NO-SUCH-ITEM' })).status).toBe(400);
  });

  it('show and list refuse what is not there or malformed', async () => {
    expect(await call('GET', `/api/cases/${randomUUID()}`)).toMatchObject({ status: 404, json: { error: { code: 'case.notFound' } } });
    expect(await call('GET', '/api/cases/not-a-uuid')).toMatchObject({ status: 404 });
    expect(await call('GET', '/api/cases?status=lost')).toMatchObject({ status: 400, json: { error: { field: 'status' } } });
    expect(await call('GET', '/api/cases?limit=0')).toMatchObject({ status: 400, json: { error: { field: 'limit' } } });
    expect(await call('GET', '/api/cases?before=x')).toMatchObject({ status: 400, json: { error: { field: 'before' } } });
  });

  it('staff may move a case only where the state machine lets staff; the socket hears each change', async () => {
    const ws = new WebSocket(new URL('api/ws', agent.url.replace('http', 'ws')), { headers: { authorization: `Bearer ${agent.token}` } });
    const heard: any[] = [];
    ws.on('message', (d) => heard.push(JSON.parse(d.toString())));
    await new Promise((r) => ws.once('open', r));
    const c = (await call('POST', '/api/cases', example)).json.case;
    // submitted -> uploaded is the kiosk's (the sync delivered it), not staff's
    const refused = await call('POST', `/api/cases/${c.id}/transitions`, { to: 'uploaded' });
    expect(refused.status).toBe(409);
    expect(refused.json.error.code).toBe('case.illegalTransition');
    expect((await call('POST', `/api/cases/${c.id}/transitions`, { to: 'nowhere' })).json.error).toMatchObject({ code: 'invalid', field: 'to' });
    expect((await call('POST', `/api/cases/${c.id}/transitions`, { to: 'accepted', actor: 'kiosk' })).json.error).toMatchObject({ code: 'invalid', field: 'actor' });
    const rated = await call('POST', `/api/cases/${c.id}/rating`, { score: 5, occasion: 'visit', comment: '很快' });
    expect(rated.status).toBe(200);
    expect(rated.json.rating).toMatchObject({ score: 5, label: '非常满意', occasion: 'visit' });
    expect((await call('POST', `/api/cases/${c.id}/rating`, { score: 4, occasion: 'visit' })).json.error.code).toBe('case.alreadyRated');
    expect((await call('POST', `/api/cases/${c.id}/rating`, { score: 6, occasion: 'visit' })).json.error).toMatchObject({ code: 'invalid', field: 'score' });
    await call('GET', '/api/health');
    while (!heard.some((m) => m.payload?.caseId === c.id && m.header.name === 'Agent.CaseChangedEvent')) await new Promise((r) => setTimeout(r, 20));
    expect(heard.find((m) => m.payload?.caseId === c.id)).toEqual({
      header: { name: 'Agent.CaseChangedEvent', requestId: 0, type: 'unsolicited', version: '1.0' },
      payload: { caseId: c.id, itemCode: item.code, status: 'submitted' },
    });
    ws.close();
  });
});
