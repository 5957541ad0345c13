/**
 * 证明 on the A4 printer and on the screen, end to end against a running demo agent and its IPP printer
 * simulator: issued from the demo department's record, previewed as a PNG of the sealed page, printed
 * (the PDF the simulated printer kept verifies and is the one issued), paper out and a retry that prints
 * once; the receipt of a case kept offline says so.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoPki } from '../../certs/demo-pki.js';
import { verifyPdf } from '../../certs/pdf/verify.js';
import { sm3Hex } from '../../certs/sm3.js';
import { startAgent, type RunningAgent } from '../agent.js';
import { exampleCase } from '../cases/example.js';
import { OFFLINE_RECEIPT_LINES } from '../cases/receipt.js';
import { demoCatalog } from '../catalog/catalog.js';
import { requireItem } from '../catalog/index.js';
import { parseConfig } from '../config/config.js';
import { apiCall } from './helpers/api.js';

const ISSUABLE = '341600-SB-0003';
let agent: RunningAgent;
let offline: RunningAgent;
const dataDir = mkdtempSync(join(tmpdir(), 'tongban-api-documents-'));
beforeAll(async () => {
  [agent, offline] = await Promise.all([
    startAgent({ dataDir, port: 0, logLevel: 'error' }),
    // No endpoint at all: every case waits at the kiosk.
    startAgent({ dataDir: mkdtempSync(join(tmpdir(), 'tongban-api-documents-offline-')), port: 0, logLevel: 'error', config: parseConfig({ sync: { endpoints: [] } }) }),
  ]);
});
afterAll(async () => {
  await Promise.all([agent?.stop('test over'), offline?.stop('test over')]);
});

const call = (method: string, path: string, body?: unknown) => apiCall(agent, method, path, body);
const submit = async (a: RunningAgent, code = ISSUABLE): Promise<{ id: string; serial: string }> => (await apiCall(a, 'POST', '/api/cases', exampleCase(requireItem(demoCatalog(), code)))).json.case;
const documents = async (): Promise<{ jobId: number; title: string; path: string; sm3: string }[]> => (await call('GET', '/api/demo/documents')).json.documents;
async function issue(): Promise<{ caseId: string; serial: string; documentId: string; sm3: string }> {
  const c = await submit(agent);
  const r = await call('POST', `/api/cases/${c.id}/issue`, {});
  expect(r.status, JSON.stringify(r.json)).toBe(201);
  return { caseId: c.id, serial: c.serial, documentId: r.json.documentId, sm3: r.json.sm3 };
}

describe('local API: certificates on the A4 printer and the screen (demo mode)', () => {
  it('issues from the demo department without a record in the body; the preview is a PNG of the sealed page, never cached', async () => {
    const { caseId, serial, documentId } = await issue();
    expect(documentId).toBe(`SB-${serial}`);
    const res = await fetch(new URL(`api/cases/${caseId}/certificates/${documentId}/preview.png?width=600`, agent.url), { headers: { authorization: `Bearer ${agent.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-page-count')).toBe('2');
    const png = Buffer.from(await res.arrayBuffer());
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    // IHDR: width and height (A4 proportions at 600 px wide)
    expect(png.readUInt32BE(16)).toBe(600);
    expect(png.readUInt32BE(20)).toBe(Math.round((600 * 297) / 210));
    const beyond = await fetch(new URL(`api/cases/${caseId}/certificates/${documentId}/preview.png?page=3`, agent.url), { headers: { authorization: `Bearer ${agent.token}` } });
    expect(beyond.status).toBe(400);
    expect(((await beyond.json()) as any).error.code).toBe('preview.noPage');
    const other = await submit(agent);
    expect((await call('GET', `/api/cases/${other.id}/certificates/${documentId}/preview.png`)).status).toBe(404);
  });

  it('the demo departments make a record for each issuable demo item, about the applicant', async () => {
    for (const code of demoCatalog().items.filter((i) => i.issuable).map((i) => i.code)) {
      const c = await submit(agent, code);
      const r = await call('POST', `/api/cases/${c.id}/issue`, {});
      expect(r.status, `${code}: ${JSON.stringify(r.json)}`).toBe(201);
      expect(r.json.case.status).toBe('completed');
    }
  });

  it('prints the certificate on the A4 printer: the PDF the printer got is the sealed one, and it verifies; audited as printed for 取件', async () => {
    const { caseId, documentId, sm3 } = await issue();
    const before = (await documents()).length;
    const r = await call('POST', `/api/cases/${caseId}/documents/${documentId}/print`);
    expect(r.status, JSON.stringify(r.json)).toBe(201);
    expect(r.json.job).toMatchObject({ caseId, kind: 'document', state: 'printed', attempts: 1, lastError: null });
    const printed = await documents();
    expect(printed.length).toBe(before + 1);
    const doc = printed.at(-1)!;
    expect(doc.title).toBe(`tongban ${documentId}`);
    expect(doc.path.startsWith(join(dataDir, 'run', 'printed') + '/')).toBe(true);
    const bytes = new Uint8Array(readFileSync(doc.path));
    expect(sm3Hex(bytes)).toBe(sm3);
    expect(doc.sm3).toBe(sm3);
    expect(verifyPdf(bytes, { trusted: [createDemoPki().root.cert], at: new Date() }).valid).toBe(true);
    // The job holds no document once printed; the print is in the audit log (取件打印 shows it printed).
    expect((await call('GET', '/api/print-jobs')).json.jobs.map((j: { id: string }) => j.id)).not.toContain(r.json.job.id);
  });

  it('paper out: 503 printer.paperOut with the reason (中文 / English) and the kept job; after the refill a retry prints it exactly once', async () => {
    const { caseId, documentId, sm3 } = await issue();
    expect((await call('PUT', '/api/demo/paper', { paper: 'out', printer: 'a4' })).json).toMatchObject({ a4Paper: 'out', paper: 'ok' });
    // The idle printer's state is polled: out of paper shows before anyone prints (the staff screen's paper state).
    while ((await call('GET', '/api/devices/a4')).json.device?.paper !== 'out') await new Promise((r) => setTimeout(r, 50));
    const before = (await documents()).length;
    const refused = await call('POST', `/api/cases/${caseId}/documents/${documentId}/print`);
    expect(refused.status).toBe(503);
    expect(refused.json.error).toMatchObject({ code: 'printer.paperOut', message: expect.stringMatching(/缺纸.*out of paper/), job: { caseId, kind: 'document', state: 'failed', attempts: 1 } });
    const jobId = refused.json.error.job.id as string;
    expect((await call('GET', '/api/print-jobs')).json.jobs).toContainEqual(expect.objectContaining({ id: jobId, state: 'failed', lastError: expect.stringContaining('printer.paperOut') }));
    expect((await documents()).length).toBe(before);
    expect((await call('GET', '/api/devices/a4')).json).toMatchObject({ kind: 'document', state: 'error', device: { reasons: ['media-empty-error'], paper: 'out' } });
    await call('PUT', '/api/demo/paper', { paper: 'ok', printer: 'a4' });
    while ((await call('GET', '/api/devices/a4')).json.device?.paper !== 'ok') await new Promise((r) => setTimeout(r, 50));
    expect((await call('GET', '/api/devices/a4')).json.state).toBe('online');
    const retried = await call('POST', `/api/print-jobs/${jobId}/retry`);
    expect(retried.status).toBe(200);
    expect(retried.json.job).toMatchObject({ id: jobId, state: 'printed', attempts: 2 });
    const again = await call('POST', `/api/print-jobs/${jobId}/retry`);
    expect(again.json.job).toMatchObject({ id: jobId, state: 'printed', attempts: 2 });
    const after = await documents();
    expect(after.length).toBe(before + 1);
    expect(after.at(-1)!.sm3).toBe(sm3);
  });

  it('refuses with clear 4xx: a document the case does not have, an id that is no document id, an unknown case', async () => {
    const c = await submit(agent);
    const missing = await call('POST', `/api/cases/${c.id}/documents/SB-NOPE-000001/print`);
    expect(missing.status).toBe(404);
    expect(missing.json.error).toMatchObject({ code: 'document.notFound', field: 'documentId' });
    expect((await call('POST', `/api/cases/${c.id}/documents/${encodeURIComponent('a b')}/print`)).status).toBe(400);
    expect((await call('POST', '/api/cases/0190a000-0000-7000-8000-000000000000/documents/SB-X-1/print')).json.error.code).toBe('case.notFound');
    // Outside demo mode the record must come from the department: tested with a configured signer in api-documents-cups.test.ts.
  });

  it('the receipt of a case that cannot reach its endpoint says it is kept and goes by itself later; online it does not', async () => {
    const kept = await submit(offline, '341600-SB-0003');
    expect((await apiCall(offline, 'POST', `/api/cases/${kept.id}/receipt/print`)).status).toBe(201);
    const offlineText = ((await apiCall(offline, 'GET', '/api/demo/receipts')).json.receipts.at(-1).lines as string[]).join('').replace(/\s+/g, '');
    expect(offlineText).toContain(kept.serial);
    expect(offlineText).toContain(OFFLINE_RECEIPT_LINES.join(''));
    // Online: the embedded endpoint (wait for the sync to connect).
    while (!(await call('GET', '/api/sync')).json.endpoints.some((e: { connected: boolean }) => e.connected)) await new Promise((r) => setTimeout(r, 50));
    const sent = await submit(agent, '341600-SB-0003');
    expect((await call('POST', `/api/cases/${sent.id}/receipt/print`)).status).toBe(201);
    const onlineText = ((await call('GET', '/api/demo/receipts')).json.receipts.at(-1).lines as string[]).join('').replace(/\s+/g, '');
    expect(onlineText).toContain(sent.serial);
    expect(onlineText).not.toContain('网络');
  });
});
