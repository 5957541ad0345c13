/**
 * HMAC-SM3 (RFC 2104 over GB/T 32905 SM3). Node's OpenSSL has it natively; Electron's BoringSSL has no
 * SM3, so there the HMAC is computed over certs/sm3's JavaScript SM3. Both give the same bytes (tested).
 */
import { createHmac } from 'node:crypto';
import { SM3_BLOCK_LENGTH, Sm3Js, hasNativeSm3 } from './sm3.js';

export const HMAC_SM3_LENGTH = 32;

const encoder = new TextEncoder();

function bytes(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? encoder.encode(data) : data;
}

/** HMAC-SM3 of the concatenation of `parts` (fed in order, no copying). */
export function hmacSm3(key: Uint8Array, parts: readonly (Uint8Array | string)[], options: { native?: boolean } = {}): Uint8Array {
  if ((options.native ?? hasNativeSm3) && hasNativeSm3) {
    const h = createHmac('sm3', key);
    for (const p of parts) h.update(bytes(p));
    const d = h.digest();
    return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  }
  let k = key;
  if (k.length > SM3_BLOCK_LENGTH) k = new Sm3Js().update(k).digest();
  const ipad = new Uint8Array(SM3_BLOCK_LENGTH).fill(0x36);
  const opad = new Uint8Array(SM3_BLOCK_LENGTH).fill(0x5c);
  for (let i = 0; i < k.length; i++) {
    ipad[i]! ^= k[i]!;
    opad[i]! ^= k[i]!;
  }
  const inner = new Sm3Js().update(ipad);
  for (const p of parts) inner.update(bytes(p));
  return new Sm3Js().update(opad).update(inner.digest()).digest();
}
