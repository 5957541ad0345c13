import { describe, expect, it } from 'vitest';
import { InputError } from '../../base/errors.js';
import { OID } from '../asn1-oids.js';
import { bitString, derChildren, encodeDer, explicit, fromDer, integer, nullValue, objectId, sequence, x509Time } from '../asn1.js';
import { bytesToHex } from '../bytes.js';
import { keyIdentifier, spkiNode } from '../keys.js';
import { encodePem } from '../pem.js';
import { generateKeyPair, sign } from '../sm2.js';
import { dnNode, parseDn } from '../x509-name.js';
import {
  certificateToPem, issueCertificate, parseCertificate, parseCertificates, verifyChain, type Certificate, type IssueCertificateOptions,
} from '../x509.js';

const DAY = 86_400_000;
const rootKp = generateKeyPair();
const leafKp = generateKeyPair();
const ROOT_SUBJECT = 'CN=tongban 演示根证书 (demo),O=tongban,C=CN';
const LEAF_SUBJECT = 'CN=亳州市人力资源和社会保障局,OU=电子印章,O=亳州市人力资源和社会保障局,L=亳州市,ST=安徽省,C=CN';
const start = new Date('2026-01-01T00:00:00Z');
const root = issueCertificate({ subject: ROOT_SUBJECT, publicKey: rootKp.publicKey, issuerKey: rootKp.privateKey, notBefore: start, days: 3650 });
const leaf = issueCertificate({ subject: LEAF_SUBJECT, publicKey: leafKp.publicKey, issuerKey: rootKp.privateKey, issuerCert: root, notBefore: start, days: 365 });
const inside = new Date('2026-06-01T00:00:00Z');

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error('expected an InputError');
}

/** A copy of `cert` with one byte of its TBSCertificate changed. */
function tamper(cert: Certificate, offsetInTbs: number): Certificate {
  const der = Uint8Array.from(cert.der);
  const tbsStart = cert.tbsDer.byteOffset - cert.der.byteOffset; // tbsDer is a view into der
  der[tbsStart + offsetInTbs]! ^= 0x01;
  return parseCertificate(der);
}

