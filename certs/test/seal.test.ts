import { readFileSync, writeFileSync } from 'node:fs';
import forge from 'node-forge';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../base/errors.js';
import { publicKeyToPem, readPrivateKey } from '../keys.js';
import { createSeal, parseSeal, verifySeal, LAYOUT_0031, LAYOUT_V4, type SealPicture } from '../seal/index.js';
import { sign } from '../sm2.js';
import { issueCertificate, parseCertificate } from '../x509.js';
import { demoPki, mutations, openssl, tempDir } from './seal-fixtures.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

const { asn1 } = forge;
const bin = (b: Uint8Array): string => Buffer.from(b).toString('latin1');
const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

const START = new Date('2026-01-01T00:00:00Z');
const END = new Date('2029-01-01T00:00:00Z');
const PICTURE: SealPicture = { type: 'PNG', data: Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 1, 2, 3), widthMm: 42, heightMm: 42 };

function makeSeal(extra: Partial<Parameters<typeof createSeal>[0]> = {}): Uint8Array {
  const pki = demoPki();
  return createSeal({
    makerKey: pki.maker.key,
    makerCert: pki.maker.cert,
    signerCerts: [pki.signers[0]!.cert.der, pki.signers[1]!.cert.der],
    name: '亳州市人力资源和社会保障局业务专用章',
    esID: '34160020260101000001',
    createDate: START,
    validStart: START,
    validEnd: END,
    picture: PICTURE,
    ...extra,
  });
}

describe('createSeal / parseSeal (GB/T 38540-2020 v4)', () => {
  it('writes every field and reads it back', () => {
    const pki = demoPki();
    const der = makeSeal({ extDatas: [{ extnID: '1.2.3.4', critical: true, extnValue: Uint8Array.of(9, 9) }] });
    const seal = parseSeal(der);
    expect(seal.layout).toBe(LAYOUT_V4);
    expect(seal.header).toEqual({ id: 'ES', version: 4, vid: 'tongban' });
    expect(seal.esID).toBe('34160020260101000001');
    expect(seal.property.type).toBe(1);
    expect(seal.property.name).toBe('亳州市人力资源和社会保障局业务专用章');
    expect(seal.property.certListType).toBe(1);
    expect(seal.property.certs.map((c) => Buffer.from(c).toString('hex'))).toEqual(
      [pki.signers[0]!.cert.der, pki.signers[1]!.cert.der].map((c) => Buffer.from(c).toString('hex')),
    );
    expect(seal.property.createDate).toEqual(START);
    expect(seal.property.validStart).toEqual(START);
    expect(seal.property.validEnd).toEqual(END);
    expect(seal.picture.type).toBe('PNG');
    expect([...seal.picture.data]).toEqual([...PICTURE.data]);
    expect([seal.picture.widthMm, seal.picture.heightMm]).toEqual([42, 42]);
    expect(seal.extDatas).toEqual([{ extnID: '1.2.3.4', critical: true, extnValue: Uint8Array.of(9, 9) }]);
    expect(seal.signAlgID).toBe('1.2.156.10197.1.501');
    expect(Buffer.from(seal.makerCert).equals(Buffer.from(pki.maker.cert.der))).toBe(true);
    expect(seal.der).toBe(der);
  });

  it('lays out the DER as the standard says: 4 elements, 7-element property, GeneralizedTime dates', () => {
    const top = asn1.fromDer(bin(makeSeal())) as forge.asn1.Asn1;
    const [info, cert, alg, value] = top.value as forge.asn1.Asn1[];
    expect((top.value as unknown[]).length).toBe(4);
    expect([cert!.type, alg!.type, value!.type]).toEqual([asn1.Type.OCTETSTRING, asn1.Type.OID, asn1.Type.BITSTRING]);
    const [header, esID, property, picture] = info!.value as forge.asn1.Asn1[];
    expect((header!.value as forge.asn1.Asn1[]).map((n) => n.type)).toEqual([asn1.Type.IA5STRING, asn1.Type.INTEGER, asn1.Type.IA5STRING]);
    expect(esID!.type).toBe(asn1.Type.IA5STRING);
    const p = property!.value as forge.asn1.Asn1[];
    expect(p.map((n) => n.type)).toEqual([
      asn1.Type.INTEGER, asn1.Type.UTF8, asn1.Type.INTEGER, asn1.Type.SEQUENCE,
      asn1.Type.GENERALIZEDTIME, asn1.Type.GENERALIZEDTIME, asn1.Type.GENERALIZEDTIME,
    ]);
    expect(p[4]!.value).toBe('20260101000000Z');
    expect((picture!.value as forge.asn1.Asn1[]).map((n) => n.type)).toEqual([asn1.Type.IA5STRING, asn1.Type.OCTETSTRING, asn1.Type.INTEGER, asn1.Type.INTEGER]);
  });

  it('draws its own picture (SVG at 42 mm) when none is given, and makes a unique esID', () => {
    const pki = demoPki();
    const options = { makerKey: pki.maker.key, makerCert: pki.maker.cert, signerCerts: [pki.signers[0]!.cert], name: '亳州市政务服务中心' };
    const a = parseSeal(createSeal({ ...options, region: '341600' }));
    const b = parseSeal(createSeal(options));
    expect(a.picture.type).toBe('SVG');
    expect([a.picture.widthMm, a.picture.heightMm]).toEqual([42, 42]);
    expect(new TextDecoder().decode(a.picture.data)).toMatch(/^<svg [^>]*viewBox="0 0 42 42"/);
    expect(a.esID).toMatch(/^341600\d{16}$/);
    expect(b.esID).toMatch(/^000000\d{16}$/);
    expect(a.esID.slice(-8)).not.toBe(b.esID.slice(-8));
    // default validity: three years from now
    expect(a.property.validEnd.getTime() - a.property.validStart.getTime()).toBe(3 * 365 * 86_400_000);
  });

  it('refuses a maker key that is not the maker certificate\'s, no signers, and an empty validity', () => {
    const pki = demoPki();
    expect(() => makeSeal({ makerKey: pki.signers[0]!.key })).toThrow(/maker key does not belong/);
    expect(() => makeSeal({ signerCerts: [] })).toThrow(/at least one signer/);
    expect(() => makeSeal({ validEnd: START })).toThrow(/ends? before it starts/);
    expect(() => makeSeal({ esID: '编号' })).toThrow(InputError);
    expect(() => makeSeal({ signerCerts: [Uint8Array.of(1, 2, 3)] })).toThrow(/signer certificate 1/);
  });
});

