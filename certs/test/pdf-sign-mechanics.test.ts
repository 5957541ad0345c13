/**
 * The byte mechanics of PDF signatures, independent of the seal format: placeholders filled without
 * moving a byte, the first signature by pdf-lib, later ones by incremental updates that leave earlier
 * ones intact, and what outside readers (poppler) make of the result. /Contents here holds a plain SM2
 * signature over the ByteRange hash; the seal format is tested in pdf-sign.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { PdfFile, latin1 } from '../pdf/parse.js';
import { arcToCubics, pathToPdf, sealAppearance, svgToPdfContent } from '../pdf/sign-appearance.js';
import { addSignatureField, pdfDate, type SignedField } from '../pdf/sign-field.js';
import { byteRangeDigest, type ByteRange } from '../pdf/sign-placeholder.js';
import { sm3 } from '../sm3.js';
import { generateKeyPair, sign, verify } from '../sm2.js';

const dir = mkdtempSync(join(tmpdir(), 'tongban-pdf-mech-'));
const keys = generateKeyPair();

/** A small seal-like SVG: a ring of two opposite circles and a star (the subset seal pictures use). */
const SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="40mm" height="40mm" viewBox="0 0 40 40"><title>t</title>' +
  '<g fill="#E60012" fill-rule="nonzero" stroke="none">' +
  '<path d="M0.5 20A19.5 19.5 0 1 1 39.5 20A19.5 19.5 0 1 1 0.5 20ZM1.7 20A18.3 18.3 0 1 0 38.3 20A18.3 18.3 0 1 0 1.7 20Z"/>' +
  '<path d="M20 13L21.6 18H26.7L22.6 21L24.2 26L20 23L15.8 26L17.4 21L13.3 18H18.4Z"/>' +
  '</g></svg>';
const appearance = sealAppearance({ type: 'SVG', data: Buffer.from(SVG), widthMm: 40, heightMm: 40 });

async function samplePdf(pages = 1, objectStreams = false): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 0; i < pages; i++) {
    const page = doc.addPage([595.28, 841.89]);
    page.drawText(`Certificate page ${i + 1}`, { x: 72, y: 760, size: 18, font });
    page.drawText('Issued by the Example Bureau, 2026-01-02', { x: 300, y: 200, size: 10, font });
  }
  return doc.save({ useObjectStreams: objectStreams });
}

const signHash = (h: Uint8Array): Uint8Array => sign(keys.privateKey, h);

function contentsOf(bytes: Uint8Array, range: ByteRange): Uint8Array {
  const hex = latin1(bytes, range[1] + 1, range[2] - 1);
  const raw = Buffer.from(hex, 'hex');
  // DER SEQUENCE { r, s } then zero padding.
  return new Uint8Array(raw.subarray(0, raw[1]! + 2));
}

function checkSignature(bytes: Uint8Array, range: ByteRange): void {
  expect(range[0]).toBe(0);
  expect(bytes[range[1]]).toBe(0x3c); // '<'
  expect(bytes[range[2] - 1]).toBe(0x3e); // '>'
  expect(range[2] + range[3]).toBeLessThanOrEqual(bytes.length);
  const hash = byteRangeDigest(bytes, range);
  expect(verify(keys.publicKey, hash, contentsOf(bytes, range))).toBe(true);
}

