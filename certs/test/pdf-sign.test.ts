/**
 * sealPdf and issueSealedDocument: the SES_Signature in /Contents (what it binds), where the seal is
 * drawn, PNG seal pictures, default spots for further seals, and what is refused.
 */
import { PDFDocument, PDFName, type PDFArray, type PDFDict, type PDFNumber } from 'pdf-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../base/errors.js';
import { latin1 } from '../pdf/parse.js';
import { PT_PER_MM } from '../pdf/sign-appearance.js';
import { issueSealedDocument } from '../pdf/sign-issue.js';
import { defaultPlacement, sealPdf } from '../pdf/sign.js';
import { exampleData, renderTemplate } from '../pdf/templates/index.js';
import { verifyPdf } from '../pdf/verify.js';
import { createSeal, parseSesSignature, renderSealPng } from '../seal/index.js';
import { sm3 } from '../sm3.js';
import { pdfFixture, SEAL_VALID_END, SEAL_VALID_START, type PdfFixture } from './pdf-sign-fixtures.js';

let fx: PdfFixture;
beforeAll(async () => {
  fx = await pdfFixture();
});

/** The SES_Signature of the n-th /Contents in the file, and the ByteRange over it. */
function sesAt(bytes: Uint8Array, n = 0) {
  const all = [...latin1(bytes).matchAll(/\/ByteRange \[0 (\d+) (\d+) (\d+) *\]/g)];
  const [, a, b, c] = all[n]!.map(Number) as [number, number, number, number];
  const hex = latin1(bytes, a + 1, b - 1);
  const der = Buffer.from(hex, 'hex');
  const len = der[1]! & 0x80 ? der.readUIntBE(2, der[1]! & 0x7f) + 2 + (der[1]! & 0x7f) : der[1]! + 2;
  return { sig: parseSesSignature(new Uint8Array(der.subarray(0, len))), range: [0, a, b, c] as const };
}

function widgets(doc: PDFDocument, pageIndex: number): { rect: number[]; name: string }[] {
  const annots = doc.getPage(pageIndex).node.Annots();
  if (!annots) return [];
  return annots.asArray().map((ref) => {
    const w = doc.context.lookup(ref) as PDFDict;
    const rect = (w.get(PDFName.of('Rect')) as PDFArray).asArray().map((n) => (n as PDFNumber).asNumber());
    return { rect, name: String(w.get(PDFName.of('T'))) };
  });
}