describe('issuing SM2 certificates', () => {
  it('makes an X.509 v3 root with a random positive 16-byte serial and SM2-with-SM3 without parameters', () => {
    expect(root.version).toBe(3);
    expect(root.serial).toHaveLength(16);
    expect(root.serial[0]! & 0x80).toBe(0);
    expect(root.serialHex).not.toBe(leaf.serialHex);
    expect(root.signatureAlgorithm).toBe(OID.sm2WithSm3);
    expect(root.tbsSignatureAlgorithm).toBe(OID.sm2WithSm3);
    // Certificate = { tbs, AlgorithmIdentifier { 1.2.156.10197.1.501 } (no parameters), BIT STRING }
    expect(bytesToHex(derChildren(root.der, 'c')[1]!)).toBe('300a06082a811ccf55018375');
    expect(root.subjectString).toBe(ROOT_SUBJECT);
    expect(root.issuerString).toBe(ROOT_SUBJECT);
  });

  it('marks roots as CAs that sign certificates and CRLs, with critical constraints', () => {
    expect(root.isCa).toBe(true);
    expect(root.keyUsage).toEqual(['keyCertSign', 'cRLSign']);
    const critical = Object.fromEntries(root.extensions.map((e) => [e.oid, e.critical]));
    expect(critical).toEqual({
      [OID.basicConstraints]: true,
      [OID.keyUsage]: true,
      [OID.subjectKeyIdentifier]: false,
      [OID.authorityKeyIdentifier]: false,
    });
    expect(bytesToHex(root.subjectKeyId!)).toBe(bytesToHex(keyIdentifier(rootKp.publicKey)));
    expect(bytesToHex(root.authorityKeyId!)).toBe(bytesToHex(root.subjectKeyId!));
  });

  it('makes signer certificates for signing, chained to their CA by name and key identifier', () => {
    expect(leaf.isCa).toBe(false);
    expect(leaf.keyUsage).toEqual(['digitalSignature', 'nonRepudiation']);
    expect(leaf.subjectString).toBe(LEAF_SUBJECT);
    expect(leaf.issuerString).toBe(ROOT_SUBJECT);
    expect(bytesToHex(leaf.issuer.der)).toBe(bytesToHex(root.subject.der));
    expect(bytesToHex(leaf.authorityKeyId!)).toBe(bytesToHex(root.subjectKeyId!));
    expect(bytesToHex(leaf.publicKey)).toBe(bytesToHex(leafKp.publicKey));
    expect(leaf.notBefore.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(leaf.notAfter.getTime() - leaf.notBefore.getTime()).toBe(365 * DAY);
  });

  it('keeps Chinese names, escaped commas and the attribute order of the subject', () => {
    const cert = issueCertificate({
      subject: 'CN=亳州市不动产登记中心,O=亳州市自然资源和规划局\\, 不动产科,C=CN',
      publicKey: leafKp.publicKey,
      issuerKey: rootKp.privateKey,
      issuerCert: root,
    });
    expect(cert.subjectString).toBe('CN=亳州市不动产登记中心,O=亳州市自然资源和规划局\\, 不动产科,C=CN');
    expect(cert.subject.rdns.map((r) => r[0]!.type)).toEqual(['C', 'O', 'CN']); // DER order: most general first
    expect(cert.subject.rdns[1]![0]!.value).toBe('亳州市自然资源和规划局, 不动产科');
  });

  it('takes key usages, extended key usages, path length and an explicit validity', () => {
    const cert = issueCertificate({
      subject: 'CN=Kiosk 341602-0001',
      publicKey: leafKp.publicKey,
      issuerKey: rootKp.privateKey,
      issuerCert: root,
      keyUsage: ['digitalSignature'],
      extendedKeyUsage: ['codeSigning', '1.3.6.1.5.5.7.3.2'],
      notBefore: new Date('2030-01-01T00:00:00Z'),
      notAfter: new Date('2060-01-01T00:00:00Z'),
    });
    expect(cert.keyUsage).toEqual(['digitalSignature']);
    expect(cert.extendedKeyUsage).toEqual(['codeSigning', 'clientAuth']);
    expect(cert.notAfter.toISOString()).toBe('2060-01-01T00:00:00.000Z'); // GeneralizedTime from 2050 on
    const ca = issueCertificate({ subject: 'CN=Sub CA', publicKey: leafKp.publicKey, issuerKey: rootKp.privateKey, issuerCert: root, isCa: true, pathLength: 0 });
    expect(ca.isCa).toBe(true);
    expect(ca.pathLength).toBe(0);
    expect(ca.keyUsage).toEqual(['keyCertSign', 'cRLSign']);
  });

  it('refuses to issue with a key that does not match, from a non-CA, or with a nonsense validity', () => {
    const other = generateKeyPair();
    expect(inputError(() => issueCertificate({ subject: 'CN=x', publicKey: other.publicKey, issuerKey: rootKp.privateKey })).code).toBe('x509.keyMismatch');
    expect(inputError(() => issueCertificate({ subject: 'CN=x', publicKey: other.publicKey, issuerKey: other.privateKey, issuerCert: root })).message).toBe(
      `the CA key does not belong to the CA certificate ${ROOT_SUBJECT}`,
    );
    expect(inputError(() => issueCertificate({ subject: 'CN=x', publicKey: other.publicKey, issuerKey: leafKp.privateKey, issuerCert: leaf })).message).toBe(
      `${LEAF_SUBJECT} is not a CA certificate (basicConstraints cA is not set)`,
    );
    expect(inputError(() => issueCertificate({ subject: 'CN=x', publicKey: rootKp.publicKey, issuerKey: rootKp.privateKey, days: 0 })).code).toBe('x509.validity');
    expect(inputError(() => issueCertificate({ subject: 'CN=x', publicKey: rootKp.publicKey, issuerKey: rootKp.privateKey, notBefore: start, notAfter: start })).code).toBe(
      'x509.validity',
    );
    expect(inputError(() => issueCertificate({ subject: 'CN=x,Q=y', publicKey: rootKp.publicKey, issuerKey: rootKp.privateKey })).message).toMatch(
      /^subject: unknown attribute type "Q"/,
    );
  });
});

describe('parsing certificates', () => {
  it('reads PEM and DER, and PEM bundles', () => {
    expect(parseCertificate(certificateToPem(leaf)).serialHex).toBe(leaf.serialHex);
    expect(parseCertificate(leaf.der).subjectString).toBe(LEAF_SUBJECT);
    const bundle = `Subject: whatever\n${certificateToPem(leaf)}some text\n${certificateToPem(root)}`;
    expect(parseCertificates(bundle).map((c) => c.serialHex)).toEqual([leaf.serialHex, root.serialHex]);
  });

  it('rejects malformed input with clear InputErrors', () => {
    expect(inputError(() => parseCertificate(new Uint8Array(0))).message).toBe('certificate: truncated DER');
    expect(inputError(() => parseCertificate(leaf.der.subarray(0, 100))).message).toBe('certificate: truncated DER');
    expect(inputError(() => parseCertificate(Uint8Array.from([...leaf.der, 0]))).message).toBe('certificate: trailing bytes after DER');
    expect(inputError(() => parseCertificate('-----BEGIN PUBLIC KEY-----\nMAA=\n-----END PUBLIC KEY-----\n')).message).toBe(
      'found a PEM "PUBLIC KEY" block where a certificate is expected',
    );
    expect(inputError(() => parseCertificates('nothing here')).message).toBe('certificates: no PEM block found');
    expect(inputError(() => parseCertificate(encodePem('CERTIFICATE', Uint8Array.of(0x30, 0x00)))).message).toBe('certificate: expected 3 elements, found 0');
  });

  it('tolerates what other issuers write: v1, an empty extension list, NULL parameters after SM2-with-SM3', () => {
    const alg = (withNull: boolean) => sequence(objectId(OID.sm2WithSm3), withNull ? nullValue() : undefined);
    const make = (version: number | undefined, extensions: boolean) => {
      const tbs = encodeDer(
        sequence(
          version === undefined ? undefined : explicit(0, integer(version)),
          integer(7),
          alg(true),
          dnNode(root.subject),
          sequence(x509Time(start), x509Time(new Date(start.getTime() + 365 * DAY))),
          dnNode(parseDn('CN=Other Issuer Leaf')),
          spkiNode(leafKp.publicKey),
          extensions ? explicit(3, sequence()) : undefined,
        ),
      );
      return parseCertificate(encodeDer(sequence(fromDer(tbs), alg(true), bitString(sign(rootKp.privateKey, tbs)))));
    };
    const v1 = make(undefined, false);
    expect(v1.version).toBe(1);
    expect(v1.serialHex).toBe('07');
    expect(v1.extensions).toEqual([]);
    expect(verifyChain(v1, { trusted: [root], at: inside }).trusted).toBe(true);
    const v3 = make(2, true);
    expect(v3.version).toBe(3);
    expect(v3.extensions).toEqual([]);
    expect(verifyChain(v3, { trusted: [root], at: inside }).trusted).toBe(true);
  });

  it('never throws anything but an InputError on a damaged certificate', () => {
    // every byte of the header and TBS prefix, then a stride through the rest
    const positions = [...Array(80).keys(), ...Array.from({ length: Math.floor((leaf.der.length - 80) / 3) }, (_, i) => 80 + i * 3)];
    for (const i of positions) {
      for (const v of [leaf.der[i]! ^ 0x01, 0xff, 0x00]) {
        const bad = Uint8Array.from(leaf.der);
        bad[i] = v;
        try {
          parseCertificate(bad);
        } catch (err) {
          if (!(err instanceof InputError)) throw new Error(`byte ${i} = ${v}: ${String(err)}`);
        }
      }
    }
  });
});

describe('verifyChain', () => {
  it('trusts a signer certificate issued by a trusted root, and the root itself', () => {
    const v = verifyChain(leaf, { trusted: [root], at: inside });
    expect(v.trusted).toBe(true);
    if (v.trusted) expect(v.chain.map((c) => c.subjectString)).toEqual([LEAF_SUBJECT, ROOT_SUBJECT]);
    expect(verifyChain(root, { trusted: [root], at: inside }).trusted).toBe(true);
  });

  it('reports expiry and not-yet-valid with the date', () => {
    expect(verifyChain(leaf, { trusted: [root], at: new Date('2027-03-01T00:00:00Z') })).toEqual({
      trusted: false,
      reason: `certificate expired on 2027-01-01 00:00:00 UTC (${LEAF_SUBJECT})`,
    });
    expect(verifyChain(leaf, { trusted: [root], at: new Date('2025-12-31T00:00:00Z') })).toEqual({
      trusted: false,
      reason: `certificate not valid before 2026-01-01 00:00:00 UTC (${LEAF_SUBJECT})`,
    });
    const expiredRoot = issueCertificate({ subject: 'CN=Old Root', publicKey: rootKp.publicKey, issuerKey: rootKp.privateKey, notBefore: new Date('2020-01-01T00:00:00Z'), days: 100 });
    const under = issueCertificate({ subject: 'CN=Under Old', publicKey: leafKp.publicKey, issuerKey: rootKp.privateKey, issuerCert: expiredRoot, notBefore: start });
    const v = verifyChain(under, { trusted: [expiredRoot], at: inside });
    expect(v).toEqual({ trusted: false, reason: 'certificate expired on 2020-04-10 00:00:00 UTC (CN=Old Root)' });
  });

  it('reports an unknown issuer and an untrusted self-signed certificate', () => {
    const otherKp = generateKeyPair();
    const otherRoot = issueCertificate({ subject: 'CN=Other Root', publicKey: otherKp.publicKey, issuerKey: otherKp.privateKey, notBefore: start });
    expect(verifyChain(leaf, { trusted: [otherRoot], at: inside })).toEqual({ trusted: false, reason: `unknown issuer: ${ROOT_SUBJECT}` });
    expect(verifyChain(otherRoot, { trusted: [root], at: inside })).toEqual({ trusted: false, reason: 'self-signed certificate is not trusted: CN=Other Root' });
  });

  it('rejects a tampered certificate: the signature does not verify', () => {
    // change one byte inside the subject's CN (a byte of the validity would also do)
    const cnOffset = Buffer.from(leaf.tbsDer).indexOf(Buffer.from('人力资源', 'utf8'));
    const bad = tamper(leaf, cnOffset);
    expect(bad.subjectString).not.toBe(LEAF_SUBJECT);
    const v = verifyChain(bad, { trusted: [root], at: inside });
    expect(v).toEqual({ trusted: false, reason: `signature of ${bad.subjectString} does not verify` });
  });

  it('rejects a root impostor with the same name but another key', () => {
    const impostorKp = generateKeyPair();
    const impostor = issueCertificate({ subject: ROOT_SUBJECT, publicKey: impostorKp.publicKey, issuerKey: impostorKp.privateKey, notBefore: start });
    const forged = issueCertificate({ subject: LEAF_SUBJECT, publicKey: leafKp.publicKey, issuerKey: impostorKp.privateKey, issuerCert: impostor, notBefore: start });
    const v = verifyChain(forged, { trusted: [root], at: inside });
    expect(v.trusted).toBe(false);
    if (!v.trusted) expect(v.reason).toMatch(/^(unknown issuer|signature of .* does not verify)/);
  });

  it('requires the issuer to be a CA allowed to sign certificates', () => {
    // Certificates a careful issuer would refuse to make: issue them through a doctored copy of the issuer.
    const notCaKp = generateKeyPair();
    const notCa = issueCertificate({ subject: 'CN=Not A CA', publicKey: notCaKp.publicKey, issuerKey: notCaKp.privateKey, isCa: false, notBefore: start });
    const child = issueCertificate({ subject: 'CN=Child', publicKey: leafKp.publicKey, issuerKey: notCaKp.privateKey, issuerCert: { ...notCa, isCa: true, keyUsage: [] }, notBefore: start });
    expect(verifyChain(child, { trusted: [notCa], at: inside })).toEqual({ trusted: false, reason: 'issuer CN=Not A CA is not a CA' });

    const noSignKp = generateKeyPair();
    const noSign = issueCertificate({ subject: 'CN=CRL Only CA', publicKey: noSignKp.publicKey, issuerKey: noSignKp.privateKey, keyUsage: ['cRLSign'], notBefore: start });
    const child2 = issueCertificate({ subject: 'CN=Child', publicKey: leafKp.publicKey, issuerKey: noSignKp.privateKey, issuerCert: { ...noSign, keyUsage: [] }, notBefore: start });
    expect(verifyChain(child2, { trusted: [noSign], at: inside })).toEqual({ trusted: false, reason: 'issuer CN=CRL Only CA may not sign certificates (no keyCertSign)' });
  });

  it('follows intermediates, enforces the maximum depth and path length constraints', () => {
    const k1 = generateKeyPair();
    const k2 = generateKeyPair();
    const base: Partial<IssueCertificateOptions> = { notBefore: start, days: 365 };
    const int1 = issueCertificate({ ...base, subject: 'CN=Intermediate 1', publicKey: k1.publicKey, issuerKey: rootKp.privateKey, issuerCert: root, isCa: true });
    const int2 = issueCertificate({ ...base, subject: 'CN=Intermediate 2', publicKey: k2.publicKey, issuerKey: k1.privateKey, issuerCert: int1, isCa: true });
    const end = issueCertificate({ ...base, subject: 'CN=End', publicKey: leafKp.publicKey, issuerKey: k2.privateKey, issuerCert: int2 });
    const ok = verifyChain(end, { trusted: [root], intermediates: [int2, int1], at: inside });
    expect(ok.trusted && ok.chain.map((c) => c.subjectString)).toEqual(['CN=End', 'CN=Intermediate 2', 'CN=Intermediate 1', ROOT_SUBJECT]);
    expect(verifyChain(end, { trusted: [root], intermediates: [int2], at: inside })).toEqual({ trusted: false, reason: 'unknown issuer: CN=Intermediate 1' });
    expect(verifyChain(end, { trusted: [root], intermediates: [int2, int1], at: inside, maxDepth: 3 })).toEqual({
      trusted: false,
      reason: 'chain is longer than 3 certificates',
    });
    const limited = issueCertificate({ ...base, subject: 'CN=Intermediate 1', publicKey: k1.publicKey, issuerKey: rootKp.privateKey, issuerCert: root, isCa: true, pathLength: 0 });
    expect(verifyChain(end, { trusted: [root], intermediates: [int2, limited], at: inside })).toEqual({
      trusted: false,
      reason: 'path length constraint of CN=Intermediate 1 exceeded',
    });
  });

  it('uses the right one of two CAs with the same name (re-keyed CA)', () => {
    const newKp = generateKeyPair();
    const rekeyed = issueCertificate({ subject: ROOT_SUBJECT, publicKey: newKp.publicKey, issuerKey: newKp.privateKey, notBefore: start });
    const v = verifyChain(leaf, { trusted: [rekeyed, root], at: inside });
    expect(v.trusted).toBe(true);
  });
});
