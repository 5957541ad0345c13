import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isTongbanError } from '../../base/errors.js';
import { fieldAad, idNumberLookupHash, openFieldCipher, runtimeHasSm4, type CipherAlgorithm } from '../pii/field-cipher.js';
import { hmacSm3 } from '../../certs/hmac-sm3.js';
import { ALGORITHMS, decodeSealed, sealedKeyId } from '../pii/sealed-format.js';

const dirs: string[] = [];
function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'tongban-pii-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (isTongbanError(err)) return err.code;
    throw err;
  }
  throw new Error('expected a failure');
}

const ALGS: CipherAlgorithm[] = ['sm4-ctr-hmac-sm3', 'aes-256-gcm'];

describe('HMAC-SM3', () => {
  it('the JavaScript HMAC equals OpenSSL for short, block-sized and long keys', () => {
    for (const keyLength of [0, 16, 32, 64, 65, 200]) {
      const key = randomBytes(keyLength);
      for (const msg of ['', 'abc', 'x'.repeat(1000)]) {
        const js = hmacSm3(key, [msg.slice(0, 3), msg.slice(3)], { native: false });
        expect(Buffer.from(js).toString('hex')).toBe(createHmac('sm3', key).update(msg).digest('hex'));
      }
    }
  });
});

describe('FieldCipher', () => {
  it('defaults to SM4-CTR + HMAC-SM3 on Node', () => {
    expect(runtimeHasSm4).toBe(true);
    const c = openFieldCipher({ dataDir: dataDir() });
    expect(c.algorithm).toBe('sm4-ctr-hmac-sm3');
    expect(decodeSealed(c.seal('x', 'a/1/b')).algorithm).toBe('sm4-ctr-hmac-sm3');
  });

  for (const algorithm of ALGS) {
    describe(algorithm, () => {
      it('round-trips text, empty values, binary and a photo-sized value', () => {
        const c = openFieldCipher({ dataDir: dataDir(), algorithm });
        const aad = fieldAad('applicants', '0190a1b2', 'fields');
        for (const text of ['张三', '', '34160219900101123X', '上海市浦东新区世纪大道100号']) {
          const sealed = c.seal(text, aad);
          expect(c.openText(sealed, aad)).toBe(text);
          if (text) expect(Buffer.from(sealed).includes(Buffer.from(text))).toBe(false); // not in clear
        }
        const bytes = new Uint8Array(256).map((_, i) => i);
        expect(Buffer.from(c.open(c.seal(bytes, aad), aad))).toEqual(Buffer.from(bytes));
        const photo = randomBytes(100_000);
        expect(Buffer.from(c.open(c.seal(photo, aad), aad)).equals(photo)).toBe(true);
      });

      it('two seals of one value differ (fresh nonce)', () => {
        const c = openFieldCipher({ dataDir: dataDir(), algorithm });
        expect(Buffer.from(c.seal('张三', 'a/1/b')).equals(Buffer.from(c.seal('张三', 'a/1/b')))).toBe(false);
      });

      it('detects a change of any single byte, a truncation and an extension', () => {
        const c = openFieldCipher({ dataDir: dataDir(), algorithm });
        const aad = 'applicants/42/fields';
        const sealed = c.seal('王小明 13812345678', aad);
        const parts = decodeSealed(sealed);
        const headerLength = parts.header.length;
        const spec = ALGORITHMS[algorithm];
        expect(sealed.length).toBe(headerLength + spec.nonceLength + Buffer.byteLength('王小明 13812345678') + spec.tagLength);
        for (let i = 0; i < sealed.length; i++) {
          for (const flip of [0x01, 0x80]) {
            const bad = Uint8Array.from(sealed);
            bad[i]! ^= flip;
            const code = codeOf(() => c.open(bad, aad));
            // Header bytes may fail as malformed or as an unknown key; every other byte fails authentication.
            if (i < headerLength) expect(['pii.format', 'pii.tampered', 'pii.keyMissing']).toContain(code);
            else expect(code).toBe('pii.tampered');
          }
        }
        expect(codeOf(() => c.open(sealed.subarray(0, sealed.length - 1), aad))).toMatch(/^pii\.(tampered|format)$/);
        expect(codeOf(() => c.open(Buffer.concat([sealed, Buffer.of(0)]), aad))).toBe('pii.tampered');
        expect(codeOf(() => c.open(new Uint8Array(2), aad))).toBe('pii.format');
      });

      it('refuses a value moved to another row or column (aad)', () => {
        const c = openFieldCipher({ dataDir: dataDir(), algorithm });
        const sealed = c.seal('张三', fieldAad('applicants', 'A', 'fields'));
        expect(codeOf(() => c.open(sealed, fieldAad('applicants', 'B', 'fields')))).toBe('pii.tampered');
        expect(codeOf(() => c.open(sealed, fieldAad('applicants', 'A', 'photo')))).toBe('pii.tampered');
        expect(codeOf(() => c.open(sealed, fieldAad('cases', 'A', 'fields')))).toBe('pii.tampered');
        expect(() => c.open(sealed, '')).toThrow(TypeError);
      });
    });
  }

  it('openText refuses bytes that are not UTF-8 (pii.format), after authenticating them', () => {
    const c = openFieldCipher({ dataDir: dataDir() });
    expect(codeOf(() => c.openText(c.seal(Uint8Array.of(0xff, 0xfe), 'a/1/b'), 'a/1/b'))).toBe('pii.format');
    expect(() => c.openText(c.seal('x', 'a/1/b'), '')).toThrow(TypeError);
  });

  it('values sealed with either algorithm open with a cipher of the other default (same keys)', () => {
    const dir = dataDir();
    const sm4 = openFieldCipher({ dataDir: dir });
    const aes = openFieldCipher({ dataDir: dir, algorithm: 'aes-256-gcm' });
    expect(aes.keyId).toBe(sm4.keyId);
    expect(aes.openText(sm4.seal('李四', 'x/1/y'), 'x/1/y')).toBe('李四');
    expect(sm4.openText(aes.seal('李四', 'x/1/y'), 'x/1/y')).toBe('李四');
    // A value sealed by AES under this runtime's default is due for a reseal to SM4.
    expect(sm4.needsReseal(aes.seal('李四', 'x/1/y'))).toBe(true);
    expect(aes.needsReseal(aes.seal('李四', 'x/1/y'))).toBe(false);
  });

  it('runs as under Electron (no SM4, no native SM3): AES by default, the same keys and lookup hashes, SM4 values refused with a clear error', () => {
    const dir = dataDir();
    const node = openFieldCipher({ dataDir: dir });
    const electron = openFieldCipher({ dataDir: dir, runtime: { sm4: false, nativeSm3: false } });
    expect(electron.algorithm).toBe('aes-256-gcm');
    expect(electron.keyId).toBe(node.keyId);
    expect(electron.lookupHash('idNumber', '34160219900101123X')).toBe(node.lookupHash('idNumber', '34160219900101123X'));
    const fromElectron = electron.seal('张三', 'applicants/1/fields');
    expect(node.openText(fromElectron, 'applicants/1/fields')).toBe('张三');
    expect(codeOf(() => electron.open(node.seal('李四', 'x/1/y'), 'x/1/y'))).toBe('pii.algorithmUnavailable');
    expect(codeOf(() => openFieldCipher({ dataDir: dir, algorithm: 'sm4-ctr-hmac-sm3', runtime: { sm4: false, nativeSm3: false } }))).toBe('pii.algorithmUnavailable');
    // Electron cannot open SM4 values: a store moves to Electron after `tongban keys rotate --algorithm
    // aes-256-gcm` on Node (pii-keys-cli.test.ts).
    expect(electron.needsReseal(fromElectron)).toBe(false);
  });

  it('rotates keys: new writes use the new key, old values stay readable, reseal moves them, then the old key can go', () => {
    const dir = dataDir();
    const c = openFieldCipher({ dataDir: dir });
    const first = c.keyId;
    const old = c.seal('赵六', 'applicants/1/fields');
    const rotated = c.rotateKey();
    expect(rotated).not.toBe(first);
    expect(c.keyId).toBe(rotated);
    expect(c.keyIds()).toEqual([first, rotated].sort());
    const fresh = c.seal('钱七', 'applicants/2/fields');
    expect(sealedKeyId(fresh)).toBe(rotated);
    expect(sealedKeyId(old)).toBe(first);
    expect(c.openText(old, 'applicants/1/fields')).toBe('赵六');
    expect(c.needsReseal(old)).toBe(true);
    expect(c.needsReseal(fresh)).toBe(false);
    const moved = c.reseal(old, 'applicants/1/fields');
    expect(sealedKeyId(moved)).toBe(rotated);
    expect(codeOf(() => c.reseal(old, 'applicants/9/fields'))).toBe('pii.tampered');

    // A second process sees the rotation through DATA/keys/current.
    const again = openFieldCipher({ dataDir: dir, create: false });
    expect(again.keyId).toBe(rotated);
    expect(again.openText(old, 'applicants/1/fields')).toBe('赵六');

    expect(codeOf(() => c.removeKey(rotated))).toBe('pii.keyInUse');
    c.removeKey(first);
    expect(c.keyIds()).toEqual([rotated]);
    expect(c.openText(moved, 'applicants/1/fields')).toBe('赵六');
    expect(codeOf(() => c.open(old, 'applicants/1/fields'))).toBe('pii.keyMissing');
  });

  it('lookup hashes are keyed, stable across rotation and reopening, and separate per domain', () => {
    const dir = dataDir();
    const c = openFieldCipher({ dataDir: dir });
    const h = idNumberLookupHash(c, '34160219900101123x');
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(idNumberLookupHash(c, ' 34160219900101123X ')).toBe(h);
    expect(idNumberLookupHash(c, '341602199001011231')).not.toBe(h);
    expect(c.lookupHash('phone', '34160219900101123X')).not.toBe(h);
    c.rotateKey();
    expect(idNumberLookupHash(c, '34160219900101123X')).toBe(h);
    expect(idNumberLookupHash(openFieldCipher({ dataDir: dir }), '34160219900101123X')).toBe(h);
    // Another kiosk (another key) gives another hash: the hash is not a plain SM3 of the number.
    expect(idNumberLookupHash(openFieldCipher({ dataDir: dataDir() }), '34160219900101123X')).not.toBe(h);
  });

  describe('key files', () => {
    it('creates DATA/keys 0700 and key files 0600 at first start, and nothing without create', () => {
      const dir = dataDir();
      expect(codeOf(() => openFieldCipher({ dataDir: dir, create: false }))).toBe('pii.keyMissing');
      const c = openFieldCipher({ dataDir: dir });
      expect(statSync(join(dir, 'keys')).mode & 0o777).toBe(0o700);
      for (const name of [`${c.keyId}.key`, 'current', 'lookup.secret']) {
        expect(statSync(join(dir, 'keys', name)).mode & 0o777).toBe(0o600);
      }
      expect(readFileSync(join(dir, 'keys', `${c.keyId}.key`)).length).toBe(32);
      expect(readFileSync(join(dir, 'keys', 'current'), 'utf8').trim()).toBe(c.keyId);
    });

    it('refuses a key file or directory that others may read, naming the file and the fix', () => {
      const dir = dataDir();
      const c = openFieldCipher({ dataDir: dir });
      const key = join(dir, 'keys', `${c.keyId}.key`);
      chmodSync(key, 0o644);
      let message = '';
      try {
        openFieldCipher({ dataDir: dir });
      } catch (err) {
        expect(isTongbanError(err) && err.code).toBe('env.keyMode');
        message = (err as Error).message;
      }
      expect(message).toContain(key);
      expect(message).toContain('chmod 600');
      chmodSync(key, 0o600);
      chmodSync(join(dir, 'keys'), 0o755);
      expect(codeOf(() => openFieldCipher({ dataDir: dir }))).toBe('env.keyMode');
      chmodSync(join(dir, 'keys'), 0o700);
      chmodSync(join(dir, 'keys', 'lookup.secret'), 0o640);
      expect(codeOf(() => openFieldCipher({ dataDir: dir }))).toBe('env.keyMode');
      chmodSync(join(dir, 'keys', 'lookup.secret'), 0o600);
      expect(openFieldCipher({ dataDir: dir }).keyId).toBe(c.keyId);
    });

    it('refuses a key file that is a symbolic link or has the wrong length', () => {
      const dir = dataDir();
      const c = openFieldCipher({ dataDir: dir });
      const key = join(dir, 'keys', `${c.keyId}.key`);
      renameSync(key, join(dir, 'elsewhere.key'));
      symlinkSync(join(dir, 'elsewhere.key'), key);
      expect(codeOf(() => openFieldCipher({ dataDir: dir }))).toBe('env.keyMode');
      rmSync(key);
      writeFileSync(key, randomBytes(31), { mode: 0o600 });
      expect(codeOf(() => openFieldCipher({ dataDir: dir }))).toBe('env.keyCorrupt');
    });

    it.runIf(process.getuid?.() === 0)('refuses a key file owned by another user', () => {
      const dir = dataDir();
      const c = openFieldCipher({ dataDir: dir });
      chownSync(join(dir, 'keys', `${c.keyId}.key`), 65534, 65534);
      expect(codeOf(() => openFieldCipher({ dataDir: dir }))).toBe('env.keyOwner');
    });
  });
});
