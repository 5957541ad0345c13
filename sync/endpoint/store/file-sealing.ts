/**
 * Sealed files (opt-in, `sealFiles` of openEndpointStore; the kiosk's embedded endpoint turns it on): the
 * material and result files under DATA/files/ are stored through the files cipher (sealing.ts
 * `fileCipher`). The choice is kept in the store (`meta.filesSealed`), so every later opener — the
 * server, `tongban endpoint` subcommands — reads and writes them the same way.
 *
 * Turning it on for a store whose files are in clear converts them (owner only, under the lock): each
 * complete file whose bytes still hash to its name is sealed into a temporary file, fsynced and renamed
 * over it; partial uploads are dropped (their kiosks resume from 0). `meta.filesSealed` is
 * 'converting' during that and '1' after; a conversion cut short is taken up again at the next open
 * (a file already sealed no longer hashes to its name and is left alone).
 */
import { closeSync, existsSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { fsyncDir } from '../../../base/fsync-dir.js';
import type { Logger } from '../../../base/log.js';
import { sm3Hex } from '../../../certs/sm3.js';
import type { EndpointSealer, FileCipher } from './sealing.js';

/** The files cipher of this store, or undefined when its files are in clear (and `sealFiles` does not ask otherwise). */
export function prepareFileSealing(
  db: BetterSqlite3.Database,
  dataDir: string,
  sealer: EndpointSealer,
  o: { sealFiles: boolean; owner: boolean; log: Logger },
): FileCipher | undefined {
  const state = (db.prepare("SELECT value FROM meta WHERE key = 'filesSealed'").get() as { value: string } | undefined)?.value;
  if (state === '1') return sealer.fileCipher(false);
  if (state === undefined && !o.sealFiles) return undefined;
  if (!o.owner) return sealer.fileCipher(state === undefined);
  const cipher = sealer.fileCipher(true);
  db.prepare("INSERT INTO meta (key, value) VALUES ('filesSealed', 'converting') ON CONFLICT (key) DO UPDATE SET value = excluded.value").run();
  const dir = join(dataDir, 'files');
  const partialDir = join(dir, 'partial');
  let sealed = 0;
  const rows = db.prepare('SELECT sm3 FROM files WHERE complete = 1').all() as { sm3: string }[];
  for (const { sm3 } of rows) {
    const path = join(dir, sm3);
    if (!/^[0-9a-f]{64}$/.test(sm3) || !existsSync(path)) continue;
    const bytes = readFileSync(path);
    if (sm3Hex(bytes) !== sm3) continue; // sealed already
    const tmp = join(partialDir, `${sm3}.seal-${process.pid}`);
    const fd = openSync(tmp, 'w', 0o600);
    try {
      const stored = cipher.apply(sm3, bytes, 0);
      let written = 0;
      while (written < stored.length) written += writeSync(fd, stored, written, stored.length - written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
    sealed++;
  }
  if (sealed) fsyncDir(dir);
  // Partial uploads only (named by their SM3): a result another process is writing (<sm3>.tmp-<pid>) is left alone.
  if (existsSync(partialDir)) for (const name of readdirSync(partialDir)) if (/^[0-9a-f]{64}$/.test(name)) rmSync(join(partialDir, name), { force: true });
  db.transaction(() => {
    db.prepare('UPDATE files SET committed = 0 WHERE complete = 0').run();
    db.prepare("UPDATE meta SET value = '1' WHERE key = 'filesSealed'").run();
  }).immediate();
  o.log.info('endpoint files sealed', { sealed });
  return cipher;
}
