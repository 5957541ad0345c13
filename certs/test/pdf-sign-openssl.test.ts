/**
 * A sealed certificate checked by outside parties, not by our own verifier: the covered bytes cut out
 * with dd and hashed by `openssl dgst -sm3` must equal the SES_Signature's dataHash, OpenSSL must accept
 * the signer's SM2 signature over TBS_Sign (and refuse it over altered bytes) and the signer's chain;
 * poppler must render the page with the red seal where the template put it, and still read the text.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { certificateToPem } from '../x509.js';
import { issueSealedDocument, type IssuedDocument } from '../pdf/sign-issue.js';
import { sealPdf } from '../pdf/sign.js';
import { exampleData } from '../pdf/templates/index.js';
import { parseSesSignature } from '../seal/index.js';
import { pdfFixture, tempDir, type PdfFixture } from './pdf-sign-fixtures.js';

const dir = tempDir('tongban-pdf-openssl-');
const file = (name: string): string => join(dir, name);

function run(cmd: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: dir });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Byte ranges and /Contents found with plain regular expressions, not with our PDF reader. */
function signaturesIn(pdf: Buffer): { range: [number, number, number, number]; contentsHex: string }[] {
  const text = pdf.toString('latin1');
  return [...text.matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)].map((m) => {
    const range = m.slice(1, 5).map(Number) as [number, number, number, number];
    const gap = text.slice(range[1], range[2]);
    expect(gap.startsWith('<') && gap.endsWith('>')).toBe(true);
    return { range, contentsHex: gap.slice(1, -1) };
  });
}

/** The DER element at the start of the hex (the rest is zero padding). */
function derOf(hex: string): Buffer {
  const b = Buffer.from(hex, 'hex');
  const n = b[1]! & 0x80 ? b.readUIntBE(2, b[1]! & 0x7f) + 2 + (b[1]! & 0x7f) : b[1]! + 2;
  expect(b.subarray(n).every((x) => x === 0)).toBe(true);
  return b.subarray(0, n);
}

