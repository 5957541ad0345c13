/**
 * The sync protocol (sync/PROTOCOL.md): message types, validating decoders for both directions, the
 * text and binary frame codecs, limits, close codes. Pure: no I/O.
 */
export { ACCEPTED_VERSIONS, CHUNK_HEADER_MAX_BYTES, CHUNK_HEADER_MIN_BYTES, CLOSE, LIMITS, PROTOCOL_VERSION, type CloseCode } from './constants.js';
export { PROTOCOL_ERROR_CODES, ProtocolError, closeCodeFor, isProtocolError, type ProtocolErrorCode } from './errors.js';
export * from './messages.js';
export { MAX_JSON_DEPTH, MAX_NOTE_CHARS, MAX_REASON_CHARS, MAX_RESULTS, MAX_TITLE_CHARS } from './common.js';
export { encodeText, isAcceptedVersion, type RawFrame } from './text-frame.js';
export { decodeChunk, encodeChunk, type ChunkFields } from './chunk-frame.js';
export { KIOSK_TEXT_TYPES, MAX_DEVICES, decodeKioskMessage } from './kiosk-messages.js';
export { ENDPOINT_TEXT_TYPES, MAX_REGIONS, decodeEndpointMessage } from './endpoint-messages.js';
export { SM3_HEX, UUID, CURSOR, KIOSK_ID, REGION, DOCUMENT_ID } from './validate.js';

import { endpointTextDecoder } from './endpoint-messages.js';
import { fail } from './validate.js';
import { kioskTextDecoder } from './kiosk-messages.js';
import type { EndpointTextMessage, KioskTextMessage } from './messages.js';
import { parseTextFrame, type RawFrame } from './text-frame.js';

/** A JSON text frame of either direction, validated (the type says which; no type is in both). */
export function decodeText(frame: RawFrame): KioskTextMessage | EndpointTextMessage {
  const o = parseTextFrame(frame);
  if (o.type === 'file.chunk') fail('protocol.badFrame', 'file.chunk', 'travels in a binary frame');
  const decode = kioskTextDecoder(o.type) ?? endpointTextDecoder(o.type);
  if (!decode) fail('protocol.unknownType', 'message', `unknown type ${JSON.stringify(o.type.slice(0, 40))}`);
  return decode(o);
}
