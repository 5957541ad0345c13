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

const encoder = new TextEncoder();

function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? encoder.encode(data) : data;
}

/**
 * The pure JavaScript SM3, for runtimes without a native one (Electron). Blocks are compressed straight
 * from the caller's bytes (through a DataView, read as big-endian words); only a partial block is copied.
 */
export class Sm3Js implements Sm3Hash {
  private readonly v = new Int32Array(IV);
  private readonly buffer = new Uint8Array(SM3_BLOCK_LENGTH);
  private readonly bufferView = new DataView(this.buffer.buffer);
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
      compress(this.v, this.bufferView, 0);
      this.buffered = 0;
    }
    if (offset + SM3_BLOCK_LENGTH <= data.length) {
      const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
      for (; offset + SM3_BLOCK_LENGTH <= data.length; offset += SM3_BLOCK_LENGTH) compress(this.v, view, offset);
    }
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
      compress(this.v, this.bufferView, 0);
      this.buffered = 0;
    }
    b.fill(0, this.buffered, 56);
    const hi = Math.floor(bitLength / 0x100000000);
    const lo = bitLength >>> 0;
    b[56] = hi >>> 24; b[57] = hi >>> 16; b[58] = hi >>> 8; b[59] = hi;
    b[60] = lo >>> 24; b[61] = lo >>> 16; b[62] = lo >>> 8; b[63] = lo;
    compress(this.v, this.bufferView, 0);
    const out = new Uint8Array(32);
    for (let i = 0; i < 8; i++) {
      const x = this.v[i]!;
      out[i * 4] = x >>> 24; out[i * 4 + 1] = x >>> 16; out[i * 4 + 2] = x >>> 8; out[i * 4 + 3] = x;
    }
    return out;
  }
}

/**
 * The compression function on the 64-byte block at `o` of `view`, into the state `v`. All 64 rounds are
 * written out (about 15% faster than a loop over them, which mostly pays for T_j lookups and the loop):
 * the message expansion runs on the fly in 16 local words (W[j] lives in w(j mod 16); W[j+4] is computed
 * in round j), T_j <<< j is a literal (T_j = 0x79cc4519 for j < 16, 0x7a879d8a after), and the eight state words rotate names from round to round instead
 * of moving. No array is touched but the state, and nothing is allocated.
 */
