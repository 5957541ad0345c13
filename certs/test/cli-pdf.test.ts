/**
 * `tongban certs issue`, `tongban certs seal add` and `tongban certs verify`. Exit codes: verify 0 only
 * when every seal is valid and trusted, 1 for a changed byte, appended bytes, an expired seal or an
 * unknown signer, 2 for an unreadable or unsealed file. Most cases run in this process through
 * base/cli's runProgram (the code the executable runs), which keeps the file fast; the main path and one
 * case of each exit code go through the real executable (build first: npm run build).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runProgram, type CommandContext, type Program } from '../../base/cli.js';
import { tongban } from '../../test/helpers/cli.js';
import { certsCommand } from '../cli/index.js';
import { createDemoPki, demoPkiFiles } from '../demo-pki.js';
import { sealPdf } from '../pdf/sign.js';
import { exampleData } from '../pdf/templates/index.js';
import { pdfFixture, plainPdf, sealFor, tempDir, type PdfFixture } from './pdf-sign-fixtures.js';

const dir = tempDir('tongban-cli-pdf-');
const at = (name: string): string => join(dir, name);
const exe = (args: string[]) => tongban(args, { cwd: dir });
const program: Program = { name: 'tongban', version: 'test', root: { name: 'tongban', summary: 'test', subcommands: [certsCommand] } };

/** Runs `tongban ARGS` in this process, in the temp dir. */
async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const ctx: CommandContext = {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    env: {},
    cwd: dir,
    stopSignal: new AbortController().signal,
  };
  const code = await runProgram(program, args, ctx);
  return { code, stdout, stderr };
}

let fx: PdfFixture;

beforeAll(async () => {
  fx = await pdfFixture();
  for (const f of demoPkiFiles(fx.pki)) {
    mkdirSync(dirname(at(f.path)), { recursive: true });
    writeFileSync(at(f.path), f.contents, { mode: f.secret ? 0o600 : 0o644 });
  }
  writeFileSync(at('hrss.der'), fx.seal1);
  writeFileSync(at('re.der'), fx.seal2);
  writeFileSync(at('data.json'), JSON.stringify(exampleData('social-insurance-proof')));
  const expired = sealFor(fx.pki, fx.hrss, { validStart: new Date('2025-01-01T00:00:00Z'), validEnd: new Date('2025-06-30T00:00:00Z') });
  writeFileSync(at('expired.pdf'), (await sealPdf(fx.base, { seal: expired, signerKey: fx.hrss.key, signerCert: fx.hrss.cert, time: new Date('2026-01-05T00:00:00Z') })).pdf);
  const other = createDemoPki({ seed: 'an unknown CA' });
  const stranger = other.signers[0]!;
  writeFileSync(at('stranger.pdf'), (await sealPdf(fx.base, { seal: sealFor(other, stranger), signerKey: stranger.key, signerCert: stranger.cert })).pdf);
  writeFileSync(at('plain.pdf'), await plainPdf(1));
  writeFileSync(at('garbage.pdf'), 'GIF89a this is not a PDF at all');
});

const signer = ['--seal', 'hrss.der', '--key', 'signers/hrss/key.pem', '--cert', 'signers/hrss/cert.pem'];
const signer2 = ['--seal', 're.der', '--key', 'signers/real-estate/key.pem', '--cert', 'signers/real-estate/cert.pem'];

