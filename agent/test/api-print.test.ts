/** 受理回执 over the local API, end to end against a running demo agent and the printer simulator: print, paper out, refill, retry once. */
import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall } from './helpers/api.js';
import { startAgent, type RunningAgent } from '../agent.js';
import { exampleCase, exampleItem } from '../cases/example.js';
import { caseReference } from '../cases/receipt.js';
import { demoCatalog } from '../catalog/catalog.js';
import { parseConfig } from '../config/config.js';

let agent: RunningAgent;
let dataDir: string;
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'tongban-api-print-'));
  agent = await startAgent({ dataDir, port: 0, logLevel: 'error' });
});
afterAll(async () => {
  await agent?.stop('test over');
});

const call = (method: string, path: string, body?: unknown) => apiCall(agent, method, path, body);
const receipts = async (): Promise<{ lines: string[]; qr: string[] }[]> => (await call('GET', '/api/demo/receipts')).json.receipts;
async function paper(state: 'ok' | 'out'): Promise<void> {
  expect((await call('PUT', '/api/demo/paper', { paper: state })).status).toBe(200);
  // the printer's idle poll notices the paper (statusPollMs 1 s in demo mode)
  while ((await call('GET', '/api/devices/receipt')).json.device?.paper !== state) await new Promise((r) => setTimeout(r, 50));
}

describe('local API: 受理回执 on the receipt printer', () => {
  it('prints the case receipt (decoded back from the simulator: serial, masked applicant, QR with id and hash); the job is kept as printed without its document', async () => {
    const c = (await call('POST', '/api/cases', exampleCase(exampleItem(demoCatalog())))).json.case;
    const before = (await receipts()).length;
    const r = await call('POST', `/api/cases/${c.id}/receipt/print`);
    expect(r.status).toBe(201);
    expect(r.json.job).toMatchObject({ caseId: c.id, kind: 'receipt', state: 'printed', attempts: 1, lastError: null, printedAt: expect.any(String) });
    const all = await receipts();
    expect(all.length).toBe(before + 1);
    // a long value wraps on the 58 mm paper: compare without the layout's white space
    const text = all.at(-1)!.lines.join('\n').replace(/\s+/g, '');
    expect(text).toContain('受理回执');
    expect(text).toContain(c.serial);
    expect(text).not.toContain(c.applicant.name);
    expect(text).not.toContain(c.applicant.idNumber);
    expect(all.at(-1)!.qr).toEqual([caseReference(c)]);
    expect((await call('GET', '/api/print-jobs')).json.jobs.map((j: { id: string }) => j.id)).not.toContain(r.json.job.id);
  });

  it('paper out: 503 with the reason (中文 / English) and the job kept; after the refill a retry prints it exactly once', async () => {
    const c = (await call('POST', '/api/cases', exampleCase(exampleItem(demoCatalog())))).json.case;
    await paper('out');
    const before = (await receipts()).length;
    const refused = await call('POST', `/api/cases/${c.id}/receipt/print`);
    expect(refused.status).toBe(503);
    expect(refused.json.error).toMatchObject({ code: 'printer.paperOut', message: expect.stringMatching(/缺纸.*out of paper/), job: { caseId: c.id, state: 'failed', attempts: 1 } });
    const jobId = refused.json.error.job.id as string;
    expect((await call('GET', '/api/print-jobs')).json.jobs).toEqual([expect.objectContaining({ id: jobId, state: 'failed', lastError: expect.stringContaining('printer.paperOut') })]);
    expect((await call('POST', `/api/print-jobs/${jobId}/retry`)).status).toBe(503);
    await paper('ok');
    // two retries at once: one print
    const [a, b] = await Promise.all([call('POST', `/api/print-jobs/${jobId}/retry`), call('POST', `/api/print-jobs/${jobId}/retry`)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.json.job).toMatchObject({ id: jobId, state: 'printed', attempts: 3 });
    const again = await call('POST', `/api/print-jobs/${jobId}/retry`);
    expect(again.json.job).toMatchObject({ id: jobId, state: 'printed', attempts: 3 });
    const after = await receipts();
    expect(after.length).toBe(before + 1);
    expect(after.at(-1)!.lines.join('').replace(/\s+/g, '')).toContain(c.serial);
    expect((await call('GET', '/api/print-jobs')).json.jobs).toEqual([]);
    // audited once, with the case as subject and nothing personal
    const db = new Database(join(dataDir, 'store.db'), { readonly: true });
    const audit = db.prepare("SELECT subject, details FROM audit_log WHERE type = 'print'").all() as { subject: string; details: string }[];
    db.close();
    expect(audit.filter((a) => JSON.parse(a.details).job === jobId)).toEqual([{ subject: c.id, details: expect.any(String) }]);
    expect(JSON.stringify(audit)).not.toContain(c.applicant.idNumber);
  });

  it('with no receipt printer configured: 503 saying so, the job kept', async () => {
    const plain = await startAgent({ dataDir: mkdtempSync(join(tmpdir(), 'tongban-api-print-plain-')), port: 0, logLevel: 'error', config: parseConfig({ demo: { enabled: false } }) });
    try {
      const post = (path: string, body?: unknown): Promise<Response> =>
        fetch(new URL(path.slice(1), plain.url), { method: 'POST', headers: { authorization: `Bearer ${plain.token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
      const c = ((await (await post('/api/cases', exampleCase(exampleItem(demoCatalog())))).json()) as { case: { id: string } }).case;
      const r = await post(`/api/cases/${c.id}/receipt/print`);
      expect(r.status).toBe(503);
      expect(((await r.json()) as { error: unknown }).error).toMatchObject({ code: 'printer.unsupportedCommand', message: 'no device offers Printer', job: { state: 'failed' } });
    } finally {
      await plain.stop('test over');
    }
  });

  it('refuses an unknown case or job with 404, and a body with 400', async () => {
    expect((await call('POST', '/api/cases/0190f000-0000-7000-8000-000000000000/receipt/print')).status).toBe(404);
    expect((await call('POST', '/api/cases/nope/receipt/print')).status).toBe(404);
    expect((await call('POST', '/api/print-jobs/0190f000-0000-7000-8000-000000000000/retry')).json.error).toMatchObject({ code: 'printJob.notFound', field: 'id' });
    expect((await call('POST', '/api/print-jobs/x/retry')).status).toBe(404);
    expect((await call('POST', '/api/print-jobs/x/retry', {})).json.error.code).toBe('unexpectedBody');
  });
});
