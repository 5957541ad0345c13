/** `tongban certs demo-pki` through the real executable (run `npm run build` first), checked by OpenSSL. */
import { readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tongban } from '../../test/helpers/cli.js';
import { bytesToHex } from '../bytes.js';
import { createDemoPki } from '../demo-pki.js';
import { readPrivateKey } from '../keys.js';
import { DISTID, opensslStatus, tempDir } from './keys-x509-openssl.js';

const tmp = tempDir('tongban-cli-demo-');
afterAll(() => tmp.remove());
const run = (...args: string[]) => tongban(args, { cwd: tmp.dir });

describe('tongban certs demo-pki', () => {
  it('writes the demo root, maker and signers; keys 0600 and seeded; OpenSSL verifies the certificates', () => {
    const r = run('certs', 'demo-pki', '--out', 'demo');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^demo PKI written to demo \(for demonstrations only\):\n {2}root\/ca.pem +CN=tongban 演示根证书 \(demo\),O=tongban \(demo\),C=CN\n/);
    expect(r.stdout).toContain('signers/real-estate/');
    const dir = tmp.path('demo');
    for (const key of ['root/ca.key', 'maker/key.pem', 'signers/hrss/key.pem']) expect(statSync(join(dir, key)).mode & 0o777).toBe(0o600);
    expect(bytesToHex(readPrivateKey(readFileSync(join(dir, 'signers/hrss/key.pem'), 'utf8')))).toBe(bytesToHex(createDemoPki().signers[0]!.key));
    for (const cert of ['root/ca.pem', 'maker/cert.pem', 'signers/hrss/cert.pem', 'signers/service-center/cert.pem']) {
      const v = opensslStatus(['verify', '-vfyopt', DISTID, '-CAfile', join(dir, 'root/ca.pem'), join(dir, cert)]);
      expect(v.code, v.stderr).toBe(0);
    }
    // the files work with the other commands
    writeFileSync(tmp.path('doc.txt'), '社会保险参保缴费证明');
    expect(run('certs', 'sign', '--key', 'demo/signers/hrss/key.pem', '--in', 'doc.txt', '--out', 'doc.sig').code).toBe(0);
    expect(run('certs', 'verify-sig', '--cert', 'demo/signers/hrss/cert.pem', '--in', 'doc.txt', '--sig', 'doc.sig').stdout).toBe(
      'signature valid (signer CN=亳州市人力资源和社会保障局,OU=电子印章 (demo),O=亳州市人力资源和社会保障局,L=亳州市,ST=安徽省,C=CN)\n',
    );
  });

  it('refuses a directory that is not empty unless --force; --seed and --json', () => {
    mkdirSync(tmp.path('busy'));
    writeFileSync(tmp.path('busy/x'), 'x');
    expect(run('certs', 'demo-pki', '--out', 'busy')).toMatchObject({ code: 2, stderr: 'tongban: busy is not empty; pass --force to write into it\n' });
    const r = run('certs', 'demo-pki', '--out', 'busy', '--force', '--seed', 'other', '--json');
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout) as { signers: { slug: string; key: string }[] };
    expect(json.signers.map((s) => s.slug)).toEqual(['hrss', 'real-estate', 'service-center']);
    const key = readPrivateKey(readFileSync(join(tmp.path('busy'), json.signers[0]!.key), 'utf8'));
    expect(bytesToHex(key)).toBe(bytesToHex(createDemoPki({ seed: 'other' }).signers[0]!.key));
  });
});
