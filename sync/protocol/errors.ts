import { InputError } from '../../base/errors.js';
import { CLOSE } from './constants.js';

/**
 * What a decoder throws for anything malformed. `code` is stable (a receiver sends it back in an
 * `error` message and picks the close code by it); `message` names the offending path, never its value
 * (a message may carry personal data).
 */
export const PROTOCOL_ERROR_CODES = [
  /** Text frame not UTF-8 / not JSON / not an object. */
  'protocol.badJson',
  /** Binary frame structure: too short, header length out of range or beyond the frame, a JSON message in a binary frame or a chunk in a text frame. */
  'protocol.badFrame',
  /** `v` missing or not one of ACCEPTED_VERSIONS. */
  'protocol.version',
  /** `type` missing or not a message this side accepts. */
  'protocol.unknownType',
  /** A key the schema does not have (strict: never ignored). */
  'protocol.unknownKey',
  /** A required key is absent. */
  'protocol.missingKey',
  /** Wrong type, wrong format, out of range, out of order. */
  'protocol.badValue',
  /** An array with more entries than allowed (batch, events, results, devices…). */
  'protocol.tooMany',
  /** A frame, text, chunk or file over its byte limit (a string over its length limit is badValue). */
  'protocol.tooBig',
] as const;
export type ProtocolErrorCode = (typeof PROTOCOL_ERROR_CODES)[number];

export class ProtocolError extends InputError {
  declare readonly code: ProtocolErrorCode;
  constructor(code: ProtocolErrorCode, message: string) {
    super(code, message);
  }
}

export function isProtocolError(err: unknown): err is ProtocolError {
  return err instanceof ProtocolError;
}

/** The close code a receiver uses after a fatal ProtocolError. */
export function closeCodeFor(err: ProtocolError): number {
  return err.code === 'protocol.tooBig' ? CLOSE.tooBig : CLOSE.protocol;
}
