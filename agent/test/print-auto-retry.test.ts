/**
 * Kept receipts print by themselves when the printer is ready again: paper out, two receipts refused
 * (503, jobs kept), the paper refilled through the demo route, and both arrive on the printer simulator,
 * in order, once each, with no retry call; a receipt older than the window waits for a person's retry.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall } from './helpers/api.js';
import { startAgent, type RunningAgent } from '../agent.js';
import { exampleCase, exampleItem } from '../cases/example.js';
import { demoCatalog } from '../catalog/catalog.js';
import { AUTO_RETRY_WINDOW_MS } from '../printing/receipt-jobs.js';

let agent: RunningAgent;
let dataDir: string;
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'tongban-print-auto-'));
  agent = await startAgent({ dataDir, port: 0, logLevel: 'error' });
});
afterAll(async () => {
  await agent?.stop('test over');
  rmSync(dataDir, { recursive: true, force: true });
});

const call = (method: string, path: string, body?: unknown) => apiCall(agent, method, path, body);
const receipts = async (): Promise<{ lines: string[] }[]> => (await call('GET', '/api/demo/receipts')).json.receipts;
const text = (r: { lines: string[] }): string => r.lines.join('').replace(/\s+/g, '');
const pause = (): Promise<void> => new Promise((r) => setTimeout(r, 50));

async function until<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    await pause();
  }
}

async function paper(state: 'ok' | 'out'): Promise<void> {
  expect((await call('PUT', '/api/demo/paper', { paper: state })).status).toBe(200);
  // the printer's idle poll notices the paper (statusPollMs 1 s in demo mode)
  await until(async () => ((await call('GET', '/api/devices/receipt')).json.device?.paper === state ? true : undefined));
}

async function refusedReceipt(): Promise<{ caseSerial: string; jobId: string }> {
  const c = (await call('POST', '/api/cases', exampleCase(exampleItem(demoCatalog())))).json.case;
  const r = await call('POST', `/api/cases/${c.id}/receipt/print`);
  expect(r.status).toBe(503);
  expect(r.json.error.code).toBe('printer.paperOut');
  return { caseSerial: c.serial as string, jobId: r.json.error.job.id as string };
}

const pendingJobs = async (): Promise<{ id: string; state: string; attempts: number }[]> => (await call('GET', '/api/print-jobs')).json.jobs;

describe('receipts kept for paper out print by themselves when the printer is ready', () => {
  it('prints the kept receipts once each, oldest first, on the refill; an old one waits for a retry', async () => {
    await until(async () => ((await call('GET', '/api/devices/receipt')).json.state === 'online' ? true : undefined));
    await paper('out');
    const before = (await receipts()).length;
    const first = await refusedReceipt();
    const second = await refusedReceipt();
    const old = await refusedReceipt();
    // The third was made long ago (as after a night with the printer empty): moved back past the window.
    const db = new Database(join(dataDir, 'store.db'));
    db.prepare('UPDATE print_jobs SET created_at = created_at - ? WHERE id = ?').run(AUTO_RETRY_WINDOW_MS + 60_000, old.jobId);
    db.close();
    expect((await pendingJobs()).map((j) => j.id)).toEqual([old.jobId, first.jobId, second.jobId]);

    await paper('ok'); // no retry call from here on
    const jobs = await until(async () => {
      const p = await pendingJobs();
      return p.length === 1 ? p : undefined;
    });
    expect(jobs).toEqual([expect.objectContaining({ id: old.jobId, state: 'failed', attempts: 1 })]);
    const printed = (await receipts()).slice(before);
    expect(printed.map(text)).toEqual([expect.stringContaining(first.caseSerial), expect.stringContaining(second.caseSerial)]);

    // Another ready (paper out and back) prints nothing again: the two are printed, the old one is out of the window.
    await paper('out');
    await paper('ok');
    await until(async () => ((await call('GET', '/api/devices/receipt')).json.state === 'online' ? true : undefined));
    expect((await receipts()).length).toBe(before + 2);
    expect(await pendingJobs()).toEqual([expect.objectContaining({ id: old.jobId, state: 'failed', attempts: 1 })]);

    // A person's retry prints the old one, once.
    const retried = await call('POST', `/api/print-jobs/${old.jobId}/retry`);
    expect(retried.json.job).toMatchObject({ id: old.jobId, state: 'printed', attempts: 2 });
    const all = (await receipts()).slice(before);
    expect(all.map(text)).toEqual([expect.stringContaining(first.caseSerial), expect.stringContaining(second.caseSerial), expect.stringContaining(old.caseSerial)]);
    const db2 = new Database(join(dataDir, 'store.db'), { readonly: true });
    const rows = db2.prepare('SELECT id, attempts, state FROM print_jobs WHERE id IN (?, ?)').all(first.jobId, second.jobId) as { attempts: number; state: string }[];
    db2.close();
    expect(rows.map((r) => [r.state, r.attempts])).toEqual([
      ['printed', 2],
      ['printed', 2],
    ]);
  });
});
