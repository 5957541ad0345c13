import { closeSync, constants, fsyncSync, openSync } from 'node:fs';

/**
 * Flushes a directory's entries to disk: after writing a temp file and renaming it into place, the
 * rename itself survives a power cut only once its directory is synced.
 */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, constants.O_RDONLY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