describe('tongban certs issue / seal add / verify', () => {
  it('issues a sealed certificate, adds a second seal, and verifies both (exit 0)', async () => {
    const issued = exe(['certs', 'issue', '--template', 'social-insurance-proof', '--data', 'data.json', ...signer, '--out', 'proof.pdf', '--json']);
    expect(issued.stderr).toBe('');
    expect(issued.code).toBe(0);
    const report = JSON.parse(issued.stdout);
    expect(report).toMatchObject({ out: 'proof.pdf', template: 'social-insurance-proof', documentId: 'SB-341600-20261121-000123', seal: { name: '亳州市人力资源和社会保障局业务专用章' } });
    expect(readFileSync(at('proof.pdf')).subarray(0, 5).toString()).toBe('%PDF-');

    const added = await run(['certs', 'seal', 'add', '--in', 'proof.pdf', ...signer2, '--out', 'proof2.pdf']);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/sealed proof2\.pdf: 亳州市不动产登记中心业务专用章 .* appended as an incremental update/);

    const v = exe(['certs', 'verify', 'proof2.pdf', '--trust', 'root/ca.pem']);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/proof2\.pdf: 2 seal\(s\), 2 revision\(s\)/);
    expect(v.stdout).toMatch(/Seal 1 \(Seal1\): VALID\n {2}seal: {9}亳州市人力资源和社会保障局业务专用章 \(esID \d+\)/);
    expect(v.stdout).toMatch(/covers: {7}revision 1 of 2/);
    expect(v.stdout).toMatch(/covers: {7}whole file \(revision 2 of 2\)/);
    expect(v.stdout).toMatch(/signer: {7}CN=亳州市不动产登记中心/);
    expect(v.stdout).toMatch(/Verdict: VALID/);

  });

  it('exit 1: a changed byte, bytes appended, an expired seal, an unknown signer, no trust anchor', async () => {
    const good = readFileSync(at('proof2.pdf'));
    const tampered = Buffer.from(good);
    const i = tampered.indexOf('/MediaBox');
    tampered[i + 12] = tampered[i + 12] === 0x31 ? 0x32 : 0x31;
    writeFileSync(at('tampered.pdf'), tampered);
    writeFileSync(at('appended.pdf'), Buffer.concat([good, Buffer.from('%% unsigned\n')]));
    const cases: [string, string[], RegExp][] = [
      ['tampered.pdf', ['--trust', 'root/ca.pem'], /data hash does not match/],
      ['appended.pdf', ['--trust', 'root/ca.pem'], /12 bytes were appended after the last valid signature/],
      ['expired.pdf', ['--trust', 'root/ca.pem'], /seal period: {2}EXPIRED/],
      ['stranger.pdf', ['--trust', 'root/ca.pem'], /NOT trusted/],
      // Untrusted, but the seal's own period is still reported as it is.
      ['proof2.pdf', [], /no trust anchors[^]*seal period: {2}valid|seal period: {2}valid[^]*no trust anchors/],
    ];
    for (const [file, extra, why] of cases) {
      const r = file === 'tampered.pdf' ? exe(['certs', 'verify', file, ...extra]) : await run(['certs', 'verify', file, ...extra]);
      expect(r.code, `${file}: ${r.stderr}`).toBe(1);
      expect(r.stdout, file).toMatch(/Verdict: NOT VALID/);
      expect(r.stdout, file).toMatch(why);
    }
  });

  it('exit 2: an unreadable file, a file without a seal, bad data for issue', async () => {
    const garbage = exe(['certs', 'verify', 'garbage.pdf', '--trust', 'root/ca.pem']);
    expect(garbage.code).toBe(2);
    expect(garbage.stderr).toBe('tongban: garbage.pdf: not a PDF (no %PDF- header)\n');
    const plain = await run(['certs', 'verify', 'plain.pdf', '--trust', 'root/ca.pem']);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toMatch(/^tongban: plain\.pdf: the PDF has no signature/);

    writeFileSync(at('broken.json'), '{"documentId": ');
    const broken = await run(['certs', 'issue', '--template', 'social-insurance-proof', '--data', 'broken.json', ...signer, '--out', 'x.pdf']);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/^tongban: broken\.json: not valid JSON/);
    const data = exampleData('social-insurance-proof') as Record<string, unknown>;
    delete data.issuer;
    writeFileSync(at('missing-field.json'), JSON.stringify(data));
    const field = await run(['certs', 'issue', '--template', 'social-insurance-proof', '--data', 'missing-field.json', ...signer, '--out', 'x.pdf']);
    expect(field.code).toBe(2);
    expect(field.stderr).toMatch(/^tongban: missing-field\.json: social-insurance-proof: .*issuer/);
    expect(field.stderr.split('\n')).toHaveLength(2);
  });

  it('seal add at a given spot, and its usage errors', async () => {
    const r = await run(['certs', 'seal', 'add', '--in', 'proof.pdf', ...signer2, '--out', 'spot.pdf', '--page', '1', '--x', '60', '--y', '50', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ mode: 'incremental', field: 'Seal2', page: 1, centreMm: { x: 60, y: 50 } });
    // A chain file (signer + root) as the trust list, and the JSON report.
    const j = await run(['certs', 'verify', 'spot.pdf', '--trust', 'signers/hrss/chain.pem', '--json']);
    expect(j.code).toBe(0);
    const doc = JSON.parse(j.stdout);
    expect(doc).toMatchObject({ file: 'spot.pdf', valid: true, revisions: 2, wholeFileSigned: true });
    expect(doc.signatures.map((s: any) => [s.sealName, s.trusted, s.integrity, s.coverage.wholeFile])).toEqual([
      ['亳州市人力资源和社会保障局业务专用章', true, true, false],
      ['亳州市不动产登记中心业务专用章', true, true, true],
    ]);

    const onlyX = await run(['certs', 'seal', 'add', '--in', 'proof.pdf', ...signer2, '--out', 'y.pdf', '--x', '60']);
    expect(onlyX.code).toBe(2);
    expect(onlyX.stderr).toMatch(/give both --x and --y/);
    const offPage = await run(['certs', 'seal', 'add', '--in', 'proof.pdf', ...signer2, '--out', 'y.pdf', '--x', '900', '--y', '10']);
    expect(offPage.code).toBe(2);
    expect(offPage.stderr).toMatch(/off page/);
  });
});
