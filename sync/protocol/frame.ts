/** One frame as either side receives it: binary = a file chunk, text = a JSON message decoded by its type. */
import { decodeChunk } from './chunk-frame.js';
import type { ChunkHeader } from './messages.js';
import { parseTextFrame, type RawFrame } from './text-frame.js';
import { fail } from './validate.js';

/**
 * Decodes a frame with the text decoders of one direction (`decoderFor`); `from` names the sender in
 * the error for an unknown type. Throws ProtocolError on anything malformed.
 */
export function decodeFrame<T>(
  frame: RawFrame,
  isBinary: boolean,
  decoderFor: (type: string) => ((o: Record<string, unknown>) => T) | undefined,
  from: string,
): T | (ChunkHeader & { data: Buffer }) {
  if (isBinary) {
    if (typeof frame === 'string') fail('protocol.badFrame', 'binary frame', 'given as a string');
    const { header, data } = decodeChunk(frame);
    return { ...header, data };
  }
  const o = parseTextFrame(frame);
  if (o.type === 'file.chunk') fail('protocol.badFrame', 'file.chunk', 'travels in a binary frame');
  const decode = decoderFor(o.type);
  if (!decode) fail('protocol.unknownType', 'message', `unknown type ${JSON.stringify(o.type.slice(0, 40))} from ${from}`);
  return decode(o);
}
