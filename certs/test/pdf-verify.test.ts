/**
 * Verifying sealed PDFs: what a sound file reports, and each way a file can fail — a changed byte,
 * bytes appended after the last seal, an expired seal, an unknown signer, a lying ByteRange — each
 * with a verdict that says why. Files too broken to judge give an InputError.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../base/errors.js';
import { createDemoPki, type DemoIdentity } from '../demo-pki.js';
import { appendIncrementalUpdate } from '../pdf/incremental.js';
import { PdfFile, latin1, pdf } from '../pdf/parse.js';
import { sealAppearance } from '../pdf/sign-appearance.js';
import { addSignatureField } from '../pdf/sign-field.js';
import { sealPdf } from '../pdf/sign.js';
import { parseSeal } from '../seal/index.js';
import { sign } from '../sm2.js';
import { verifyPdf } from '../pdf/verify.js';
import { pdfFixture, plainPdf, sealFor, type PdfFixture } from './pdf-sign-fixtures.js';

let fx: PdfFixture;
beforeAll(async () => {
  fx = await pdfFixture();
});

const trust = () => ({ trusted: [fx.pki.root.cert] });

/** Replaces the first occurrence of `find` (latin1) by `replace` of the same length. */
function patch(bytes: Uint8Array, find: string | RegExp, replace: (match: string) => string): Uint8Array {
  const text = latin1(bytes);
  const m = typeof find === 'string' ? { index: text.indexOf(find), 0: find } : find.exec(text);
  if (!m || m.index < 0) throw new Error(`not found: ${String(find)}`);
  const next = replace(m[0]);
  if (next.length !== m[0].length) throw new Error('patch must keep the length');
  const out = Uint8Array.from(bytes);
  out.set(Buffer.from(next, 'latin1'), m.index);
  return out;
}

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('expected an InputError');
}

describe('verifyPdf on sound files', () => {
  it('one seal: valid, trusted, intact, covering the whole file, with what the seal says', () => {
    const v = verifyPdf(fx.sealed1, trust());
    expect(v.valid).toBe(true);
    expect(v.reasons).toEqual([]);
    expect(v.revisions).toBe(1);
    expect(v.signatures).toHaveLength(1);
    const s = v.signatures[0]!;
    expect(s).toMatchObject({
      index: 1,
      fieldName: 'Seal1',
      sealName: '亳州市人力资源和社会保障局业务专用章',
      signingTime: '2026-03-04T05:06:07.000Z',
      certificateValid: true,
      sealValid: true,
      trusted: true,
      integrity: true,
      valid: true,
      filter: 'GB.SES',
      subFilter: 'GB.SES_Signature',
      coverage: { wholeFile: true, revision: 1, revisions: 1, description: 'whole file' },
    });
    expect(s.signer).toContain('CN=亳州市人力资源和社会保障局');
    expect(s.esID).toMatch(/^\d{22}$/);
    expect(s.sealValidEnd).toBe('2030-06-01T00:00:00.000Z');
    expect(s.certificateNotAfter).toBe(fx.hrss.cert.notAfter.toISOString());
  });

  it('two seals: the first covers revision 1 of 2 and stays valid, the second the whole file', () => {
    const v = verifyPdf(fx.sealed2, trust());
    expect(v.valid).toBe(true);
    expect(v.revisions).toBe(2);
    expect(v.signatures.map((s) => [s.fieldName, s.sealName, s.coverage?.description, s.valid])).toEqual([
      ['Seal1', '亳州市人力资源和社会保障局业务专用章', 'revision 1 of 2', true],
      ['Seal2', '亳州市不动产登记中心业务专用章', 'whole file (revision 2 of 2)', true],
    ]);
    expect(v.wholeFileSigned).toBe(true);
  });
});

