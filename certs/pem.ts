/**
 * PEM armour (RFC 7468): "-----BEGIN LABEL-----", base64, "-----END LABEL-----". Reading is lenient
 * about surrounding text (OpenSSL's `-text` output, explanatory lines, CRLF) and strict about the base64.
 */
import { InputError } from '../base/errors.js';

export interface PemBlock {
  readonly label: string;
  readonly der: Uint8Array;
  /** RFC 1421 headers ("Proc-Type", "DEK-Info") of legacy encrypted keys, when present. */
  readonly headers: Readonly<Record<string, string>>;
}

const BLOCK_RE = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g;

/** True when `input` looks like PEM text rather than DER bytes. */
export function looksLikePem(input: string | Uint8Array): boolean {
  const text = typeof input === 'string' ? input : Buffer.from(input.subarray(0, 4096)).toString('latin1');
  return text.includes('-----BEGIN ');
}

/** Every PEM block in `text`, in order. Throws InputError when there is none or one is damaged. */
export function decodePem(text: string, what = 'PEM input'): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const m of text.matchAll(BLOCK_RE)) {
    const label = m[1]!;
    if (m[3] !== label) throw new InputError('pem.malformed', `${what}: BEGIN ${label} ends with END ${m[3]}`);
    const headers: Record<string, string> = {};
    const lines: string[] = [];
    for (const raw of m[2]!.split(/\r?\n/)) {
      const line = raw.trim();
      if (!line) continue;
      const h = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (h && lines.length === 0) headers[h[1]!] = h[2]!;
      else lines.push(line);
    }
    const b64 = lines.join('');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) {
      throw new InputError('pem.malformed', `${what}: the ${label} block is not valid base64`);
    }
    const der = new Uint8Array(Buffer.from(b64, 'base64'));
    if (der.length === 0) throw new InputError('pem.malformed', `${what}: the ${label} block is empty`);
    blocks.push({ label, der, headers });
  }
  if (blocks.length === 0) {
    throw new InputError('pem.malformed', text.includes('-----BEGIN ') ? `${what}: a PEM block has no END line` : `${what}: no PEM block found`);
  }
  return blocks;
}

/** One PEM block with 64-character lines and a final newline. */
export function encodePem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
