/**
 * `tongban certs keygen | cert | sign | verify-sig` through the real executable (run `npm run build`
 * first), with OpenSSL checking what it writes and making what it reads.
 */
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { tongban } from '../../test/helpers/cli.js';
import { DISTID, openssl, opensslStatus, tempDir, textHex } from './keys-x509-openssl.js';

const tmp = tempDir('tongban-cli-keys-');
afterAll(() => tmp.remove());
const run = (...args: string[]) => tongban(args, { cwd: tmp.dir });

writeFileSync(tmp.path('msg.txt'), '不动产登记信息查询结果证明 No. 2026-000123\n');

describe('tongban certs keygen', () => {
  it('writes a PKCS#8 key with mode 0600 and its SPKI public key, which OpenSSL reads', () => {
    const r = run('certs', 'keygen', '--out', 'a.key', '--pub', 'a.pub');
    expect(r).toMatchObject({ code: 0, stderr: '', stdout: 'SM2 private key written to a.key, public key to a.pub\n' });
    expect(statSync(tmp.path('a.key')).mode & 0o777).toBe(0o600);
    const text = openssl(['pkey', '-in', tmp.path('a.key'), '-text', '-noout']);
    expect(text).toContain('ASN1 OID: SM2');
    expect(openssl(['pkey', '-in', tmp.path('a.key'), '-pubout'])).toBe(readFileSync(tmp.path('a.pub'), 'utf8'));
  });

  it('encrypts the key under a passphrase file that OpenSSL opens with -passin', () => {
    writeFileSync(tmp.path('pass.txt'), 'kiosk 口令\n');
    expect(run('certs', 'keygen', '--out', 'enc.key', '--passphrase-file', 'pass.txt').code).toBe(0);
    expect(readFileSync(tmp.path('enc.key'), 'utf8')).toContain('-----BEGIN ENCRYPTED PRIVATE KEY-----');
    expect(openssl(['pkey', '-in', tmp.path('enc.key'), '-passin', `file:${tmp.path('pass.txt')}`, '-text', '-noout'])).toContain('ASN1 OID: SM2');
  });

  it('refuses to overwrite a key unless --force, and keeps 0600 when it does', () => {
    writeFileSync(tmp.path('old.key'), 'old');
    chmodSync(tmp.path('old.key'), 0o644);
    const r = run('certs', 'keygen', '--out', 'old.key');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('tongban: old.key exists; remove it or pass --force to overwrite a key\n');
    expect(run('certs', 'keygen', '--out', 'old.key', '--force').code).toBe(0);
    expect(statSync(tmp.path('old.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(tmp.path('old.key'), 'utf8')).toContain('-----BEGIN PRIVATE KEY-----');
  });
});

describe('tongban certs cert', () => {
  it('makes a self-signed root CA and a signer certificate that openssl verify accepts', () => {
    expect(run('certs', 'keygen', '--out', 'ca.key').code).toBe(0);
    const root = run('certs', 'cert', '--key', 'ca.key', '--subject', 'CN=tongban 演示根证书 (demo),O=tongban,C=CN', '--days', '3650', '--out', 'ca.pem');
    expect(root.code, root.stderr).toBe(0);
    expect(root.stdout).toMatch(/^CA certificate CN=tongban 演示根证书 \(demo\),O=tongban,C=CN \(self-signed, serial [0-9a-f]{32}, valid until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\) written to ca.pem\n$/);
    expect(run('certs', 'keygen', '--out', 'signer.key', '--pub', 'signer.pub').code).toBe(0);
    const leaf = run(
      'certs', 'cert', '--key', 'signer.key', '--subject', 'CN=亳州市人力资源和社会保障局,O=亳州市人力资源和社会保障局,C=CN',
      '--ca-key', 'ca.key', '--ca-cert', 'ca.pem', '--days', '365', '--out', 'signer.pem', '--json',
    );
    expect(leaf.code, leaf.stderr).toBe(0);
    const json = JSON.parse(leaf.stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ file: 'signer.pem', subject: 'CN=亳州市人力资源和社会保障局,O=亳州市人力资源和社会保障局,C=CN', issuer: 'CN=tongban 演示根证书 (demo),O=tongban,C=CN', isCa: false, keyUsage: ['digitalSignature', 'nonRepudiation'] });
    for (const f of ['ca.pem', 'signer.pem']) {
      expect(opensslStatus(['verify', '-vfyopt', DISTID, '-CAfile', tmp.path('ca.pem'), tmp.path(f)])).toMatchObject({ code: 0, stdout: `${tmp.path(f)}: OK\n` });
    }
    expect(openssl(['x509', '-in', tmp.path('ca.pem'), '-noout', '-text'])).toMatch(/CA:TRUE/);
    // a CA needs only the subject's public key
    const fromPub = run('certs', 'cert', '--key', 'signer.pub', '--subject', 'CN=From Public Key', '--ca-key', 'ca.key', '--ca-cert', 'ca.pem', '--out', 'frompub.pem');
    expect(fromPub.code, fromPub.stderr).toBe(0);
    expect(opensslStatus(['verify', '-vfyopt', DISTID, '-CAfile', tmp.path('ca.pem'), tmp.path('frompub.pem')]).code).toBe(0);
  });

  it('issues under an OpenSSL CA with an OpenSSL key, and OpenSSL accepts the result', () => {
    openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:SM2', '-out', tmp.path('oca.key')]);
    openssl(['req', '-new', '-x509', '-key', tmp.path('oca.key'), '-sm3', '-sigopt', DISTID, '-subj', '/CN=OpenSSL CA', '-out', tmp.path('oca.pem')]);
    openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:SM2', '-out', tmp.path('oleaf.key')]);
    const r = run('certs', 'cert', '--key', 'oleaf.key', '--subject', 'CN=Ours,C=CN', '--ca-key', 'oca.key', '--ca-cert', 'oca.pem', '--out', 'ours.pem');
    expect(r.code, r.stderr).toBe(0);
    expect(opensslStatus(['verify', '-vfyopt', DISTID, '-CAfile', tmp.path('oca.pem'), tmp.path('ours.pem')]).code).toBe(0);
  });

  it('opens an encrypted key with --passphrase-file and says when it is missing or wrong', () => {
    writeFileSync(tmp.path('wrong.txt'), 'not it\n');
    const missing = run('certs', 'cert', '--key', 'enc.key', '--subject', 'CN=x', '--out', 'x.pem');
    expect(missing).toMatchObject({ code: 2, stderr: 'tongban: enc.key: the private key is encrypted: a passphrase is needed (give --passphrase-file FILE)\n' });
    const wrong = run('certs', 'cert', '--key', 'enc.key', '--passphrase-file', 'wrong.txt', '--subject', 'CN=x', '--out', 'x.pem');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toBe('tongban: enc.key: wrong passphrase for the encrypted private key (or the key is damaged)\n');
    expect(run('certs', 'cert', '--key', 'enc.key', '--passphrase-file', 'pass.txt', '--subject', 'CN=x', '--out', 'x.pem').code).toBe(0);
  });
});

describe('tongban certs sign and verify-sig, against openssl dgst', () => {
  it('signs a file so that openssl dgst -sm3 -verify accepts it (default and custom ID)', () => {
    const r = run('certs', 'sign', '--key', 'a.key', '--in', 'msg.txt', '--out', 'msg.sig');
    expect(r).toMatchObject({ code: 0, stdout: 'signature of msg.txt written to msg.sig\n' });
    const ok = opensslStatus(['dgst', '-sm3', '-verify', tmp.path('a.pub'), '-sigopt', DISTID, '-signature', tmp.path('msg.sig'), tmp.path('msg.txt')]);
    expect(ok).toMatchObject({ code: 0, stdout: 'Verified OK\n' });
    expect(run('certs', 'sign', '--key', 'a.key', '--in', 'msg.txt', '--out', 'msg-id.sig', '--id', 'kiosk-341602-0001').code).toBe(0);
    const withId = opensslStatus(['dgst', '-sm3', '-verify', tmp.path('a.pub'), '-sigopt', 'distid:kiosk-341602-0001', '-signature', tmp.path('msg-id.sig'), tmp.path('msg.txt')]);
    expect(withId.stdout).toBe('Verified OK\n');
    expect(run('certs', 'verify-sig', '--pub', 'a.pub', '--in', 'msg.txt', '--sig', 'msg-id.sig', '--id', 'kiosk-341602-0001')).toMatchObject({ code: 0, stdout: 'signature valid\n' });
    expect(run('certs', 'verify-sig', '--pub', 'a.pub', '--in', 'msg.txt', '--sig', 'msg-id.sig')).toMatchObject({ code: 1, stdout: 'signature invalid: signature does not match\n' });
  });

  it('verifies what openssl dgst -sm3 -sign makes, with --pub or --cert, and says why when it does not', () => {
    openssl(['dgst', '-sm3', '-sign', tmp.path('signer.key'), '-sigopt', DISTID, '-out', tmp.path('o.sig'), tmp.path('msg.txt')]);
    expect(run('certs', 'verify-sig', '--pub', 'signer.pub', '--in', 'msg.txt', '--sig', 'o.sig')).toMatchObject({ code: 0, stdout: 'signature valid\n', stderr: '' });
    const byCert = run('certs', 'verify-sig', '--cert', 'signer.pem', '--in', 'msg.txt', '--sig', 'o.sig', '--json');
    expect(byCert.code).toBe(0);
    expect(JSON.parse(byCert.stdout)).toMatchObject({ valid: true, signer: 'CN=亳州市人力资源和社会保障局,O=亳州市人力资源和社会保障局,C=CN', id: '1234567812345678' });
    writeFileSync(tmp.path('changed.txt'), readFileSync(tmp.path('msg.txt'), 'utf8').replace('123', '124'));
    const bad = run('certs', 'verify-sig', '--pub', 'signer.pub', '--in', 'changed.txt', '--sig', 'o.sig');
    expect(bad).toMatchObject({ code: 1, stdout: 'signature invalid: signature does not match\n' });
    const badJson = run('certs', 'verify-sig', '--cert', 'signer.pem', '--in', 'changed.txt', '--sig', 'o.sig', '--json');
    expect(badJson.code).toBe(1);
    expect(JSON.parse(badJson.stdout)).toMatchObject({ valid: false, reason: 'signature does not match' });
    // keygen's public key file is the public half of its private key, as OpenSSL sees them
    expect(textHex(openssl(['pkey', '-in', tmp.path('signer.key'), '-text', '-noout']), 'pub:')).toBe(
      textHex(openssl(['pkey', '-pubin', '-in', tmp.path('signer.pub'), '-text', '-noout']), 'pub:'),
    );
  });

  it('signs with an OpenSSL-made key, and OpenSSL verifies', () => {
    expect(run('certs', 'sign', '--key', 'oleaf.key', '--in', 'msg.txt', '--out', 'oleaf.sig').code).toBe(0);
    openssl(['pkey', '-in', tmp.path('oleaf.key'), '-pubout', '-out', tmp.path('oleaf.pub')]);
    const r = opensslStatus(['pkeyutl', '-verify', '-pubin', '-inkey', tmp.path('oleaf.pub'), '-rawin', '-digest', 'sm3', '-pkeyopt', DISTID, '-in', tmp.path('msg.txt'), '-sigfile', tmp.path('oleaf.sig')]);
    expect(r.stdout).toContain('Signature Verified Successfully');
  });
});
