import { writeFileSync } from 'node:fs';
import forge from 'node-forge';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../base/errors.js';
import { encodeDer } from '../asn1.js';
import { publicKeyToPem } from '../keys.js';
import {
  buildSesSignature,
  createSeal,
  LAYOUT_0031,
  LAYOUT_V4,
  encodeSeal,
  encodeSealInfo,
  parseSeal,
  parseSesSignature,
  verifySesSignature,
  type SealPicture,
} from '../seal/index.js';
import { sign } from '../sm2.js';
import { sm3 } from '../sm3.js';
import { issueCertificate } from '../x509.js';
import { demoPki, mutations, openssl, tempDir } from './seal-fixtures.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

const { asn1 } = forge;
const bin = (b: Uint8Array): string => Buffer.from(b).toString('latin1');
const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

const PICTURE: SealPicture = { type: 'PNG', data: Uint8Array.of(0x89, 0x50, 0x4e, 0x47), widthMm: 42, heightMm: 42 };
const SIGNED_AT = new Date('2026-03-15T08:30:00Z');
const DOCUMENT = new TextEncoder().encode('%PDF-1.7 the bytes a ByteRange covers');
const HASH = sm3(DOCUMENT);

function sealDer(validStart = new Date('2026-01-01T00:00:00Z'), validEnd = new Date('2028-01-01T00:00:00Z')): Uint8Array {
  const pki = demoPki();
  return createSeal({
    makerKey: pki.maker.key,
    makerCert: pki.maker.cert,
    signerCerts: [pki.signers[0]!.cert.der],
    name: '亳州市人力资源和社会保障局',
    esID: '341600202601010042',
    createDate: validStart,
    validStart,
    validEnd,
    picture: PICTURE,
  });
}

function signature(extra: Partial<Parameters<typeof buildSesSignature>[0]> = {}): Uint8Array {
  const signer = demoPki().signers[0]!;
  return buildSesSignature({ seal: sealDer(), signerKey: signer.key, signerCert: signer.cert.der, dataHash: HASH, propertyInfo: 'doc-0001', time: SIGNED_AT, ...extra });
}

