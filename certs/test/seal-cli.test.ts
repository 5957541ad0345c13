/** `tongban certs seal create|show`, run as the real executable (needs `npm run build` first). */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tongban } from '../../test/helpers/cli.js';
import { demoPkiFiles } from '../demo-pki.js';
import { parseSeal } from '../seal/index.js';
import { issueCertificate, certificateToPem } from '../x509.js';
import { decodePng, demoPki, tempDir } from './seal-fixtures.js';

const tmp = tempDir('tongban-seal-cli-');
const run = (args: string[]) => tongban(args, { cwd: tmp.dir });

beforeAll(() => {
  for (const f of demoPkiFiles(demoPki())) {
    mkdirSync(dirname(tmp.path(f.path)), { recursive: true });
    writeFileSync(tmp.path(f.path), f.contents, { mode: f.secret ? 0o600 : 0o644 });
  }
});
afterAll(() => tmp.remove());

const CREATE = [
  'certs', 'seal', 'create',
  '--maker-key', 'maker/key.pem', '--maker-cert', 'maker/cert.pem',
  '--signer-cert', 'signers/hrss/cert.pem', '--signer-cert', 'signers/real-estate/cert.pem',
  '--name', '亳州市人力资源和社会保障局业务专用章',
  '--organisation', '亳州市人力资源和社会保障局', '--purpose', '业务专用章', '--code', '3416000012345',
  '--esid', '341600202600000001', '--valid-days', '365',
];

describe('tongban certs seal create', () => {
  it('makes a seal file and its picture', () => {
    const r = run([...CREATE, '--out', 'seal.der', '--picture-out', 'seal.png', '--dpi', '150']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('seal written: seal.der');
    expect(r.stdout).toContain('esID: 341600202600000001');
    const seal = parseSeal(new Uint8Array(readFileSync(tmp.path('seal.der'))));
    expect(seal.property.name).toBe('亳州市人力资源和社会保障局业务专用章');
    expect(seal.property.certs).toHaveLength(2);
    expect(seal.picture.type).toBe('SVG');
    expect(seal.property.validEnd.getTime() - seal.property.validStart.getTime()).toBe(365 * 86_400_000);
    const png = decodePng(new Uint8Array(readFileSync(tmp.path('seal.png'))));
    expect(png.width).toBe(Math.round((42 / 25.4) * 150));
  });

  it('refuses a maker key that does not match, a missing option, and an unreadable certificate', () => {
    const wrongKey = run([...CREATE, '--out', 'x.der'].map((a) => (a === 'maker/key.pem' ? 'signers/hrss/key.pem' : a)));
    expect(wrongKey.code).toBe(2);
    expect(wrongKey.stderr).toMatch(/^tongban: the maker key does not belong to the maker certificate/);
    expect(wrongKey.stderr.trim().split('\n')).toHaveLength(1);
    const noName = run(['certs', 'seal', 'create', '--maker-key', 'maker/key.pem', '--maker-cert', 'maker/cert.pem', '--signer-cert', 'signers/hrss/cert.pem', '--out', 'x.der']);
    expect(noName.code).toBe(2);
    expect(noName.stderr).toContain('missing required option --name');
    const missing = run([...CREATE, '--out', 'x.der'].map((a) => (a === 'signers/hrss/cert.pem' ? 'nowhere.pem' : a)));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read nowhere.pem: no such file');
  });
});

describe('tongban certs seal show', () => {
  it('shows a seal: name, esID, type, layout, validity, maker, signers, picture, maker signature', () => {
    const r = run(['certs', 'seal', 'show', 'seal.der']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const text of [
      'name:       亳州市人力资源和社会保障局业务专用章',
      'esID:       341600202600000001',
      'type:       1 (organisation seal (单位印章))',
      'layout:     GB/T 38540-2020, header version 4, vendor tongban',
      '(valid at ',
      'maker:      ' + demoPki().maker.cert.subjectString,
      'maker signature valid: yes',
      'signers (2):',
      demoPki().signers[0]!.cert.subjectString,
      demoPki().signers[1]!.cert.subjectString,
      'picture:    SVG, 42 x 42 mm',
    ]) {
      expect(r.stdout).toContain(text);
    }
  });

  it('reports JSON, checks the maker against trusted roots, and writes the picture', () => {
    const r = run(['certs', 'seal', 'show', 'seal.der', '--json', '--trust', 'root/ca.pem', '--picture-out', 'shown.png', '--dpi', '100']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({
      file: 'seal.der',
      layout: 'GB/T 38540-2020',
      version: 4,
      name: '亳州市人力资源和社会保障局业务专用章',
      esID: '341600202600000001',
      type: 1,
      period: 'valid',
      makerSignatureValid: true,
      makerTrusted: true,
      picture: { type: 'SVG', widthMm: 42, heightMm: 42 },
      reasons: [],
    });
    expect(j.signers.map((s: { subject: string }) => s.subject)).toEqual([demoPki().signers[0]!.cert.subjectString, demoPki().signers[1]!.cert.subjectString]);
    expect(decodePng(new Uint8Array(readFileSync(tmp.path('shown.png')))).width).toBe(Math.round((42 / 25.4) * 100));

    const s = demoPki().signers[2]!;
    writeFileSync(tmp.path('other-root.pem'), certificateToPem(issueCertificate({ subject: 'CN=Other', publicKey: s.publicKey, issuerKey: s.key })));
    const untrusted = run(['certs', 'seal', 'show', 'seal.der', '--trust', 'other-root.pem']);
    expect(untrusted.code).toBe(1);
    expect(untrusted.stdout).toContain('maker trusted: NO');
  });

  it('judges the validity period at --at', () => {
    const r = run(['certs', 'seal', 'show', 'seal.der', '--json', '--at', '2099-01-01T00:00:00Z']);
    expect(r.code).toBe(0); // the maker's signature still holds; the period is reported
    expect(JSON.parse(r.stdout)).toMatchObject({ period: 'expired' });
    expect(run(['certs', 'seal', 'show', 'seal.der', '--at', 'soon']).code).toBe(2);
  });

  it('exits 1 for an altered seal and 2 for a file that is not a seal', () => {
    const der = new Uint8Array(readFileSync(tmp.path('seal.der')));
    const i = Buffer.from(der).indexOf(Buffer.from('341600202600000001'));
    der[i + 17] = '9'.charCodeAt(0);
    writeFileSync(tmp.path('altered.der'), der);
    const altered = run(['certs', 'seal', 'show', 'altered.der']);
    expect(altered.code).toBe(1);
    expect(altered.stdout).toContain('maker signature valid: NO');
    expect(altered.stdout).toContain("the seal maker's signature does not verify");

    writeFileSync(tmp.path('junk.der'), Uint8Array.of(0x30, 0x82, 0xff, 0xff, 1, 2, 3));
    const junk = run(['certs', 'seal', 'show', 'junk.der']);
    expect(junk.code).toBe(2);
    expect(junk.stderr).toMatch(/^tongban: junk\.der: SESeal: malformed DER/);
    expect(junk.stderr.trim().split('\n')).toHaveLength(1);
    const cert = run(['certs', 'seal', 'show', 'maker/cert.pem']);
    expect(cert.code).toBe(2);
    expect(run(['certs', 'seal', 'show', 'absent.der']).stderr).toContain('cannot read absent.der: no such file');
  });
});