describe('a sealed certificate checked by OpenSSL and poppler', () => {
  let fx: PdfFixture;
  let issued: IssuedDocument;
  let twice: Uint8Array;

  beforeAll(async () => {
    fx = await pdfFixture();
    issued = await issueSealedDocument({
      template: 'social-insurance-proof',
      data: exampleData('social-insurance-proof'),
      seal: fx.seal1,
      signerKey: fx.hrss.key,
      signerCert: fx.hrss.cert,
    });
    twice = (await sealPdf(issued.pdf, { seal: fx.seal2, signerKey: fx.realEstate.key, signerCert: fx.realEstate.cert })).pdf;
    writeFileSync(file('issued.pdf'), issued.pdf);
    writeFileSync(file('twice.pdf'), twice);
    writeFileSync(file('root.pem'), certificateToPem(fx.pki.root.cert));
  });

  it('dataHash = openssl dgst -sm3 of the ByteRange bytes (cut with dd), and OpenSSL verifies TBS_Sign', () => {
    const pdf = readFileSync(file('twice.pdf'));
    const sigs = signaturesIn(pdf);
    expect(sigs).toHaveLength(2);
    sigs.forEach(({ range: [, a, b, c], contentsHex }, i) => {
      // dd cuts the two covered ranges; the gap (the /Contents string) is left out.
      const part1 = file(`sig${i}-part1.bin`);
      const part2 = file(`sig${i}-part2.bin`);
      execFileSync('dd', [`if=${file('twice.pdf')}`, `of=${part1}`, 'bs=64K', 'iflag=count_bytes', `count=${a}`], { stdio: 'ignore' });
      execFileSync('dd', [`if=${file('twice.pdf')}`, `of=${part2}`, 'bs=64K', 'iflag=skip_bytes,count_bytes', `skip=${b}`, `count=${c}`], { stdio: 'ignore' });
      writeFileSync(file(`sig${i}-covered.bin`), Buffer.concat([readFileSync(part1), readFileSync(part2)]));
      const dgst = run('openssl', ['dgst', '-sm3', '-r', `sig${i}-covered.bin`]);
      expect(dgst.code, dgst.stderr).toBe(0);
      const opensslHash = dgst.stdout.split(' ')[0]!;

      const ses = parseSesSignature(new Uint8Array(derOf(contentsHex)));
      expect(Buffer.from(ses.dataHash).toString('hex')).toBe(opensslHash);

      writeFileSync(file(`sig${i}-tbs.der`), ses.tbsDer);
      writeFileSync(file(`sig${i}-sig.der`), ses.signature);
      writeFileSync(file(`sig${i}-signer.pem`), certificateToPem(ses.signerCert));
      const pub = run('openssl', ['x509', '-in', `sig${i}-signer.pem`, '-pubkey', '-noout']);
      expect(pub.code, pub.stderr).toBe(0);
      writeFileSync(file(`sig${i}-pub.pem`), pub.stdout);
      const verify = (data: string) =>
        run('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', `sig${i}-pub.pem`, '-rawin', '-digest', 'sm3', '-pkeyopt', 'distid:1234567812345678', '-in', data, '-sigfile', `sig${i}-sig.der`]);
      const ok = verify(`sig${i}-tbs.der`);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout).toMatch(/Signature Verified Successfully/);

      // One altered byte of TBS_Sign (inside the dataHash) and OpenSSL refuses.
      const tbs = Buffer.from(ses.tbsDer);
      const at = tbs.indexOf(Buffer.from(ses.dataHash));
      tbs[at] = tbs[at]! ^ 1;
      writeFileSync(file(`sig${i}-tbs-bad.der`), tbs);
      const bad = verify(`sig${i}-tbs-bad.der`);
      expect(bad.code).not.toBe(0);

      // The signer's certificate chains to the demo root for OpenSSL too.
      const chain = run('openssl', ['verify', '-vfyopt', 'distid:1234567812345678', '-CAfile', 'root.pem', `sig${i}-signer.pem`]);
      expect(chain.stdout + chain.stderr).toMatch(/: OK/);
    });
  });

  it('pdftoppm renders the seal red and round at the spot, at 42 mm; pdftotext still reads the document', () => {
    // A PPM is simple enough to read here: look at the pixels around the seal's centre.
    const dpi = 80;
    execFileSync('pdftoppm', ['-r', String(dpi), '-f', '1', '-l', '1', '-singlefile', file('issued.pdf'), file('page')]);
    const ppm = readFileSync(file('page.ppm'));
    const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(ppm.toString('latin1', 0, 50))!;
    const [width, height] = [Number(header[1]), Number(header[2])];
    const data = ppm.subarray(header[0].length);
    const px = (x: number, y: number): [number, number, number] => {
      const o = (Math.round(y) * width + Math.round(x)) * 3;
      return [data[o]!, data[o + 1]!, data[o + 2]!];
    };
    const isRed = ([r, g, b]: [number, number, number]): boolean => r > 180 && g < 90 && b < 90;
    const scale = dpi / 72;
    const cx = issued.placement.centerX * scale;
    const cy = height - issued.placement.centerY * scale;
    const radius = (42 / 25.4) * dpi * 0.5;
    // The ring: red on a circle just inside the outer radius, all the way round.
    let redOnRing = 0;
    for (let k = 0; k < 72; k++) {
      const t = (k / 72) * 2 * Math.PI;
      const hit = [0.95, 0.96, 0.97, 0.98].some((f) => isRed(px(cx + f * radius * Math.cos(t), cy + f * radius * Math.sin(t))));
      if (hit) redOnRing++;
    }
    // A few samples fall where the black text line crosses the ring (the ink multiplies: text stays black).
    expect(redOnRing).toBeGreaterThanOrEqual(66);
    // Nothing of the seal outside it; the star at the centre.
    let redOutside = 0;
    for (let k = 0; k < 72; k++) {
      const t = (k / 72) * 2 * Math.PI;
      if (isRed(px(cx + 1.12 * radius * Math.cos(t), cy + 1.12 * radius * Math.sin(t)))) redOutside++;
    }
    expect(redOutside).toBe(0);
    // The star's upper arm (its centre lies under the organisation's name).
    expect([0.15, 0.2, 0.25, 0.3].some((f) => isRed(px(cx, cy - f * radius)))).toBe(true);
    expect(width).toBeGreaterThan(0);

    const text = execFileSync('pdftotext', ['-layout', file('twice.pdf'), '-'], { encoding: 'utf8' });
    expect(text).toContain('社会保险参保缴费证明');
    expect(text).toContain(issued.documentId);
    const issuer = (exampleData('social-insurance-proof') as { issuer: string }).issuer;
    expect(text.replace(/\s+/g, '')).toContain(issuer);
  });

  it('the seal sits over the issuing organisation line and the date', () => {
    // pdftotext -bbox gives each word's box: the issuer's name and the date must lie within the seal's circle.
    const html = execFileSync('pdftotext', ['-bbox', '-f', '1', '-l', '1', file('issued.pdf'), '-'], { encoding: 'utf8' });
    const issuer = (exampleData('social-insurance-proof') as { issuer: string }).issuer;
    const words = [...html.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)].map((m) => ({
      x: (Number(m[1]) + Number(m[3])) / 2,
      y: (Number(m[2]) + Number(m[4])) / 2,
      text: m[5]!,
    }));
    const page = /<page width="([\d.]+)" height="([\d.]+)"/.exec(html)!;
    const cx = issued.placement.centerX;
    const cy = Number(page[2]) - issued.placement.centerY;
    const r = (42 / 25.4) * 72 * 0.5;
    const issuerWord = words.find((w) => w.text.includes(issuer.slice(0, 4)));
    const dateWord = words.find((w) => /年/.test(w.text) && /日/.test(w.text));
    expect(issuerWord).toBeDefined();
    expect(dateWord).toBeDefined();
    for (const w of [issuerWord!, dateWord!]) expect(Math.hypot(w.x - cx, w.y - cy)).toBeLessThan(r);
  });
});
