/**
 * A configured CUPS queue as the A4 printer (devices kind `document`, not demo mode): a certificate issued
 * with a configured signer and the department's record in the body prints through a real, private cupsd
 * (cups-pdf); a stopped queue is refused with the printer's reason and the job kept, and prints once
 * the queue is back. Needs root (the private cupsd), as on the development and CI machines.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privateKeyToPem } from '../../certs/keys.js';
import { exampleData } from '../../certs/pdf/templates/index.js';
import { PrivateCups, type PdfQueue } from '../../drivers/test/helpers/cups.js';
import { IppClient, parseServer } from '../../drivers/docprint/ipp-client.js';
import { startAgent, type RunningAgent } from '../agent.js';
import { EXAMPLE_APPLICANT, exampleCase } from '../cases/index.js';
import { demoCatalog } from '../catalog/catalog.js';
import { requireItem } from '../catalog/index.js';
import { parseConfig } from '../config/config.js';
import { demoIssuer } from '../issuing/issuer.js';
import { apiCall } from './helpers/api.js';

const dir = mkdtempSync(join(tmpdir(), 'tongban-documents-cups-'));
let cups: PrivateCups;
let queue: PdfQueue;
let agent: RunningAgent;

beforeAll(async () => {
  cups = await PrivateCups.start();
  queue = cups.addPdfQueue();
  // The department's signer as an operator keeps it: seal, key (0600) and certificate files.
  const signer = (await demoIssuer()('social-insurance-proof'))!;
  writeFileSync(join(dir, 'seal.der'), signer.seal);
  writeFileSync(join(dir, 'signer.key'), privateKeyToPem(signer.signerKey), { mode: 0o600 });
  writeFileSync(join(dir, 'signer.der'), signer.signerCert);
  const config = parseConfig({
    demo: { enabled: false },
    sync: { endpoints: [] },
    devices: [{ id: 'a4', kind: 'document', label: 'A4打印机', transport: { type: 'cups', queue: queue.name, server: cups.server }, options: { jobTimeoutMs: 30_000 } }],
    issuing: { signers: { 'social-insurance-proof': { seal: join(dir, 'seal.der'), key: join(dir, 'signer.key'), cert: join(dir, 'signer.der') } } },
  });
  agent = await startAgent({ dataDir: join(dir, 'data'), port: 0, logLevel: 'error', config });
}, 60_000);
afterAll(async () => {
  await agent?.stop('test over');
  await cups?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const call = (method: string, path: string, body?: unknown) => apiCall(agent, method, path, body);

describe('A4 printing on a configured CUPS queue', () => {
  it('prints the issued certificate through CUPS; a stopped queue is refused with its reason, the job kept and printed once it is back', async () => {
    const c = (await call('POST', '/api/cases', exampleCase(requireItem(demoCatalog(), '341600-SB-0003')))).json.case;
    // Outside demo mode there is no department to ask: the record comes in the body.
    expect((await call('POST', `/api/cases/${c.id}/issue`, {})).json.error.code).toBe('certificate.noRecord');
    const data = structuredClone(exampleData('social-insurance-proof')) as Record<string, any>;
    data.person.name = EXAMPLE_APPLICANT.name;
    data.person.idNumber = EXAMPLE_APPLICANT.idNumber;
    data.documentId = 'SB-341600-20261122-000777';
    const issued = await call('POST', `/api/cases/${c.id}/issue`, { data });
    expect(issued.status, JSON.stringify(issued.json)).toBe(201);

    const printed = await call('POST', `/api/cases/${c.id}/documents/${data.documentId}/print`);
    expect(printed.status, `${JSON.stringify(printed.json)} ${cups.log()}`).toBe(201);
    expect(printed.json.job).toMatchObject({ kind: 'document', state: 'printed', attempts: 1 });
    expect(queue.pdfs().length, `no PDF in ${queue.outDir}`).toBe(1);

    // An operator stops the queue: refused before anything is sent, with CUPS's reason; the job is kept.
    const client = new IppClient({ server: parseServer(cups.server) });
    await client.pausePrinter(queue.name);
    const refused = await call('POST', `/api/cases/${c.id}/documents/${data.documentId}/print`);
    expect(refused.status).toBe(503);
    expect(refused.json.error).toMatchObject({ code: 'docprint.printerStopped', message: expect.stringMatching(/^A4打印机已暂停 \/ printer .* is stopped/), job: { state: 'failed' } });
    expect(queue.pdfs().length).toBe(1);
    await client.resumePrinter(queue.name);
    const retried = await call('POST', `/api/print-jobs/${refused.json.error.job.id}/retry`);
    expect(retried.json.job).toMatchObject({ state: 'printed', attempts: 2 });
    // cups-pdf writes its file as the job completes
    expect(queue.pdfs().length).toBe(2);
  }, 90_000);
});
