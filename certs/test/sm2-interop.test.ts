// Outside parties check the fast SM2: OpenSSL (dgst / pkeyutl with the GB/T default ID, and a custom ID)
// and sm-crypto-v2 / sm-crypto (the npm peers), both directions.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { sm2 as smV2 } from 'sm-crypto-v2';
import { afterAll, describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../bytes.js';
import { generateKeyPair, sign, verify } from '../sm2.js';

const dir = mkdtempSync(join(tmpdir(), 'tongban-sm2-interop-'));
const file = (name: string): string => join(dir, name);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const openssl = (args: readonly string[]): string => execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const opensslOk = (args: readonly string[]): boolean => spawnSync('openssl', args, { stdio: 'ignore' }).status === 0;

// Fixed DER prefixes for SM2 keys (named curve 1.2.156.10197.1.301): SPKI and SEC1 "EC PRIVATE KEY".
const SPKI_PREFIX = '3059301306072a8648ce3d020106082a811ccf5501822d034200';
const pem = (label: string, der: Uint8Array): string =>
  `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').trimEnd()}\n-----END ${label}-----\n`;
const publicPem = (pub: Uint8Array): string => pem('PUBLIC KEY', hexToBytes(SPKI_PREFIX + bytesToHex(pub)));

/** An OpenSSL-made key pair, read back as raw bytes from its SEC1 DER (d at bytes 7..38, the point last). */
function opensslKey(name: string): { pem: string; privateKey: Uint8Array; publicKey: Uint8Array } {
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:SM2', '-out', file(name)]);
  const der = new Uint8Array(execFileSync('openssl', ['ec', '-in', file(name), '-outform', 'DER'], { stdio: ['ignore', 'pipe', 'ignore'] }));
  expect(bytesToHex(der.subarray(0, 7))).toBe('30770201010420');
  return { pem: file(name), privateKey: der.slice(7, 39), publicKey: der.slice(der.length - 65) };
}

const DISTID = 'distid:1234567812345678';

interface SmCryptoSm2 {
  doSignature(msg: number[] | string, privateKeyHex: string, options: { hash: boolean; der: boolean; publicKey?: string }): string;
  doVerifySignature(msg: number[] | string, signatureHex: string, publicKeyHex: string, options: { hash: boolean; der: boolean }): boolean;
}
/** sm-crypto (CommonJS, untyped): only what this test calls. */
const smCrypto = createRequire(import.meta.url)('sm-crypto') as { sm2: SmCryptoSm2 };

describe('OpenSSL', () => {
  it('verifies our signatures (dgst and pkeyutl, default ID)', () => {
    for (let i = 0; i < 4; i++) {
      const kp = generateKeyPair();
      const message = randomBytes(1 + i * 300);
      writeFileSync(file('pub.pem'), publicPem(kp.publicKey));
      writeFileSync(file('msg'), message);
      writeFileSync(file('sig.der'), sign(kp.privateKey, message));
      expect(openssl(['dgst', '-sm3', '-verify', file('pub.pem'), '-sigopt', DISTID, '-signature', file('sig.der'), file('msg')])).toMatch(/Verified OK/);
      expect(openssl(['pkeyutl', '-verify', '-pubin', '-inkey', file('pub.pem'), '-rawin', '-digest', 'sm3', '-pkeyopt', DISTID, '-in', file('msg'), '-sigfile', file('sig.der')])).toMatch(/Signature Verified Successfully/);
      // And refuses them for another message.
      writeFileSync(file('msg2'), Buffer.concat([message, Buffer.of(0)]));
      expect(opensslOk(['dgst', '-sm3', '-verify', file('pub.pem'), '-sigopt', DISTID, '-signature', file('sig.der'), file('msg2')])).toBe(false);
    }
  });

  it('verifies our signatures under a caller-chosen ID, and not under the default one', () => {
    const kp = generateKeyPair();
    const message = randomBytes(64);
    writeFileSync(file('pub.pem'), publicPem(kp.publicKey));
    writeFileSync(file('msg'), message);
    writeFileSync(file('sig.der'), sign(kp.privateKey, message, { id: 'kiosk-341602-0001' }));
    expect(opensslOk(['dgst', '-sm3', '-verify', file('pub.pem'), '-sigopt', 'distid:kiosk-341602-0001', '-signature', file('sig.der'), file('msg')])).toBe(true);
    expect(opensslOk(['dgst', '-sm3', '-verify', file('pub.pem'), '-sigopt', DISTID, '-signature', file('sig.der'), file('msg')])).toBe(false);
  });

  it('makes signatures we verify, with keys it generated', () => {
    for (let i = 0; i < 3; i++) {
      const key = opensslKey(`k${i}.pem`);
      const message = randomBytes(200 + i);
      writeFileSync(file('msg'), message);
      openssl(['dgst', '-sm3', '-sign', key.pem, '-sigopt', DISTID, '-out', file('sig.der'), file('msg')]);
      const sig = new Uint8Array(readFileSync(file('sig.der')));
      expect(verify(key.publicKey, message, sig)).toBe(true);
      expect(verify(key.publicKey, Buffer.concat([message, Buffer.of(1)]), sig)).toBe(false);
      // Our signature with OpenSSL's key, checked by OpenSSL against the key file it made.
      openssl(['pkey', '-in', key.pem, '-pubout', '-out', file('kpub.pem')]);
      writeFileSync(file('ours.der'), sign(key.privateKey, message));
      expect(openssl(['dgst', '-sm3', '-verify', file('kpub.pem'), '-sigopt', DISTID, '-signature', file('ours.der'), file('msg')])).toMatch(/Verified OK/);
    }
  });
});

describe('sm-crypto-v2 and sm-crypto', () => {
  // Both take hex keys and, for signatures with Z_A, { hash: true } (sm-crypto-v2 does plain e = M
  // without it) and { der: true } for DER; their default ID is 1234567812345678 too.
  it('sm-crypto-v2 verifies ours and we verify its signatures', () => {
    for (let i = 0; i < 5; i++) {
      const kp = generateKeyPair();
      const message = randomBytes(10 + 40 * i);
      const pubHex = bytesToHex(kp.publicKey);
      const ours = bytesToHex(sign(kp.privateKey, message));
      expect(smV2.doVerifySignature(message, ours, pubHex, { hash: true, der: true })).toBe(true);
      const theirs = smV2.doSignature(message, bytesToHex(kp.privateKey), { hash: true, der: true, publicKey: pubHex });
      expect(verify(kp.publicKey, message, hexToBytes(theirs))).toBe(true);
      expect(verify(kp.publicKey, message.subarray(1), hexToBytes(theirs))).toBe(false);
    }
    // A custom ID both ways.
    const kp = generateKeyPair();
    const message = randomBytes(33);
    const ours = bytesToHex(sign(kp.privateKey, message, { id: 'kiosk-7' }));
    expect(smV2.doVerifySignature(message, ours, bytesToHex(kp.publicKey), { hash: true, der: true, userId: 'kiosk-7' })).toBe(true);
    const theirs = smV2.doSignature(message, bytesToHex(kp.privateKey), { hash: true, der: true, userId: 'kiosk-7' });
    expect(verify(kp.publicKey, message, hexToBytes(theirs), { id: 'kiosk-7' })).toBe(true);
  });

  it('sm-crypto (the old one) agrees both ways', () => {
    const kp = generateKeyPair();
    const message = randomBytes(48);
    const pubHex = bytesToHex(kp.publicKey);
    const ours = bytesToHex(sign(kp.privateKey, message));
    expect(smCrypto.sm2.doVerifySignature(Array.from(message), ours, pubHex, { hash: true, der: true })).toBe(true);
    const theirs = smCrypto.sm2.doSignature(Array.from(message), bytesToHex(kp.privateKey), { hash: true, der: true, publicKey: pubHex });
    expect(verify(kp.publicKey, message, hexToBytes(theirs))).toBe(true);
  });
});
