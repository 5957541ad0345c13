import { describe, expect, it } from 'vitest';
import { InputError } from '../../base/errors.js';
import {
  decodeDer, derChildren, encodeDer, generalizedTime, integer, readInteger, readTime, sequence, utcTime, x509Time, utf8String,
} from '../asn1.js';
import { bytesToHex, hexToBytes } from '../bytes.js';
import { decodeNameDer, dnValue, formatDn, parseDn, sameDn } from '../x509-name.js';

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as Error).message;
  }
  throw new Error('expected an InputError');
}

describe('distinguished names', () => {
  it('reads the RFC 4514 form most specific first, and stores DER most general first', () => {
    const dn = parseDn('CN=亳州市不动产登记中心,OU=登记科,O=亳州市自然资源和规划局,L=亳州市,ST=安徽省,C=CN');
    expect(dn.rdns.map((r) => r[0]!.type)).toEqual(['C', 'ST', 'L', 'O', 'OU', 'CN']);
    expect(formatDn(dn)).toBe('CN=亳州市不动产登记中心,OU=登记科,O=亳州市自然资源和规划局,L=亳州市,ST=安徽省,C=CN');
    expect(dnValue(dn, 'CN')).toBe('亳州市不动产登记中心');
    expect(dnValue(dn, 'O')).toBe('亳州市自然资源和规划局');
    expect(dnValue(dn, 'serialNumber')).toBeUndefined();
  });

  it('encodes C as PrintableString and names as UTF8String, as OpenSSL does', () => {
    const dn = parseDn('CN=测试,C=CN');
    // SEQUENCE { SET { SEQ { 2.5.4.6, PrintableString "CN" } }, SET { SEQ { 2.5.4.3, UTF8String "测试" } } }
    expect(bytesToHex(dn.der)).toBe('301e310b300906035504061302434e310f300d06035504030c06e6b58be8af95');
  });

  it('reads OpenSSL\'s slash form in DER order', () => {
    expect(formatDn(parseDn('/C=CN/O=Org/CN=Name'))).toBe('CN=Name,O=Org,C=CN');
  });

  it('handles escapes, hex pairs, spaces, multi-valued RDNs and dotted OIDs', () => {
    const dn = parseDn('CN=A\\, B \\+ C,O=\\E6\\B5\\8B\\E8\\AF\\95, 2.5.4.97=91341600MA2N123456 , OU=x+L=y');
    expect(dnValue(dn, 'CN')).toBe('A, B + C');
    expect(dnValue(dn, 'O')).toBe('测试');
    expect(dnValue(dn, 'organizationIdentifier')).toBe('91341600MA2N123456');
    expect(dn.rdns[0]!.map((a) => a.type)).toEqual(['OU', 'L']);
    expect(formatDn(dn)).toBe('CN=A\\, B \\+ C,O=测试,organizationIdentifier=91341600MA2N123456,OU=x+L=y');
    // and the string form reads back to the same DER
    expect(bytesToHex(parseDn(formatDn(dn)).der)).toBe(bytesToHex(dn.der));
    expect(formatDn(parseDn('CN=\\#1\\ '))).toBe('CN=\\#1\\ ');
  });

  it('matches names ignoring case, extra spaces and string type', () => {
    expect(sameDn(parseDn('CN=Root CA,O=Tongban'), parseDn('CN=root  ca , O=TONGBAN'))).toBe(true);
    expect(sameDn(parseDn('CN=Root CA,O=Tongban'), parseDn('CN=Root CA'))).toBe(false);
    expect(sameDn(parseDn('CN=a+OU=b'), parseDn('OU=b+CN=a'))).toBe(true);
  });

  it('says what is wrong with a bad name', () => {
    expect(message(() => parseDn(''))).toBe('distinguished name is empty');
    expect(message(() => parseDn('CN=a,,O=b'))).toMatch(/has an empty part/);
    expect(message(() => parseDn('CN'))).toBe('distinguished name: "CN" is not TYPE=VALUE');
    expect(message(() => parseDn('CN='))).toBe('distinguished name: CN has an empty value');
    expect(message(() => parseDn('C=China'))).toBe('distinguished name: C must be a two-letter country code such as CN, not "China"');
    expect(message(() => parseDn('XX=1', 'subject'))).toMatch(/^subject: unknown attribute type "XX" \(known: CN, C, ST/);
    expect(message(() => parseDn('emailAddress=张@example.cn'))).toMatch(/is not ASCII/);
  });

  it('reads names it did not write: BMPString and PrintableString values', () => {
    // SEQUENCE { SET { SEQ { CN, BMPString "测试" } }, SET { SEQ { O, PrintableString "Org" } } }
    const der = hexToBytes('301d310d300b06035504031e046d4b8bd5310c300a060355040a13034f7267');
    const dn = decodeNameDer(der);
    expect(formatDn(dn)).toBe('O=Org,CN=测试');
  });
});

describe('ASN.1 helpers', () => {
  it('writes UTCTime through 2049 and GeneralizedTime from 2050 (RFC 5280), and reads both', () => {
    const d1 = new Date('2049-12-31T23:59:59Z');
    const d2 = new Date('2050-01-01T00:00:00Z');
    expect(bytesToHex(encodeDer(x509Time(d1)))).toBe(bytesToHex(encodeDer(utcTime(d1))));
    expect(bytesToHex(encodeDer(x509Time(d2)))).toBe(bytesToHex(encodeDer(generalizedTime(d2))));
    expect(readTime(x509Time(d1), 't').toISOString()).toBe('2049-12-31T23:59:59.000Z');
    expect(readTime(x509Time(d2), 't').toISOString()).toBe('2050-01-01T00:00:00.000Z');
  });

  it('reads BER time forms found in the wild (offsets, fractions, no seconds)', () => {
    const t = (tag: number, text: string) => readTime(decodeDer(Uint8Array.of(tag, text.length, ...Buffer.from(text)), 't'), 't').toISOString();
    expect(t(0x17, '2601020304Z')).toBe('2026-01-02T03:04:00.000Z');
    expect(t(0x17, '260102030405+0800')).toBe('2026-01-01T19:04:05.000Z');
    expect(t(0x18, '20260102030405.5Z')).toBe('2026-01-02T03:04:05.500Z');
    expect(t(0x18, '20260102030405')).toBe('2026-01-02T03:04:05.000Z');
    expect(message(() => t(0x18, '20260230030405Z'))).toBe('t: no such day');
    expect(message(() => t(0x17, 'hello'))).toBe('t: bad UTCTime "hello"');
  });

  it('encodes INTEGERs minimally, with a sign byte only when needed', () => {
    expect(bytesToHex(encodeDer(integer(0)))).toBe('020100');
    expect(bytesToHex(encodeDer(integer(127)))).toBe('02017f');
    expect(bytesToHex(encodeDer(integer(128)))).toBe('02020080');
    expect(bytesToHex(encodeDer(integer(Uint8Array.of(0, 0, 0x12))))).toBe('020112');
    expect(readInteger(integer(2n ** 100n), 'n')).toBe(2n ** 100n);
  });

  it('cuts raw children out of DER exactly, and refuses what is not DER', () => {
    const der = encodeDer(sequence(integer(5), utf8String('测试'.repeat(50))));
    const [a, b] = derChildren(der, 'x');
    expect(bytesToHex(a!)).toBe('020105');
    expect(b!.length).toBe(der.length - 3 - 4);
    expect(message(() => derChildren(hexToBytes('3080020105 0000'.replace(/ /g, '')), 'x'))).toBe('x: indefinite length is not DER');
    expect(message(() => derChildren(der.subarray(0, 20), 'x'))).toBe('x: truncated DER');
    expect(message(() => decodeDer(hexToBytes('3003020105ff'), 'x'))).toMatch(/^x: malformed DER/);
  });
});