describe('SVG seal picture to PDF vectors', () => {
  it('turns lines, quadratics and arcs into m/l/c/h operators', () => {
    expect(pathToPdf('M0 0L10 0Z')).toBe('0 0 m\n10 0 l\nh');
    expect(pathToPdf('M0 0Q5 10 10 0')).toBe('0 0 m\n3.3333 6.6667 6.6667 6.6667 10 0 c');
    expect(pathToPdf('m1 1l2 0h3v4')).toBe('1 1 m\n3 1 l\n6 1 l\n6 5 l');
  });

  it('draws an arc through the right points (sweep 1 runs clockwise on screen)', () => {
    const segs = arcToCubics(0, 5, 5, 5, 0, true, true, 10, 5);
    expect(segs).toHaveLength(2);
    const [mx, my] = segs[0]!.slice(4);
    expect(mx).toBeCloseTo(5);
    expect(my).toBeCloseTo(0);
    expect(segs[1]!.slice(4)).toEqual([10, 5]);
    // Control points of a quarter circle sit at kappa = 0.5523 of the radius.
    expect(segs[0]![1]).toBeCloseTo(5 - 0.5523 * 5, 3);
  });

  it('scales the viewBox to points and flips y, filling with the picture colour', () => {
    const content = svgToPdfContent(SVG, 113.386, 113.386);
    expect(content.split('\n').slice(0, 4)).toEqual(['q', '/GS0 gs', '2.8346 0 0 -2.8346 0 113.386 cm', '0.902 0 0.0706 rg']);
    expect(content.match(/\bf$/gm)).toHaveLength(2);
  });

  it('refuses what it cannot draw faithfully', () => {
    const bad = (body: string) => () => svgToPdfContent(`<svg viewBox="0 0 10 10">${body}</svg>`, 10, 10);
    expect(bad('<text>印</text>')).toThrow(/<text>/);
    expect(bad('<g transform="rotate(3)"><path d="M0 0L1 1"/></g>')).toThrow(/transforms/);
    expect(bad('<path fill="hsl(0,100%,50%)" d="M0 0L1 1"/>')).toThrow(/colour/);
    expect(bad('<path d="0 0L1 1"/>')).toThrow(/start with a command/);
    expect(() => svgToPdfContent('<svg><path d="M0 0"/></svg>', 10, 10)).toThrow(/viewBox/);
    expect(() => sealAppearance({ type: 'BMP', data: new Uint8Array(4), widthMm: 40, heightMm: 40 })).toThrow(/BMP/);
    expect(() => sealAppearance({ type: 'SVG', data: Buffer.from(SVG), widthMm: 4000, heightMm: 40 })).toThrow(/size/);
  });
});

/** A PDF written by hand (classic xref), for structures pdf-lib never writes. */
function handMadePdf(objects: string[]): Uint8Array {
  let out = '%PDF-1.7\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f\r\n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n\r\n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(out, 'latin1'));
}