describe('sealPdf', () => {
  it('puts an SES_Signature in /Contents that binds the seal, the time, the ByteRange hash and the document id', () => {
    const { sig, range } = sesAt(fx.sealed1);
    const bytes = fx.sealed1;
    expect(sig.dataHash).toEqual(sm3(Buffer.concat([bytes.subarray(0, range[1]), bytes.subarray(range[2], range[2] + range[3])])));
    expect(sig.seal.der).toEqual(fx.seal1);
    expect(sig.signerCert).toEqual(fx.hrss.cert.der);
    expect(sig.signingTime).toEqual(fx.time);
    expect(sig.propertyInfo).toBe(`TEST-0001 /ByteRange [${range.join(' ')}]`);
    expect(sig.version).toBe(4);
  });

  it('writes /Name, /Reason and /M into the signature dictionary', () => {
    const text = latin1(fx.sealed1);
    const nameHex = Buffer.from('\ufeff亳州市人力资源和社会保障局业务专用章', 'utf16le').swap16().toString('hex');
    expect(text.toLowerCase()).toContain(`/name <${nameHex}>`);
    expect(text).toMatch(/\/Reason <FEFF/i);
    expect(text).toMatch(/\/M \(D:20260304\d{6}[+-]\d\d'\d\d'\)/);
  });

  it('draws the seal at its real size (from the seal picture, in mm) centred on the spot', async () => {
    const doc = await PDFDocument.load(fx.sealed2);
    const ws = widgets(doc, 1);
    expect(ws).toHaveLength(2);
    for (const w of ws) {
      expect(w.rect[2]! - w.rect[0]!).toBeCloseTo(42 * PT_PER_MM, 1);
      expect(w.rect[3]! - w.rect[1]!).toBeCloseTo(42 * PT_PER_MM, 1);
    }
    // The second went beside the first, to its left, on the same line, 24 pt apart.
    const [a, b] = [ws[0]!, ws[1]!];
    expect(b.rect[1]).toBeCloseTo(a.rect[1]!, 1);
    expect(a.rect[0]! - b.rect[2]!).toBeCloseTo(24, 1);
  });

  it('seals with a PNG seal picture too, first and incremental', async () => {
    const png = renderSealPng({ organisation: fx.realEstate.name, purpose: '业务专用章', diameterMm: 40 }, { dpi: 150 });
    const seal = createSeal({
      makerKey: fx.pki.maker.key,
      makerCert: fx.pki.maker.cert,
      signerCerts: [fx.realEstate.cert],
      name: `${fx.realEstate.name}（PNG）`,
      picture: { type: 'PNG', data: png, widthMm: 40, heightMm: 40 },
      validStart: SEAL_VALID_START,
      validEnd: SEAL_VALID_END,
    });
    const first = await sealPdf(fx.base, { seal, signerKey: fx.realEstate.key, signerCert: fx.realEstate.cert, time: fx.time });
    const second = await sealPdf(fx.sealed1, { seal, signerKey: fx.realEstate.key, signerCert: fx.realEstate.cert, time: fx.time });
    expect([first.mode, second.mode]).toEqual(['rewrite', 'incremental']);
    for (const r of [first, second]) {
      expect(verifyPdf(r.pdf, { trusted: [fx.pki.root.cert] }).valid).toBe(true);
      // The image and its alpha mask are in the file, and pdf-lib can read it back.
      const text = latin1(r.pdf);
      expect(text).toMatch(/\/Subtype \/Image/);
      expect(text).toMatch(/\/SMask \d+ 0 R/);
      await expect(PDFDocument.load(r.pdf)).resolves.toBeDefined();
    }
  });

  it('refuses a signer the seal does not list, a key that is not the certificate\'s, and a bad seal', async () => {
    const args = { signerKey: fx.realEstate.key, signerCert: fx.realEstate.cert, time: fx.time };
    await expect(sealPdf(fx.base, { ...args, seal: fx.seal1 })).rejects.toThrow(/not one of the seal's signer certificates/);
    await expect(sealPdf(fx.base, { seal: fx.seal1, signerKey: fx.realEstate.key, signerCert: fx.hrss.cert })).rejects.toThrow(/does not belong/);
    await expect(sealPdf(fx.base, { ...args, seal: new Uint8Array([0x30, 0x03, 1, 2, 3]) })).rejects.toBeInstanceOf(InputError);
    await expect(sealPdf(new TextEncoder().encode('not a pdf'), { ...args, seal: fx.seal2, placement: { pageIndex: 0, centerX: 100, centerY: 100 } })).rejects.toThrow(
      /cannot read the PDF/,
    );
    await expect(sealPdf(fx.base, { ...args, seal: fx.seal2, placement: { pageIndex: 0, centerX: Number.NaN, centerY: 1 } })).rejects.toThrow(/seal position/);
  });

  it('damaged input gives a sealed file or an InputError, never another error', async () => {
    let seed = 7;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return Math.floor((seed / 0x80000000) * n);
    };
    const outcomes = { sealed: 0, refused: 0 };
    for (let i = 0; i < 48; i++) {
      const src = i % 2 ? fx.sealed2 : fx.base; // the incremental path and the pdf-lib path
      let b = Uint8Array.from(src);
      if (i % 3 === 0) for (let k = 0; k < 4; k++) b[rand(b.length)] = rand(256);
      else if (i % 3 === 1) b = b.subarray(0, rand(b.length));
      else {
        const at = rand(b.length);
        b = Uint8Array.from([...b.subarray(0, at), ...Buffer.from('[[[<<(/ByteRange 99999999999999999999999 0 R'), ...b.subarray(at)]);
      }
      try {
        await sealPdf(b, { seal: fx.seal2, signerKey: fx.realEstate.key, signerCert: fx.realEstate.cert, time: fx.time });
        outcomes.sealed++;
      } catch (err) {
        if (!(err instanceof InputError)) throw new Error(`mutation ${i}: ${String(err)}`, { cause: err });
        outcomes.refused++;
      }
    }
    expect(outcomes.refused).toBeGreaterThan(0);
  });

  it('picks default spots: low right on an unsealed page; beside the last seal; on a requested page', async () => {
    const size = { widthPt: 119, heightPt: 119 };
    const fresh = await defaultPlacement(fx.base, size);
    expect(fresh).toEqual({ pageIndex: 1, centerX: 595.28 - 40 * PT_PER_MM, centerY: 60 * PT_PER_MM });
    const beside = await defaultPlacement(fx.sealed1, size);
    const first = fresh; // sealed1 was sealed at the default spot
    expect(beside.pageIndex).toBe(1);
    expect(beside.centerY).toBeCloseTo(first.centerY, 1);
    expect(first.centerX - beside.centerX).toBeCloseTo(42 * PT_PER_MM / 2 + 24 + 119 / 2, 0);
    expect(await defaultPlacement(fx.sealed1, size, 0)).toMatchObject({ pageIndex: 0, centerY: 60 * PT_PER_MM });
    await expect(defaultPlacement(fx.sealed1, size, 5)).rejects.toThrow(/no page 6/);
  });
});

describe('issueSealedDocument', () => {
  it('renders the template and seals it over the issuing organisation at the template\'s spot', async () => {
    const data = exampleData('social-insurance-proof');
    const time = new Date('2026-03-04T05:06:07Z');
    const issued = await issueSealedDocument({ template: 'social-insurance-proof', data, seal: fx.seal1, signerKey: fx.hrss.key, signerCert: fx.hrss.cert, time });
    const plain = await renderTemplate('social-insurance-proof', data, { creationDate: time });
    expect(issued.documentId).toBe(plain.documentId);
    expect(issued.templateDataHash).toBe(plain.dataHash);
    expect(issued.placement).toEqual({ pageIndex: plain.sealSpot.page, centerX: plain.sealSpot.x, centerY: plain.sealSpot.y });
    expect(issued.mode).toBe('rewrite');
    const v = verifyPdf(issued.pdf, { trusted: [fx.pki.root.cert] });
    expect(v.valid).toBe(true);
    const { sig } = sesAt(issued.pdf);
    expect(sig.propertyInfo.startsWith(`${plain.documentId} /ByteRange [0 `)).toBe(true);
    expect(issued.pdf.length).toBeLessThan(400 * 1024);
  });

  it('refuses bad data naming the field', async () => {
    const data = exampleData('social-insurance-proof') as Record<string, unknown>;
    delete data.documentId;
    await expect(issueSealedDocument({ template: 'social-insurance-proof', data, seal: fx.seal1, signerKey: fx.hrss.key, signerCert: fx.hrss.cert })).rejects.toThrow(
      /documentId/,
    );
    await expect(issueSealedDocument({ template: 'no-such-template', data, seal: fx.seal1, signerKey: fx.hrss.key, signerCert: fx.hrss.cert })).rejects.toThrow(
      /unknown template/,
    );
  });
});
