import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../bytes.js';
import { computeZ, decodeSignature, encodeSignature, generateKeyPair, publicKeyFromPrivate, sign, verify, verifyDetailed } from '../sm2.js';
import { N } from '../sm2-curve.js';

const enc = new TextEncoder();
// GB/T 32918.5 Annex A via OpenSSL's sm2 test suite (../shared/reference/sm2-seal.md).
const D = hexToBytes('3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8');
const K = 0x59276e27d506861a16680f3ad9c02dccef3cc1fa3cdbe4ce6d54b80deac1bc21n;
const MSG = enc.encode('message digest');

describe('SM2 fixed-k vector', () => {
  it('reproduces Z_A, r and s exactly', () => {
    const pub = publicKeyFromPrivate(D);
    expect(bytesToHex(computeZ(pub)).toUpperCase()).toBe('B2E14C5C79C6DF5B85F4FE7ED8DB7A262B9DA7E07CCB0EA9F4747B8CCDA8A4F3');
    const sig = sign(D, MSG, { testNonce: K });
    const { r, s } = decodeSignature(sig);
    expect(r.toString(16).toUpperCase()).toBe('F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3');
    expect(s.toString(16).toUpperCase()).toBe('B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA');
    expect(verify(pub, MSG, sig)).toBe(true);
  });
});

describe('SM2 sign and verify', () => {
  const kp = generateKeyPair();
  const sig = sign(kp.privateKey, MSG);

  it('verifies its own signatures and rejects a changed message', () => {
    expect(verify(kp.publicKey, MSG, sig)).toBe(true);
    expect(verifyDetailed(kp.publicKey, enc.encode('message digesT'), sig)).toEqual({ valid: false, reason: 'signature does not match' });
  });
  it('binds the signer ID', () => {
    const withId = sign(kp.privateKey, MSG, { id: 'kiosk-341602-0001' });
    expect(verify(kp.publicKey, MSG, withId, { id: 'kiosk-341602-0001' })).toBe(true);
    expect(verify(kp.publicKey, MSG, withId)).toBe(false);
  });
  it('rejects r or s out of range', () => {
    const { r, s } = decodeSignature(sig);
    expect(verifyDetailed(kp.publicKey, MSG, encodeSignature(N, s))).toEqual({ valid: false, reason: 'r out of range [1, n-1]' });
    expect(verifyDetailed(kp.publicKey, MSG, encodeSignature(r, 0n))).toEqual({ valid: false, reason: 's out of range [1, n-1]' });
    expect(verifyDetailed(kp.publicKey, MSG, encodeSignature(r, N - r))).toEqual({ valid: false, reason: 't = r + s = 0 mod n' });
  });
  it('rejects public keys off the curve or at infinity with a clear error', () => {
    const off = Uint8Array.from(kp.publicKey);
    off[64]! ^= 1;
    expect(() => verify(off, MSG, sig)).toThrow('SM2 public key is not on the curve');
    expect(() => verify(Uint8Array.of(0), MSG, sig)).toThrow('SM2 public key is the point at infinity');
    expect(() => verify(kp.publicKey.subarray(0, 64), MSG, sig)).toThrow('malformed SM2 public key (64 bytes)');
  });
  it('rejects malformed DER with a clear error', () => {
    expect(() => verify(kp.publicKey, MSG, sig.subarray(0, sig.length - 1))).toThrow(/malformed DER signature/);
    expect(() => verify(kp.publicKey, MSG, Uint8Array.of(...sig, 0))).toThrow(/malformed DER signature/);
    const bad = Uint8Array.from(sig);
    bad[0] = 0x31;
    expect(() => verify(kp.publicKey, MSG, bad)).toThrow('malformed DER signature: not a SEQUENCE');
    expect(() => verify(kp.publicKey, MSG, hexToBytes('300702020001020101'))).toThrow('malformed DER signature: r is not minimally encoded');
    expect(() => verify(kp.publicKey, MSG, hexToBytes('3006020180020101'))).toThrow('malformed DER signature: r is negative');
    // Well-formed DER whose r is 0: a signature that does not hold, not unreadable input.
    expect(verifyDetailed(kp.publicKey, MSG, hexToBytes('3006020100020101'))).toEqual({ valid: false, reason: 'r out of range [1, n-1]' });
  });
});
