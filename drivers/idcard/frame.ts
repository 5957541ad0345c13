/**
 * The SAM frame codec (GA 467 readers over serial): pure, no I/O.
 *
 *   host -> SAM:  AA AA AA 96 69 | LEN_HI LEN_LO | CMD PARA [data] | CHK
 *   SAM  -> host: AA AA AA 96 69 | LEN_HI LEN_LO | SW1 SW2 SW3 [data] | CHK
 *
 * LEN (big-endian) counts every byte after itself, CHK included; CHK is the XOR of LEN_HI through the
 * last data byte. A frame whose checksum or length is wrong is rejected whole: callers never see part of
 * one. `FrameExtractor` turns an arbitrary byte stream (split anywhere, with line noise between frames)
 * into whole frames and typed errors, and never holds more than one maximal frame of bytes.
 */
import { DeviceError } from '../../base/errors.js';

export const PREAMBLE = Uint8Array.of(0xaa, 0xaa, 0xaa, 0x96, 0x69);
/** The largest LEN we accept: base info with fingerprint is 0x090A; the rest is headroom for variants. */
export const MAX_LEN = 0x1000;
/** The smallest: a host frame is CMD PARA CHK (3), a reply SW1 SW2 SW3 CHK (4). */
export const MIN_LEN = 3;

/** Bad framing, checksum or length on the wire (`device.garbled`). */
export class GarbledError extends DeviceError {
  constructor(message: string) {
    super('device.garbled', message);
  }
}

/** XOR of all bytes of `bytes`. */
export function xor(bytes: Uint8Array): number {
  let c = 0;
  for (const b of bytes) c ^= b;
  return c;
}

/** Frames `body` (the bytes between LEN and CHK): preamble, LEN, body, CHK. */
export function encodeFrame(body: Uint8Array): Uint8Array {
  const len = body.length + 1;
  if (len < MIN_LEN || len > MAX_LEN) throw new RangeError(`frame body of ${body.length} bytes is out of range`);
  const out = new Uint8Array(PREAMBLE.length + 2 + len);
  out.set(PREAMBLE, 0);
  out[5] = len >> 8;
  out[6] = len & 0xff;
  out.set(body, 7);
  out[out.length - 1] = xor(out.subarray(5, out.length - 1));
  return out;
}

/** A host command frame, e.g. find card = encodeCommand(0x20, 0x01) = AA AA AA 96 69 00 03 20 01 22. */
export function encodeCommand(cmd: number, para: number, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const body = new Uint8Array(2 + data.length);
  body[0] = cmd;
  body[1] = para;
  body.set(data, 2);
  return encodeFrame(body);
}

/** A SAM reply frame (used by the simulator and tests). */
export function encodeReply(sw3: number, data: Uint8Array = new Uint8Array(0), sw1 = 0, sw2 = 0): Uint8Array {
  const body = new Uint8Array(3 + data.length);
  body[0] = sw1;
  body[1] = sw2;
  body[2] = sw3;
  body.set(data, 3);
  return encodeFrame(body);
}

export interface Reply {
  readonly sw1: number;
  readonly sw2: number;
  readonly sw3: number;
  readonly data: Uint8Array;
}

export interface HostCommand {
  readonly cmd: number;
  readonly para: number;
  readonly data: Uint8Array;
}

/** A reply body (from the extractor) as status words and data. */
export function decodeReply(body: Uint8Array): Reply {
  if (body.length < 3) throw new GarbledError(`reply of ${body.length} bytes has no status words`);
  return { sw1: body[0]!, sw2: body[1]!, sw3: body[2]!, data: body.subarray(3) };
}

export function decodeCommand(body: Uint8Array): HostCommand {
  if (body.length < 2) throw new GarbledError(`command of ${body.length} bytes has no CMD PARA`);
  return { cmd: body[0]!, para: body[1]!, data: body.subarray(2) };
}

/** What the extractor yields: a whole frame's body (LEN and CHK stripped), or a rejected frame. */
export type Extracted = { readonly kind: 'frame'; readonly body: Uint8Array } | { readonly kind: 'error'; readonly error: GarbledError };

const hex = (n: number): string => n.toString(16).toUpperCase().padStart(2, '0');

/**
 * Streaming frame extraction with resynchronisation. Bytes before a preamble are dropped (line noise);
 * a frame with an impossible LEN or a wrong CHK is reported and skipped by one byte, so a real frame
 * hidden inside the rejected bytes (e.g. after a truncated one) is still found. The buffer holds at most
 * one maximal frame.
 */
export class FrameExtractor {
  private buf = new Uint8Array(0);
  /** Bytes dropped as noise since the last frame (for diagnostics). */
  noiseBytes = 0;

  /** Bytes waiting for the rest of a frame. */
  get pending(): number {
    return this.buf.length;
  }

  /** Forgets any partial frame (before sending a new command: a half reply to an old one is stale). */
  reset(): void {
    this.noiseBytes += this.buf.length;
    this.buf = new Uint8Array(0);
  }

  push(chunk: Uint8Array): Extracted[] {
    if (chunk.length === 0) return [];
    const joined = new Uint8Array(this.buf.length + chunk.length);
    joined.set(this.buf, 0);
    joined.set(chunk, this.buf.length);
    const out: Extracted[] = [];
    let pos = 0;
    for (;;) {
      const start = findPreamble(joined, pos);
      if (start < 0) {
        // Keep a tail that could be the start of a preamble split across chunks.
        const keep = Math.min(PREAMBLE.length - 1, joined.length - pos);
        this.noiseBytes += joined.length - pos - keep;
        pos = joined.length - keep;
        break;
      }
      this.noiseBytes += start - pos;
      pos = start;
      if (joined.length - pos < 7) break; // need LEN
      const len = (joined[pos + 5]! << 8) | joined[pos + 6]!;
      if (len < MIN_LEN || len > MAX_LEN) {
        out.push({ kind: 'error', error: new GarbledError(`frame length ${len} is out of range (${MIN_LEN}..${MAX_LEN})`) });
        pos += 1;
        continue;
      }
      const end = pos + 7 + len;
      if (joined.length < end) break; // wait for the rest
      const chk = joined[end - 1]!;
      const want = xor(joined.subarray(pos + 5, end - 1));
      if (chk !== want) {
        out.push({ kind: 'error', error: new GarbledError(`frame checksum ${hex(chk)} is wrong (computed ${hex(want)})`) });
        pos += 1;
        continue;
      }
      out.push({ kind: 'frame', body: joined.slice(pos + 7, end - 1) });
      pos = end;
    }
    this.buf = joined.slice(pos);
    return out;
  }
}

function findPreamble(bytes: Uint8Array, from: number): number {
  outer: for (let i = from; i + PREAMBLE.length <= bytes.length; i++) {
    for (let j = 0; j < PREAMBLE.length; j++) if (bytes[i + j] !== PREAMBLE[j]) continue outer;
    return i;
  }
  return -1;
}
