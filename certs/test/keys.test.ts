import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../base/errors.js';
import { decodeDer, encodeDer, readOctetString, readSequence } from '../asn1.js';
import { bytesToHex, hexToBytes } from '../bytes.js';
import {
  isEncryptedPrivateKey, keyIdentifier, privateKeyToDer, privateKeyToPem, publicKeyToDer, publicKeyToPem, readKey, readPrivateKey,
  readPublicKey,
} from '../keys.js';
import { encodePem } from '../pem.js';
import { generateKeyPair, publicKeyFromPrivate } from '../sm2.js';

const kp = generateKeyPair();

/** Runs `fn`, expecting an InputError; returns it. */
function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error('expected an InputError, got a result');
}

describe('SM2 key formats', () => {
  it('round-trips private keys through PKCS#8 PEM and DER', () => {
    const pem = privateKeyToPem(kp.privateKey);
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+-----END PRIVATE KEY-----\n$/);
    expect(bytesToHex(readPrivateKey(pem))).toBe(bytesToHex(kp.privateKey));
    const der = privateKeyToDer(kp.privateKey);
    expect(bytesToHex(readPrivateKey(der))).toBe(bytesToHex(kp.privateKey));
    // PEM given as bytes (as read from a file) works too
    expect(bytesToHex(readPrivateKey(new TextEncoder().encode(pem)))).toBe(bytesToHex(kp.privateKey));
  });

  it('round-trips public keys through SPKI PEM and DER, and reads compressed points', () => {
    const pem = publicKeyToPem(kp.publicKey);
    expect(pem.startsWith('-----BEGIN PUBLIC KEY-----\n')).toBe(true);
    expect(bytesToHex(readPublicKey(pem))).toBe(bytesToHex(kp.publicKey));
    expect(bytesToHex(readPublicKey(publicKeyToDer(kp.publicKey)))).toBe(bytesToHex(kp.publicKey));
    const compressed = Uint8Array.of(2 + (kp.publicKey[64]! & 1), ...kp.publicKey.subarray(1, 33));
    expect(bytesToHex(publicKeyToDer(compressed))).toBe(bytesToHex(publicKeyToDer(kp.publicKey)));
  });

  it('writes the OID layout OpenSSL 3 writes: id-ecPublicKey with the named curve sm2, no curve in the inner key', () => {
    // SEQUENCE { SEQUENCE { 1.2.840.10045.2.1, 1.2.156.10197.1.301 }, BIT STRING (66 bytes) }
    expect(bytesToHex(publicKeyToDer(kp.publicKey)).slice(0, 54)).toBe('3059301306072a8648ce3d020106082a811ccf5501822d03420004');
    const der = privateKeyToDer(kp.privateKey);
    expect(bytesToHex(der).slice(0, 58)).toBe('308187020100301306072a8648ce3d020106082a811ccf5501822d046d');
    // inner ECPrivateKey { 1, d, [1] public key } as OpenSSL writes it
    const inner = readOctetString(readSequence(decodeDer(der, 't'), 't')[2], 't');
    expect(bytesToHex(inner)).toBe(`306b0201010420${bytesToHex(kp.privateKey)}a14403420004${bytesToHex(kp.publicKey.subarray(1))}`);
  });

  it('encrypts private keys under a passphrase (PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC) and reads them back', () => {
    const pem = privateKeyToPem(kp.privateKey, { passphrase: '口令 secret', iterations: 2048 });
    expect(pem.startsWith('-----BEGIN ENCRYPTED PRIVATE KEY-----\n')).toBe(true);
    const node = readSequence(decodeDer(readDer(pem), 't'), 't', 2, 2);
    const alg = readSequence(node[0], 'alg');
    expect(bytesToHex(encodeDer(alg[0]!))).toBe('06092a864886f70d01050d'); // PBES2
    expect(bytesToHex(readPrivateKey(pem, '口令 secret'))).toBe(bytesToHex(kp.privateKey));
    expect(isEncryptedPrivateKey(pem)).toBe(true);
    expect(isEncryptedPrivateKey(privateKeyToPem(kp.privateKey))).toBe(false);
  });

  it('says clearly when a passphrase is missing or wrong', () => {
    const pem = privateKeyToPem(kp.privateKey, { passphrase: 'right one', iterations: 2048 });
    const missing = inputError(() => readPrivateKey(pem));
    expect(missing.code).toBe('keys.passphraseRequired');
    expect(missing.message).toBe('the private key is encrypted: a passphrase is needed');
    for (const wrong of ['wrong one', 'right on', 'Right one', '']) {
      const e = inputError(() => readPrivateKey(pem, wrong));
      expect(e.code).toBe('keys.wrongPassphrase');
      expect(e.message).toMatch(/^wrong passphrase/);
    }
  });

  it('refuses an empty passphrase when encrypting', () => {
    expect(inputError(() => privateKeyToPem(kp.privateKey, { passphrase: '' })).message).toBe('the passphrase is empty');
  });

  it('computes the subject key identifier OpenSSL computes (SHA-1 of the key bits)', () => {
    expect(keyIdentifier(kp.publicKey)).toHaveLength(20);
    expect(bytesToHex(keyIdentifier(kp.publicKey))).not.toBe(bytesToHex(keyIdentifier(generateKeyPair().publicKey)));
  });

  it('readKey takes a private key, a public key or a certificate-free SPKI and says what it found', () => {
    expect(readKey(privateKeyToPem(kp.privateKey)).privateKey).toBeDefined();
    const pub = readKey(publicKeyToPem(kp.publicKey));
    expect(pub.privateKey).toBeUndefined();
    expect(bytesToHex(pub.publicKey)).toBe(bytesToHex(kp.publicKey));
    expect(bytesToHex(readKey(publicKeyToDer(kp.publicKey)).publicKey)).toBe(bytesToHex(kp.publicKey));
  });
});