describe('verifyPdf on altered files', () => {
  it('a changed byte anywhere the seal covers breaks integrity', () => {
    // The page's size: 595.28 -> 595.29 points.
    const tampered = patch(fx.sealed1, '595.28', () => '595.29');
    const v = verifyPdf(tampered, trust());
    expect(v.valid).toBe(false);
    const s = v.signatures[0]!;
    expect(s.integrity).toBe(false);
    expect(s.valid).toBe(false);
    expect(s.reasons.join('\n')).toMatch(/data hash does not match/);
    // The same change under two seals breaks both: both cover the first revision.
    const both = verifyPdf(patch(fx.sealed2, '595.28', () => '595.29'), trust());
    expect(both.signatures.map((x) => x.integrity)).toEqual([false, false]);
  });

  it('a changed byte inside /Contents breaks the SES_Signature', () => {
    const v = verifyPdf(
      patch(fx.sealed1, /\/Contents <30[0-9A-F]{600}/, (m) => m.slice(0, -1) + (m.endsWith('0') ? '1' : '0')),
      trust(),
    );
    expect(v.valid).toBe(false);
    expect(v.signatures[0]!.valid).toBe(false);
  });

  it('bytes appended after the last seal: the seal still holds for its revision, the file does not', () => {
    const appended = new Uint8Array(Buffer.concat([Buffer.from(fx.sealed1), Buffer.from('% a note added later\n')]));
    const v = verifyPdf(appended, trust());
    expect(v.valid).toBe(false);
    expect(v.wholeFileSigned).toBe(false);
    expect(v.signatures[0]!.integrity).toBe(true);
    expect(v.reasons[0]).toMatch(/21 bytes were appended after the last valid signature/);
  });

  it('an unsigned incremental update (a changed catalog) is caught as appended bytes', () => {
    const file = new PdfFile(fx.sealed2);
    const catalog = pdf.dict(file.root.dict.entries);
    catalog.entries.set('Lang', pdf.text('en'));
    const update = appendIncrementalUpdate(file, [{ num: file.root.ref.num, value: catalog }]);
    const v = verifyPdf(update.bytes, trust());
    expect(v.valid).toBe(false);
    expect(v.revisions).toBe(3);
    expect(v.signatures.map((s) => s.coverage?.description)).toEqual(['revision 1 of 3', 'revision 2 of 3']);
    expect(v.signatures.every((s) => s.valid)).toBe(true);
    expect(v.reasons.join('\n')).toMatch(/appended after the last valid signature/);
  });

  it('an expired seal is refused', async () => {
    const old = sealFor(fx.pki, fx.hrss, { validStart: new Date('2025-01-01T00:00:00Z'), validEnd: new Date('2025-12-31T00:00:00Z') });
    const sealed = await sealPdf(fx.base, { seal: old, signerKey: fx.hrss.key, signerCert: fx.hrss.cert, time: new Date('2026-02-01T00:00:00Z') });
    const v = verifyPdf(sealed.pdf, trust());
    expect(v.valid).toBe(false);
    const s = v.signatures[0]!;
    expect(s.sealValid).toBe(false);
    expect(s.integrity).toBe(true);
    expect(s.reasons.join('\n')).toMatch(/seal/i);
    expect(s.reasons.join('\n')).toMatch(/expired|no longer|ended/i);
  });

  it('an unknown signer (another CA) is not trusted', async () => {
    const other = createDemoPki({ seed: 'someone else entirely' });
    const who = other.signers[0] as DemoIdentity;
    const sealed = await sealPdf(fx.base, { seal: sealFor(other, who), signerKey: who.key, signerCert: who.cert, time: fx.time });
    const v = verifyPdf(sealed.pdf, trust());
    expect(v.valid).toBe(false);
    const s = v.signatures[0]!;
    expect(s.trusted).toBe(false);
    expect(s.integrity).toBe(true);
    expect(s.reasons.join('\n')).toMatch(/not trusted/);
    // Trusting that CA instead makes it valid: nothing else was wrong.
    expect(verifyPdf(sealed.pdf, { trusted: [other.root.cert] }).valid).toBe(true);
  });

  it('without trust anchors nothing is trusted', () => {
    const v = verifyPdf(fx.sealed1, { trusted: [] });
    expect(v.valid).toBe(false);
    expect(v.signatures[0]!.integrity).toBe(true);
    expect(v.reasons.join('\n')).toMatch(/no trust anchors/);
  });

  it('judges validity at a given time when asked', () => {
    const v = verifyPdf(fx.sealed1, { ...trust(), at: new Date('2031-01-01T00:00:00Z') });
    expect(v.valid).toBe(false);
    expect(v.signatures[0]!.sealValid).toBe(false);
    expect(v.signatures[0]!.certificateValid).toBe(true);
  });
});

