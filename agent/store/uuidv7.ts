/**
 * UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then randomness. Case ids are made at the kiosk,
 * sort by creation, and never collide across kiosks. Within one millisecond (and if the clock steps
 * back) the 12-bit rand_a field counts up from the last id, so ids made by one process stay increasing.
 */
import { randomFillSync } from 'node:crypto';

// Random bytes drawn 4 KiB at a time: one getrandom call per 400 ids instead of one per id.
const pool = Buffer.alloc(4096);
let poolAt = pool.length;
function random(n: number): Buffer {
  if (poolAt + n > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const out = Buffer.from(pool.subarray(poolAt, poolAt + n));
  poolAt += n;
  return out;
}

let lastMs = 0;
let lastSeq = 0;

export function uuidv7(now: number = Date.now()): string {
  let ms = now;
  let seq: number;
  if (ms <= lastMs) {
    ms = lastMs;
    seq = lastSeq + 1;
    if (seq > 0xfff) {
      ms += 1; // counter spent: borrow the next millisecond rather than repeat
      seq = 0;
    }
  } else {
    seq = random(2).readUInt16BE(0) & 0x7ff; // leave headroom for the counter
  }
  lastMs = ms;
  lastSeq = seq;
  const b = random(16);
  b.writeUIntBE(ms, 0, 6);
  b[6] = 0x70 | (seq >> 8);
  b[7] = seq & 0xff;
  b[8] = 0x80 | (b[8]! & 0x3f);
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
