/**
 * The numbers every endpoint and kiosk agree on: the protocol version, the size limits and the close codes.
 * Both sides configure `ws` with `maxPayload: LIMITS.maxFrameBytes`; the decoders enforce the finer limits.
 */

/** Carried as `v` by every message. */
export const PROTOCOL_VERSION = 1;

/** What a receiver accepts: the current version and the previous one (once there is one). */
export const ACCEPTED_VERSIONS = [1] as const;

export const LIMITS = {
  /** A JSON text frame, in UTF-8 bytes. */
  maxTextBytes: 1 << 20,
  /** Data bytes of one file chunk. */
  maxChunkBytes: 512 * 1024,
  /** Any frame: ws `maxPayload` on both sides (a text frame, or a chunk with its header). */
  maxFrameBytes: (1 << 20) + 4 + 4096,
  /** Entries in one `cases` message (and results in one `ack`). */
  maxBatch: 200,
  /** One attachment (a material or a result document). */
  maxFileBytes: 32 * 1024 * 1024,
  /** Events in one `events` message. */
  maxEventsPerMessage: 200,
} as const;

/** The header of a binary chunk frame: at least `{}`, at most 4 KiB. */
export const CHUNK_HEADER_MIN_BYTES = 2;
export const CHUNK_HEADER_MAX_BYTES = 4096;

/** WebSocket close codes. 1001 is the standard "going away" (an endpoint shutting down, or a connection replaced). */
export const CLOSE = {
  protocol: 4400,
  auth: 4401,
  revoked: 4403,
  slowReader: 4408,
  tooBig: 4413,
  busy: 4429,
  shutdown: 1001,
} as const;
export type CloseCode = (typeof CLOSE)[keyof typeof CLOSE];