describe('incremental update on structures pdf-lib does not write', () => {
  it('a direct AcroForm with indirect /Fields, an indirect /Annots, a nested page tree, an inherited MediaBox', async () => {
    const input = handMadePdf([
      '<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields 6 0 R /DA (/Helv 0 Tf 0 g) >> >>',
      '<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 420 595] >>',
      '<< /Type /Pages /Parent 2 0 R /Kids [4 0 R] /Count 1 >>',
      '<< /Type /Page /Parent 3 0 R /Annots 5 0 R /Contents 8 0 R >>',
      '[7 0 R]',
      '[7 0 R]',
      '<< /Type /Annot /Subtype /Widget /FT /Sig /T (Old) /Rect [10 10 50 50] /P 4 0 R /V 9 0 R >>',
      '<< /Length 44 >>\nstream\nBT /F1 12 Tf 72 500 Td (A5 page text) Tj ET\nendstream',
      '<< /Type /Sig /ByteRange [0 0 0 0] /Contents <00> >>',
    ]);
    const time = new Date('2026-01-02T03:04:05Z');
    const signed = await addSignatureField(input, { appearance, contentsSize: 256, time, sign: signHash, placement: { pageIndex: 0, centerX: 300, centerY: 150 } });
    expect(signed.mode).toBe('incremental');
    expect(signed.fieldName).toBe('Seal2');
    checkSignature(signed.bytes, signed.range);
    expect(Buffer.from(signed.bytes.subarray(0, input.length)).equals(Buffer.from(input))).toBe(true);
    const file = new PdfFile(signed.bytes);
    // The indirect arrays were rewritten in place (same object numbers); the catalog got the form.
    const annots = file.resolve(file.getObject(5)!.value) as { items: unknown[] };
    const fields = file.resolve(file.getObject(6)!.value) as { items: unknown[] };
    expect(annots.items).toHaveLength(2);
    expect(fields.items).toHaveLength(2);
    const form = file.root.dict.entries.get('AcroForm') as { entries: Map<string, unknown> };
    expect(form.entries.get('SigFlags')).toBe(3);
    expect(form.entries.get('Fields')).toEqual({ kind: 'ref', num: 6, gen: 0 });
    const doc = await PDFDocument.load(signed.bytes);
    expect(doc.getForm().getFields().map((f) => f.getName())).toEqual(['Old', 'Seal2']);
    const { pageSizes } = await import('../pdf/sign-field.js');
    expect(pageSizes(signed.bytes)).toEqual([{ width: 420, height: 595 }]);
    writeFileSync(join(dir, 'hand.pdf'), signed.bytes);
    const out = execFileSync('pdfsig', [join(dir, 'hand.pdf')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    expect(out).toContain('Signature Field Name: Seal2');
  });

  it('refuses a page tree with a cycle, and an xref whose /Prev loops', async () => {
    const cyclic = handMadePdf([
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      '<< /Type /Pages /Kids [2 0 R] /Count 1 >>',
      '<< /Type /Sig /ByteRange [0 0 0 0] /Contents <00> >>',
    ]);
    await expect(addSignatureField(cyclic, { appearance, contentsSize: 256, time: new Date(), sign: signHash, placement: { pageIndex: 0, centerX: 1, centerY: 1 } })).rejects.toThrow(
      /cycle/,
    );
    const text = latin1(cyclic);
    const xrefAt = text.lastIndexOf('xref\n0 ');
    const looping = text.replace('/Root 1 0 R >>', `/Root 1 0 R /Prev ${xrefAt} >>`);
    expect(() => new PdfFile(new Uint8Array(Buffer.from(looping, 'latin1')))).toThrow(/cycle through \/Prev/);
  });
});

describe('signature placeholders and incremental updates', () => {
  let input: Uint8Array;
  let first: SignedField;
  let second: SignedField;
  let third: SignedField;
  const time = new Date('2026-01-02T03:04:05Z');

  beforeAll(async () => {
    input = await samplePdf(2);
    const field = { appearance, contentsSize: 256, time, sign: signHash };
    first = await addSignatureField(input, { ...field, placement: { pageIndex: 1, centerX: 420, centerY: 200 }, name: '第一', reason: 'issued' });
    second = await addSignatureField(first.bytes, { ...field, placement: { pageIndex: 1, centerX: 300, centerY: 200 }, name: 'Second' });
    third = await addSignatureField(second.bytes, { ...field, placement: { pageIndex: 0, centerX: 300, centerY: 400 }, name: 'Third' });
    writeFileSync(join(dir, 'one.pdf'), first.bytes);
    writeFileSync(join(dir, 'two.pdf'), second.bytes);
    writeFileSync(join(dir, 'three.pdf'), third.bytes);
  });

  it('first signature: pdf-lib rewrite, ByteRange over the whole file but /Contents, SM3 of those bytes signed', () => {
    expect(first.mode).toBe('rewrite');
    expect(first.range[2] + first.range[3]).toBe(first.bytes.length);
    checkSignature(first.bytes, first.range);
    expect(first.dataHash).toEqual(sm3(Buffer.concat([first.bytes.subarray(0, first.range[1]), first.bytes.subarray(first.range[2])])));
    const text = latin1(first.bytes);
    expect(text).toMatch(/\/Type \/Sig/);
    expect(text).toMatch(/\/Filter \/GB\.SES/);
    expect(text).toMatch(/\/SubFilter \/GB\.SES_Signature/);
    expect(text).toMatch(/\/SigFlags 3/);
    expect(text).toContain(`(${pdfDate(time)})`);
    // The ByteRange was written in place of the fixed-width placeholder, padded with spaces.
    expect(text).toMatch(new RegExp(`/ByteRange \\[0 ${first.range[1]} ${first.range[2]} ${first.range[3]} +\\]`));
    // Saved without object streams: a classic xref table our reader follows.
    expect(new PdfFile(first.bytes).sections).toHaveLength(1);
  });

  it('later signatures are appended: earlier bytes unchanged, earlier signatures still valid', () => {
    expect(second.mode).toBe('incremental');
    expect(third.mode).toBe('incremental');
    expect(Buffer.from(second.bytes.subarray(0, first.bytes.length)).equals(Buffer.from(first.bytes))).toBe(true);
    expect(Buffer.from(third.bytes.subarray(0, second.bytes.length)).equals(Buffer.from(second.bytes))).toBe(true);
    for (const s of [first, second, third]) checkSignature(third.bytes, s.range);
    // Each earlier signature covers exactly its revision; the last covers the whole file.
    expect(first.range[2] + first.range[3]).toBe(first.bytes.length);
    expect(second.range[2] + second.range[3]).toBe(second.bytes.length);
    expect(third.range[2] + third.range[3]).toBe(third.bytes.length);
    expect([second.fieldName, third.fieldName]).toEqual(['Seal2', 'Seal3']);
  });

  it('the update chain reads back: xref sections linked by /Prev, fields and widgets in place', async () => {
    const file = new PdfFile(third.bytes);
    expect(file.sections.map((s) => s.offset)).toEqual([
      file.startXref,
      new PdfFile(second.bytes).startXref,
      new PdfFile(first.bytes).startXref,
    ]);
    const doc = await PDFDocument.load(third.bytes);
    const fields = doc.getForm().getFields().map((f) => f.getName());
    expect(fields).toEqual(['Seal1', 'Seal2', 'Seal3']);
    expect(doc.getPage(1).node.Annots()?.size()).toBe(2);
    expect(doc.getPage(0).node.Annots()?.size()).toBe(1);
  });

  it('poppler reads every signature field and sees which one covers the whole document', () => {
    const out = execFileSync('pdfsig', [join(dir, 'three.pdf')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    expect(out.match(/Signature Field Name: Seal\d/g)).toEqual([
      'Signature Field Name: Seal1',
      'Signature Field Name: Seal2',
      'Signature Field Name: Seal3',
    ]);
    expect(out.match(/Total document signed/g)).toHaveLength(1);
    expect(out.match(/Not total document signed/g)).toHaveLength(2);
    expect(out).toContain(`Signed Ranges: [0 - ${third.range[1]}], [${third.range[2]} - ${third.range[2] + third.range[3]}]`);
  });

  it('the document text still reads (the seal is drawn as paths, not text)', () => {
    const text = execFileSync('pdftotext', [join(dir, 'three.pdf'), '-'], { encoding: 'utf8' });
    expect(text).toContain('Certificate page 1');
    expect(text).toContain('Issued by the Example Bureau, 2026-01-02');
  });

  it('places the widget at the spot with the appearance at its real size', async () => {
    const doc = await PDFDocument.load(first.bytes);
    const annots = doc.getPage(1).node.Annots()!;
    const widget = doc.context.lookup(annots.get(0)) as unknown as { get(n: unknown): { asArray(): { asNumber(): number }[] } };
    const { PDFName } = await import('pdf-lib');
    const rect = widget.get(PDFName.of('Rect')).asArray().map((n) => n.asNumber());
    const size = (40 / 25.4) * 72;
    expect(rect[0]).toBeCloseTo(420 - size / 2, 1);
    expect(rect[2]! - rect[0]!).toBeCloseTo(size, 1);
    expect(rect[3]! - rect[1]!).toBeCloseTo(size, 1);
  });

  it('refuses a placeholder too small for the signature, and a page that does not exist', async () => {
    await expect(addSignatureField(input, { appearance, contentsSize: 64, time, sign: () => new Uint8Array(65), placement: { pageIndex: 0, centerX: 1, centerY: 1 } })).rejects.toThrow(
      /does not fit/,
    );
    await expect(addSignatureField(input, { appearance, contentsSize: 256, time, sign: signHash, placement: { pageIndex: 5, centerX: 1, centerY: 1 } })).rejects.toThrow(
      /2 page\(s\); there is no page 6/,
    );
    await expect(addSignatureField(first.bytes, { appearance, contentsSize: 256, time, sign: signHash, placement: { pageIndex: 2, centerX: 1, centerY: 1 } })).rejects.toThrow(
      /no page 3/,
    );
  });

  it('refuses clearly to append to a file whose xref is a stream', async () => {
    const compressed = await samplePdf(1, true);
    expect(() => new PdfFile(compressed)).toThrow(/cross-reference stream/);
    // A signed file re-saved with object streams: the appender must not guess.
    const withMarker = Buffer.concat([Buffer.from(compressed), Buffer.from('%/ByteRange\n')]);
    await expect(
      addSignatureField(new Uint8Array(withMarker), { appearance, contentsSize: 256, time, sign: signHash, placement: { pageIndex: 0, centerX: 1, centerY: 1 } }),
    ).rejects.toThrow(/cross-reference stream/);
  });

  it('writes PDF dates with the offset as the standard spells it', () => {
    expect(pdfDate(new Date('2026-01-02T03:04:05Z'), 480)).toBe("D:20260102110405+08'00'");
    expect(pdfDate(new Date('2026-01-02T03:04:05Z'), -330)).toBe("D:20260101213405-05'30'");
  });
});
