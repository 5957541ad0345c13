/**
 * Binary chunk frames (file upload and download):
 *
 *   uint32 BE  H (header length, 2..4096)
 *   H bytes    UTF-8 JSON header { v, type: 'file.chunk', sm3, offset, last }
 *   rest       the data bytes (0..LIMITS.maxChunkBytes; 0 only for the last and only chunk of an empty file)
 */
import { CHUNK_HEADER_MAX_BYTES, CHUNK_HEADER_MIN_BYTES, LIMITS, PROTOCOL_VERSION } from './constants.js';
import { ProtocolError } from './errors.js';
import { fileSize } from './common.js';
import type { ChunkHeader } from './messages.js';
import { checkVersion, frameBytes, parseJsonObject, type RawFrame } from './text-frame.js';
import { boolean, fail, object, sm3 } from './validate.js';

export interface ChunkFields {
  readonly sm3: string;
  readonly offset: number;
  readonly last: boolean;
  /** Default PROTOCOL_VERSION. */
  readonly v?: number;
  /** Accepted for symmetry with ChunkHeader; always written as 'file.chunk'. */
  readonly type?: 'file.chunk';
}

/** One frame: header length, header, data. Throws ProtocolError when the data exceed maxChunkBytes. */
export function encodeChunk(header: ChunkFields, data: Uint8Array): Buffer {
  if (data.byteLength > LIMITS.maxChunkBytes) throw new ProtocolError('protocol.tooBig', `file.chunk: data over ${LIMITS.maxChunkBytes} bytes`);
  const json = Buffer.from(JSON.stringify({ v: header.v ?? PROTOCOL_VERSION, type: 'file.chunk', sm3: header.sm3, offset: header.offset, last: header.last }), 'utf8');
  const frame = Buffer.allocUnsafe(4 + json.length + data.byteLength);
  frame.writeUInt32BE(json.length, 0);
  json.copy(frame, 4);
  frame.set(data, 4 + json.length);
  return frame;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Validates a binary frame; `data` is a view into it (no copy). */
export function decodeChunk(raw: Exclude<RawFrame, string>): { header: ChunkHeader; data: Buffer } {
  const buf = frameBytes(raw);
  if (buf.length > LIMITS.maxFrameBytes) fail('protocol.tooBig', 'binary frame', `over ${LIMITS.maxFrameBytes} bytes`);
  if (buf.length < 4) fail('protocol.badFrame', 'binary frame', 'shorter than its 4-byte header length');
  const h = buf.readUInt32BE(0);
  if (h < CHUNK_HEADER_MIN_BYTES || h > CHUNK_HEADER_MAX_BYTES) fail('protocol.badFrame', 'binary frame', `header length ${h} out of ${CHUNK_HEADER_MIN_BYTES}..${CHUNK_HEADER_MAX_BYTES}`);
  if (4 + h > buf.length) fail('protocol.badFrame', 'binary frame', `header length ${h} beyond the frame (${buf.length} bytes)`);
  let text: string;
  try {
    text = utf8.decode(buf.subarray(4, 4 + h));
  } catch {
    fail('protocol.badFrame', 'file.chunk header', 'not UTF-8');
  }
  const o = parseJsonObject(text, 'file.chunk header');
  checkVersion(o, 'file.chunk');
  if (o.type !== 'file.chunk') fail('protocol.badFrame', 'binary frame', 'only file.chunk travels in a binary frame');
  object(o, 'file.chunk', ['v', 'type', 'sm3', 'offset', 'last']);
  const header: ChunkHeader = { v: o.v as number, type: 'file.chunk', sm3: sm3(o.sm3, 'file.chunk.sm3'), offset: fileSize(o.offset, 'file.chunk.offset'), last: boolean(o.last, 'file.chunk.last') };
  const data = buf.subarray(4 + h);
  if (data.length > LIMITS.maxChunkBytes) fail('protocol.tooBig', 'file.chunk', `data over ${LIMITS.maxChunkBytes} bytes`);
  if (data.length === 0 && !(header.last && header.offset === 0)) fail('protocol.badValue', 'file.chunk', 'no data (only the one chunk of an empty file is empty)');
  if (header.offset + data.length > LIMITS.maxFileBytes) fail('protocol.tooBig', 'file.chunk', `beyond ${LIMITS.maxFileBytes} bytes`);
  return { header, data };
}
