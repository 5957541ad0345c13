/** JSON text frames: encoding, and the first steps of decoding (size, UTF-8, JSON, the `v`/`type` envelope). */
import { isUtf8 } from 'node:buffer';
import { ACCEPTED_VERSIONS, LIMITS, PROTOCOL_VERSION } from './constants.js';
import { ProtocolError } from './errors.js';
import type { Outgoing, TextMessage } from './messages.js';
import { fail, isPlainObject } from './validate.js';

/** What `ws` hands to a 'message' listener (Buffer, ArrayBuffer or fragments), or a string. */
export type RawFrame = string | Buffer | ArrayBuffer | readonly Buffer[] | Uint8Array;

export function frameBytes(frame: Exclude<RawFrame, string>): Buffer {
  if (Buffer.isBuffer(frame)) return frame;
  if (Array.isArray(frame)) return Buffer.concat(frame as readonly Buffer[]);
  if (frame instanceof ArrayBuffer) return Buffer.from(frame);
  const u = frame as Uint8Array;
  return Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

/**
 * Serializes a JSON message, filling in `v` (PROTOCOL_VERSION) when absent. Throws ProtocolError
 * `protocol.tooBig` when the text would exceed LIMITS.maxTextBytes (the sender splits its batch).
 * Not validated here: every receiver validates.
 */
export function encodeText(msg: Outgoing<TextMessage> | TextMessage): string {
  if ((msg as { type: string }).type === 'file.chunk') throw new ProtocolError('protocol.badFrame', 'file.chunk travels in a binary frame (encodeChunk)');
  const text = JSON.stringify({ v: msg.v ?? PROTOCOL_VERSION, ...msg });
  // Cheap bound first: UTF-8 takes at most 3 bytes per UTF-16 code unit.
  if (text.length * 3 > LIMITS.maxTextBytes && Buffer.byteLength(text, 'utf8') > LIMITS.maxTextBytes) {
    throw new ProtocolError('protocol.tooBig', `${(msg as { type: string }).type}: text over ${LIMITS.maxTextBytes} bytes`);
  }
  return text;
}

export function isAcceptedVersion(v: unknown): boolean {
  return typeof v === 'number' && (ACCEPTED_VERSIONS as readonly number[]).includes(v);
}

/** Checks `v` of a parsed header or message. */
export function checkVersion(o: Record<string, unknown>, path: string): void {
  if (!Object.hasOwn(o, 'v')) fail('protocol.version', path, 'missing key "v"');
  if (!isAcceptedVersion(o.v)) fail('protocol.version', path, `version ${JSON.stringify(o.v)} not accepted (accepted: ${ACCEPTED_VERSIONS.join(', ')})`);
}

/** Parses a JSON object out of `bytes`/`text` (already size-checked). */
export function parseJsonObject(text: string, what: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    fail('protocol.badJson', what, 'not JSON');
  }
  if (!isPlainObject(parsed)) fail('protocol.badJson', what, 'not a JSON object');
  return parsed;
}

/** A text frame to its JSON object with an accepted `v` and a string `type`. */
export function parseTextFrame(frame: RawFrame): Record<string, unknown> & { type: string } {
  let text: string;
  if (typeof frame === 'string') {
    if (frame.length > LIMITS.maxTextBytes || Buffer.byteLength(frame, 'utf8') > LIMITS.maxTextBytes) fail('protocol.tooBig', 'text frame', `over ${LIMITS.maxTextBytes} bytes`);
    text = frame;
  } else {
    const bytes = frameBytes(frame);
    if (bytes.length > LIMITS.maxTextBytes) fail('protocol.tooBig', 'text frame', `over ${LIMITS.maxTextBytes} bytes`);
    // isUtf8 + toString: half the time of a fatal TextDecoder on a large batch.
    if (!isUtf8(bytes)) fail('protocol.badJson', 'text frame', 'not UTF-8');
    text = bytes.toString('utf8');
  }
  const o = parseJsonObject(text, 'text frame');
  const type = o.type;
  checkVersion(o, typeof type === 'string' ? type.slice(0, 40) : 'message');
  if (typeof type !== 'string') fail('protocol.unknownType', 'message', Object.hasOwn(o, 'type') ? '"type" is not a string' : 'missing key "type"');
  return o as Record<string, unknown> & { type: string };
}
