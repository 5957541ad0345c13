/** sync/protocol: every message of both directions round-trips through its encoder and validating decoder. */
import { describe, expect, it } from 'vitest';
import {
  CLOSE,
  ENDPOINT_TEXT_TYPES,
  KIOSK_TEXT_TYPES,
  LIMITS,
  PROTOCOL_VERSION,
  ProtocolError,
  closeCodeFor,
  decodeChunk,
  decodeEndpointMessage,
  decodeKioskMessage,
  decodeText,
  encodeChunk,
  encodeText,
} from '../protocol/index.js';
import { ENDPOINT_SAMPLES, KIOSK_SAMPLES, SM3_A } from './helpers/protocol-samples.js';

describe('text messages round-trip', () => {
  it('the samples cover every message type of both directions', () => {
    expect(new Set(KIOSK_SAMPLES.map((m) => m.type))).toEqual(new Set(KIOSK_TEXT_TYPES));
    expect(new Set(ENDPOINT_SAMPLES.map((m) => m.type))).toEqual(new Set(ENDPOINT_TEXT_TYPES));
    // No type is in both directions (decodeText relies on it).
    expect(KIOSK_TEXT_TYPES.filter((t) => (ENDPOINT_TEXT_TYPES as string[]).includes(t))).toEqual([]);
  });

  for (const msg of KIOSK_SAMPLES) {
    it(`kiosk -> endpoint: ${msg.type} ${JSON.stringify(msg).length}`, () => {
      const text = encodeText(msg);
      expect(decodeKioskMessage(text, false)).toEqual(msg);
      expect(decodeKioskMessage(Buffer.from(text), false)).toEqual(msg);
      expect(decodeText(text)).toEqual(msg);
      // The other side's decoder does not know it.
      expect(() => decodeEndpointMessage(text, false)).toThrow(expect.objectContaining({ code: 'protocol.unknownType' }));
    });
  }

  for (const msg of ENDPOINT_SAMPLES) {
    it(`endpoint -> kiosk: ${msg.type} ${JSON.stringify(msg).length}`, () => {
      const text = encodeText(msg);
      expect(decodeEndpointMessage(text, false)).toEqual(msg);
      expect(decodeText(Buffer.from(text))).toEqual(msg);
      expect(() => decodeKioskMessage(text, false)).toThrow(expect.objectContaining({ code: 'protocol.unknownType' }));
    });
  }

  it('takes what ws hands over: Buffer, ArrayBuffer, fragments', () => {
    const msg = KIOSK_SAMPLES[1]!;
    const bytes = Buffer.from(encodeText(msg));
    const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
    expect(decodeKioskMessage(ab, false)).toEqual(msg);
    expect(decodeKioskMessage([bytes.subarray(0, 7), bytes.subarray(7)], false)).toEqual(msg);
    expect(decodeKioskMessage(new Uint8Array(bytes), false)).toEqual(msg);
  });

  it('encodeText fills in v, puts it first and keeps an explicit one', () => {
    expect(encodeText({ type: 'heartbeat.request' })).toBe(`{"v":${PROTOCOL_VERSION},"type":"heartbeat.request"}`);
    expect(JSON.parse(encodeText({ v: 1, type: 'events.ack', cursor: '3' }))).toEqual({ v: 1, type: 'events.ack', cursor: '3' });
  });

  it('encodeText refuses a text over maxTextBytes (counted in UTF-8 bytes) and a file.chunk', () => {
    const note = '中'.repeat(Math.ceil(LIMITS.maxTextBytes / 3)); // under the limit in characters, over it in bytes
    expect(() => encodeText({ type: 'error', code: 'x', message: note, fatal: false })).toThrow(expect.objectContaining({ code: 'protocol.tooBig' }));
    expect(() => encodeText({ type: 'file.chunk' } as never)).toThrow(ProtocolError);
  });

  it('a text exactly at maxTextBytes passes the size check', () => {
    const base = encodeText({ type: 'error', code: 'x', message: '', fatal: false });
    // Build a valid-shaped (if over-long-message) frame of exactly the limit: only the size check is exercised.
    const pad = 'a'.repeat(LIMITS.maxTextBytes - base.length);
    const text = base.replace('"message":""', `"message":"${pad}"`);
    expect(Buffer.byteLength(text)).toBe(LIMITS.maxTextBytes);
    expect(() => decodeEndpointMessage(text, false)).toThrow(expect.objectContaining({ code: 'protocol.badValue' })); // message too long, not tooBig
  });
});

describe('binary chunk frames round-trip', () => {
  const cases: [string, number, number, boolean][] = [
    ['the one chunk of an empty file', 0, 0, true],
    ['one byte', 0, 1, true],
    ['a middle chunk', LIMITS.maxChunkBytes, LIMITS.maxChunkBytes, false],
    ['a full last chunk ending at maxFileBytes', LIMITS.maxFileBytes - LIMITS.maxChunkBytes, LIMITS.maxChunkBytes, true],
  ];
  for (const [name, offset, size, last] of cases) {
    it(name, () => {
      const data = Buffer.alloc(size, 0x5a);
      const frame = encodeChunk({ sm3: SM3_A, offset, last }, data);
      expect(frame.length).toBeLessThanOrEqual(LIMITS.maxFrameBytes);
      const header = { v: PROTOCOL_VERSION, type: 'file.chunk', sm3: SM3_A, offset, last };
      // Buffers compared with Buffer.compare: a deep equality over 512 KiB is slow.
      for (const { data: d, ...h } of [decodeKioskMessage(frame, true), decodeEndpointMessage(frame, true)] as { data: Buffer }[]) {
        expect(h).toEqual(header);
        expect(Buffer.compare(d, data)).toBe(0);
      }
      const { header: h, data: d } = decodeChunk(frame);
      expect(h).toEqual(header);
      expect(Buffer.compare(d, data)).toBe(0);
    });
  }

  it('frame layout: uint32 BE header length, UTF-8 JSON header, data', () => {
    const frame = encodeChunk({ sm3: SM3_A, offset: 5, last: false }, Buffer.from('xyz'));
    const h = frame.readUInt32BE(0);
    expect(JSON.parse(frame.subarray(4, 4 + h).toString('utf8'))).toEqual({ v: 1, type: 'file.chunk', sm3: SM3_A, offset: 5, last: false });
    expect(frame.subarray(4 + h).toString()).toBe('xyz');
  });

  it('encodeChunk refuses data over maxChunkBytes', () => {
    expect(() => encodeChunk({ sm3: SM3_A, offset: 0, last: true }, Buffer.alloc(LIMITS.maxChunkBytes + 1))).toThrow(expect.objectContaining({ code: 'protocol.tooBig' }));
  });
});

describe('close codes', () => {
  it('tooBig closes with 4413, everything else malformed with 4400', () => {
    expect(closeCodeFor(new ProtocolError('protocol.tooBig', 'x'))).toBe(CLOSE.tooBig);
    expect(closeCodeFor(new ProtocolError('protocol.unknownKey', 'x'))).toBe(CLOSE.protocol);
    expect(CLOSE).toEqual({ protocol: 4400, auth: 4401, revoked: 4403, slowReader: 4408, tooBig: 4413, busy: 4429, shutdown: 1001 });
  });

  it('a ProtocolError is a usage-class error with its code', () => {
    const e = new ProtocolError('protocol.badJson', 'text frame: not JSON');
    expect(e.exitCode).toBe(2);
    expect(e.code).toBe('protocol.badJson');
    expect(e.message).toBe('text frame: not JSON');
  });
});