describe('verifySeal', () => {
  const at = new Date('2027-06-01T00:00:00Z');

  it('accepts a good seal, and trusts its maker under the demo root', () => {
    const pki = demoPki();
    const v = verifySeal(makeSeal(), { at, trusted: [pki.root.cert] });
    expect(v.reasons).toEqual([]);
    expect(v).toMatchObject({ valid: true, period: 'valid', makerSignatureValid: true, makerCertValid: true, makerTrusted: true, name: '亳州市人力资源和社会保障局业务专用章' });
    expect(v.maker).toContain('CN=tongban 演示制章单位 (demo)');
  });

  it('says when a seal is not yet valid or has expired', () => {
    const der = makeSeal();
    const early = verifySeal(der, { at: new Date('2025-12-31T23:59:59Z') });
    expect(early.valid).toBe(false);
    expect(early.period).toBe('not yet valid');
    expect(early.reasons).toEqual(['the seal is not valid before 2026-01-01 00:00:00 UTC']);
    const late = verifySeal(der, { at: new Date('2029-01-01T00:00:01Z') });
    expect(late.period).toBe('expired');
    expect(late.reasons).toEqual(['the seal expired on 2029-01-01 00:00:00 UTC']);
    expect(late.makerSignatureValid).toBe(true);
  });

  it('rejects a seal whose information was altered after the maker signed it', () => {
    const der = makeSeal();
    const i = Buffer.from(der).indexOf(Buffer.from('34160020260101000001'));
    const altered = Uint8Array.from(der);
    altered[i + 19] = '2'.charCodeAt(0);
    const v = verifySeal(altered, { at });
    expect(parseSeal(altered).esID).toBe('34160020260101000002');
    expect(v.valid).toBe(false);
    expect(v.makerSignatureValid).toBe(false);
    expect(v.reasons[0]).toMatch(/maker's signature does not verify/);
  });

  it('does not trust a maker outside the given roots', () => {
    const other = issueCertificate({ subject: 'CN=Other Root', publicKey: demoPki().signers[2]!.publicKey, issuerKey: demoPki().signers[2]!.key });
    const v = verifySeal(makeSeal(), { at, trusted: [other] });
    expect(v.valid).toBe(false);
    expect(v.makerTrusted).toBe(false);
    expect(v.reasons.join('\n')).toMatch(/maker's certificate is not trusted: unknown issuer: CN=tongban 演示根证书/);
  });

  it('rejects a seal made when the maker certificate was not yet valid', () => {
    const v = verifySeal(makeSeal({ createDate: new Date('2024-06-01T00:00:00Z') }), { at });
    expect(v.makerCertValid).toBe(false);
    expect(v.reasons.join('\n')).toMatch(/not in force when the seal was made/);
  });

  it('OpenSSL verifies the maker signature over DER(eSealInfo)', () => {
    const pki = demoPki();
    const seal = parseSeal(makeSeal());
    writeFileSync(tmp.path('maker.pub'), publicKeyToPem(pki.maker.publicKey));
    writeFileSync(tmp.path('sealinfo.der'), seal.signedData[0]!);
    writeFileSync(tmp.path('sealsig.der'), seal.signedValue);
    const r = openssl(['pkeyutl', '-verify', '-pubin', '-inkey', 'maker.pub', '-rawin', '-digest', 'sm3', '-pkeyopt', 'distid:1234567812345678', '-in', 'sealinfo.der', '-sigfile', 'sealsig.der'], tmp.dir);
    expect(r.stdout + r.stderr).toContain('Signature Verified Successfully');
    expect(r.code).toBe(0);
  });

  it('works with a key and certificate made by OpenSSL', () => {
    const cwd = tmp.dir;
    expect(openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:SM2', '-out', 'ossl.key'], cwd).code).toBe(0);
    const req = openssl(['req', '-new', '-x509', '-key', 'ossl.key', '-sm3', '-sigopt', 'distid:1234567812345678', '-subj', '/CN=OpenSSL Seal Maker/O=Test', '-days', '30', '-outform', 'DER', '-out', 'ossl.der'], cwd);
    expect(req.code, req.stderr).toBe(0);
    const key = readPrivateKey(readFileSync(tmp.path('ossl.key'), 'utf8'));
    const certDer = new Uint8Array(readFileSync(tmp.path('ossl.der')));
    const cert = parseCertificate(certDer);
    const now = new Date();
    const der = createSeal({ makerKey: key, makerCert: certDer, signerCerts: [demoPki().signers[0]!.cert], name: '测试章', createDate: now, picture: PICTURE });
    const v = verifySeal(der, { at: now, trusted: [cert] });
    expect(v.reasons).toEqual([]);
    expect(v.maker).toBe('O=Test,CN=OpenSSL Seal Maker'); // RFC 4514: last RDN first
  });
});

/** A GM/T 0031-2014 seal built here with forge.asn1, independently of the codec under test. */
function gmt0031Seal(options: { tamper?: boolean; concatenated?: boolean } = {}): Uint8Array {
  const pki = demoPki();
  const U = asn1.Class.UNIVERSAL;
  const T = asn1.Type;
  const prim = (type: number, value: string): forge.asn1.Asn1 => asn1.create(U, type, false, value);
  const seq = (...items: forge.asn1.Asn1[]): forge.asn1.Asn1 => asn1.create(U, T.SEQUENCE, true, items);
  const int = (n: number): forge.asn1.Asn1 => prim(T.INTEGER, asn1.integerToDer(n).getBytes());
  const sealInfo = seq(
    seq(prim(T.IA5STRING, 'ES'), int(2), prim(T.IA5STRING, 'OLDVENDOR')),
    prim(T.IA5STRING, '3416002014000042'),
    seq(
      int(1),
      prim(T.UTF8, forge.util.encodeUtf8('亳州市不动产登记中心')),
      seq(prim(T.OCTETSTRING, bin(pki.signers[1]!.cert.der))),
      prim(T.UTCTIME, '260101000000Z'),
      prim(T.UTCTIME, '260101000000Z'),
      prim(T.UTCTIME, '300101000000Z'),
    ),
    seq(prim(T.IA5STRING, 'PNG'), prim(T.OCTETSTRING, '\x89PNG'), int(40), int(40)),
  );
  const cert = prim(T.OCTETSTRING, bin(pki.maker.cert.der));
  const alg = prim(T.OID, asn1.oidToDer('1.2.156.10197.1.501').getBytes());
  const parts = [sealInfo, cert, alg].map((n) => asn1.toDer(n).getBytes());
  const signed = options.concatenated ? parts.join('') : asn1.toDer(seq(sealInfo, cert, alg)).getBytes();
  let signature = sign(pki.maker.key, bytes(signed));
  if (options.tamper) signature = sign(pki.maker.key, bytes(signed + 'x'));
  return bytes(asn1.toDer(seq(sealInfo, seq(cert, alg, prim(T.BITSTRING, '\x00' + bin(signature))))).getBytes());
}

describe('GM/T 0031-2014 seals', () => {
  it('are read: layout told apart by element counts, UTCTime dates', () => {
    const seal = parseSeal(gmt0031Seal());
    expect(seal.layout).toBe(LAYOUT_0031);
    expect(seal.header).toEqual({ id: 'ES', version: 2, vid: 'OLDVENDOR' });
    expect(seal.esID).toBe('3416002014000042');
    expect(seal.property).toMatchObject({ type: 1, name: '亳州市不动产登记中心', certListType: 1 });
    expect(seal.property.certs).toHaveLength(1);
    expect(seal.property.validStart).toEqual(new Date('2026-01-01T00:00:00Z'));
    expect(seal.property.validEnd).toEqual(new Date('2030-01-01T00:00:00Z'));
    expect(seal.picture).toMatchObject({ type: 'PNG', widthMm: 40, heightMm: 40 });
  });

  it('verify, with the maker signature over SEQUENCE { sealInfo, cert, alg } or the three encodings in a row', () => {
    const at = new Date('2027-01-01T00:00:00Z');
    expect(verifySeal(gmt0031Seal(), { at, trusted: [demoPki().root.cert] })).toMatchObject({ valid: true, layout: LAYOUT_0031, makerTrusted: true });
    expect(verifySeal(gmt0031Seal({ concatenated: true }), { at }).valid).toBe(true);
    const bad = verifySeal(gmt0031Seal({ tamper: true }), { at });
    expect(bad.valid).toBe(false);
    expect(bad.reasons).toEqual(["the seal maker's signature does not verify (the seal was altered or not made with this certificate)"]);
  });
});

describe('malformed and hostile seals', () => {
  const expectInputError = (der: Uint8Array, message?: RegExp): void => {
    let caught: unknown;
    try {
      parseSeal(der);
    } catch (err) {
      caught = err;
    }
    expect(caught, 'parseSeal should have thrown').toBeInstanceOf(InputError);
    if (message) expect((caught as Error).message).toMatch(message);
    expect((caught as Error).message).not.toContain('\n');
  };

  it('gives clear errors for empty, truncated, wrongly tagged and oversized input', () => {
    const der = makeSeal();
    expectInputError(new Uint8Array(0), /empty/);
    expectInputError(der.subarray(0, der.length - 1), /SESeal: malformed DER/);
    expectInputError(Uint8Array.of(0x04, 0x02, 0x01, 0x02), /SESeal/);
    expectInputError(Uint8Array.of(0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x00), /SESeal/);
    expectInputError(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01), /SESeal: expected 2 to 4 elements, found 1/);
    expectInputError(Uint8Array.from([...der, 0x00]), /SESeal/);
    expectInputError(new Uint8Array(17 * 1024 * 1024), /more than a seal can be/);
  });

  it('names the field that is wrong', () => {
    // Re-tag the seal name (UTF8String, 0x0c) as an INTEGER (0x02).
    const der = makeSeal();
    const name = Buffer.from(new TextEncoder().encode('亳州市人力资源和社会保障局业务专用章'));
    const at = Buffer.from(der).indexOf(name);
    const altered = Uint8Array.from(der);
    expect(altered[at - 2]).toBe(0x0c);
    altered[at - 2] = 0x02;
    expectInputError(altered, /SESeal\.eSealInfo\.property\.name: expected UTF8String, found INTEGER/);
  });

  it('survives 600 random mutations with an InputError or a parse, never a crash or hang', () => {
    const der = makeSeal();
    let rejected = 0;
    for (const m of mutations(der, 600, 38540)) {
      try {
        parseSeal(m);
      } catch (err) {
        if (!(err instanceof InputError)) throw new Error(`mutation gave ${String(err)} instead of an InputError`);
        expect(err.message).not.toContain('\n');
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(400);
  });
});
