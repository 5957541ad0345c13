/**
 * Routing and quarantine, end to end: an agent in-process (startAgent) syncing to a real reference
 * endpoint (startEndpoint). The kiosk routes region 341600 (and 310110, where one item is decided) to
 * it: such a case is uploaded; a case the endpoint refuses for good (another kiosk already sent other
 * content under its id: case.conflict) is quarantined, shown to staff, retried by them and — refused
 * again — kept quarantined, never dropped, never holding the others; a 340802 case has no endpoint at
 * all and waits, shown as unrouted by `tongban sync status`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../base/log.js';
import { startEndpoint, type RunningEndpoint } from '../../sync/endpoint/server.js';
import { startAgent, type RunningAgent } from '../agent.js';
import { parseConfig } from '../config/config.js';
import { apiCall } from './helpers/api.js';
import { caseOf, tongbanAsync, until } from './helpers/sync.js';
import { randomUUID } from 'node:crypto';
import { demoCatalog } from '../catalog/catalog.js';
import { canonicalCaseContent, caseContentHash } from '../cases/content-hash.js';
import { draftCase, parseCaseInput } from '../cases/input.js';

let dir: string;
let endpoint: RunningEndpoint;
let agent: RunningAgent;
const data = (): string => join(dir, 'kiosk');
const endpointData = (): string => join(dir, 'endpoint');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tongban-sync-routing-'));
  endpoint = await startEndpoint({ dataDir: endpointData(), port: 0, log: silentLogger, eventPollMs: 50 });
  const token = endpoint.store.createEnrollToken('kiosk-routing');
  agent = await startAgent({
    dataDir: data(),
    port: 0,
    logLevel: 'error',
    config: parseConfig({ demo: { enabled: false }, sync: { endpoints: [{ url: endpoint.url, regions: ['341600', '310110'], enrollToken: token }] } }),
  });
});

afterAll(async () => {
  await agent?.stop('test over');
  await endpoint?.close();
  rmSync(dir, { recursive: true, force: true });
});

const statusOf = async (id: string): Promise<string> => (await apiCall(agent, 'GET', `/api/cases/${id}`)).json.status;
const submit = async (code: string): Promise<string> => {
  const r = await apiCall(agent, 'POST', '/api/cases', caseOf(code));
  expect(r.status).toBe(201);
  return r.json.case.id;
};

/** A case with this id and other content, committed at the endpoint by another kiosk. */
function conflictingCase(id: string): void {
  const other = { ...caseOf('341600-YB-0001'), id } as any;
  other.applicant = { ...other.applicant, name: '李另人' };
  const draft = draftCase(parseCaseInput(other, demoCatalog()), demoCatalog().version, id, new Date().toISOString());
  endpoint.store.enroll(endpoint.store.createEnrollToken('other-kiosk'), 'test');
  const results = endpoint.store.commitBatch('other-kiosk', [{ seq: 1, caseId: id, region: '341600', kind: 'case.submitted', payload: { serial: 'X1', contentHash: caseContentHash(draft), content: canonicalCaseContent(draft) as never } }], Date.now());
  expect(results).toMatchObject([{ outcome: 'committed' }]);
}

describe('sync: routing by region, quarantine and retry', () => {
  it('uploads what the endpoint takes, quarantines what it refuses for good, leaves a region without endpoint waiting', async () => {
    const conflictId = randomUUID();
    conflictingCase(conflictId);
    const refusedRes = await apiCall(agent, 'POST', '/api/cases', { ...caseOf('341600-YB-0001'), id: conflictId });
    expect(refusedRes.status).toBe(201);
    const local = await submit('341600-YB-0001'); // 341600: routed to the endpoint
    const elsewhere = await submit('341600-GJJ-0002'); // decided in 310110: routed there too
    const nowhere = await submit('340802-GA-0006'); // 340802: no endpoint
    await until('the routed cases uploaded', async () => ((await statusOf(local)) === 'uploaded' && (await statusOf(elsewhere)) === 'uploaded' ? true : undefined));
    const sync = await until('the conflicting case quarantined', async () => {
      const s = (await apiCall(agent, 'GET', '/api/sync')).json;
      return s.quarantined.length === 1 ? s : undefined;
    });
    expect(sync.embedded).toBeNull();
    expect(sync.endpoints).toMatchObject([{ url: endpoint.url, regions: ['341600', '310110'], connected: true, kioskId: 'kiosk-routing', quarantined: 1 }]);
    expect(sync.quarantined).toEqual([{ seq: expect.any(Number), caseId: conflictId, region: '341600', kind: 'case.submitted', code: 'case.conflict', reason: expect.any(String), createdAt: expect.any(String) }]);
    expect(sync.unrouted).toEqual([{ region: '340802', count: 1 }]);
    expect(await statusOf(conflictId)).toBe('submitted');
    expect(await statusOf(nowhere)).toBe('submitted');
    expect(endpoint.store.cases({ kioskId: 'kiosk-routing' }).map((c) => c.id).sort()).toEqual([local, elsewhere].sort());

    // `tongban sync status` through the running agent (found by its data directory)
    const text = await tongbanAsync(['sync', 'status', '--data', data()]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`${endpoint.url}: connected`);
    expect(text.stdout).toContain('region 340802: no endpoint serves it, 1 waiting');
    expect(text.stdout).toContain(`${sync.quarantined[0].seq}  ${conflictId}  case.submitted  case.conflict:`);
    const json = await tongbanAsync(['sync', 'status', '--json', '--data', data()]);
    expect(JSON.parse(json.stdout)).toMatchObject({ unrouted: [{ region: '340802', count: 1 }], quarantined: [{ caseId: conflictId, code: 'case.conflict' }] });

    // staff retry it: sent again, refused again, quarantined again (never dropped); a seq not quarantined is 404
    const seq = sync.quarantined[0].seq;
    expect((await apiCall(agent, 'POST', `/api/sync/quarantine/${seq}/retry`)).json).toEqual({ seq, retried: true });
    expect((await apiCall(agent, 'POST', `/api/sync/quarantine/${seq + 1000}/retry`)).status).toBe(404);
    await until('quarantined again', async () => ((await apiCall(agent, 'GET', '/api/sync')).json.quarantined.length === 1 ? true : undefined));
    expect(await statusOf(conflictId)).toBe('submitted');
    // a later case still goes through
    const after = await submit('341600-YB-0001');
    await until('a later case uploaded', async () => ((await statusOf(after)) === 'uploaded' ? true : undefined));
  });
});
