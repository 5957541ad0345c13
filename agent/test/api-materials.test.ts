/** Material uploads over the local API, end to end against a running agent: raw bodies, content addressing, validation. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sm3Hex } from '../../certs/sm3.js';
import { startAgent, type RunningAgent } from '../agent.js';
import { exampleCase } from '../cases/example.js';
import { demoCatalog } from '../catalog/catalog.js';
import { requireItem } from '../catalog/index.js';
import { parseConfig } from '../config/config.js';

let agent: RunningAgent;
beforeAll(async () => {
  // No sync (sync.endpoints []): cases stay at the kiosk, `submitted` (the embedded endpoint would upload them at once).
  agent = await startAgent({ dataDir: mkdtempSync(join(tmpdir(), 'tongban-api-materials-')), port: 0, logLevel: 'error', config: parseConfig({ demo: { enabled: false }, sync: { endpoints: [] } }) });
});
afterAll(async () => {
  await agent?.stop('test over');
});

async function call(method: string, path: string, body?: Uint8Array | object, type?: string): Promise<{ status: number; json: any }> {
  const raw = body instanceof Uint8Array;
  const res = await fetch(new URL(path.slice(1), agent.url), {
    method,
    headers: { authorization: `Bearer ${agent.token}`, ...(body !== undefined ? { 'content-type': type ?? (raw ? 'application/octet-stream' : 'application/json') } : {}) },
    ...(body !== undefined ? { body: raw ? body : JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: await res.json() };
}

const PDF = new TextEncoder().encode('%PDF-1.7\n% a scanned 购房合同\n%%EOF\n');
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);
const submit = async (): Promise<string> => (await call('POST', '/api/cases', exampleCase(requireItem(demoCatalog(), '341600-GJJ-0002')))).json.case.id;

describe('local API: materials', () => {
  it('uploads a file (raw PDF, or octet-stream recognised by its bytes), stored by its SM3; the list names it without contents; the content hash changes', async () => {
    const id = await submit();
    const before = (await call('GET', `/api/cases/${id}`)).json;
    const up = await call('POST', `/api/cases/${id}/materials?materialId=purchase-contract`, PDF, 'application/pdf');
    expect(up.status).toBe(201);
    expect(up.json.material).toEqual({ id: 'purchase-contract', provision: 'attached', form: '复印件', sm3: sm3Hex(PDF), size: PDF.length, mediaType: 'application/pdf' });
    expect(up.json.case.contentHash).not.toBe(before.contentHash);
    const png = await call('POST', `/api/cases/${id}/materials?materialId=purchase-invoice&form=复印件`, PNG);
    expect(png.status).toBe(201);
    expect(png.json.material).toMatchObject({ id: 'purchase-invoice', mediaType: 'image/png', sm3: sm3Hex(PNG) });
    const list = await call('GET', `/api/cases/${id}/materials`);
    expect(list.status).toBe(200);
    expect(list.json.materials).toEqual([
      { materialId: 'purchase-contract', sm3: sm3Hex(PDF), size: PDF.length, mediaType: 'application/pdf', storedAt: expect.any(String), purged: false },
      { materialId: 'purchase-invoice', sm3: sm3Hex(PNG), size: PNG.length, mediaType: 'image/png', storedAt: expect.any(String), purged: false },
    ]);
    expect(JSON.stringify(list.json)).not.toContain('购房合同');
  });

  it('refuses with clear 4xx: no or bad materialId, a material the item lacks, wrong or lying media types, an empty file, JSON, a file over the limit, an unknown case', async () => {
    const id = await submit();
    const url = `/api/cases/${id}/materials`;
    expect((await call('POST', url, PDF)).json.error).toMatchObject({ code: 'invalid', field: 'materialId' });
    expect((await call('POST', `${url}?materialId=Bad!`, PDF)).json.error).toMatchObject({ code: 'invalid', field: 'materialId' });
    expect((await call('POST', `${url}?materialId=no-such`, PDF)).json.error).toMatchObject({ code: 'invalid', field: 'materialId' });
    expect((await call('POST', `${url}?materialId=purchase-contract&form=x`, PDF)).json.error).toMatchObject({ code: 'invalid', field: 'form' });
    expect((await call('POST', `${url}?materialId=property-certificate`, PDF)).json.error).toMatchObject({ code: 'invalid', field: 'form' });
    expect((await call('POST', `${url}?materialId=purchase-contract`, PDF, 'image/jpeg')).status).toBe(415);
    expect((await call('POST', `${url}?materialId=purchase-contract`, PDF, 'text/plain')).status).toBe(415);
    expect((await call('POST', `${url}?materialId=purchase-contract`, new TextEncoder().encode('hello'))).json.error.message).toMatch(/not a PDF, JPEG or PNG/);
    expect((await call('POST', `${url}?materialId=purchase-contract`, { a: 1 })).status).toBe(415);
    expect((await call('POST', `${url}?materialId=purchase-contract`)).status).toBe(400);
    const big = new Uint8Array(20 * 1024 * 1024 + 1);
    big.set(PDF);
    expect((await call('POST', `${url}?materialId=purchase-contract`, big)).status).toBe(413);
    expect((await call('POST', '/api/cases/0190f000-0000-7000-8000-000000000000/materials?materialId=purchase-contract', PDF)).status).toBe(404);
    expect((await call('GET', '/api/cases/nope/materials')).status).toBe(404);
    expect((await call('GET', `/api/cases/${id}/materials`)).json.materials).toEqual([]);
  });
});
