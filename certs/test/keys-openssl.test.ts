/** Keys both ways with OpenSSL 3 as the outside party. */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../base/errors.js';
import { bytesToHex } from '../bytes.js';
import { privateKeyToDer, privateKeyToPem, publicKeyToDer, publicKeyToPem, readPrivateKey, readPublicKey } from '../keys.js';
import { generateKeyPair } from '../sm2.js';
import { openssl, tempDir, textHex } from './keys-x509-openssl.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

/** `openssl pkey -text` prints d with a leading 00 when its top bit is set. */
const priv32 = (hex: string): string => (hex.length === 66 && hex.startsWith('00') ? hex.slice(2) : hex);

describe('keys we write, OpenSSL reads', () => {
  const kp = generateKeyPair();
  const d = bytesToHex(kp.privateKey);
  const pub = bytesToHex(kp.publicKey);

  it('reads our PKCS#8 PEM and DER as an SM2 key, and re-encodes it to the same bytes', () => {
    writeFileSync(tmp.path('k.pem'), privateKeyToPem(kp.privateKey));
    const text = openssl(['pkey', '-in', tmp.path('k.pem'), '-text', '-noout']);
    expect(text).toContain('ASN1 OID: SM2');
    expect(priv32(textHex(text, 'priv:'))).toBe(d);
    expect(textHex(text, 'pub:')).toBe(pub);
    // OpenSSL writes the key back byte for byte as we wrote it: same layout.
    expect(openssl(['pkey', '-in', tmp.path('k.pem')])).toBe(privateKeyToPem(kp.privateKey));
    writeFileSync(tmp.path('k.der'), privateKeyToDer(kp.privateKey));
    expect(priv32(textHex(openssl(['pkey', '-inform', 'DER', '-in', tmp.path('k.der'), '-text', '-noout']), 'priv:'))).toBe(d);
    // and its public half is our SPKI exactly
    expect(openssl(['pkey', '-in', tmp.path('k.pem'), '-pubout'])).toBe(publicKeyToPem(kp.publicKey));
  });

  it('reads our SPKI PEM and DER', () => {
    writeFileSync(tmp.path('p.pem'), publicKeyToPem(kp.publicKey));
    const text = openssl(['pkey', '-pubin', '-in', tmp.path('p.pem'), '-text', '-noout']);
    expect(text).toContain('ASN1 OID: SM2');
    expect(textHex(text, 'pub:')).toBe(pub);
    writeFileSync(tmp.path('p.der'), publicKeyToDer(kp.publicKey));
    expect(textHex(openssl(['pkey', '-pubin', '-inform', 'DER', '-in', tmp.path('p.der'), '-text', '-noout']), 'pub:')).toBe(pub);
  });

  it('opens our encrypted PKCS#8 with the passphrase, and refuses a wrong one', () => {
    writeFileSync(tmp.path('enc.pem'), privateKeyToPem(kp.privateKey, { passphrase: 'kiosk 口令', iterations: 10_000 }));
    expect(openssl(['asn1parse', '-in', tmp.path('enc.pem')])).toMatch(/PBES2[\s\S]*PBKDF2[\s\S]*hmacWithSHA256[\s\S]*aes-256-cbc/);
    const text = openssl(['pkey', '-in', tmp.path('enc.pem'), '-passin', 'pass:kiosk 口令', '-text', '-noout']);
    expect(priv32(textHex(text, 'priv:'))).toBe(d);
    expect(() => openssl(['pkey', '-in', tmp.path('enc.pem'), '-passin', 'pass:wrong', '-noout'])).toThrow();
  });
});

