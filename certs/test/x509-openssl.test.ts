/** Certificates both ways with OpenSSL 3 as the outside party. */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { bytesToHex } from '../bytes.js';
import { privateKeyToPem, readPrivateKey } from '../keys.js';
import { generateKeyPair, publicKeyFromPrivate } from '../sm2.js';
import { certificateToPem, issueCertificate, parseCertificate, verifyChain, type Certificate } from '../x509.js';
import { DISTID, openssl, opensslStatus, tempDir } from './keys-x509-openssl.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

const ROOT = 'CN=tongban 演示根证书 (demo),O=tongban,C=CN';
const SIGNER = 'CN=亳州市人力资源和社会保障局,O=亳州市人力资源和社会保障局,L=亳州市,ST=安徽省,C=CN';

function write(name: string, cert: Certificate): string {
  writeFileSync(tmp.path(name), certificateToPem(cert));
  return tmp.path(name);
}

function opensslVerify(caFile: string, certFile: string, extra: string[] = []) {
  return opensslStatus(['verify', '-vfyopt', DISTID, ...extra, '-CAfile', caFile, certFile]);
}

/** A copy of `cert` with one TBSCertificate byte changed, still parseable. */
function tampered(cert: Certificate, needle: string): Uint8Array {
  const der = Uint8Array.from(cert.der);
  const at = Buffer.from(der).indexOf(Buffer.from(needle, 'utf8'));
  expect(at).toBeGreaterThan(0);
  der[at]! ^= 0x01;
  return der;
}

describe('certificates we issue, OpenSSL verifies', () => {
  const rootKp = generateKeyPair();
  const signerKp = generateKeyPair();
  const root = issueCertificate({ subject: ROOT, publicKey: rootKp.publicKey, issuerKey: rootKp.privateKey, days: 3650 });
  const signer = issueCertificate({ subject: SIGNER, publicKey: signerKp.publicKey, issuerKey: rootKp.privateKey, issuerCert: root, days: 365 });
  const caFile = write('ca.pem', root);
  const signerFile = write('signer.pem', signer);

  it('openssl verify accepts the root and the signer certificate', () => {
    expect(opensslVerify(caFile, caFile)).toMatchObject({ code: 0, stdout: `${caFile}: OK\n` });
    expect(opensslVerify(caFile, signerFile)).toMatchObject({ code: 0, stdout: `${signerFile}: OK\n` });
  });

  it('openssl x509 -text reads every field as we meant it', () => {
    const text = openssl(['x509', '-in', signerFile, '-text', '-noout', '-nameopt', 'utf8,sep_comma_plus_space']);
    expect(text).toContain('Version: 3 (0x2)');
    expect(text).toMatch(/Signature Algorithm: SM2-with-SM3/);
    expect(text).toContain('Subject: C=CN, ST=安徽省, L=亳州市, O=亳州市人力资源和社会保障局, CN=亳州市人力资源和社会保障局');
    expect(text).toContain('Issuer: C=CN, O=tongban, CN=tongban 演示根证书 (demo)');
    expect(text).toContain('ASN1 OID: SM2');
    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature, Non Repudiation/);
    const serial = openssl(['x509', '-in', signerFile, '-noout', '-serial']).trim();
    expect(serial.toLowerCase()).toBe(`serial=${signer.serialHex}`);
    const rootText = openssl(['x509', '-in', caFile, '-text', '-noout']);
    expect(rootText).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE/);
    expect(rootText).toMatch(/X509v3 Key Usage: critical\s+Certificate Sign, CRL Sign/);
    const dates = openssl(['x509', '-in', signerFile, '-noout', '-startdate', '-enddate', '-dateopt', 'iso_8601']);
    expect(dates).toContain(`notBefore=${signer.notBefore.toISOString().replace('T', ' ').replace('.000Z', 'Z')}`);
  });

  it('computes the same subject key identifier OpenSSL computes for the same key', () => {
    writeFileSync(tmp.path('root.key'), privateKeyToPem(rootKp.privateKey));
    openssl(['req', '-new', '-x509', '-key', tmp.path('root.key'), '-sm3', '-sigopt', DISTID, '-subj', '/CN=Same Key', '-out', tmp.path('same.pem')]);
    const theirs = parseCertificate(readFileSync(tmp.path('same.pem'), 'utf8'));
    expect(bytesToHex(theirs.subjectKeyId!)).toBe(bytesToHex(root.subjectKeyId!));
  });

  it('a tampered certificate fails OpenSSL and us', () => {
    const bad = parseCertificate(tampered(signer, '人力资源'));
    const badFile = write('bad.pem', bad);
    const r = opensslVerify(caFile, badFile);
    expect(r.code).not.toBe(0);
    expect(r.stderr + r.stdout).toMatch(/certificate signature failure/);
    expect(verifyChain(bad, { trusted: [root] })).toEqual({ trusted: false, reason: `signature of ${bad.subjectString} does not verify` });
  });

  it('OpenSSL and we agree on expiry', () => {
    const old = issueCertificate({ subject: 'CN=Expired', publicKey: signerKp.publicKey, issuerKey: rootKp.privateKey, issuerCert: root, notBefore: new Date(Date.now() - 10 * 86_400_000), days: 2 });
    const oldFile = write('old.pem', old);
    const r = opensslVerify(caFile, oldFile);
    expect(r.code).not.toBe(0);
    expect(r.stderr + r.stdout).toMatch(/certificate has expired/);
    const v = verifyChain(old, { trusted: [root] });
    expect(!v.trusted && v.reason).toMatch(/^certificate expired on \d{4}-\d{2}-\d{2} /);
  });

  it('OpenSSL reads GeneralizedTime validity (2050 and later) as we write it', () => {
    const late = issueCertificate({ subject: 'CN=Long Lived', publicKey: signerKp.publicKey, issuerKey: rootKp.privateKey, issuerCert: root, notAfter: new Date('2051-06-30T12:00:00Z') });
    const lateFile = write('late.pem', late);
    expect(openssl(['x509', '-in', lateFile, '-noout', '-enddate'])).toBe('notAfter=Jun 30 12:00:00 2051 GMT\n');
    expect(opensslVerify(caFile, lateFile).code).toBe(0);
  });
});