describe('buildSesSignature / parseSesSignature (v4)', () => {
  it('writes TBS_Sign and SES_Signature as GB/T 38540 lays them out, and reads them back', () => {
    const der = signature();
    const sig = parseSesSignature(der);
    expect(sig.layout).toBe(LAYOUT_V4);
    expect(sig.version).toBe(4);
    expect(sig.signingTime).toEqual(SIGNED_AT);
    expect(Buffer.from(sig.dataHash).equals(Buffer.from(HASH))).toBe(true);
    expect(sig.propertyInfo).toBe('doc-0001');
    expect(sig.signatureAlgID).toBe('1.2.156.10197.1.501');
    expect(sig.seal).toMatchObject({ layout: LAYOUT_V4, esID: '341600202601010042' });
    expect(Buffer.from(sig.signerCert).equals(Buffer.from(demoPki().signers[0]!.cert.der))).toBe(true);
    expect(sig.timeStamp).toBeNull();

    const top = asn1.fromDer(bin(der), { decodeBitStrings: false } as never) as forge.asn1.Asn1;
    const [toSign, cert, alg, value] = top.value as forge.asn1.Asn1[];
    expect([cert!.type, alg!.type, value!.type]).toEqual([asn1.Type.OCTETSTRING, asn1.Type.OID, asn1.Type.BITSTRING]);
    const tbs = toSign!.value as forge.asn1.Asn1[];
    expect(tbs.map((n) => n.type)).toEqual([asn1.Type.INTEGER, asn1.Type.SEQUENCE, asn1.Type.GENERALIZEDTIME, asn1.Type.BITSTRING, asn1.Type.IA5STRING]);
    expect(tbs[2]!.value).toBe('20260315083000Z');
    // the seal is embedded byte for byte, and TBS_Sign is the first element
    const seal = sealDer();
    const embedded = parseSesSignature(buildSesSignature({ seal, signerKey: demoPki().signers[0]!.key, signerCert: demoPki().signers[0]!.cert, dataHash: HASH, propertyInfo: 'p' }));
    expect(Buffer.from(embedded.seal.der).equals(Buffer.from(seal))).toBe(true);
    expect(Buffer.from(der).indexOf(Buffer.from(sig.tbsDer))).toBeLessThanOrEqual(4);
  });

  it('refuses a signer the seal does not list, a key that is not the certificate\'s, and a wrong-size hash', () => {
    const pki = demoPki();
    const other = pki.signers[1]!;
    expect(() => signature({ signerKey: other.key, signerCert: other.cert })).toThrow(/not one of the seal's signer certificates/);
    expect(() => signature({ signerKey: other.key })).toThrow(/signer key does not belong/);
    expect(() => signature({ dataHash: new Uint8Array(20) })).toThrow(/32-byte SM3/);
    expect(() => signature({ propertyInfo: '中文' })).toThrow(/printable ASCII/);
    expect(() => signature({ seal: Uint8Array.of(1, 2) })).toThrow(InputError);
  });
});

describe('verifySesSignature', () => {
  it('reports every check of a good signature', () => {
    const pki = demoPki();
    const v = verifySesSignature(signature(), { dataHash: HASH, trusted: [pki.root.cert] });
    expect(v.reasons).toEqual([]);
    expect(v).toMatchObject({
      valid: true,
      layout: LAYOUT_V4,
      sealName: '亳州市人力资源和社会保障局',
      esID: '341600202601010042',
      propertyInfo: 'doc-0001',
      signingTime: SIGNED_AT,
      at: SIGNED_AT,
      signerCertValid: true,
      signerTrusted: true,
      signerInSeal: true,
      dataHashMatches: true,
      signatureValid: true,
    });
    expect(v.signer?.subject).toBe(pki.signers[0]!.cert.subjectString);
    expect(v.signer?.subject).toContain('CN=亳州市人力资源和社会保障局');
    expect(v.seal).toMatchObject({ valid: true, period: 'valid', makerSignatureValid: true, makerTrusted: true });
  });

  it('OpenSSL verifies the signature over DER(TBS_Sign) with the signer\'s public key', () => {
    const sig = parseSesSignature(signature());
    writeFileSync(tmp.path('signer.pub'), publicKeyToPem(demoPki().signers[0]!.publicKey));
    writeFileSync(tmp.path('tbs.der'), sig.tbsDer);
    writeFileSync(tmp.path('sig.der'), sig.signature);
    const r = openssl(['pkeyutl', '-verify', '-pubin', '-inkey', 'signer.pub', '-rawin', '-digest', 'sm3', '-pkeyopt', 'distid:1234567812345678', '-in', 'tbs.der', '-sigfile', 'sig.der'], tmp.dir);
    expect(r.stdout + r.stderr).toContain('Signature Verified Successfully');
    expect(r.code).toBe(0);
    // and a changed TBS_Sign is refused by OpenSSL too
    const changed = Uint8Array.from(sig.tbsDer);
    changed[changed.length - 1]! ^= 1;
    writeFileSync(tmp.path('tbs-changed.der'), changed);
    expect(openssl(['pkeyutl', '-verify', '-pubin', '-inkey', 'signer.pub', '-rawin', '-digest', 'sm3', '-pkeyopt', 'distid:1234567812345678', '-in', 'tbs-changed.der', '-sigfile', 'sig.der'], tmp.dir).code).not.toBe(0);
  });

  it('notices changed data', () => {
    const v = verifySesSignature(signature(), { dataHash: sm3(new TextEncoder().encode('other bytes')) });
    expect(v.valid).toBe(false);
    expect(v.dataHashMatches).toBe(false);
    expect(v.signatureValid).toBe(true);
    expect(v.reasons).toEqual(['the data hash does not match: the signed data was changed']);
  });

  it('notices a changed signature value and a changed TBS_Sign', () => {
    const der = signature();
    const sig = parseSesSignature(der);
    const i = Buffer.from(der).lastIndexOf(Buffer.from(sig.signature));
    const a = Uint8Array.from(der);
    a[i + sig.signature.length - 1]! ^= 0x01;
    const va = verifySesSignature(a, { dataHash: HASH });
    expect(va.signatureValid).toBe(false);
    expect(va.reasons).toContain('the signature does not verify (the signed data or the seal was altered, or another key signed)');
    const j = Buffer.from(der).indexOf(Buffer.from('doc-0001'));
    const b = Uint8Array.from(der);
    b[j] = 'D'.charCodeAt(0);
    expect(verifySesSignature(b, { dataHash: HASH }).signatureValid).toBe(false);
  });

  it('judges the seal and the signer certificate at the signing time, or at a given time', () => {
    const signer = demoPki().signers[0]!;
    const expiredSeal = sealDer(new Date('2025-01-01T00:00:00Z'), new Date('2025-12-31T00:00:00Z'));
    const v = verifySesSignature(buildSesSignature({ seal: expiredSeal, signerKey: signer.key, signerCert: signer.cert, dataHash: HASH, propertyInfo: 'x', time: SIGNED_AT }), { dataHash: HASH });
    expect(v.valid).toBe(false);
    expect(v.seal.period).toBe('expired');
    expect(v.reasons).toEqual(['the seal expired on 2025-12-31 00:00:00 UTC']);

    const late = verifySesSignature(signature(), { dataHash: HASH, at: new Date('2036-01-01T00:00:00Z') });
    expect(late.signerCertValid).toBe(false);
    expect(late.reasons).toContain("the signer's certificate had expired at 2036-01-01 00:00:00 UTC (on 2035-01-01 00:00:00 UTC)");
  });

  it('does not trust a signer outside the given roots, and flags a signer the seal does not list', () => {
    const pki = demoPki();
    const stranger = issueCertificate({ subject: 'CN=Stranger', publicKey: pki.signers[2]!.publicKey, issuerKey: pki.signers[2]!.key, notBefore: new Date('2026-01-01T00:00:00Z') });
    const untrusted = verifySesSignature(signature(), { dataHash: HASH, trusted: [stranger] });
    expect(untrusted.signerTrusted).toBe(false);
    expect(untrusted.reasons.join('\n')).toMatch(/signer's certificate is not trusted: unknown issuer/);

    // A GM/T 0031-style forgery: a signature by a certificate the seal does not list.
    const forged = gmt0031Signature({ signer: pki.signers[2]! });
    const v = verifySesSignature(forged, { dataHash: HASH, trusted: [pki.root.cert] });
    expect(v.signatureValid).toBe(true);
    expect(v.signerInSeal).toBe(false);
    expect(v.reasons).toEqual(["the signer's certificate is not among the seal's signers"]);
  });
});

/** GM/T 0031-2014 seal and SES_Signature, built here with forge.asn1 (independently of the codec). */
function gmt0031Signature(options: { signer?: ReturnType<typeof demoPki>['signers'][number]; time?: string } = {}): Uint8Array {
  const pki = demoPki();
  const signer = options.signer ?? pki.signers[0]!;
  const U = asn1.Class.UNIVERSAL;
  const T = asn1.Type;
  const prim = (type: number, value: string): forge.asn1.Asn1 => asn1.create(U, type, false, value);
  const seq = (...items: forge.asn1.Asn1[]): forge.asn1.Asn1 => asn1.create(U, T.SEQUENCE, true, items);
  const int = (n: number): forge.asn1.Asn1 => prim(T.INTEGER, asn1.integerToDer(n).getBytes());
  const alg = (): forge.asn1.Asn1 => prim(T.OID, asn1.oidToDer('1.2.156.10197.1.501').getBytes());
  const sealInfo = seq(
    seq(prim(T.IA5STRING, 'ES'), int(2), prim(T.IA5STRING, 'OLD')),
    prim(T.IA5STRING, '3416000031'),
    seq(
      int(1),
      prim(T.UTF8, forge.util.encodeUtf8('亳州市人力资源和社会保障局')),
      seq(prim(T.OCTETSTRING, bin(pki.signers[0]!.cert.der))),
      prim(T.UTCTIME, '260101000000Z'),
      prim(T.UTCTIME, '260101000000Z'),
      prim(T.UTCTIME, '300101000000Z'),
    ),
    seq(prim(T.IA5STRING, 'PNG'), prim(T.OCTETSTRING, '\x89PNG'), int(40), int(40)),
  );
  const makerCert = prim(T.OCTETSTRING, bin(pki.maker.cert.der));
  const sealSig = sign(pki.maker.key, bytes(asn1.toDer(seq(sealInfo, makerCert, alg())).getBytes()));
  const seal = seq(sealInfo, seq(makerCert, alg(), prim(T.BITSTRING, '\x00' + bin(sealSig))));
  const tbs = seq(
    int(1),
    seal,
    prim(T.BITSTRING, '\x00' + (options.time ?? '20260315083000Z')),
    prim(T.BITSTRING, '\x00' + bin(HASH)),
    prim(T.IA5STRING, 'doc-0031'),
    prim(T.OCTETSTRING, bin(signer.cert.der)),
    alg(),
  );
  const tbsDer = bytes(asn1.toDer(tbs).getBytes());
  const signatureValue = sign(signer.key, tbsDer);
  return bytes(asn1.toDer(seq(tbs, prim(T.BITSTRING, '\x00' + bin(signatureValue)))).getBytes());
}

describe('GM/T 0031-2014 signatures', () => {
  it('are read (timeInfo as a BIT STRING) and verified', () => {
    const der = gmt0031Signature();
    const sig = parseSesSignature(der);
    expect(sig.layout).toBe(LAYOUT_0031);
    expect(sig.seal.layout).toBe(LAYOUT_0031);
    expect(sig.signingTime).toEqual(SIGNED_AT);
    expect(sig.propertyInfo).toBe('doc-0031');
    const v = verifySesSignature(der, { dataHash: HASH, trusted: [demoPki().root.cert] });
    expect(v.reasons).toEqual([]);
    expect(v).toMatchObject({ valid: true, layout: LAYOUT_0031, signatureValid: true, signerInSeal: true, signerTrusted: true, sealName: '亳州市人力资源和社会保障局' });
  });

  it('read a UTCTime text or a whole DER time inside timeInfo, and report an unreadable one', () => {
    expect(parseSesSignature(gmt0031Signature({ time: '260315083000Z' })).signingTime).toEqual(SIGNED_AT);
    expect(parseSesSignature(gmt0031Signature({ time: '\x18\x0f20260315083000Z' })).signingTime).toEqual(SIGNED_AT);
    const odd = gmt0031Signature({ time: 'yesterday' });
    expect(parseSesSignature(odd).signingTime).toBeNull();
    const v = verifySesSignature(odd, { dataHash: HASH, at: SIGNED_AT });
    expect(v.reasons).toEqual(['the signing time cannot be read']);
  });
});

describe('less common v4 forms', () => {
  it('reads a timeStamp [0] after the signature, and TBS_Sign extDatas [0]', () => {
    const signer = demoPki().signers[0]!;
    const U = asn1.Class.UNIVERSAL;
    const T = asn1.Type;
    const prim = (type: number, value: string): forge.asn1.Asn1 => asn1.create(U, type, false, value);
    const seq = (...items: forge.asn1.Asn1[]): forge.asn1.Asn1 => asn1.create(U, T.SEQUENCE, true, items);
    const ext = seq(prim(T.OID, asn1.oidToDer('1.2.156.1.99').getBytes()), prim(T.OCTETSTRING, 'hello'));
    const tbs = seq(
      prim(T.INTEGER, '\x04'),
      asn1.fromDer(bin(sealDer())),
      prim(T.GENERALIZEDTIME, '20260315083000Z'),
      prim(T.BITSTRING, '\x00' + bin(HASH)),
      prim(T.IA5STRING, 'with-ext'),
      asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [seq(ext)]),
    );
    const tbsDer = bytes(asn1.toDer(tbs).getBytes());
    const value = sign(signer.key, tbsDer);
    const token = '\x30\x03\x02\x01\x07';
    const der = bytes(
      asn1.toDer(seq(
        tbs,
        prim(T.OCTETSTRING, bin(signer.cert.der)),
        prim(T.OID, asn1.oidToDer('1.2.156.10197.1.501').getBytes()),
        prim(T.BITSTRING, '\x00' + bin(value)),
        asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [prim(T.BITSTRING, '\x00' + token)]),
      )).getBytes(),
    );
    const sig = parseSesSignature(der);
    expect(sig.extDatas).toEqual([{ extnID: '1.2.156.1.99', critical: false, extnValue: bytes('hello') }]);
    expect(bin(sig.timeStamp!)).toBe(token);
    expect(verifySesSignature(sig, { dataHash: HASH }).valid).toBe(true);
  });

  it('matches the signer against a seal that lists certificate digests (certListType 2)', () => {
    const pki = demoPki();
    const signer = pki.signers[0]!;
    const start = new Date('2026-01-01T00:00:00Z');
    const info = encodeDer(encodeSealInfo({
      header: { id: 'ES', version: 4, vid: 'test' },
      esID: 'digest-seal',
      property: { type: 1, name: '摘要章', certListType: 2, certs: [], certDigests: [{ type: 'sm3', value: sm3(signer.cert.der) }], createDate: start, validStart: start, validEnd: new Date('2030-01-01T00:00:00Z') },
      picture: PICTURE,
      extDatas: [],
    }));
    const seal = encodeSeal(info, pki.maker.cert.der, '1.2.156.10197.1.501', sign(pki.maker.key, info));
    expect(parseSeal(seal).property.certDigests).toHaveLength(1);
    const v = verifySesSignature(buildSesSignature({ seal, signerKey: signer.key, signerCert: signer.cert, dataHash: HASH, propertyInfo: 'd', time: SIGNED_AT }), { dataHash: HASH });
    expect(v.reasons).toEqual([]);
    expect(v.signerInSeal).toBe(true);
    const other = pki.signers[1]!;
    const w = verifySesSignature(buildSesSignature({ seal, signerKey: other.key, signerCert: other.cert, dataHash: HASH, propertyInfo: 'd', time: SIGNED_AT }), { dataHash: HASH });
    expect(w.signerInSeal).toBe(false);
  });
});

