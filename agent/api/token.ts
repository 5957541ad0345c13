/**
 * The local API's bearer token: 32 random bytes, made at the agent's first start and kept in
 * DATA/api-token (mode 0600), so that only the agent's user (the kiosk UI, the operator's `tongban`)
 * can call the API even though every local process can reach 127.0.0.1.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, closeSync, constants, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentError } from '../../base/errors.js';

export const TOKEN_FILE = 'api-token';
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** Reads the token, making it first if there is none. A token file that is not ours is refused. */
export function ensureApiToken(dataDir: string): string {
  const path = join(dataDir, TOKEN_FILE);
  try {
    const fd = openSync(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
    const token = randomBytes(32).toString('base64url');
    try {
      writeSync(fd, token + '\n');
    } finally {
      closeSync(fd);
    }
    return token;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new EnvironmentError('env.apiToken', `cannot create ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
    }
  }
  // Someone may have loosened it (a backup restored with other modes): tighten, never widen.
  if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  return readApiToken(dataDir);
}

/** The token of the agent on this data directory (for the CLI's client). */
export function readApiToken(dataDir: string): string {
  const path = join(dataDir, TOKEN_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (err) {
    throw new EnvironmentError('env.apiToken', `cannot read the API token ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
  }
  if (!TOKEN_PATTERN.test(text)) throw new EnvironmentError('env.apiToken', `${path} does not hold an API token (delete it to have the agent make a new one)`);
  return text;
}

/** Constant-time check of an Authorization header value against the token. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  if (header === undefined || !header.startsWith('Bearer ')) return false;
  const given = Buffer.from(header.slice(7).trim());
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}
