/** 证明开具 on site: a real certificate rendered and sealed through certs, stored with the case, audited. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../base/log.js';
import { createDemoPki } from '../../certs/demo-pki.js';
import { verifyPdf } from '../../certs/pdf/verify.js';
import { exampleData } from '../../certs/pdf/templates/index.js';
import { createSeal } from '../../certs/seal/index.js';
import { sm3Hex } from '../../certs/sm3.js';
import { verifyAudit } from '../audit/verify.js';
import { CaseService } from '../cases/case-service.js';
import { EXAMPLE_APPLICANT, exampleCase } from '../cases/index.js';
import { ensureCatalog, requireItem, type Catalog } from '../catalog/index.js';
import { openFieldCipher } from '../pii/field-cipher.js';
import { openStore, type Store } from '../store/store.js';

let dir: string;
let store: Store;
let catalog: Catalog;
let service: CaseService;
const pki = createDemoPki();
const hrss = pki.signers[0]!;
const time = new Date('2026-11-21T08:00:00Z');
const seal = createSeal({
  makerKey: pki.maker.key,
  makerCert: pki.maker.cert,
  signerCerts: [hrss.cert],
  name: `${hrss.name}业务专用章`,
  drawing: { organisation: hrss.name, purpose: '业务专用章' },
  createDate: new Date('2025-06-01T00:00:00Z'),
  validStart: new Date('2025-06-01T00:00:00Z'),
  validEnd: new Date('2030-06-01T00:00:00Z'),
});

/** The department's record for the applicant (what the endpoint would send): the template example, about 王演示. */
function recordFor(idNumber: string): object {
  const data = structuredClone(exampleData('social-insurance-proof')) as { person: { name: string; idNumber: string } };
  data.person.name = EXAMPLE_APPLICANT.name;
  data.person.idNumber = idNumber;
  return data;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tongban-issue-'));
  store = openStore({ dataDir: dir, log: silentLogger, cipher: openFieldCipher({ dataDir: dir }) });
  catalog = ensureCatalog(store);
  service = new CaseService({ store, catalog: () => catalog });
});
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('CaseService.issueOnSite', () => {
  it('issues the sealed certificate, stores it encrypted with the case, and completes the case with it', async () => {
    const { case: c } = service.submit(exampleCase(requireItem(catalog, '341600-SB-0003')));
    const { case: done, pdf, documentId } = await service.issueOnSite(c.id, { data: recordFor(EXAMPLE_APPLICANT.idNumber), seal, signerKey: hrss.key, signerCert: hrss.cert.der, time });
    expect(done.status).toBe('completed');
    expect(done.history.map((h) => `${h.from}>${h.to}:${h.actor}`)).toEqual(['draft>submitted:kiosk', 'submitted>accepted:kiosk', 'accepted>completed:kiosk']);
    expect(done.results).toEqual([{ kind: '证明', name: expect.stringContaining('社会保险参保缴费证明'), documentId, sm3: sm3Hex(pdf), template: 'social-insurance-proof' }]);
    const verdict = verifyPdf(pdf, { trusted: [pki.root.cert], at: time });
    expect(verdict.valid).toBe(true);
    const [cert] = store.certificates.forCase(c.id);
    expect(cert).toMatchObject({ documentId, template: 'social-insurance-proof', sm3: sm3Hex(pdf) });
    const [file] = store.materials.forCase(c.id);
    expect(file!.materialId).toBe(`result:${documentId}`);
    expect(store.materials.read(file!)).toEqual(pdf);
    const audit = store.db.prepare('SELECT type FROM audit_log ORDER BY seq').all() as { type: string }[];
    expect(audit.map((a) => a.type)).toEqual(['admin', 'caseTransition', 'certificateIssued', 'caseTransition', 'caseTransition']);
    expect(verifyAudit(store.db)).toMatchObject({ ok: true });
    expect(store.outbox.due(Number.MAX_SAFE_INTEGER).filter((e) => e.caseId === c.id).map((e) => (e.payload as { to?: string }).to ?? e.kind)).toEqual(['case.submitted', 'accepted', 'completed']);
  });

  it('refuses data about someone else, an item not issued on site, and a finished case', async () => {
    const { case: c } = service.submit(exampleCase(requireItem(catalog, '341600-SB-0003')));
    const req = { seal, signerKey: hrss.key, signerCert: hrss.cert.der, time };
    await expect(service.issueOnSite(c.id, { ...req, data: recordFor('11010519491231002X') })).rejects.toThrow('not about the applicant of this case');
    expect(service.get(c.id)).toMatchObject({ status: 'submitted' });
    const { case: remote } = service.submit(exampleCase(requireItem(catalog, '341600-GJJ-0002')));
    await expect(service.issueOnSite(remote.id, { ...req, data: recordFor(EXAMPLE_APPLICANT.idNumber) })).rejects.toThrow('is not issued on site');
    service.transition(c.id, { to: 'uploaded', actor: 'kiosk' });
    await expect(service.issueOnSite(c.id, { ...req, data: recordFor(EXAMPLE_APPLICANT.idNumber) })).rejects.toThrow('for a submitted or accepted case');
  });

  it('a template data problem is named and nothing is written', async () => {
    const { case: c } = service.submit(exampleCase(requireItem(catalog, '341600-SB-0003')));
    const data = recordFor(EXAMPLE_APPLICANT.idNumber) as { insuredUnit?: string };
    delete data.insuredUnit;
    await expect(service.issueOnSite(c.id, { data, seal, signerKey: hrss.key, signerCert: hrss.cert.der, time })).rejects.toThrow(/insuredUnit/);
    expect(store.certificates.forCase(c.id)).toEqual([]);
    expect(service.get(c.id)).toMatchObject({ status: 'submitted' });
  });
});