describe('malformed and hostile signatures', () => {
  it('give one-line InputErrors', () => {
    const der = signature();
    for (const bad of [new Uint8Array(0), der.subarray(0, 100), Uint8Array.of(0x30, 0x00), Uint8Array.of(0x30, 0x03, 0x05, 0x00, 0x05)]) {
      expect(() => parseSesSignature(bad)).toThrow(InputError);
    }
    expect(() => parseSesSignature(Uint8Array.of(0x30, 0x06, 0x05, 0x00, 0x05, 0x00, 0x05, 0x00))).toThrow(/neither GB\/T 38540 \(4 or 5\) nor GM\/T 0031 \(2\)/);
    expect(() => verifySesSignature(Uint8Array.of(0x30, 0x02, 0x05, 0x00), { dataHash: HASH })).toThrow(/SES_Signature/);
  });

  it('survive 600 random mutations of a v4 and 0031 signature: a verdict or an InputError, never a crash', () => {
    let rejected = 0;
    const all = [...mutations(signature(), 300, 7), ...mutations(gmt0031Signature(), 300, 31)];
    for (const m of all) {
      try {
        const v = verifySesSignature(m, { dataHash: HASH });
        expect(typeof v.valid).toBe('boolean');
      } catch (err) {
        if (!(err instanceof InputError)) throw new Error(`mutation gave ${String(err)} instead of an InputError`);
        expect(err.message).not.toContain('\n');
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(350);
  });
});