describe('keys OpenSSL writes, we read', () => {
  const key = tmp.path('o.pem');
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:SM2', '-out', key]);
  const text = openssl(['pkey', '-in', key, '-text', '-noout']);
  const d = priv32(textHex(text, 'priv:'));
  const pub = textHex(text, 'pub:');

  it('reads genpkey PKCS#8 (PEM and DER) and its public key (PEM and DER)', () => {
    expect(bytesToHex(readPrivateKey(readFileSync(key, 'utf8')))).toBe(d);
    openssl(['pkey', '-in', key, '-outform', 'DER', '-out', tmp.path('o.der')]);
    expect(bytesToHex(readPrivateKey(readFileSync(tmp.path('o.der'))))).toBe(d);
    openssl(['pkey', '-in', key, '-pubout', '-out', tmp.path('opub.pem')]);
    expect(bytesToHex(readPublicKey(readFileSync(tmp.path('opub.pem'), 'utf8')))).toBe(pub);
    openssl(['pkey', '-in', key, '-pubout', '-outform', 'DER', '-out', tmp.path('opub.der')]);
    expect(bytesToHex(readPublicKey(readFileSync(tmp.path('opub.der'))))).toBe(pub);
  });

  it('reads the SEC 1 form of `openssl ec` (PEM label "SM2 PRIVATE KEY") and its DER', () => {
    openssl(['ec', '-in', key, '-out', tmp.path('sec1.pem')]);
    const sec1 = readFileSync(tmp.path('sec1.pem'), 'utf8');
    expect(sec1).toMatch(/-----BEGIN (SM2|EC) PRIVATE KEY-----/);
    expect(bytesToHex(readPrivateKey(sec1))).toBe(d);
    // the same structure under the "EC PRIVATE KEY" label other tools write
    expect(bytesToHex(readPrivateKey(sec1.replace(/SM2 PRIVATE KEY/g, 'EC PRIVATE KEY')))).toBe(d);
    openssl(['ec', '-in', key, '-outform', 'DER', '-out', tmp.path('sec1.der')]);
    expect(bytesToHex(readPrivateKey(readFileSync(tmp.path('sec1.der'))))).toBe(d);
  });

  it('reads `openssl ecparam -genkey` output (a parameters block, then the key)', () => {
    openssl(['ecparam', '-genkey', '-name', 'SM2', '-out', tmp.path('ecparam.pem')]);
    const both = readFileSync(tmp.path('ecparam.pem'), 'utf8');
    expect(both).toMatch(/PARAMETERS-----[\s\S]*PRIVATE KEY-----/);
    const d2 = priv32(textHex(openssl(['pkey', '-in', tmp.path('ecparam.pem'), '-text', '-noout']), 'priv:'));
    expect(bytesToHex(readPrivateKey(both))).toBe(d2);
  });

  it('reads `openssl pkcs8 -topk8 -v2 aes-256-cbc` output, and says when the passphrase is wrong', () => {
    openssl(['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-in', key, '-passout', 'pass:s3cret', '-out', tmp.path('enc.pem')]);
    const enc = readFileSync(tmp.path('enc.pem'), 'utf8');
    expect(bytesToHex(readPrivateKey(enc, 's3cret'))).toBe(d);
    expect(() => readPrivateKey(enc, 's3creT')).toThrow(/^wrong passphrase/);
    expect(() => readPrivateKey(enc)).toThrow('the private key is encrypted: a passphrase is needed');
    // other PBES2 choices OpenSSL offers: SHA-1 PRF, AES-128
    openssl(['pkcs8', '-topk8', '-v2', 'aes-128-cbc', '-v2prf', 'hmacWithSHA1', '-in', key, '-passout', 'pass:s3cret', '-outform', 'DER', '-out', tmp.path('enc.der')]);
    expect(bytesToHex(readPrivateKey(readFileSync(tmp.path('enc.der')), 's3cret'))).toBe(d);
  });

  it('reads the legacy encrypted PEM of `openssl ec -aes256`', () => {
    openssl(['ec', '-in', key, '-aes256', '-passout', 'pass:legacy', '-out', tmp.path('legacy.pem')]);
    const legacy = readFileSync(tmp.path('legacy.pem'), 'utf8');
    expect(legacy).toContain('Proc-Type: 4,ENCRYPTED');
    expect(bytesToHex(readPrivateKey(legacy, 'legacy'))).toBe(d);
    expect(() => readPrivateKey(legacy, 'nope')).toThrow(/^wrong passphrase/);
  });

  it('reads a key with explicit SM2 curve parameters (ec_param_enc:explicit)', () => {
    openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:SM2', '-pkeyopt', 'ec_param_enc:explicit', '-out', tmp.path('explicit.pem')]);
    const explicitText = openssl(['pkey', '-in', tmp.path('explicit.pem'), '-text', '-noout']);
    expect(bytesToHex(readPrivateKey(readFileSync(tmp.path('explicit.pem'), 'utf8')))).toBe(priv32(textHex(explicitText, 'priv:')));
  });

  it('refuses an OpenSSL P-256 key with a message naming the curve', () => {
    openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', tmp.path('p256.pem')]);
    try {
      readPrivateKey(readFileSync(tmp.path('p256.pem'), 'utf8'));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(InputError);
      expect((err as Error).message).toBe('private key is on curve prime256v1, not SM2 (1.2.156.10197.1.301)');
    }
  });
});
