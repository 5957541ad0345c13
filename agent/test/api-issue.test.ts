/** 证明开具 over the local API, end to end against a running demo agent: issue, fetch the PDF, verify it against the demo root. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoPki } from '../../certs/demo-pki.js';
import { exampleData } from '../../certs/pdf/templates/index.js';
import { verifyPdf } from '../../certs/pdf/verify.js';
import { sm3Hex } from '../../certs/sm3.js';
import { startAgent, type RunningAgent } from '../agent.js';
import { EXAMPLE_APPLICANT, exampleCase } from '../cases/index.js';
import { demoCatalog } from '../catalog/catalog.js';
import { requireItem } from '../catalog/index.js';
import { parseConfig } from '../config/config.js';

let agent: RunningAgent;
beforeAll(async () => {
  agent = await startAgent({ dataDir: mkdtempSync(join(tmpdir(), 'tongban-api-issue-')), port: 0, logLevel: 'error' });
});
afterAll(async () => {
  await agent?.stop('test over');
});

async function call(a: RunningAgent, method: string, path: string, body?: unknown): Promise<{ status: number; type: string; json: any; bytes: Buffer }> {
  const res = await fetch(new URL(path.slice(1), a.url), {
    method,
    headers: { authorization: `Bearer ${a.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const type = res.headers.get('content-type') ?? '';
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, type, bytes, json: type.startsWith('application/json') ? JSON.parse(bytes.toString('utf8')) : undefined };
}

let serial = 0;
/** The department's record about `idNumber`, each with its own document id. */
function recordFor(idNumber: string = EXAMPLE_APPLICANT.idNumber): Record<string, any> {
  const data = structuredClone(exampleData('social-insurance-proof')) as Record<string, any>;
  data.person.name = EXAMPLE_APPLICANT.name;
  data.person.idNumber = idNumber;
  data.documentId = `SB-341600-20261121-${String(++serial).padStart(6, '0')}`;
  return data;
}
const submit = async (a: RunningAgent, code: string): Promise<string> => (await call(a, 'POST', '/api/cases', exampleCase(requireItem(demoCatalog(), code)))).json.case.id;

describe('local API: 证明开具 (issue on site)', () => {
  it('issues the sealed certificate (201: document id, SM3), completes the case, and serves the PDF, which verifies against the demo root', async () => {
    const id = await submit(agent, '341600-SB-0003');
    const data = recordFor();
    const issued = await call(agent, 'POST', `/api/cases/${id}/issue`, { data });
    expect(issued.status).toBe(201);
    expect(issued.json).toMatchObject({ documentId: data.documentId, template: 'social-insurance-proof', sm3: expect.stringMatching(/^[0-9a-f]{64}$/), case: { id, status: 'completed' } });
    expect(issued.json.case.results).toEqual([expect.objectContaining({ kind: '证明', documentId: data.documentId, sm3: issued.json.sm3 })]);
    const pdf = await call(agent, 'GET', `/api/cases/${id}/certificates/${data.documentId}`);
    expect(pdf.status).toBe(200);
    expect(pdf.type).toBe('application/pdf');
    expect(sm3Hex(pdf.bytes)).toBe(issued.json.sm3);
    const verdict = verifyPdf(new Uint8Array(pdf.bytes), { trusted: [createDemoPki().root.cert], at: new Date() });
    expect(verdict.valid).toBe(true);
    // The same document id again (another case): refused before anything is sealed.
    const other = await submit(agent, '341600-SB-0003');
    const again = await call(agent, 'POST', `/api/cases/${other}/issue`, { data });
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe('certificate.exists');
    // A finished case is not issued again.
    const twice = await call(agent, 'POST', `/api/cases/${id}/issue`, { data: recordFor() });
    expect(twice.status).toBe(409);
  });

  it('refuses with clear 4xx: a record about someone else, a bad record (the field named), an item not issued on site, an unknown case or certificate', async () => {
    const id = await submit(agent, '341600-SB-0003');
    const someoneElse = await call(agent, 'POST', `/api/cases/${id}/issue`, { data: recordFor('11010519491231002X') });
    expect(someoneElse.status).toBe(400);
    expect(someoneElse.json.error.code).toBe('case.notApplicant');
    const bad = recordFor();
    delete bad.insuredUnit;
    const badRecord = await call(agent, 'POST', `/api/cases/${id}/issue`, { data: bad });
    expect(badRecord.status).toBe(400);
    expect(badRecord.json.error.message).toMatch(/insuredUnit/);
    expect((await call(agent, 'POST', `/api/cases/${id}/issue`, { data: 'x' })).json.error).toMatchObject({ code: 'invalid', field: 'data' });
    expect((await call(agent, 'GET', `/api/cases/${id}`)).json.status).toBe('submitted');
    const remote = await submit(agent, '341600-GJJ-0002');
    const notIssuable = await call(agent, 'POST', `/api/cases/${remote}/issue`, { data: recordFor() });
    expect(notIssuable.status).toBe(409);
    expect(notIssuable.json.error.code).toBe('case.notIssuable');
    expect((await call(agent, 'GET', `/api/cases/${id}/certificates/SB-341600-20261121-999999`)).status).toBe(404);
    expect((await call(agent, 'GET', `/api/cases/${id}/certificates/bad%20id`)).json.error).toMatchObject({ code: 'invalid', field: 'documentId' });
    expect((await call(agent, 'POST', `/api/cases/0190f000-0000-7000-8000-000000000000/issue`, { data: recordFor() })).status).toBe(404);
  });

  it('outside demo mode no signer is configured: 409 issuer.notConfigured, the case untouched', async () => {
    const plain = await startAgent({ dataDir: mkdtempSync(join(tmpdir(), 'tongban-api-issue-plain-')), port: 0, logLevel: 'error', config: parseConfig({ demo: { enabled: false } }) });
    try {
      const id = await submit(plain, '341600-SB-0003');
      const r = await call(plain, 'POST', `/api/cases/${id}/issue`, { data: recordFor() });
      expect(r.status).toBe(409);
      expect(r.json.error).toMatchObject({ code: 'issuer.notConfigured', message: expect.stringContaining('no certificate signer is configured') });
      expect((await call(plain, 'GET', `/api/cases/${id}`)).json.status).toBe('submitted');
    } finally {
      await plain.stop('test over');
    }
  });
});
