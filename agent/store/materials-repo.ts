/**
 * Materials (申请材料: scans, photos, PDFs) of a case. Each file is stored once, content-addressed by
 * the SM3 of its plaintext, under DATA/materials/<first two hex digits>/<sm3hex>, sealed by the
 * FieldCipher. The file is made durable first (temp file, fsync, rename, fsync of the directory) and
 * only then its row is committed: a row never points at a file that a power cut could take away.
 */
import { fsyncDir } from '../../base/fsync-dir.js';
import { closeSync, constants, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { sm3Hex } from '../../certs/sm3.js';
import { EnvironmentError, InputError } from '../../base/errors.js';
import type { StoreCipher } from './cipher.js';
import type { StoreCore } from './open-store.js';
import { int, intOrNull, text, type Row } from './rows.js';

export interface MaterialRecord {
  readonly id: number;
  readonly caseId: string;
  readonly materialId: string;
  readonly sm3: string;
  readonly size: number;
  readonly mime: string;
  /** Relative to the data directory. */
  readonly path: string;
  readonly createdAt: number;
  readonly purgedAt: number | null;
}

const T = 'materials';
const fileAad = (sm3: string): string => `materials/${sm3}/file`;

/** Writes `bytes` to `path` so that after return it survives a power cut, whole or not at all. */
export function writeFileDurably(path: string, dir: string, bytes: Uint8Array): void {
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o600);
  try {
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  fsyncDir(dir);
}

export class MaterialsRepo {
  constructor(
    private readonly core: StoreCore,
    private readonly cipher: StoreCipher,
  ) {}

  /**
   * Deletes temp files left by a process killed while writing a material (the data directory has one
   * owner at a time, so any temp file found at open is stale). Returns how many were removed.
   */
  removeStaleTemps(): number {
    const root = join(this.core.dataDir, 'materials');
    if (!existsSync(root)) return 0;
    let removed = 0;
    for (const sub of readdirSync(root, { withFileTypes: true })) {
      if (!sub.isDirectory()) continue;
      for (const f of readdirSync(join(root, sub.name))) {
        if (f.endsWith('.tmp')) {
          rmSync(join(root, sub.name, f), { force: true });
          removed++;
        }
      }
    }
    return removed;
  }

  relativePath(sm3: string): string {
    return join('materials', sm3.slice(0, 2), sm3);
  }

  /** Stores a material of a case: the file (once per content), then its row. Idempotent per (case, material, content). */
  put(input: { caseId: string; materialId: string; bytes: Uint8Array; mime: string; at?: number }): MaterialRecord {
    if (!input.materialId) throw new InputError('store.materialId', 'a material needs its id');
    if (!input.mime) throw new InputError('store.mime', 'a material needs a MIME type');
    const sm3 = sm3Hex(input.bytes);
    const rel = this.relativePath(sm3);
    const abs = join(this.core.dataDir, rel);
    if (!existsSync(abs)) {
      const root = join(this.core.dataDir, 'materials');
      const dir = join(root, sm3.slice(0, 2));
      try {
        const made = mkdirSync(dir, { recursive: true, mode: 0o700 });
        if (made !== undefined) {
          fsyncDir(root);
          fsyncDir(this.core.dataDir);
        }
        writeFileDurably(abs, dir, this.cipher.seal(input.bytes, fileAad(sm3)));
      } catch (err) {
        throw new EnvironmentError('env.materials', `cannot store material file ${rel}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
      }
    }
    const at = input.at ?? Date.now();
    try {
      this.core.db
        .prepare('INSERT INTO materials (case_id, material_id, sm3, size, mime, path, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (case_id, material_id, sm3) DO NOTHING')
        .run(input.caseId, input.materialId, sm3, input.bytes.length, input.mime, rel, at);
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') throw new InputError('store.caseMissing', `no case ${input.caseId}`, { cause: err });
      throw err;
    }
    const row = this.core.db.prepare('SELECT * FROM materials WHERE case_id = ? AND material_id = ? AND sm3 = ?').get(input.caseId, input.materialId, sm3) as Row;
    return this.fromRow(row);
  }

  /** A live (unpurged) row holding the file with this SM3, if any (files are stored once per content). */
  bySm3(sm3: string): MaterialRecord | undefined {
    const r = this.core.db.prepare('SELECT * FROM materials WHERE sm3 = ? AND purged_at IS NULL ORDER BY id LIMIT 1').get(sm3) as Row | undefined;
    return r ? this.fromRow(r) : undefined;
  }

  forCase(caseId: string): MaterialRecord[] {
    return (this.core.db.prepare('SELECT * FROM materials WHERE case_id = ? ORDER BY id').all(caseId) as Row[]).map((r) => this.fromRow(r));
  }

  /** The plaintext bytes, checked against the SM3 recorded for them. */
  /**
   * The plaintext of a material. `verify: false` skips recomputing its SM3 (the seal's MAC, bound to
   * this SM3, already authenticates the bytes): for a caller that hashes them anyway, e.g. the sync
   * upload, whose endpoint checks the SM3 of what it receives (~4 ms a MiB saved).
   */
  read(m: MaterialRecord, options: { verify?: boolean } = {}): Uint8Array {
    if (m.purgedAt !== null) throw new InputError('store.materialPurged', `material ${m.materialId} of case ${m.caseId} was purged`);
    const bytes = this.cipher.open(readFileSync(join(this.core.dataDir, m.path)), fileAad(m.sm3));
    if (options.verify !== false && sm3Hex(bytes) !== m.sm3) throw new EnvironmentError('env.storeCorrupt', `material file ${m.path} does not match its SM3`);
    return bytes;
  }

  /**
   * Erases the material rows' link to personal content for a case and deletes each file no other
   * unpurged row still uses.
   */
  purgeCase(caseId: string, at: number = Date.now()): number {
    const rows = this.forCase(caseId).filter((m) => m.purgedAt === null);
    this.core.transaction(() => {
      this.core.db.prepare('UPDATE materials SET purged_at = ? WHERE case_id = ? AND purged_at IS NULL').run(at, caseId);
    });
    for (const m of rows) {
      const users = (this.core.db.prepare('SELECT count(*) AS n FROM materials WHERE sm3 = ? AND purged_at IS NULL').get(m.sm3) as { n: number }).n;
      if (users === 0) rmSync(join(this.core.dataDir, m.path), { force: true });
    }
    return rows.length;
  }

  private fromRow(r: Row): MaterialRecord {
    return {
      id: int(r, T, 'id'),
      caseId: text(r, T, 'case_id'),
      materialId: text(r, T, 'material_id'),
      sm3: text(r, T, 'sm3'),
      size: int(r, T, 'size'),
      mime: text(r, T, 'mime'),
      path: text(r, T, 'path'),
      createdAt: int(r, T, 'created_at'),
      purgedAt: intOrNull(r, T, 'purged_at'),
    };
  }
}
