/**
 * File I/O for the `certs` commands: one-line errors that name the file ("cannot read KEY.pem: no such
 * file"), private keys written with mode 0600, paths relative to the command's working directory.
 */
import { closeSync, fchmodSync, openSync, readFileSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CommandContext } from '../../base/cli.js';
import { EnvironmentError, InputError, UsageError } from '../../base/errors.js';

function reason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT': return 'no such file';
    case 'EACCES':
    case 'EPERM': return 'permission denied';
    case 'EISDIR': return 'is a directory';
    case 'ENOTDIR': return 'a part of the path is not a directory';
    case 'ENAMETOOLONG': return 'name too long';
    default: return err instanceof Error ? err.message : String(err);
  }
}

/** Reads a whole input file; InputError (exit 2) when it cannot. */
export function readInputFile(ctx: Pick<CommandContext, 'cwd'>, path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(resolve(ctx.cwd, path)));
  } catch (err) {
    throw new InputError('file.unreadable', `cannot read ${path}: ${reason(err)}`);
  }
}

/**
 * Writes an output file. `secret` files (private keys) are created with mode 0600, and an existing file
 * is narrowed to 0600 before the secret goes in.
 */
export function writeOutputFile(ctx: Pick<CommandContext, 'cwd'>, path: string, data: string | Uint8Array, options: { secret?: boolean } = {}): void {
  let fd: number;
  try {
    fd = openSync(resolve(ctx.cwd, path), 'w', options.secret ? 0o600 : 0o644);
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : reason(err);
    throw new EnvironmentError('file.unwritable', `cannot write ${path}: ${why}`);
  }
  try {
    if (options.secret) fchmodSync(fd, 0o600);
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
  } catch (err) {
    throw new EnvironmentError('file.unwritable', `cannot write ${path}: ${reason(err)}`);
  } finally {
    closeSync(fd);
  }
}

/** The passphrase in a file: its first line, as OpenSSL's `-passin file:F` reads it. */
export function readPassphraseFile(ctx: Pick<CommandContext, 'cwd'>, path: string): string {
  const text = Buffer.from(readInputFile(ctx, path)).toString('utf8');
  const first = text.split(/\r?\n/)[0] ?? '';
  if (first.length === 0) throw new UsageError(`the passphrase file ${path} is empty`, 'usage.badValue');
  return first;
}

/** Re-throws an InputError from a codec with the file name in front: "KEY.pem: found a public key ...". */
export function inFile<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof InputError) throw new InputError(err.code, `${path}: ${err.message}`, { cause: err });
    throw err;
  }
}
