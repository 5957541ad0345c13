/** Test helpers for the key and certificate tests: the real `openssl` as the outside party, temp dirs. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** SM2 in OpenSSL 3 needs the GB/T default ID spelled out (else it uses an empty one). */
export const DISTID = 'distid:1234567812345678';

/** Runs openssl; returns stdout; throws with stderr when it fails. */
export function openssl(args: readonly string[], options: { cwd?: string; input?: string | Uint8Array } = {}): string {
  return execFileSync('openssl', args, {
    cwd: options.cwd,
    input: options.input ?? '',
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Runs openssl and reports the exit status instead of throwing. */
export function opensslStatus(args: readonly string[], options: { cwd?: string } = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('openssl', args, { cwd: options.cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A fresh temp dir and its remover (call the remover in afterAll). */
export function tempDir(prefix = 'tongban-certs-'): { dir: string; path: (name: string) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, path: (name) => join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The hex after a label in `openssl pkey -text` output ("priv:", "pub:"), without colons or spaces. */
export function textHex(text: string, label: string): string {
  const m = new RegExp(`${label}\\n((?:\\s+[0-9a-f:]+\\n)+)`).exec(text);
  if (!m) throw new Error(`no "${label}" in openssl output:\n${text}`);
  return m[1]!.replace(/[\s:]/g, '');
}
