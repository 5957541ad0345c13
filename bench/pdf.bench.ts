/**
 * Sealed certificate PDFs, the figures issue #3 sets targets for: issuing one (template rendered, then
 * sealed: SES_Signature over the ByteRange) in at most 150 ms median once warm, verifying one in at most
 * 30 ms, at most 400 KB per certificate. Render and seal are also measured apart, and a second seal
 * (incremental update) and the verification of a twice-sealed file, to show where the time goes.
 */
import { createDemoPki, type DemoIdentity } from '../certs/demo-pki.js';
import { issueSealedDocument } from '../certs/pdf/sign-issue.js';
import { sealPdf } from '../certs/pdf/sign.js';
import { exampleData, listTemplates, renderTemplate } from '../certs/pdf/templates/index.js';
import { verifyPdf } from '../certs/pdf/verify.js';
import { createSeal } from '../certs/seal/index.js';
import type { BenchModule } from './lib.js';

const TEMPLATE = 'social-insurance-proof';

function sealOf(pki: ReturnType<typeof createDemoPki>, who: DemoIdentity): Uint8Array {
  return createSeal({
    makerKey: pki.maker.key,
    makerCert: pki.maker.cert,
    signerCerts: [who.cert],
    name: `${who.name}业务专用章`,
    drawing: { organisation: who.name, purpose: '业务专用章' },
  });
}

function mustHold(ok: boolean, what: string): void {
  if (!ok) throw new Error(`benchmark setup: ${what}`);
}

const bench: BenchModule = {
  description: 'sealed certificate PDFs: issue (render + seal), verify, size; a second seal by incremental update',
  async run(b) {
    const pki = createDemoPki();
    const [hrss, realEstate] = pki.signers as [DemoIdentity, DemoIdentity];
    const seal1 = sealOf(pki, hrss);
    const seal2 = sealOf(pki, realEstate);
    const data = exampleData(TEMPLATE);
    const trusted = [pki.root.cert];
    const issue = () => issueSealedDocument({ template: TEMPLATE, data, seal: seal1, signerKey: hrss.key, signerCert: hrss.cert });

    const doc = await issue();
    const twice = await sealPdf(doc.pdf, { seal: seal2, signerKey: realEstate.key, signerCert: realEstate.cert });
    mustHold(verifyPdf(doc.pdf, { trusted }).valid, 'the issued certificate verifies');
    mustHold(verifyPdf(twice.pdf, { trusted }).valid, 'the twice-sealed certificate verifies');

    const issued = await b.measure(`issue a sealed certificate (${TEMPLATE}: render + seal)`, issue, { minTimeMs: 6000, warmupMs: 1500 });
    const rendered = await renderTemplate(TEMPLATE, data);
    const spot = { pageIndex: rendered.sealSpot.page, centerX: rendered.sealSpot.x, centerY: rendered.sealSpot.y };
    await b.measure('  of which: render the template', () => renderTemplate(TEMPLATE, data), { minTimeMs: 3000 });
    await b.measure('  of which: seal the rendered PDF', () => sealPdf(rendered.pdf, { seal: seal1, signerKey: hrss.key, signerCert: hrss.cert, placement: spot }), {
      minTimeMs: 3000,
    });
    await b.measure('add a second seal (incremental update)', () => sealPdf(doc.pdf, { seal: seal2, signerKey: realEstate.key, signerCert: realEstate.cert }), {
      minTimeMs: 3000,
    });
    const verified = await b.measure('verify a sealed certificate (1 seal)', () => verifyPdf(doc.pdf, { trusted }), { minTimeMs: 4000, warmupMs: 1000 });
    await b.measure('verify a twice-sealed certificate (2 seals)', () => verifyPdf(twice.pdf, { trusted }), { minTimeMs: 3000 });

    b.limit('issue a sealed certificate: median', issued.medianMs!, 'ms', { atMost: 150 });
    b.limit('verify a sealed certificate: median', verified.medianMs!, 'ms', { atMost: 30 });
    for (const t of listTemplates()) {
      const d = await issueSealedDocument({ template: t.name, data: exampleData(t.name), seal: seal1, signerKey: hrss.key, signerCert: hrss.cert });
      b.limit(`size of a sealed ${t.name} (${d.pageCount} page(s))`, d.pdf.length / 1024, 'KB', { atMost: 400 });
    }
    b.limit(`size after a second seal (${TEMPLATE})`, twice.pdf.length / 1024, 'KB', { atMost: 400 });
    b.note(
      `p95 once warm: issue ${issued.p95Ms!.toFixed(1)} ms, verify ${verified.p95Ms!.toFixed(1)} ms (wall clock; ` +
        'a verification scans the file, hashes the covered bytes with SM3 and makes 4 SM2 verifications per seal: signer, seal maker, and both certificate chains).',
    );
    b.note(
      `the seal (SESeal: its SVG picture, the maker's and the signer's certificates) is ${seal1.length} bytes; each signature's ` +
        '/Contents carries it, with the signer certificate, as hex (twice the bytes), and the page draws the picture as vectors.',
    );
  },
};

export default bench;
