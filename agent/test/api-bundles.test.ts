/** 一件事一次办 over the local API, end to end against a running agent. */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall } from './helpers/api.js';
import { startAgent, type RunningAgent } from '../agent.js';
import { exampleCase } from '../cases/example.js';
import { demoCatalog } from '../catalog/catalog.js';
import { requireItem } from '../catalog/index.js';
import { parseConfig } from '../config/config.js';

let agent: RunningAgent;
beforeAll(async () => {
  // No sync (sync.endpoints []): cases stay at the kiosk, `submitted` (the embedded endpoint would upload them at once).
  agent = await startAgent({ dataDir: mkdtempSync(join(tmpdir(), 'tongban-api-bundles-')), port: 0, logLevel: 'error', config: parseConfig({ demo: { enabled: false }, sync: { endpoints: [] } }) });
});
afterAll(async () => {
  await agent?.stop('test over');
});

const call = (method: string, path: string, body?: unknown) => apiCall(agent, method, path, body);

const BUNDLE = demoCatalog().bundles[0]!;
const bundleCases = (): Record<string, any>[] => BUNDLE.items.map((code) => exampleCase(requireItem(demoCatalog(), code)) as Record<string, any>);

describe('local API: bundles (一件事一次办)', () => {
  it('submits the cases of a bundle together (201), all with one bundle id; with case ids a repeat is idempotent (200)', async () => {
    const r = await call('POST', '/api/bundles', { bundleCode: BUNDLE.code, cases: bundleCases() });
    expect(r.status).toBe(201);
    expect(r.json.created).toBe(true);
    expect(r.json.cases.map((c: { itemCode: string }) => c.itemCode)).toEqual(BUNDLE.items);
    expect(new Set(r.json.cases.map((c: { bundleId: string }) => c.bundleId))).toEqual(new Set([r.json.bundleId]));
    for (const c of r.json.cases) expect((await call('GET', `/api/cases/${c.id}`)).json).toMatchObject({ status: 'submitted', bundleId: r.json.bundleId });
    const bundleId = randomUUID();
    const withIds = bundleCases().map((c) => ({ ...c, id: randomUUID() }));
    const first = await call('POST', '/api/bundles', { bundleCode: BUNDLE.code, bundleId, cases: withIds });
    expect(first.status).toBe(201);
    expect(first.json.bundleId).toBe(bundleId);
    const again = await call('POST', '/api/bundles', { bundleCode: BUNDLE.code, bundleId, cases: withIds });
    expect(again.status).toBe(200);
    expect(again.json.cases.map((c: { id: string }) => c.id)).toEqual(withIds.map((c) => c.id));
  });

  it('all or nothing, with clear 400s: an unknown bundle, one case, an item outside it, two applicants, a bad case named by its index', async () => {
    const listed = async (): Promise<number> => (await call('GET', '/api/cases')).json.cases.length;
    const before = await listed();
    expect((await call('POST', '/api/bundles', { bundleCode: 'NOPE', cases: bundleCases() })).json.error).toMatchObject({ code: 'case.badBundle', message: expect.stringContaining('no bundle "NOPE"') });
    expect((await call('POST', '/api/bundles', { bundleCode: BUNDLE.code, cases: bundleCases().slice(0, 1) })).json.error).toMatchObject({ code: 'invalid', field: 'cases' });
    const outside = [...bundleCases().slice(0, 2), exampleCase(requireItem(demoCatalog(), '341600-SB-0003'))];
    expect((await call('POST', '/api/bundles', { bundleCode: BUNDLE.code, cases: outside })).json.error.message).toContain('cases[2].itemCode is not an item of');
    const two = bundleCases();
    two[1]!.applicant = { ...two[1]!.applicant, idNumber: '11010519491231002X' };
    expect((await call('POST', '/api/bundles', { bundleCode: BUNDLE.code, cases: two })).json.error.message).toContain('one applicant per bundle');
    const bad = bundleCases();
    bad[1]!.form = { nonsense: 'x' };
    const r = await call('POST', '/api/bundles', { bundleCode: BUNDLE.code, cases: bad });
    expect(r.status).toBe(400);
    expect(r.json.error.field).toMatch(/^cases\[1\]\.form/);
    expect(r.json.error.problems.every((p: { path: string }) => p.path.startsWith('cases[1].'))).toBe(true);
    expect((await call('POST', '/api/bundles', { bundleCode: BUNDLE.code, bundleId: 'x', cases: bundleCases() })).json.error).toMatchObject({ code: 'invalid', field: 'bundleId' });
    expect(await listed()).toBe(before);
  });
});
