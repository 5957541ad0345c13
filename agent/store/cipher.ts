/**
 * What the store needs of agent/pii's FieldCipher: personal fields are sealed before they reach a
 * column and opened when read back; applicants are found by a keyed hash of their ID number. The aad
 * names the value's place (`<table>/<rowId>/<column>`), so a sealed value moved to another row does not open.
 */
import type { FieldCipher } from '../pii/field-cipher.js';
import { fieldAad } from '../pii/field-cipher.js';

export type StoreCipher = Pick<FieldCipher, 'seal' | 'open' | 'lookupHash'>;

export const placeAad = fieldAad;

const decoder = new TextDecoder('utf-8', { fatal: true });

export function sealJson(cipher: StoreCipher, value: unknown, aad: string): Uint8Array {
  return cipher.seal(JSON.stringify(value), aad);
}

export function openJson(cipher: StoreCipher, sealed: Uint8Array, aad: string): unknown {
  return JSON.parse(decoder.decode(cipher.open(sealed, aad)));
}