describe('certificates OpenSSL issues, we parse and verify', () => {
  const caKey = tmp.path('oca.key');
  const caCert = tmp.path('oca.crt');
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:SM2', '-out', caKey]);
  openssl(['req', '-new', '-x509', '-key', caKey, '-sm3', '-sigopt', DISTID, '-utf8', '-subj', '/C=CN/O=OpenSSL 测试/CN=OpenSSL Root', '-days', '30', '-out', caCert]);
  const leafKey = tmp.path('oleaf.key');
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:SM2', '-out', leafKey]);
  openssl(['req', '-new', '-key', leafKey, '-sm3', '-sigopt', DISTID, '-utf8', '-subj', '/C=CN/O=亳州市不动产登记中心/CN=OpenSSL Leaf', '-out', tmp.path('oleaf.csr')]);
  writeFileSync(tmp.path('v3.ext'), 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n');
  const sign = (out: string, extra: string[]) =>
    openssl(['x509', '-req', '-in', tmp.path('oleaf.csr'), '-CA', caCert, '-CAkey', caKey, '-CAcreateserial', '-sm3', '-sigopt', DISTID, '-vfyopt', DISTID, '-days', '10', ...extra, '-out', out]);
  const plainLeaf = tmp.path('oleaf.crt');
  const v3Leaf = tmp.path('oleaf-v3.crt');
  sign(plainLeaf, []);
  sign(v3Leaf, ['-extfile', tmp.path('v3.ext')]);
  const root = parseCertificate(readFileSync(caCert, 'utf8'));

  it('parses OpenSSL\'s root: v3 CA with its key', () => {
    expect(root.version).toBe(3);
    expect(root.isCa).toBe(true);
    expect(root.subjectString).toBe('CN=OpenSSL Root,O=OpenSSL 测试,C=CN');
    expect(bytesToHex(root.publicKey)).toBe(bytesToHex(publicKeyFromPrivate(readPrivateKey(readFileSync(caKey, 'utf8')))));
  });

  it('chain-verifies OpenSSL leaves (plain `x509 -req` and with v3 extensions)', () => {
    for (const file of [plainLeaf, v3Leaf]) {
      const leaf = parseCertificate(readFileSync(file, 'utf8'));
      expect(leaf.subjectString).toBe('CN=OpenSSL Leaf,O=亳州市不动产登记中心,C=CN');
      const v = verifyChain(leaf, { trusted: [root] });
      expect(v.trusted).toBe(true);
    }
    const v3 = parseCertificate(readFileSync(v3Leaf, 'utf8'));
    expect(v3.keyUsage).toEqual(['digitalSignature', 'nonRepudiation']);
    expect(bytesToHex(v3.authorityKeyId!)).toBe(bytesToHex(root.subjectKeyId!));
  });

  it('rejects a tampered OpenSSL leaf, as OpenSSL does', () => {
    const leaf = parseCertificate(readFileSync(v3Leaf, 'utf8'));
    const bad = parseCertificate(tampered(leaf, 'OpenSSL Leaf'));
    expect(verifyChain(bad, { trusted: [root] })).toEqual({ trusted: false, reason: `signature of ${bad.subjectString} does not verify` });
    const badFile = write('obad.pem', bad);
    expect(opensslVerify(caCert, badFile).code).not.toBe(0);
  });

  it('issues under an OpenSSL root with its OpenSSL key, and OpenSSL accepts the result', () => {
    const kp = generateKeyPair();
    const mine = issueCertificate({ subject: 'CN=Ours Under Theirs', publicKey: kp.publicKey, issuerKey: readPrivateKey(readFileSync(caKey, 'utf8')), issuerCert: root, days: 5 });
    expect(opensslVerify(caCert, write('mine.pem', mine)).code).toBe(0);
  });
});