function compress(v: Int32Array, view: DataView, o: number): void {
  let w0 = view.getInt32(o + 0), w1 = view.getInt32(o + 4), w2 = view.getInt32(o + 8), w3 = view.getInt32(o + 12);
  let w4 = view.getInt32(o + 16), w5 = view.getInt32(o + 20), w6 = view.getInt32(o + 24), w7 = view.getInt32(o + 28);
  let w8 = view.getInt32(o + 32), w9 = view.getInt32(o + 36), w10 = view.getInt32(o + 40), w11 = view.getInt32(o + 44);
  let w12 = view.getInt32(o + 48), w13 = view.getInt32(o + 52), w14 = view.getInt32(o + 56), w15 = view.getInt32(o + 60);
  let a = v[0]!, b = v[1]!, c = v[2]!, d = v[3]!, e = v[4]!, f = v[5]!, g = v[6]!, h = v[7]!;
  let a12: number, ss1: number, x: number;
  a12 = (a << 12) | (a >>> 20); x = (a12 + e + 0x79cc4519) | 0; ss1 = (x << 7) | (x >>> 25);
  d = ((a ^ b ^ c) + d + (ss1 ^ a12) + (w0 ^ w4)) | 0; b = (b << 9) | (b >>> 23);
  x = ((e ^ f ^ g) + h + ss1 + w0) | 0; f = (f << 19) | (f >>> 13);
  h = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  a12 = (d << 12) | (d >>> 20); x = (a12 + h + 0xf3988a32) | 0; ss1 = (x << 7) | (x >>> 25);
  c = ((d ^ a ^ b) + c + (ss1 ^ a12) + (w1 ^ w5)) | 0; a = (a << 9) | (a >>> 23);
  x = ((h ^ e ^ f) + g + ss1 + w1) | 0; e = (e << 19) | (e >>> 13);
  g = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  a12 = (c << 12) | (c >>> 20); x = (a12 + g + 0xe7311465) | 0; ss1 = (x << 7) | (x >>> 25);
  b = ((c ^ d ^ a) + b + (ss1 ^ a12) + (w2 ^ w6)) | 0; d = (d << 9) | (d >>> 23);
  x = ((g ^ h ^ e) + f + ss1 + w2) | 0; h = (h << 19) | (h >>> 13);
  f = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  a12 = (b << 12) | (b >>> 20); x = (a12 + f + 0xce6228cb) | 0; ss1 = (x << 7) | (x >>> 25);
  a = ((b ^ c ^ d) + a + (ss1 ^ a12) + (w3 ^ w7)) | 0; c = (c << 9) | (c >>> 23);
  x = ((f ^ g ^ h) + e + ss1 + w3) | 0; g = (g << 19) | (g >>> 13);
  e = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  a12 = (a << 12) | (a >>> 20); x = (a12 + e + 0x9cc45197) | 0; ss1 = (x << 7) | (x >>> 25);
  d = ((a ^ b ^ c) + d + (ss1 ^ a12) + (w4 ^ w8)) | 0; b = (b << 9) | (b >>> 23);
  x = ((e ^ f ^ g) + h + ss1 + w4) | 0; f = (f << 19) | (f >>> 13);
  h = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  a12 = (d << 12) | (d >>> 20); x = (a12 + h + 0x3988a32f) | 0; ss1 = (x << 7) | (x >>> 25);
  c = ((d ^ a ^ b) + c + (ss1 ^ a12) + (w5 ^ w9)) | 0; a = (a << 9) | (a >>> 23);
  x = ((h ^ e ^ f) + g + ss1 + w5) | 0; e = (e << 19) | (e >>> 13);
  g = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  a12 = (c << 12) | (c >>> 20); x = (a12 + g + 0x7311465e) | 0; ss1 = (x << 7) | (x >>> 25);
  b = ((c ^ d ^ a) + b + (ss1 ^ a12) + (w6 ^ w10)) | 0; d = (d << 9) | (d >>> 23);
  x = ((g ^ h ^ e) + f + ss1 + w6) | 0; h = (h << 19) | (h >>> 13);
  f = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  a12 = (b << 12) | (b >>> 20); x = (a12 + f + 0xe6228cbc) | 0; ss1 = (x << 7) | (x >>> 25);
  a = ((b ^ c ^ d) + a + (ss1 ^ a12) + (w7 ^ w11)) | 0; c = (c << 9) | (c >>> 23);
  x = ((f ^ g ^ h) + e + ss1 + w7) | 0; g = (g << 19) | (g >>> 13);
  e = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  a12 = (a << 12) | (a >>> 20); x = (a12 + e + 0xcc451979) | 0; ss1 = (x << 7) | (x >>> 25);
  d = ((a ^ b ^ c) + d + (ss1 ^ a12) + (w8 ^ w12)) | 0; b = (b << 9) | (b >>> 23);
  x = ((e ^ f ^ g) + h + ss1 + w8) | 0; f = (f << 19) | (f >>> 13);
  h = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  a12 = (d << 12) | (d >>> 20); x = (a12 + h + 0x988a32f3) | 0; ss1 = (x << 7) | (x >>> 25);
  c = ((d ^ a ^ b) + c + (ss1 ^ a12) + (w9 ^ w13)) | 0; a = (a << 9) | (a >>> 23);
  x = ((h ^ e ^ f) + g + ss1 + w9) | 0; e = (e << 19) | (e >>> 13);
  g = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  a12 = (c << 12) | (c >>> 20); x = (a12 + g + 0x311465e7) | 0; ss1 = (x << 7) | (x >>> 25);
  b = ((c ^ d ^ a) + b + (ss1 ^ a12) + (w10 ^ w14)) | 0; d = (d << 9) | (d >>> 23);
  x = ((g ^ h ^ e) + f + ss1 + w10) | 0; h = (h << 19) | (h >>> 13);
  f = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  a12 = (b << 12) | (b >>> 20); x = (a12 + f + 0x6228cbce) | 0; ss1 = (x << 7) | (x >>> 25);
  a = ((b ^ c ^ d) + a + (ss1 ^ a12) + (w11 ^ w15)) | 0; c = (c << 9) | (c >>> 23);
  x = ((f ^ g ^ h) + e + ss1 + w11) | 0; g = (g << 19) | (g >>> 13);
  e = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w0 ^ w7 ^ ((w13 << 15) | (w13 >>> 17));
  w0 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w3 << 7) | (w3 >>> 25)) ^ w10;
  a12 = (a << 12) | (a >>> 20); x = (a12 + e + 0xc451979c) | 0; ss1 = (x << 7) | (x >>> 25);
  d = ((a ^ b ^ c) + d + (ss1 ^ a12) + (w12 ^ w0)) | 0; b = (b << 9) | (b >>> 23);
  x = ((e ^ f ^ g) + h + ss1 + w12) | 0; f = (f << 19) | (f >>> 13);
  h = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w1 ^ w8 ^ ((w14 << 15) | (w14 >>> 17));
  w1 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w4 << 7) | (w4 >>> 25)) ^ w11;
  a12 = (d << 12) | (d >>> 20); x = (a12 + h + 0x88a32f39) | 0; ss1 = (x << 7) | (x >>> 25);
  c = ((d ^ a ^ b) + c + (ss1 ^ a12) + (w13 ^ w1)) | 0; a = (a << 9) | (a >>> 23);
  x = ((h ^ e ^ f) + g + ss1 + w13) | 0; e = (e << 19) | (e >>> 13);
  g = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w2 ^ w9 ^ ((w15 << 15) | (w15 >>> 17));
  w2 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w5 << 7) | (w5 >>> 25)) ^ w12;
  a12 = (c << 12) | (c >>> 20); x = (a12 + g + 0x11465e73) | 0; ss1 = (x << 7) | (x >>> 25);
  b = ((c ^ d ^ a) + b + (ss1 ^ a12) + (w14 ^ w2)) | 0; d = (d << 9) | (d >>> 23);
  x = ((g ^ h ^ e) + f + ss1 + w14) | 0; h = (h << 19) | (h >>> 13);
  f = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w3 ^ w10 ^ ((w0 << 15) | (w0 >>> 17));
  w3 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w6 << 7) | (w6 >>> 25)) ^ w13;
  a12 = (b << 12) | (b >>> 20); x = (a12 + f + 0x228cbce6) | 0; ss1 = (x << 7) | (x >>> 25);
  a = ((b ^ c ^ d) + a + (ss1 ^ a12) + (w15 ^ w3)) | 0; c = (c << 9) | (c >>> 23);
  x = ((f ^ g ^ h) + e + ss1 + w15) | 0; g = (g << 19) | (g >>> 13);
  e = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w4 ^ w11 ^ ((w1 << 15) | (w1 >>> 17));
  w4 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w7 << 7) | (w7 >>> 25)) ^ w14;
  a12 = (a << 12) | (a >>> 20); x = (a12 + e + 0x9d8a7a87) | 0; ss1 = (x << 7) | (x >>> 25);
  d = (((a & b) | (c & (a | b))) + d + (ss1 ^ a12) + (w0 ^ w4)) | 0; b = (b << 9) | (b >>> 23);
  x = (((e & f) | (~e & g)) + h + ss1 + w0) | 0; f = (f << 19) | (f >>> 13);
  h = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w5 ^ w12 ^ ((w2 << 15) | (w2 >>> 17));
  w5 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w8 << 7) | (w8 >>> 25)) ^ w15;
  a12 = (d << 12) | (d >>> 20); x = (a12 + h + 0x3b14f50f) | 0; ss1 = (x << 7) | (x >>> 25);
  c = (((d & a) | (b & (d | a))) + c + (ss1 ^ a12) + (w1 ^ w5)) | 0; a = (a << 9) | (a >>> 23);
  x = (((h & e) | (~h & f)) + g + ss1 + w1) | 0; e = (e << 19) | (e >>> 13);
  g = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w6 ^ w13 ^ ((w3 << 15) | (w3 >>> 17));
  w6 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w9 << 7) | (w9 >>> 25)) ^ w0;
  a12 = (c << 12) | (c >>> 20); x = (a12 + g + 0x7629ea1e) | 0; ss1 = (x << 7) | (x >>> 25);
  b = (((c & d) | (a & (c | d))) + b + (ss1 ^ a12) + (w2 ^ w6)) | 0; d = (d << 9) | (d >>> 23);
  x = (((g & h) | (~g & e)) + f + ss1 + w2) | 0; h = (h << 19) | (h >>> 13);
  f = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w7 ^ w14 ^ ((w4 << 15) | (w4 >>> 17));
  w7 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w10 << 7) | (w10 >>> 25)) ^ w1;
  a12 = (b << 12) | (b >>> 20); x = (a12 + f + 0xec53d43c) | 0; ss1 = (x << 7) | (x >>> 25);
  a = (((b & c) | (d & (b | c))) + a + (ss1 ^ a12) + (w3 ^ w7)) | 0; c = (c << 9) | (c >>> 23);
  x = (((f & g) | (~f & h)) + e + ss1 + w3) | 0; g = (g << 19) | (g >>> 13);
  e = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w8 ^ w15 ^ ((w5 << 15) | (w5 >>> 17));
  w8 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w11 << 7) | (w11 >>> 25)) ^ w2;
  a12 = (a << 12) | (a >>> 20); x = (a12 + e + 0xd8a7a879) | 0; ss1 = (x << 7) | (x >>> 25);
  d = (((a & b) | (c & (a | b))) + d + (ss1 ^ a12) + (w4 ^ w8)) | 0; b = (b << 9) | (b >>> 23);
  x = (((e & f) | (~e & g)) + h + ss1 + w4) | 0; f = (f << 19) | (f >>> 13);
  h = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w9 ^ w0 ^ ((w6 << 15) | (w6 >>> 17));
  w9 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w12 << 7) | (w12 >>> 25)) ^ w3;
  a12 = (d << 12) | (d >>> 20); x = (a12 + h + 0xb14f50f3) | 0; ss1 = (x << 7) | (x >>> 25);
  c = (((d & a) | (b & (d | a))) + c + (ss1 ^ a12) + (w5 ^ w9)) | 0; a = (a << 9) | (a >>> 23);
  x = (((h & e) | (~h & f)) + g + ss1 + w5) | 0; e = (e << 19) | (e >>> 13);
  g = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w10 ^ w1 ^ ((w7 << 15) | (w7 >>> 17));
  w10 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w13 << 7) | (w13 >>> 25)) ^ w4;
  a12 = (c << 12) | (c >>> 20); x = (a12 + g + 0x629ea1e7) | 0; ss1 = (x << 7) | (x >>> 25);
  b = (((c & d) | (a & (c | d))) + b + (ss1 ^ a12) + (w6 ^ w10)) | 0; d = (d << 9) | (d >>> 23);
  x = (((g & h) | (~g & e)) + f + ss1 + w6) | 0; h = (h << 19) | (h >>> 13);
  f = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w11 ^ w2 ^ ((w8 << 15) | (w8 >>> 17));
  w11 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w14 << 7) | (w14 >>> 25)) ^ w5;
  a12 = (b << 12) | (b >>> 20); x = (a12 + f + 0xc53d43ce) | 0; ss1 = (x << 7) | (x >>> 25);
  a = (((b & c) | (d & (b | c))) + a + (ss1 ^ a12) + (w7 ^ w11)) | 0; c = (c << 9) | (c >>> 23);
  x = (((f & g) | (~f & h)) + e + ss1 + w7) | 0; g = (g << 19) | (g >>> 13);
  e = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w12 ^ w3 ^ ((w9 << 15) | (w9 >>> 17));
  w12 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w15 << 7) | (w15 >>> 25)) ^ w6;
  a12 = (a << 12) | (a >>> 20); x = (a12 + e + 0x8a7a879d) | 0; ss1 = (x << 7) | (x >>> 25);
  d = (((a & b) | (c & (a | b))) + d + (ss1 ^ a12) + (w8 ^ w12)) | 0; b = (b << 9) | (b >>> 23);
  x = (((e & f) | (~e & g)) + h + ss1 + w8) | 0; f = (f << 19) | (f >>> 13);
  h = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w13 ^ w4 ^ ((w10 << 15) | (w10 >>> 17));
  w13 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w0 << 7) | (w0 >>> 25)) ^ w7;
  a12 = (d << 12) | (d >>> 20); x = (a12 + h + 0x14f50f3b) | 0; ss1 = (x << 7) | (x >>> 25);
  c = (((d & a) | (b & (d | a))) + c + (ss1 ^ a12) + (w9 ^ w13)) | 0; a = (a << 9) | (a >>> 23);
  x = (((h & e) | (~h & f)) + g + ss1 + w9) | 0; e = (e << 19) | (e >>> 13);
  g = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w14 ^ w5 ^ ((w11 << 15) | (w11 >>> 17));
  w14 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w1 << 7) | (w1 >>> 25)) ^ w8;
  a12 = (c << 12) | (c >>> 20); x = (a12 + g + 0x29ea1e76) | 0; ss1 = (x << 7) | (x >>> 25);
  b = (((c & d) | (a & (c | d))) + b + (ss1 ^ a12) + (w10 ^ w14)) | 0; d = (d << 9) | (d >>> 23);
  x = (((g & h) | (~g & e)) + f + ss1 + w10) | 0; h = (h << 19) | (h >>> 13);
  f = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w15 ^ w6 ^ ((w12 << 15) | (w12 >>> 17));
  w15 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w2 << 7) | (w2 >>> 25)) ^ w9;
  a12 = (b << 12) | (b >>> 20); x = (a12 + f + 0x53d43cec) | 0; ss1 = (x << 7) | (x >>> 25);
  a = (((b & c) | (d & (b | c))) + a + (ss1 ^ a12) + (w11 ^ w15)) | 0; c = (c << 9) | (c >>> 23);
  x = (((f & g) | (~f & h)) + e + ss1 + w11) | 0; g = (g << 19) | (g >>> 13);
  e = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w0 ^ w7 ^ ((w13 << 15) | (w13 >>> 17));
  w0 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w3 << 7) | (w3 >>> 25)) ^ w10;
  a12 = (a << 12) | (a >>> 20); x = (a12 + e + 0xa7a879d8) | 0; ss1 = (x << 7) | (x >>> 25);
  d = (((a & b) | (c & (a | b))) + d + (ss1 ^ a12) + (w12 ^ w0)) | 0; b = (b << 9) | (b >>> 23);
  x = (((e & f) | (~e & g)) + h + ss1 + w12) | 0; f = (f << 19) | (f >>> 13);
  h = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w1 ^ w8 ^ ((w14 << 15) | (w14 >>> 17));
  w1 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w4 << 7) | (w4 >>> 25)) ^ w11;
  a12 = (d << 12) | (d >>> 20); x = (a12 + h + 0x4f50f3b1) | 0; ss1 = (x << 7) | (x >>> 25);
  c = (((d & a) | (b & (d | a))) + c + (ss1 ^ a12) + (w13 ^ w1)) | 0; a = (a << 9) | (a >>> 23);
  x = (((h & e) | (~h & f)) + g + ss1 + w13) | 0; e = (e << 19) | (e >>> 13);
  g = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w2 ^ w9 ^ ((w15 << 15) | (w15 >>> 17));
  w2 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w5 << 7) | (w5 >>> 25)) ^ w12;
  a12 = (c << 12) | (c >>> 20); x = (a12 + g + 0x9ea1e762) | 0; ss1 = (x << 7) | (x >>> 25);
  b = (((c & d) | (a & (c | d))) + b + (ss1 ^ a12) + (w14 ^ w2)) | 0; d = (d << 9) | (d >>> 23);
  x = (((g & h) | (~g & e)) + f + ss1 + w14) | 0; h = (h << 19) | (h >>> 13);
  f = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w3 ^ w10 ^ ((w0 << 15) | (w0 >>> 17));
  w3 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w6 << 7) | (w6 >>> 25)) ^ w13;
  a12 = (b << 12) | (b >>> 20); x = (a12 + f + 0x3d43cec5) | 0; ss1 = (x << 7) | (x >>> 25);
  a = (((b & c) | (d & (b | c))) + a + (ss1 ^ a12) + (w15 ^ w3)) | 0; c = (c << 9) | (c >>> 23);
  x = (((f & g) | (~f & h)) + e + ss1 + w15) | 0; g = (g << 19) | (g >>> 13);
  e = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w4 ^ w11 ^ ((w1 << 15) | (w1 >>> 17));
  w4 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w7 << 7) | (w7 >>> 25)) ^ w14;
  a12 = (a << 12) | (a >>> 20); x = (a12 + e + 0x7a879d8a) | 0; ss1 = (x << 7) | (x >>> 25);
  d = (((a & b) | (c & (a | b))) + d + (ss1 ^ a12) + (w0 ^ w4)) | 0; b = (b << 9) | (b >>> 23);
  x = (((e & f) | (~e & g)) + h + ss1 + w0) | 0; f = (f << 19) | (f >>> 13);
  h = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w5 ^ w12 ^ ((w2 << 15) | (w2 >>> 17));
  w5 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w8 << 7) | (w8 >>> 25)) ^ w15;
  a12 = (d << 12) | (d >>> 20); x = (a12 + h + 0xf50f3b14) | 0; ss1 = (x << 7) | (x >>> 25);
  c = (((d & a) | (b & (d | a))) + c + (ss1 ^ a12) + (w1 ^ w5)) | 0; a = (a << 9) | (a >>> 23);
  x = (((h & e) | (~h & f)) + g + ss1 + w1) | 0; e = (e << 19) | (e >>> 13);
  g = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w6 ^ w13 ^ ((w3 << 15) | (w3 >>> 17));
  w6 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w9 << 7) | (w9 >>> 25)) ^ w0;
  a12 = (c << 12) | (c >>> 20); x = (a12 + g + 0xea1e7629) | 0; ss1 = (x << 7) | (x >>> 25);
  b = (((c & d) | (a & (c | d))) + b + (ss1 ^ a12) + (w2 ^ w6)) | 0; d = (d << 9) | (d >>> 23);
  x = (((g & h) | (~g & e)) + f + ss1 + w2) | 0; h = (h << 19) | (h >>> 13);
  f = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w7 ^ w14 ^ ((w4 << 15) | (w4 >>> 17));
  w7 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w10 << 7) | (w10 >>> 25)) ^ w1;
  a12 = (b << 12) | (b >>> 20); x = (a12 + f + 0xd43cec53) | 0; ss1 = (x << 7) | (x >>> 25);
  a = (((b & c) | (d & (b | c))) + a + (ss1 ^ a12) + (w3 ^ w7)) | 0; c = (c << 9) | (c >>> 23);
  x = (((f & g) | (~f & h)) + e + ss1 + w3) | 0; g = (g << 19) | (g >>> 13);
  e = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w8 ^ w15 ^ ((w5 << 15) | (w5 >>> 17));
  w8 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w11 << 7) | (w11 >>> 25)) ^ w2;
  a12 = (a << 12) | (a >>> 20); x = (a12 + e + 0xa879d8a7) | 0; ss1 = (x << 7) | (x >>> 25);
  d = (((a & b) | (c & (a | b))) + d + (ss1 ^ a12) + (w4 ^ w8)) | 0; b = (b << 9) | (b >>> 23);
  x = (((e & f) | (~e & g)) + h + ss1 + w4) | 0; f = (f << 19) | (f >>> 13);
  h = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w9 ^ w0 ^ ((w6 << 15) | (w6 >>> 17));
  w9 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w12 << 7) | (w12 >>> 25)) ^ w3;
  a12 = (d << 12) | (d >>> 20); x = (a12 + h + 0x50f3b14f) | 0; ss1 = (x << 7) | (x >>> 25);
  c = (((d & a) | (b & (d | a))) + c + (ss1 ^ a12) + (w5 ^ w9)) | 0; a = (a << 9) | (a >>> 23);
  x = (((h & e) | (~h & f)) + g + ss1 + w5) | 0; e = (e << 19) | (e >>> 13);
  g = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w10 ^ w1 ^ ((w7 << 15) | (w7 >>> 17));
  w10 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w13 << 7) | (w13 >>> 25)) ^ w4;
  a12 = (c << 12) | (c >>> 20); x = (a12 + g + 0xa1e7629e) | 0; ss1 = (x << 7) | (x >>> 25);
  b = (((c & d) | (a & (c | d))) + b + (ss1 ^ a12) + (w6 ^ w10)) | 0; d = (d << 9) | (d >>> 23);
  x = (((g & h) | (~g & e)) + f + ss1 + w6) | 0; h = (h << 19) | (h >>> 13);
  f = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w11 ^ w2 ^ ((w8 << 15) | (w8 >>> 17));
  w11 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w14 << 7) | (w14 >>> 25)) ^ w5;
  a12 = (b << 12) | (b >>> 20); x = (a12 + f + 0x43cec53d) | 0; ss1 = (x << 7) | (x >>> 25);
  a = (((b & c) | (d & (b | c))) + a + (ss1 ^ a12) + (w7 ^ w11)) | 0; c = (c << 9) | (c >>> 23);
  x = (((f & g) | (~f & h)) + e + ss1 + w7) | 0; g = (g << 19) | (g >>> 13);
  e = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w12 ^ w3 ^ ((w9 << 15) | (w9 >>> 17));
  w12 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w15 << 7) | (w15 >>> 25)) ^ w6;
  a12 = (a << 12) | (a >>> 20); x = (a12 + e + 0x879d8a7a) | 0; ss1 = (x << 7) | (x >>> 25);
  d = (((a & b) | (c & (a | b))) + d + (ss1 ^ a12) + (w8 ^ w12)) | 0; b = (b << 9) | (b >>> 23);
  x = (((e & f) | (~e & g)) + h + ss1 + w8) | 0; f = (f << 19) | (f >>> 13);
  h = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w13 ^ w4 ^ ((w10 << 15) | (w10 >>> 17));
  w13 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w0 << 7) | (w0 >>> 25)) ^ w7;
  a12 = (d << 12) | (d >>> 20); x = (a12 + h + 0x0f3b14f5) | 0; ss1 = (x << 7) | (x >>> 25);
  c = (((d & a) | (b & (d | a))) + c + (ss1 ^ a12) + (w9 ^ w13)) | 0; a = (a << 9) | (a >>> 23);
  x = (((h & e) | (~h & f)) + g + ss1 + w9) | 0; e = (e << 19) | (e >>> 13);
  g = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w14 ^ w5 ^ ((w11 << 15) | (w11 >>> 17));
  w14 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w1 << 7) | (w1 >>> 25)) ^ w8;
  a12 = (c << 12) | (c >>> 20); x = (a12 + g + 0x1e7629ea) | 0; ss1 = (x << 7) | (x >>> 25);
  b = (((c & d) | (a & (c | d))) + b + (ss1 ^ a12) + (w10 ^ w14)) | 0; d = (d << 9) | (d >>> 23);
  x = (((g & h) | (~g & e)) + f + ss1 + w10) | 0; h = (h << 19) | (h >>> 13);
  f = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w15 ^ w6 ^ ((w12 << 15) | (w12 >>> 17));
  w15 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w2 << 7) | (w2 >>> 25)) ^ w9;
  a12 = (b << 12) | (b >>> 20); x = (a12 + f + 0x3cec53d4) | 0; ss1 = (x << 7) | (x >>> 25);
  a = (((b & c) | (d & (b | c))) + a + (ss1 ^ a12) + (w11 ^ w15)) | 0; c = (c << 9) | (c >>> 23);
  x = (((f & g) | (~f & h)) + e + ss1 + w11) | 0; g = (g << 19) | (g >>> 13);
  e = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w0 ^ w7 ^ ((w13 << 15) | (w13 >>> 17));
  w0 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w3 << 7) | (w3 >>> 25)) ^ w10;
  a12 = (a << 12) | (a >>> 20); x = (a12 + e + 0x79d8a7a8) | 0; ss1 = (x << 7) | (x >>> 25);
  d = (((a & b) | (c & (a | b))) + d + (ss1 ^ a12) + (w12 ^ w0)) | 0; b = (b << 9) | (b >>> 23);
  x = (((e & f) | (~e & g)) + h + ss1 + w12) | 0; f = (f << 19) | (f >>> 13);
  h = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w1 ^ w8 ^ ((w14 << 15) | (w14 >>> 17));
  w1 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w4 << 7) | (w4 >>> 25)) ^ w11;
  a12 = (d << 12) | (d >>> 20); x = (a12 + h + 0xf3b14f50) | 0; ss1 = (x << 7) | (x >>> 25);
  c = (((d & a) | (b & (d | a))) + c + (ss1 ^ a12) + (w13 ^ w1)) | 0; a = (a << 9) | (a >>> 23);
  x = (((h & e) | (~h & f)) + g + ss1 + w13) | 0; e = (e << 19) | (e >>> 13);
  g = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w2 ^ w9 ^ ((w15 << 15) | (w15 >>> 17));
  w2 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w5 << 7) | (w5 >>> 25)) ^ w12;
  a12 = (c << 12) | (c >>> 20); x = (a12 + g + 0xe7629ea1) | 0; ss1 = (x << 7) | (x >>> 25);
  b = (((c & d) | (a & (c | d))) + b + (ss1 ^ a12) + (w14 ^ w2)) | 0; d = (d << 9) | (d >>> 23);
  x = (((g & h) | (~g & e)) + f + ss1 + w14) | 0; h = (h << 19) | (h >>> 13);
  f = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w3 ^ w10 ^ ((w0 << 15) | (w0 >>> 17));
  w3 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w6 << 7) | (w6 >>> 25)) ^ w13;
  a12 = (b << 12) | (b >>> 20); x = (a12 + f + 0xcec53d43) | 0; ss1 = (x << 7) | (x >>> 25);
  a = (((b & c) | (d & (b | c))) + a + (ss1 ^ a12) + (w15 ^ w3)) | 0; c = (c << 9) | (c >>> 23);
  x = (((f & g) | (~f & h)) + e + ss1 + w15) | 0; g = (g << 19) | (g >>> 13);
  e = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w4 ^ w11 ^ ((w1 << 15) | (w1 >>> 17));
  w4 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w7 << 7) | (w7 >>> 25)) ^ w14;
  a12 = (a << 12) | (a >>> 20); x = (a12 + e + 0x9d8a7a87) | 0; ss1 = (x << 7) | (x >>> 25);
  d = (((a & b) | (c & (a | b))) + d + (ss1 ^ a12) + (w0 ^ w4)) | 0; b = (b << 9) | (b >>> 23);
  x = (((e & f) | (~e & g)) + h + ss1 + w0) | 0; f = (f << 19) | (f >>> 13);
  h = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w5 ^ w12 ^ ((w2 << 15) | (w2 >>> 17));
  w5 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w8 << 7) | (w8 >>> 25)) ^ w15;
  a12 = (d << 12) | (d >>> 20); x = (a12 + h + 0x3b14f50f) | 0; ss1 = (x << 7) | (x >>> 25);
  c = (((d & a) | (b & (d | a))) + c + (ss1 ^ a12) + (w1 ^ w5)) | 0; a = (a << 9) | (a >>> 23);
  x = (((h & e) | (~h & f)) + g + ss1 + w1) | 0; e = (e << 19) | (e >>> 13);
  g = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w6 ^ w13 ^ ((w3 << 15) | (w3 >>> 17));
  w6 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w9 << 7) | (w9 >>> 25)) ^ w0;
  a12 = (c << 12) | (c >>> 20); x = (a12 + g + 0x7629ea1e) | 0; ss1 = (x << 7) | (x >>> 25);
  b = (((c & d) | (a & (c | d))) + b + (ss1 ^ a12) + (w2 ^ w6)) | 0; d = (d << 9) | (d >>> 23);
  x = (((g & h) | (~g & e)) + f + ss1 + w2) | 0; h = (h << 19) | (h >>> 13);
  f = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w7 ^ w14 ^ ((w4 << 15) | (w4 >>> 17));
  w7 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w10 << 7) | (w10 >>> 25)) ^ w1;
  a12 = (b << 12) | (b >>> 20); x = (a12 + f + 0xec53d43c) | 0; ss1 = (x << 7) | (x >>> 25);
  a = (((b & c) | (d & (b | c))) + a + (ss1 ^ a12) + (w3 ^ w7)) | 0; c = (c << 9) | (c >>> 23);
  x = (((f & g) | (~f & h)) + e + ss1 + w3) | 0; g = (g << 19) | (g >>> 13);
  e = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w8 ^ w15 ^ ((w5 << 15) | (w5 >>> 17));
  w8 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w11 << 7) | (w11 >>> 25)) ^ w2;
  a12 = (a << 12) | (a >>> 20); x = (a12 + e + 0xd8a7a879) | 0; ss1 = (x << 7) | (x >>> 25);
  d = (((a & b) | (c & (a | b))) + d + (ss1 ^ a12) + (w4 ^ w8)) | 0; b = (b << 9) | (b >>> 23);
  x = (((e & f) | (~e & g)) + h + ss1 + w4) | 0; f = (f << 19) | (f >>> 13);
  h = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w9 ^ w0 ^ ((w6 << 15) | (w6 >>> 17));
  w9 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w12 << 7) | (w12 >>> 25)) ^ w3;
  a12 = (d << 12) | (d >>> 20); x = (a12 + h + 0xb14f50f3) | 0; ss1 = (x << 7) | (x >>> 25);
  c = (((d & a) | (b & (d | a))) + c + (ss1 ^ a12) + (w5 ^ w9)) | 0; a = (a << 9) | (a >>> 23);
  x = (((h & e) | (~h & f)) + g + ss1 + w5) | 0; e = (e << 19) | (e >>> 13);
  g = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w10 ^ w1 ^ ((w7 << 15) | (w7 >>> 17));
  w10 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w13 << 7) | (w13 >>> 25)) ^ w4;
  a12 = (c << 12) | (c >>> 20); x = (a12 + g + 0x629ea1e7) | 0; ss1 = (x << 7) | (x >>> 25);
  b = (((c & d) | (a & (c | d))) + b + (ss1 ^ a12) + (w6 ^ w10)) | 0; d = (d << 9) | (d >>> 23);
  x = (((g & h) | (~g & e)) + f + ss1 + w6) | 0; h = (h << 19) | (h >>> 13);
  f = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w11 ^ w2 ^ ((w8 << 15) | (w8 >>> 17));
  w11 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w14 << 7) | (w14 >>> 25)) ^ w5;
  a12 = (b << 12) | (b >>> 20); x = (a12 + f + 0xc53d43ce) | 0; ss1 = (x << 7) | (x >>> 25);
  a = (((b & c) | (d & (b | c))) + a + (ss1 ^ a12) + (w7 ^ w11)) | 0; c = (c << 9) | (c >>> 23);
  x = (((f & g) | (~f & h)) + e + ss1 + w7) | 0; g = (g << 19) | (g >>> 13);
  e = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w12 ^ w3 ^ ((w9 << 15) | (w9 >>> 17));
  w12 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w15 << 7) | (w15 >>> 25)) ^ w6;
  a12 = (a << 12) | (a >>> 20); x = (a12 + e + 0x8a7a879d) | 0; ss1 = (x << 7) | (x >>> 25);
  d = (((a & b) | (c & (a | b))) + d + (ss1 ^ a12) + (w8 ^ w12)) | 0; b = (b << 9) | (b >>> 23);
  x = (((e & f) | (~e & g)) + h + ss1 + w8) | 0; f = (f << 19) | (f >>> 13);
  h = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w13 ^ w4 ^ ((w10 << 15) | (w10 >>> 17));
  w13 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w0 << 7) | (w0 >>> 25)) ^ w7;
  a12 = (d << 12) | (d >>> 20); x = (a12 + h + 0x14f50f3b) | 0; ss1 = (x << 7) | (x >>> 25);
  c = (((d & a) | (b & (d | a))) + c + (ss1 ^ a12) + (w9 ^ w13)) | 0; a = (a << 9) | (a >>> 23);
  x = (((h & e) | (~h & f)) + g + ss1 + w9) | 0; e = (e << 19) | (e >>> 13);
  g = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w14 ^ w5 ^ ((w11 << 15) | (w11 >>> 17));
  w14 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w1 << 7) | (w1 >>> 25)) ^ w8;
  a12 = (c << 12) | (c >>> 20); x = (a12 + g + 0x29ea1e76) | 0; ss1 = (x << 7) | (x >>> 25);
  b = (((c & d) | (a & (c | d))) + b + (ss1 ^ a12) + (w10 ^ w14)) | 0; d = (d << 9) | (d >>> 23);
  x = (((g & h) | (~g & e)) + f + ss1 + w10) | 0; h = (h << 19) | (h >>> 13);
  f = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w15 ^ w6 ^ ((w12 << 15) | (w12 >>> 17));
  w15 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w2 << 7) | (w2 >>> 25)) ^ w9;
  a12 = (b << 12) | (b >>> 20); x = (a12 + f + 0x53d43cec) | 0; ss1 = (x << 7) | (x >>> 25);
  a = (((b & c) | (d & (b | c))) + a + (ss1 ^ a12) + (w11 ^ w15)) | 0; c = (c << 9) | (c >>> 23);
  x = (((f & g) | (~f & h)) + e + ss1 + w11) | 0; g = (g << 19) | (g >>> 13);
  e = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w0 ^ w7 ^ ((w13 << 15) | (w13 >>> 17));
  w0 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w3 << 7) | (w3 >>> 25)) ^ w10;
  a12 = (a << 12) | (a >>> 20); x = (a12 + e + 0xa7a879d8) | 0; ss1 = (x << 7) | (x >>> 25);
  d = (((a & b) | (c & (a | b))) + d + (ss1 ^ a12) + (w12 ^ w0)) | 0; b = (b << 9) | (b >>> 23);
  x = (((e & f) | (~e & g)) + h + ss1 + w12) | 0; f = (f << 19) | (f >>> 13);
  h = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w1 ^ w8 ^ ((w14 << 15) | (w14 >>> 17));
  w1 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w4 << 7) | (w4 >>> 25)) ^ w11;
  a12 = (d << 12) | (d >>> 20); x = (a12 + h + 0x4f50f3b1) | 0; ss1 = (x << 7) | (x >>> 25);
  c = (((d & a) | (b & (d | a))) + c + (ss1 ^ a12) + (w13 ^ w1)) | 0; a = (a << 9) | (a >>> 23);
  x = (((h & e) | (~h & f)) + g + ss1 + w13) | 0; e = (e << 19) | (e >>> 13);
  g = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w2 ^ w9 ^ ((w15 << 15) | (w15 >>> 17));
  w2 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w5 << 7) | (w5 >>> 25)) ^ w12;
  a12 = (c << 12) | (c >>> 20); x = (a12 + g + 0x9ea1e762) | 0; ss1 = (x << 7) | (x >>> 25);
  b = (((c & d) | (a & (c | d))) + b + (ss1 ^ a12) + (w14 ^ w2)) | 0; d = (d << 9) | (d >>> 23);
  x = (((g & h) | (~g & e)) + f + ss1 + w14) | 0; h = (h << 19) | (h >>> 13);
  f = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  x = w3 ^ w10 ^ ((w0 << 15) | (w0 >>> 17));
  w3 = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9)) ^ ((w6 << 7) | (w6 >>> 25)) ^ w13;
  a12 = (b << 12) | (b >>> 20); x = (a12 + f + 0x3d43cec5) | 0; ss1 = (x << 7) | (x >>> 25);
  a = (((b & c) | (d & (b | c))) + a + (ss1 ^ a12) + (w15 ^ w3)) | 0; c = (c << 9) | (c >>> 23);
  x = (((f & g) | (~f & h)) + e + ss1 + w15) | 0; g = (g << 19) | (g >>> 13);
  e = x ^ ((x << 9) | (x >>> 23)) ^ ((x << 17) | (x >>> 15));
  v[0] = v[0]! ^ a; v[1] = v[1]! ^ b; v[2] = v[2]! ^ c; v[3] = v[3]! ^ d;
  v[4] = v[4]! ^ e; v[5] = v[5]! ^ f; v[6] = v[6]! ^ g; v[7] = v[7]! ^ h;
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