describe('verifyPdf on lying ByteRanges and broken dictionaries', () => {
  const range = (bytes: Uint8Array) => /\/ByteRange \[0 (\d+) (\d+) (\d+) *\]/.exec(latin1(bytes))!;
  const withRange = (text: string): Uint8Array => patch(fx.sealed1, /\/ByteRange \[0 \d+ \d+ \d+ *\]/, (m) => (text + ' '.repeat(m.length)).slice(0, m.length - 1) + ']');

  it('a range reaching past the end of the file', () => {
    const [, a, b] = range(fx.sealed1);
    const v = verifyPdf(withRange(`/ByteRange [0 ${a} ${b} 99999999`), trust());
    expect(v.signatures[0]!.reasons.join('\n')).toMatch(/past the end of the file/);
    expect(v.valid).toBe(false);
  });

  it('a range not starting at 0, overlapping ranges, a gap that is not /Contents', () => {
    const [, a, b, c] = range(fx.sealed1);
    const A = Number(a);
    const B = Number(b);
    const C = Number(c);
    const cases: [string, RegExp][] = [
      [`/ByteRange [1 ${A - 1} ${B} ${C}`, /does not start at byte 0/],
      [`/ByteRange [0 ${B + 10} ${B} ${C}`, /overlap/],
      [`/ByteRange [0 ${A - 10} ${B} ${C}`, /not exactly the \/Contents string/],
      [`/ByteRange [0 ${A} ${B} ${C - 5}`, /not a revision boundary/],
      [`/ByteRange [0 ${A} ${B}`, /four whole numbers/],
      [`/ByteRange [0 -${A} ${B} ${C}`, /four whole numbers/],
    ];
    for (const [text, why] of cases) {
      const v = verifyPdf(withRange(text), trust());
      expect(v.valid, text).toBe(false);
      expect(v.signatures[0]!.reasons.join('\n'), text).toMatch(why);
    }
  });

  it('a signature dictionary that no longer parses is reported as a failing signature', () => {
    const nonHex = patch(fx.sealed1, /\/Contents <30[0-9A-F]{20}/, (m) => m.slice(0, -1) + 'G');
    const v = verifyPdf(nonHex, trust());
    expect(v.valid).toBe(false);
    expect(v.signatures[0]!.reasons[0]).toMatch(/cannot be read: .*non-hex/);
  });

  it('a million-digit number, deep nesting, cyclic references and unterminated strings cost little and fail clearly', () => {
    const million = new Uint8Array(Buffer.concat([Buffer.from(fx.sealed1), Buffer.from(`\n99 0 obj\n<</ByteRange [0 ${'7'.repeat(1_000_000)}] /Contents <00>>>\nendobj\n`)]));
    const v = verifyPdf(million, trust());
    expect(v.valid).toBe(false);
    expect(v.signatures.some((s) => /number too long|token too long/.test(s.reasons.join(' ')))).toBe(true);
    const deep = new Uint8Array(Buffer.concat([Buffer.from(fx.sealed1), Buffer.from(`\n98 0 obj\n${'['.repeat(100_000)}\nendobj\n`)]));
    expect(verifyPdf(deep, trust()).valid).toBe(false);
    // References in a cycle, and a signature dictionary whose ByteRange and Contents are references into it.
    const cyclic = new Uint8Array(
      Buffer.concat([
        Buffer.from(fx.sealed1),
        Buffer.from('\n50 0 obj\n51 0 R\nendobj\n51 0 obj\n50 0 R\nendobj\n52 0 obj\n<</Type /Sig /ByteRange 50 0 R /Contents 51 0 R>>\nendobj\n'),
      ]),
    );
    const c = verifyPdf(cyclic, trust());
    expect(c.valid).toBe(false);
    expect(c.signatures.find((s) => s.objectNumber === 52)!.reasons.join('\n')).toMatch(/four whole numbers/);
    // Thousands of objects each opening a string that never closes: bounded work, then an InputError.
    const strings = new Uint8Array(Buffer.concat([Buffer.from(fx.sealed1), Buffer.from('\n1 0 obj (\n'.repeat(50_000))]));
    const e = inputError(() => verifyPdf(strings, trust()));
    expect(e.code).toBe('pdf.budget');
  });

  it('a signature whose /Contents is not an SES_Signature (another format) is not valid, and says so', async () => {
    const other = await addSignatureField(fx.base, {
      placement: { pageIndex: 0, centerX: 300, centerY: 300 },
      appearance: sealAppearance(parseSeal(fx.seal1).picture),
      contentsSize: 256,
      time: fx.time,
      sign: (h) => sign(fx.hrss.key, h), // a bare SM2 signature, not GB/T 38540
    });
    const v = verifyPdf(other.bytes, trust());
    expect(v.valid).toBe(false);
    expect(v.signatures[0]!.integrity).toBe(false);
    expect(v.signatures[0]!.reasons.join('\n')).toMatch(/\/Contents is not an SES_Signature/);
  });

  it('unreadable input and files without a signature give InputErrors that say which', async () => {
    expect(inputError(() => verifyPdf(new Uint8Array(0), trust())).message).toMatch(/not a PDF/);
    expect(inputError(() => verifyPdf(new TextEncoder().encode('hello, I am not a PDF'), trust())).message).toMatch(/not a PDF/);
    const plain = await plainPdf(1);
    const e = inputError(() => verifyPdf(plain, trust()));
    expect(e.code).toBe('pdf.noSignature');
    expect(e.message).toMatch(/no signature/);
  });

  it('a truncated sealed file gives a negative verdict, not a crash', () => {
    for (const cut of [100, 2000, fx.sealed2.length - 10, Math.floor(fx.sealed2.length / 2)]) {
      let valid: boolean;
      try {
        valid = verifyPdf(fx.sealed2.subarray(0, cut), trust()).valid;
      } catch (err) {
        expect(err).toBeInstanceOf(InputError);
        continue;
      }
      expect(valid).toBe(false);
    }
  });
});
