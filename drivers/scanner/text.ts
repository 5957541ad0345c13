/**
 * Bytes of a code to text: UTF-8 when the bytes are valid UTF-8, otherwise GB18030 (Chinese QR payloads
 * from scanners and code generators that still write GBK). Control characters (C0, DEL, C1) are removed
 * after decoding, so nothing that could move a cursor, ring a bell or end a line reaches a form field.
 * Pure and browser-safe: TextDecoder only (Node 20 ships full ICU, browsers know gb18030).
 */

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
const gb18030 = new TextDecoder('gb18030');

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

export type TextEncoding = 'utf-8' | 'gb18030';

export interface DecodedText {
  readonly text: string;
  readonly encoding: TextEncoding;
}

export function decodeCodeText(bytes: Uint8Array): DecodedText {
  let text: string;
  let encoding: TextEncoding = 'utf-8';
  try {
    text = utf8.decode(bytes);
  } catch {
    text = gb18030.decode(bytes);
    encoding = 'gb18030';
  }
  return { text: stripControls(text), encoding };
}

export function stripControls(text: string): string {
  return text.replace(CONTROL, '');
}
