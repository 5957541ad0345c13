/**
 * SM3 (GB/T 32905-2016), one-shot and streaming.
 *
 * Node links OpenSSL, which has SM3; Electron links BoringSSL, which does not. `createSm3()` therefore
 * uses the native hash where the runtime has it and this file's JavaScript implementation elsewhere;
 * both give the same bytes (tested against each other and the standard's vectors).
 */
import { createHash, getHashes } from 'node:crypto';

export const SM3_DIGEST_LENGTH = 32;
export const SM3_BLOCK_LENGTH = 64;

export interface Sm3Hash {
  update(data: Uint8Array | string): this;
  /** The 32-byte digest. The hash cannot be updated afterwards. */
  digest(): Uint8Array;
}

const IV = new Int32Array([0x7380166f, 0x4914b2b9, 0x172442d7, 0xda8a0600, 0xa96f30bc, 0x163138aa, 0xe38dee4d, 0xb0fb0e4e]);

/** T_j <<< j, precomputed for the 64 rounds. */
const TJ = new Int32Array(64);
for (let j = 0; j < 64; j++) {
  const t = j < 16 ? 0x79cc4519 : 0x7a879d8a;
  const r = j % 32;
  TJ[j] = r === 0 ? t : (t << r) | (t >>> (32 - r));
}

const encoder = new TextEncoder();

function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? encoder.encode(data) : data;
}

/** The pure JavaScript SM3, for runtimes without a native one (Electron). */
export class Sm3Js implements Sm3Hash {
  private readonly v = new Int32Array(IV);
  private readonly w = new Int32Array(68);
  private readonly buffer = new Uint8Array(SM3_BLOCK_LENGTH);
  private buffered = 0;
  private length = 0; // bytes hashed so far (safe up to 2^53)
  private finished = false;

  update(input: Uint8Array | string): this {
    if (this.finished) throw new Error('SM3: update after digest');
    const data = toBytes(input);
    this.length += data.length;
    let offset = 0;
    if (this.buffered > 0) {
      const take = Math.min(SM3_BLOCK_LENGTH - this.buffered, data.length);
      this.buffer.set(data.subarray(0, take), this.buffered);
      this.buffered += take;
      offset = take;
      if (this.buffered < SM3_BLOCK_LENGTH) return this;
      this.compress(this.buffer, 0);
      this.buffered = 0;
    }
    for (; offset + SM3_BLOCK_LENGTH <= data.length; offset += SM3_BLOCK_LENGTH) this.compress(data, offset);
    if (offset < data.length) {
      this.buffer.set(data.subarray(offset), 0);
      this.buffered = data.length - offset;
    }
    return this;
  }

  digest(): Uint8Array {
    if (this.finished) throw new Error('SM3: digest called twice');
    this.finished = true;
    const bitLength = this.length * 8;
    const b = this.buffer;
    b[this.buffered++] = 0x80;
    if (this.buffered > 56) {
      b.fill(0, this.buffered);
      this.compress(b, 0);
      this.buffered = 0;
    }
    b.fill(0, this.buffered, 56);
    const hi = Math.floor(bitLength / 0x100000000);
    const lo = bitLength >>> 0;
    b[56] = hi >>> 24; b[57] = hi >>> 16; b[58] = hi >>> 8; b[59] = hi;
    b[60] = lo >>> 24; b[61] = lo >>> 16; b[62] = lo >>> 8; b[63] = lo;
    this.compress(b, 0);
    const out = new Uint8Array(32);
    for (let i = 0; i < 8; i++) {
      const x = this.v[i]!;
      out[i * 4] = x >>> 24; out[i * 4 + 1] = x >>> 16; out[i * 4 + 2] = x >>> 8; out[i * 4 + 3] = x;
    }
    return out;
  }

  private compress(m: Uint8Array, o: number): void {
    const w = this.w;
    for (let i = 0; i < 16; i++, o += 4) w[i] = (m[o]! << 24) | (m[o + 1]! << 16) | (m[o + 2]! << 8) | m[o + 3]!;
    for (let j = 16; j < 68; j++) {
      let x = w[j - 16]! ^ w[j - 9]! ^ ((w[j - 3]! << 15) | (w[j - 3]! >>> 17));
      x = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)); // P1
      const y = w[j - 13]!;
      w[j] = x ^ ((y << 7) | (y >>> 25)) ^ w[j - 6]!;
    }
    const v = this.v;
    let a = v[0]!, b = v[1]!, c = v[2]!, d = v[3]!, e = v[4]!, f = v[5]!, g = v[6]!, h = v[7]!;
    for (let j = 0; j < 64; j++) {
      const a12 = (a << 12) | (a >>> 20);
      const t = (a12 + e + TJ[j]!) | 0;
      const ss1 = (t << 7) | (t >>> 25);
      const ss2 = ss1 ^ a12;
      const wj = w[j]!;
      const wj1 = wj ^ w[j + 4]!;
      let tt1: number, tt2: number;
      if (j < 16) {
        tt1 = ((a ^ b ^ c) + d + ss2 + wj1) | 0;
        tt2 = ((e ^ f ^ g) + h + ss1 + wj) | 0;
      } else {
        tt1 = (((a & b) | (a & c) | (b & c)) + d + ss2 + wj1) | 0;
        tt2 = (((e & f) | (~e & g)) + h + ss1 + wj) | 0;
      }
      d = c;
      c = (b << 9) | (b >>> 23);
      b = a;
      a = tt1;
      h = g;
      g = (f << 19) | (f >>> 13);
      f = e;
      e = tt2 ^ ((tt2 << 9) | (tt2 >>> 23)) ^ ((tt2 << 17) | (tt2 >>> 15)); // P0
    }
    v[0] = v[0]! ^ a; v[1] = v[1]! ^ b; v[2] = v[2]! ^ c; v[3] = v[3]! ^ d;
    v[4] = v[4]! ^ e; v[5] = v[5]! ^ f; v[6] = v[6]! ^ g; v[7] = v[7]! ^ h;
  }
}

class Sm3Native implements Sm3Hash {
  private readonly h = createHash('sm3');
  update(data: Uint8Array | string): this {
    this.h.update(toBytes(data));
    return this;
  }
  digest(): Uint8Array {
    const d = this.h.digest();
    return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  }
}

/** Whether this runtime's crypto has SM3 (Node with OpenSSL: yes; Electron with BoringSSL: no). */
export const hasNativeSm3: boolean = (() => {
  try {
    return getHashes().includes('sm3');
  } catch {
    return false;
  }
})();

/** A streaming SM3: native where available, JavaScript otherwise. */
export function createSm3(options: { native?: boolean } = {}): Sm3Hash {
  return (options.native ?? hasNativeSm3) && hasNativeSm3 ? new Sm3Native() : new Sm3Js();
}

/** One-shot SM3 of bytes or a UTF-8 string. */
export function sm3(data: Uint8Array | string): Uint8Array {
  return createSm3().update(data).digest();
}

export function sm3Hex(data: Uint8Array | string): string {
  return Buffer.from(sm3(data)).toString('hex');
}
