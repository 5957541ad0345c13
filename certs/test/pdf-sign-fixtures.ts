/**
 * Shared fixtures of the sealed-PDF tests: the seeded demo PKI, one seal per department, a plain
 * two-page PDF, and that PDF sealed once (人社局) and twice (+ 不动产登记中心, an incremental update).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { createDemoPki, type DemoIdentity, type DemoPki } from '../demo-pki.js';
import { sealPdf } from '../pdf/sign.js';
import { createSeal } from '../seal/index.js';

export interface PdfFixture {
  readonly pki: DemoPki;
  readonly hrss: DemoIdentity;
  readonly realEstate: DemoIdentity;
  readonly seal1: Uint8Array;
  readonly seal2: Uint8Array;
  readonly base: Uint8Array;
  /** `base` sealed by hrss with seal1 at `time`. */
  readonly sealed1: Uint8Array;
  /** `sealed1` sealed again by realEstate with seal2 (incremental). */
  readonly sealed2: Uint8Array;
  readonly time: Date;
}

export const SEAL_VALID_START = new Date('2025-06-01T00:00:00Z');
export const SEAL_VALID_END = new Date('2030-06-01T00:00:00Z');

export function sealFor(pki: DemoPki, who: DemoIdentity, options: { validStart?: Date; validEnd?: Date; purpose?: string } = {}): Uint8Array {
  return createSeal({
    makerKey: pki.maker.key,
    makerCert: pki.maker.cert,
    signerCerts: [who.cert],
    name: `${who.name}${options.purpose ?? '业务专用章'}`,
    drawing: { organisation: who.name, purpose: options.purpose ?? '业务专用章' },
    createDate: options.validStart ?? SEAL_VALID_START,
    validStart: options.validStart ?? SEAL_VALID_START,
    validEnd: options.validEnd ?? SEAL_VALID_END,
  });
}

export async function plainPdf(pages = 2): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 0; i < pages; i++) {
    const page = doc.addPage([595.28, 841.89]);
    page.drawText(`Proof page ${i + 1}`, { x: 72, y: 760, size: 18, font });
  }
  return doc.save();
}

let cached: Promise<PdfFixture> | undefined;

export function pdfFixture(): Promise<PdfFixture> {
  cached ??= (async () => {
    const pki = createDemoPki();
    const [hrss, realEstate] = pki.signers as [DemoIdentity, DemoIdentity];
    const seal1 = sealFor(pki, hrss);
    const seal2 = sealFor(pki, realEstate);
    const base = await plainPdf();
    const time = new Date('2026-03-04T05:06:07Z');
    const sealed1 = (await sealPdf(base, { seal: seal1, signerKey: hrss.key, signerCert: hrss.cert, time, documentId: 'TEST-0001' })).pdf;
    const sealed2 = (await sealPdf(sealed1, { seal: seal2, signerKey: realEstate.key, signerCert: realEstate.cert, time: new Date(time.getTime() + 60_000) })).pdf;
    return { pki, hrss, realEstate, seal1, seal2, base, sealed1, sealed2, time };
  })();
  return cached;
}

export function tempDir(prefix = 'tongban-pdf-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
