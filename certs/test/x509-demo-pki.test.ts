import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bytesToHex } from '../bytes.js';
import { createDemoPki, DEMO_ROOT_NAME, DEMO_SIGNERS, demoPkiFiles, demoSigner } from '../demo-pki.js';
import { readPrivateKey } from '../keys.js';
import { publicKeyFromPrivate } from '../sm2.js';
import { dnValue, parseCertificate, verifyChain } from '../x509.js';
import { DISTID, opensslStatus, tempDir } from './keys-x509-openssl.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

const pki = createDemoPki();

describe('demo PKI', () => {
  it('has the demo root CA and the department signers it issued', () => {
    expect(dnValue(pki.root.cert.subject, 'CN')).toBe(DEMO_ROOT_NAME);
    expect(pki.root.cert.isCa).toBe(true);
    expect(pki.signers.map((s) => s.name)).toEqual(['亳州市人力资源和社会保障局', '亳州市不动产登记中心', '亳州市政务服务中心']);
    for (const id of [pki.maker, ...pki.signers]) {
      expect(id.cert.issuerString).toBe(pki.root.cert.subjectString);
      expect(id.cert.keyUsage).toEqual(['digitalSignature', 'nonRepudiation']);
      expect(id.cert.isCa).toBe(false);
      expect(bytesToHex(id.publicKey)).toBe(bytesToHex(publicKeyFromPrivate(id.key)));
      expect(bytesToHex(id.cert.publicKey)).toBe(bytesToHex(id.publicKey));
      expect(verifyChain(id.cert, { trusted: [pki.root.cert], at: new Date('2027-01-01T00:00:00Z') }).trusted).toBe(true);
    }
    expect(dnValue(demoSigner(pki, 'real-estate').cert.subject, 'CN')).toBe('亳州市不动产登记中心');
    expect(demoSigner(pki, '亳州市人力资源和社会保障局').slug).toBe('hrss');
    expect(() => demoSigner(pki, 'nobody')).toThrow('no demo signer "nobody" (known: hrss, real-estate, service-center)');
  });

  it('is deterministic for a seed: same keys, serials and validity; a certificate chains to a root from another run', () => {
    const again = createDemoPki();
    expect(bytesToHex(again.root.key)).toBe(bytesToHex(pki.root.key));
    expect(again.root.cert.serialHex).toBe(pki.root.cert.serialHex);
    expect(again.signers.map((s) => bytesToHex(s.key))).toEqual(pki.signers.map((s) => bytesToHex(s.key)));
    expect(again.signers[0]!.cert.notAfter.toISOString()).toBe(pki.signers[0]!.cert.notAfter.toISOString());
    expect(pki.root.cert.notBefore.toISOString()).toBe('2025-01-01T00:00:00.000Z');
    expect(verifyChain(again.signers[1]!.cert, { trusted: [pki.root.cert] }).trusted).toBe(true);

    const other = createDemoPki({ seed: 'another seed' });
    expect(bytesToHex(other.root.key)).not.toBe(bytesToHex(pki.root.key));
    expect(verifyChain(other.signers[0]!.cert, { trusted: [pki.root.cert] }).trusted).toBe(false);
    const random = createDemoPki({ randomKeys: true, signers: [DEMO_SIGNERS[0]!] });
    expect(random.signers).toHaveLength(1);
    expect(bytesToHex(random.root.key)).not.toBe(bytesToHex(pki.root.key));
  });

  it('takes its validity and signers from options', () => {
    const short = createDemoPki({ notBefore: new Date('2026-01-01T00:00:00Z'), signerDays: 30, signers: [{ slug: 'x', name: '测试局, 二处' }] });
    expect(short.signers[0]!.cert.notAfter.toISOString()).toBe('2026-01-31T00:00:00.000Z');
    expect(dnValue(short.signers[0]!.cert.subject, 'CN')).toBe('测试局, 二处');
    expect(short.signers[0]!.cert.subjectString).toBe('CN=测试局\\, 二处,OU=电子印章 (demo),O=测试局\\, 二处,C=CN');
  });

  it('lays out its files, which OpenSSL accepts', () => {
    const files = demoPkiFiles(pki);
    expect(files.map((f) => f.path)).toEqual([
      'root/ca.pem', 'root/ca.key', 'root/ca.pub', 'maker/cert.pem', 'maker/key.pem',
      'signers/hrss/cert.pem', 'signers/hrss/key.pem', 'signers/hrss/chain.pem',
      'signers/real-estate/cert.pem', 'signers/real-estate/key.pem', 'signers/real-estate/chain.pem',
      'signers/service-center/cert.pem', 'signers/service-center/key.pem', 'signers/service-center/chain.pem',
    ]);
    expect(files.filter((f) => f.secret).map((f) => f.path)).toEqual(['root/ca.key', 'maker/key.pem', 'signers/hrss/key.pem', 'signers/real-estate/key.pem', 'signers/service-center/key.pem']);
    for (const f of files) {
      mkdirSync(dirname(join(tmp.dir, f.path)), { recursive: true });
      writeFileSync(join(tmp.dir, f.path), f.contents);
    }
    const byPath = new Map(files.map((f) => [f.path, f.contents]));
    expect(bytesToHex(readPrivateKey(byPath.get('signers/hrss/key.pem')!))).toBe(bytesToHex(pki.signers[0]!.key));
    expect(parseCertificate(byPath.get('maker/cert.pem')!).serialHex).toBe(pki.maker.cert.serialHex);
    for (const cert of ['maker/cert.pem', 'signers/hrss/cert.pem', 'signers/real-estate/cert.pem', 'signers/service-center/cert.pem']) {
      const r = opensslStatus(['verify', '-vfyopt', DISTID, '-CAfile', join(tmp.dir, 'root/ca.pem'), join(tmp.dir, cert)]);
      expect(r.code, r.stderr).toBe(0);
    }
  });
});