function readDer(pem: string): Uint8Array {
  return new Uint8Array(Buffer.from(pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s/g, ''), 'base64'));
}

describe('SM2 key input errors are clear InputErrors', () => {
  const der = privateKeyToDer(kp.privateKey);

  it('names what was found instead of a private key', () => {
    expect(inputError(() => readPrivateKey(publicKeyToPem(kp.publicKey))).message).toBe('found a public key where an SM2 private key is expected');
    expect(inputError(() => readPrivateKey(publicKeyToDer(kp.publicKey))).message).toBe('found a public key where a private key is expected');
    expect(inputError(() => readPublicKey(privateKeyToPem(kp.privateKey))).message).toBe('found a private key where a public key or certificate is expected');
    expect(inputError(() => readPublicKey(der)).message).toBe('found a private key where a public key or certificate is expected');
    expect(inputError(() => readPublicKey(privateKeyToDer(kp.privateKey, { passphrase: 'p', iterations: 1000 }))).message).toBe(
      'found a private key where a public key or certificate is expected',
    );
  });

  it('recognises RSA and other-curve EC keys and says they are not SM2', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(inputError(() => readPrivateKey(rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string)).message).toBe('private key is an RSA key, not SM2');
    expect(inputError(() => readPrivateKey(rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string)).message).toBe(
      'found an RSA key where an SM2 private key is expected',
    );
    expect(inputError(() => readPublicKey(rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string)).message).toBe('public key is an RSA key, not SM2');
    const p256 = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    expect(inputError(() => readPrivateKey(p256.privateKey.export({ type: 'pkcs8', format: 'der' }))).message).toBe(
      'private key is on curve prime256v1, not SM2 (1.2.156.10197.1.301)',
    );
    expect(inputError(() => readPrivateKey(p256.privateKey.export({ type: 'sec1', format: 'pem' }) as string)).message).toBe(
      'private key is on curve prime256v1, not SM2 (1.2.156.10197.1.301)',
    );
    expect(inputError(() => readPublicKey(p256.publicKey.export({ type: 'spki', format: 'der' }))).message).toBe(
      'public key is on curve prime256v1, not SM2 (1.2.156.10197.1.301)',
    );
    const ed = generateKeyPairSync('ed25519');
    expect(inputError(() => readPrivateKey(ed.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string)).message).toBe('private key is an Ed25519 key, not SM2');
  });

  it('rejects empty, truncated, garbage and badly armoured input', () => {
    expect(inputError(() => readPrivateKey(new Uint8Array(0))).message).toBe('private key: empty input');
    expect(inputError(() => readPrivateKey(der.subarray(0, 40))).message).toMatch(/^private key: malformed DER \(/);
    expect(inputError(() => readPrivateKey(Uint8Array.of(1, 2, 3, 4, 5))).message).toMatch(/^private key: /);
    expect(inputError(() => readPrivateKey('hello')).message).toBe('private key: no PEM block found');
    expect(inputError(() => readPrivateKey('-----BEGIN PRIVATE KEY-----\nAAAA')).message).toBe('private key: a PEM block has no END line');
    expect(inputError(() => readPrivateKey('-----BEGIN PRIVATE KEY-----\n%%%%\n-----END PRIVATE KEY-----\n')).message).toBe(
      'private key: the PRIVATE KEY block is not valid base64',
    );
    expect(inputError(() => readPrivateKey(encodePem('PRIVATE KEY', der.subarray(0, 100)))).message).toMatch(/^private key: malformed DER/);
    expect(inputError(() => readPublicKey(encodePem('PUBLIC KEY', Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00)))).message).toBe('public key: expected at least 2 elements, found 1');
  });

  it('rejects a private value of zero or at least n-1, and an embedded public key that does not belong', () => {
    const zero = hexToBytes(bytesToHex(der).replace(bytesToHex(kp.privateKey), '00'.repeat(32)));
    expect(inputError(() => readPrivateKey(zero)).message).toBe('private key: private value out of range for SM2');
    const other = generateKeyPair();
    const swapped = hexToBytes(bytesToHex(der).replace(bytesToHex(kp.publicKey), bytesToHex(other.publicKey)));
    expect(inputError(() => readPrivateKey(swapped)).message).toBe('private key: the embedded public key does not belong to the private key (damaged key?)');
  });

  it('rejects public keys off the curve', () => {
    const spki = publicKeyToDer(kp.publicKey);
    const off = Uint8Array.from(spki);
    off[off.length - 1]! ^= 1;
    expect(inputError(() => readPublicKey(off)).message).toBe('public key: SM2 public key is not on the curve');
  });

  it('never throws anything but an InputError, whatever byte is damaged or wherever the input stops', () => {
    const enc = privateKeyToDer(kp.privateKey, { passphrase: 'x', iterations: 1000 });
    const spki = publicKeyToDer(kp.publicKey);
    const cases: [Uint8Array, (b: Uint8Array) => unknown][] = [
      [der, (b) => readPrivateKey(b)],
      [enc, (b) => readPrivateKey(b, 'x')],
      [spki, (b) => readPublicKey(b)],
    ];
    for (const [good, read] of cases) {
      for (let i = 0; i < good.length; i++) {
        for (const mutate of [(b: Uint8Array) => (b[i]! ^= 0x01), (b: Uint8Array) => (b[i] = 0xff)]) {
          const bad = Uint8Array.from(good);
          mutate(bad);
          try {
            read(bad);
          } catch (err) {
            if (!(err instanceof InputError)) throw new Error(`byte ${i}: ${String(err)}`);
          }
        }
        try {
          read(good.subarray(0, i));
        } catch (err) {
          if (!(err instanceof InputError)) throw new Error(`truncated at ${i}: ${String(err)}`);
        }
      }
    }
  });

  it('derives the same public key OpenSSL would embed', () => {
    expect(bytesToHex(readKey(privateKeyToPem(kp.privateKey)).publicKey)).toBe(bytesToHex(publicKeyFromPrivate(kp.privateKey)));
  });
});
