/**
 * The byte layout of a sealed personal field (pure codec, no crypto):
 *
 *   version (1 byte, = 1) · algorithm (1 byte) · keyIdLength (1 byte) · keyId (ASCII)   <- header
 *   nonce (16 bytes for SM4-CTR, 12 for AES-GCM) · ciphertext · tag (32 bytes HMAC-SM3, 16 bytes GCM)
 *
 * The header names the algorithm and the key, so a value stays readable after a key rotation and on any
 * runtime that has its algorithm; the header is authenticated with the rest.
 */
import { InputError } from '../../base/errors.js';

export const SEALED_VERSION = 1;

export const ALGORITHMS = {
  /** SM4-CTR, then HMAC-SM3 over header, aad, nonce and ciphertext (encrypt-then-MAC). */
  'sm4-ctr-hmac-sm3': { id: 1, nonceLength: 16, tagLength: 32 },
  /** AES-256-GCM, header and aad as its additional data: for runtimes without SM4 (Electron/BoringSSL). */
  'aes-256-gcm': { id: 2, nonceLength: 12, tagLength: 16 },
} as const;

export type CipherAlgorithm = keyof typeof ALGORITHMS;

export function algorithmById(id: number): CipherAlgorithm | undefined {
  for (const [name, spec] of Object.entries(ALGORITHMS)) if (spec.id === id) return name as CipherAlgorithm;
  return undefined;
}

/** Key ids are file names (DATA/keys/<keyId>.key): short, ASCII, nothing a path could misread. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9-]{0,62}$/;

export interface SealedParts {
  readonly algorithm: CipherAlgorithm;
  readonly keyId: string;
  /** version, algorithm, key id: the bytes authenticated as the header. */
  readonly header: Uint8Array;
  readonly nonce: Uint8Array;
  readonly ciphertext: Uint8Array;
  readonly tag: Uint8Array;
}

export function encodeHeader(algorithm: CipherAlgorithm, keyId: string): Uint8Array {
  if (!KEY_ID_PATTERN.test(keyId)) throw new TypeError(`invalid key id ${JSON.stringify(keyId)}`);
  const id = new TextEncoder().encode(keyId);
  const header = new Uint8Array(3 + id.length);
  header[0] = SEALED_VERSION;
  header[1] = ALGORITHMS[algorithm].id;
  header[2] = id.length;
  header.set(id, 3);
  return header;
}

function malformed(why: string): InputError {
  return new InputError('pii.format', `sealed value is malformed: ${why}`);
}

/** Splits a sealed value into its parts; checks lengths and the header, not authenticity. */
export function decodeSealed(sealed: Uint8Array): SealedParts {
  if (!(sealed instanceof Uint8Array)) throw malformed('not bytes');
  if (sealed.length < 4) throw malformed('too short');
  if (sealed[0] !== SEALED_VERSION) throw malformed(`unknown version ${sealed[0]}`);
  const algorithm = algorithmById(sealed[1]!);
  if (!algorithm) throw malformed(`unknown algorithm ${sealed[1]}`);
  const idLength = sealed[2]!;
  const spec = ALGORITHMS[algorithm];
  const bodyStart = 3 + idLength;
  if (sealed.length < bodyStart + spec.nonceLength + spec.tagLength) throw malformed('too short');
  const keyId = String.fromCharCode(...sealed.subarray(3, bodyStart));
  if (!KEY_ID_PATTERN.test(keyId)) throw malformed('invalid key id');
  return {
    algorithm,
    keyId,
    header: sealed.subarray(0, bodyStart),
    nonce: sealed.subarray(bodyStart, bodyStart + spec.nonceLength),
    ciphertext: sealed.subarray(bodyStart + spec.nonceLength, sealed.length - spec.tagLength),
    tag: sealed.subarray(sealed.length - spec.tagLength),
  };
}

/** The key id of a sealed value without opening it (for re-encryption passes and key retirement). */
export function sealedKeyId(sealed: Uint8Array): string {
  return decodeSealed(sealed).keyId;
}
