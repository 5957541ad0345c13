/** The project's own package.json, found from any compiled or source file of the project. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface PackageInfo {
  readonly name: string;
  readonly version: string;
  /** The directory holding package.json: the project's root. */
  readonly root: string;
}

let cached: PackageInfo | undefined;

export function packageInfo(): PackageInfo {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'tongban' && typeof pkg.version === 'string') {
        cached = { name: pkg.name, version: pkg.version, root: dir };
        return cached;
      }
    } catch {
      // not here: keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json of tongban not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}
