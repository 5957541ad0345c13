/**
 * The endpoint's content-addressed files: complete ones under DATA/files/<sm3>, uploads in progress
 * under DATA/files/partial/<sm3>. A chunk is written and fsynced first, and only then is the new
 * committed offset stored in SQLite: the recorded offset never runs ahead of the bytes on disk. After
 * a crash the partial may hold more than was committed (written, not acknowledged); opening truncates
 * it back, so an upload resumes exactly at the offset the endpoint reports. The last chunk is checked
 * (size and SM3 of the whole file) before the file is renamed into place.
 *
 * Cheap per file (a 1 MiB upload costs two data fsyncs, two commits and one directory fsync): an offer
 * writes nothing — it is remembered in memory and the file's row is written with its first chunk, in
 * the commit that records that chunk's offset (offers of files never sent leave no rows); the SM3 is
 * computed as the chunks arrive, its running state kept only in memory — after a restart, or when the
 * state was dropped, the committed prefix is hashed once from disk and the hash goes on from there.
 */
import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, readSync, renameSync, statSync, truncateSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { InputError } from '../../../base/errors.js';
import { fsyncDir } from '../../../base/fsync-dir.js';
import type { Logger } from '../../../base/log.js';
import { createSm3, sm3Hex, type Sm3Hash } from '../../../certs/sm3.js';
import { FileRejected } from './errors.js';
import type { FileCipher } from './sealing.js';
import { LIMITS, type MediaType } from './protocol-types.js';
import { isMediaType, SM3_RE } from './validate.js';

export interface FileState {
  readonly committed: number;
  readonly complete: boolean;
  readonly size?: number;
  readonly mediaType?: MediaType;
}

export type ChunkResult = { readonly committed: number; readonly complete: boolean } | { readonly rejected: { readonly code: string; readonly reason: string } };

interface FileRow {
  sm3: string;
  size: number;
  media_type: string;
  committed: number;
  complete: number;
}

const READ_BLOCK = 1 << 20;
/** Offers remembered until their first chunk (beyond that, the oldest are forgotten: such a chunk is file.notOffered). */
const MAX_OFFERS = 10_000;
/** Running SM3 states of uploads in progress (beyond that, the oldest is dropped and redone from disk if it resumes). */
const MAX_HASH_STATES = 256;

function checkSm3(sm3: string): void {
  if (typeof sm3 !== 'string' || !SM3_RE.test(sm3)) throw new FileRejected('file.badHash', 'a file is named by its SM3: 64 lower-case hex digits');
}

/** Turns bytes as stored at `offset` into the file's plaintext (sealed files; sealing.ts fileCipher). */
type Unseal = (stored: Uint8Array, offset: number) => Uint8Array;

/** A running SM3 over the first `length` bytes of a file (of its plaintext, when `unseal` is given). */
function hashPrefix(path: string, length: number, unseal?: Unseal): Sm3Hash {
  const h = createSm3();
  if (length === 0) return h;
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(Math.min(READ_BLOCK, length));
    let done = 0;
    while (done < length) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, length - done), done);
      if (n === 0) throw new Error(`${path} is shorter than ${length} bytes`);
      h.update(unseal ? unseal(buf.subarray(0, n), done) : buf.subarray(0, n));
      done += n;
    }
    return h;
  } finally {
    closeSync(fd);
  }
}

/** SM3 of a whole file on disk, read in blocks (a file may be 32 MiB). */
function hashFile(path: string, unseal?: Unseal): string {
  return Buffer.from(hashPrefix(path, statSync(path).size, unseal).digest()).toString('hex');
}

export class EndpointFiles {
  readonly dir: string;
  readonly partialDir: string;
  private readonly get: BetterSqlite3.Statement<[string], FileRow>;
  private readonly setCommitted: BetterSqlite3.Statement<[number, string]>;
  private readonly insertRow: BetterSqlite3.Statement<[string, number, string, number, number]>;
  private readonly setComplete: BetterSqlite3.Statement<[number, string]>;
  /** Offers without a row yet (no chunk written), by SM3. */
  private readonly offers = new Map<string, { size: number; mediaType: MediaType; at: number }>();
  /** The running SM3 of each upload in progress and how many bytes it has taken. */
  private readonly hashes = new Map<string, { hash: Sm3Hash; length: number }>();

  constructor(
    private readonly db: BetterSqlite3.Database,
    dataDir: string,
    private readonly log: Logger,
    /** Sealed files (sealing.ts): bytes pass through it on their way to and from the disk. */
    private readonly cipher?: FileCipher,
  ) {
    this.dir = join(dataDir, 'files');
    this.partialDir = join(this.dir, 'partial');
    mkdirSync(this.partialDir, { recursive: true, mode: 0o700 });
    this.get = db.prepare('SELECT sm3, size, media_type, committed, complete FROM files WHERE sm3 = ?');
    this.setCommitted = db.prepare('UPDATE files SET committed = ? WHERE sm3 = ? AND complete = 0');
    this.insertRow = db.prepare('INSERT INTO files (sm3, size, media_type, committed, complete, created_at) VALUES (?, ?, ?, ?, 0, ?)');
    this.setComplete = db.prepare('UPDATE files SET committed = size, complete = 1, completed_at = ? WHERE sm3 = ?');
  }

  private finalPath(sm3: string): string {
    return join(this.dir, sm3);
  }

  private partialPath(sm3: string): string {
    return join(this.partialDir, sm3);
  }

  /**
   * At open: every partial cut back to its committed offset; a partial without a row removed; a file
   * renamed into place whose row was not yet marked complete (a crash in between) checked and marked.
   */
  reconcile(at: number): void {
    const rows = this.db.prepare('SELECT sm3, size, media_type, committed, complete FROM files WHERE complete = 0').all() as FileRow[];
    const known = new Set(rows.map((r) => r.sm3));
    for (const r of rows) {
      const final = this.finalPath(r.sm3);
      if (existsSync(final) && statSync(final).size === r.size && hashFile(final, this.unseal(r.sm3)) === r.sm3) {
        this.db.prepare('UPDATE files SET committed = size, complete = 1, completed_at = ? WHERE sm3 = ?').run(at, r.sm3);
        if (existsSync(this.partialPath(r.sm3))) unlinkSync(this.partialPath(r.sm3));
        continue;
      }
      const partial = this.partialPath(r.sm3);
      const have = existsSync(partial) ? statSync(partial).size : 0;
      if (have > r.committed) {
        truncateSync(partial, r.committed);
        const fd = openSync(partial, 'r+');
        try {
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
        this.log.info('partial upload cut back to its committed offset', { sm3: r.sm3, had: have, committed: r.committed });
      } else if (have < r.committed) {
        // Cannot happen when fsync keeps its word; never claim bytes that are not there.
        this.setCommitted.run(have, r.sm3);
        this.log.warn('partial upload shorter than recorded: resuming from what is on disk', { sm3: r.sm3, had: have, committed: r.committed });
      }
    }
    for (const name of readdirSync(this.partialDir)) {
      if (known.has(name) || isLiveTemp(name)) continue;
      // Another process (a CLI's set-status) may rename its own temp file away meanwhile.
      try {
        unlinkSync(join(this.partialDir, name));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  }

  status(sm3: string): FileState {
    checkSm3(sm3);
    const r = this.get.get(sm3);
    if (!r) return { committed: 0, complete: false };
    return { committed: r.committed, complete: r.complete === 1, size: r.size, ...(isMediaType(r.media_type) ? { mediaType: r.media_type } : {}) };
  }

  /** A complete file's size and type, for the checks of a case that lists it. */
  completeFile(sm3: string): { size: number; mediaType: string } | undefined {
    const r = this.get.get(sm3);
    return r && r.complete === 1 ? { size: r.size, mediaType: r.media_type } : undefined;
  }

  has(sm3: string): boolean {
    return SM3_RE.test(sm3) && this.completeFile(sm3) !== undefined;
  }

  /**
   * A kiosk offers a file: a complete one is reported so, a partial one resumes from its committed
   * offset, a new one starts at 0. A partial offered with another size starts over.
   */
  begin(sm3: string, size: number, mediaType: string, at: number): FileState {
    checkSm3(sm3);
    if (!Number.isSafeInteger(size) || size < 0) throw new FileRejected('file.badSize', 'a file size is a whole number of bytes');
    if (size > LIMITS.maxFileBytes) throw new FileRejected('file.tooBig', `a file may have at most ${LIMITS.maxFileBytes} bytes, not ${size}`);
    if (!isMediaType(mediaType)) throw new FileRejected('file.badType', 'a file is application/pdf, image/jpeg or image/png');
    const r = this.get.get(sm3);
    if (r?.complete === 1) return { committed: r.size, complete: true, size: r.size };
    if (r && r.size === size) return { committed: r.committed, complete: false, size };
    if (r) {
      this.discardPartial(sm3);
      this.db.prepare('UPDATE files SET size = ?, media_type = ?, committed = 0 WHERE sm3 = ?').run(size, mediaType, sm3);
      return { committed: 0, complete: false, size };
    }
    // Nothing written until the first chunk comes (see the module's comment).
    this.offers.delete(sm3);
    this.offers.set(sm3, { size, mediaType, at });
    if (this.offers.size > MAX_OFFERS) this.offers.delete(this.offers.keys().next().value!);
    return { committed: 0, complete: false, size };
  }

  private discardPartial(sm3: string): void {
    const p = this.partialPath(sm3);
    if (existsSync(p)) unlinkSync(p);
    this.hashes.delete(sm3);
    this.setCommitted.run(0, sm3);
  }

  /** The running SM3 of an upload that has `length` bytes committed: the one kept, else redone from the partial on disk. */
  private hashAt(sm3: string, length: number): Sm3Hash {
    const kept = this.hashes.get(sm3);
    this.hashes.delete(sm3);
    if (kept && kept.length === length) return kept.hash;
    return hashPrefix(this.partialPath(sm3), length, this.unseal(sm3));
  }

  private unseal(sm3: string): Unseal | undefined {
    const cipher = this.cipher;
    return cipher ? (stored, offset) => cipher.apply(sm3, stored, offset) : undefined;
  }

  private keepHash(sm3: string, hash: Sm3Hash, length: number): void {
    this.hashes.set(sm3, { hash, length });
    if (this.hashes.size > MAX_HASH_STATES) this.hashes.delete(this.hashes.keys().next().value!);
  }

  private reject(sm3: string, code: string, reason: string, discard: boolean): ChunkResult {
    if (discard) this.discardPartial(sm3);
    this.log.warn('file chunk rejected', { sm3, code });
    return { rejected: { code, reason } };
  }

  /**
   * One chunk at `offset`. A chunk wholly before the committed offset is a replay: answered with the
   * current state, nothing written. A gap (offset beyond it) is refused, the partial kept (what it
   * holds is still good). A chunk past the declared size, a wrong `last`, or a finished file whose SM3
   * or size is not the offered one: refused and the partial discarded.
   */
  append(sm3: string, offset: number, data: Uint8Array, last: boolean, at: number): ChunkResult {
    checkSm3(sm3);
    const row = this.get.get(sm3);
    const offer = row ? undefined : this.offers.get(sm3);
    if (!row && !offer) return this.reject(sm3, 'file.notOffered', 'a chunk of a file that was not offered first', false);
    if (row?.complete === 1) return { committed: row.size, complete: true };
    const r = row ?? { size: offer!.size, committed: 0 };
    if (!Number.isSafeInteger(offset) || offset < 0) return this.reject(sm3, 'file.badOffset', 'a chunk offset is a whole number', false);
    if (data.length > LIMITS.maxChunkBytes) return this.reject(sm3, 'file.tooBig', `a chunk has at most ${LIMITS.maxChunkBytes} bytes`, false);
    const end = offset + data.length;
    if (offset < r.committed) {
      if (end <= r.committed) return { committed: r.committed, complete: false };
      return this.reject(sm3, 'file.badOffset', `the chunk at ${offset} overlaps the committed offset ${r.committed}`, false);
    }
    if (offset > r.committed) return this.reject(sm3, 'file.badOffset', `the chunk at ${offset} leaves a gap after the committed offset ${r.committed}`, false);
    if (end > r.size) return this.reject(sm3, 'file.badSize', `the chunk ends at ${end}, beyond the offered size ${r.size}`, row !== undefined);
    if (last !== (end === r.size)) {
      return this.reject(sm3, 'file.badSize', last ? `the last chunk ends at ${end}, not at the offered size ${r.size}` : 'the chunk reaches the offered size but is not marked last', row !== undefined);
    }

    // The hash of what is committed, before the partial is touched (after a restart it is read from it).
    const hash = row ? this.hashAt(sm3, offset) : createSm3();
    const partial = this.partialPath(sm3);
    // No row: no byte of this file is committed, whatever a partial left by a failed first chunk holds.
    const fd = openSync(partial, row && existsSync(partial) ? 'r+' : 'w', 0o600);
    try {
      if (fstatSync(fd).size !== offset) ftruncateSync(fd, offset);
      const stored = this.cipher ? this.cipher.apply(sm3, data, offset) : data;
      let written = 0;
      while (written < stored.length) written += writeSync(fd, stored, written, stored.length - written, offset + written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    hash.update(data);
    if (!last) {
      // Durable now: the offset (and with the first chunk, the row) committed, then acknowledged.
      if (row) this.setCommitted.run(end, sm3);
      else {
        this.insertRow.run(sm3, offer!.size, offer!.mediaType, end, offer!.at);
        this.offers.delete(sm3);
      }
      this.keepHash(sm3, hash, end);
      return { committed: end, complete: false };
    }
    if (Buffer.from(hash.digest()).toString('hex') !== sm3) {
      if (!row) {
        unlinkSync(partial);
        this.offers.delete(sm3);
      }
      return this.reject(sm3, 'file.hashMismatch', 'the SM3 of the uploaded bytes is not the offered one', row !== undefined);
    }
    renameSync(partial, this.finalPath(sm3));
    fsyncDir(this.dir);
    if (row) this.setComplete.run(at, sm3);
    else {
      // A file in one chunk: its row is written complete at once.
      this.db.transaction(() => {
        this.insertRow.run(sm3, offer!.size, offer!.mediaType, 0, offer!.at);
        this.setComplete.run(at, sm3);
      }).immediate();
      this.offers.delete(sm3);
    }
    return { committed: r.size, complete: true };
  }

  /**
   * Stores bytes the endpoint itself holds (a clerk's result document) as a complete file: written
   * and fsynced under a temporary name, renamed into place; the row goes into the caller's transaction.
   */
  writeComplete(bytes: Uint8Array): { sm3: string; size: number } {
    const sm3 = sm3Hex(bytes);
    const final = this.finalPath(sm3);
    if (!existsSync(final)) {
      const tmp = join(this.partialDir, `${sm3}.tmp-${process.pid}`);
      const fd = openSync(tmp, 'w', 0o600);
      const stored = this.cipher ? this.cipher.apply(sm3, bytes, 0) : bytes;
      try {
        let written = 0;
        while (written < stored.length) written += writeSync(fd, stored, written, stored.length - written);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, final);
      fsyncDir(this.dir);
    }
    return { sm3, size: bytes.length };
  }

  /** The row of a file written by writeComplete (inside the caller's transaction). */
  recordComplete(sm3: string, size: number, mediaType: MediaType, at: number): void {
    this.db
      .prepare(
        `INSERT INTO files (sm3, size, media_type, committed, complete, created_at, completed_at) VALUES (?, ?, ?, ?, 1, ?, ?)
         ON CONFLICT (sm3) DO UPDATE SET size = excluded.size, committed = excluded.size, complete = 1, completed_at = excluded.completed_at`,
      )
      .run(sm3, size, mediaType, size, at, at);
  }

  /** Up to `length` bytes of a complete file from `offset` (a result document the kiosk downloads). */
  read(sm3: string, offset: number, length: number): Uint8Array {
    checkSm3(sm3);
    const f = this.completeFile(sm3);
    if (!f) throw new InputError('file.unknown', `no complete file ${sm3}`);
    if (!Number.isSafeInteger(offset) || offset < 0 || offset > f.size) throw new InputError('file.badOffset', `offset ${offset} is outside the file (${f.size} bytes)`);
    const n = Math.max(0, Math.min(length, f.size - offset));
    const buf = Buffer.alloc(n);
    if (n === 0) return buf;
    const fd = openSync(this.finalPath(sm3), 'r');
    try {
      let got = 0;
      while (got < n) {
        const k = readSync(fd, buf, got, n - got, offset + got);
        if (k === 0) throw new InputError('file.damaged', `the file ${sm3} is shorter than recorded`);
        got += k;
      }
    } finally {
      closeSync(fd);
    }
    return this.cipher ? this.cipher.apply(sm3, buf, offset) : buf;
  }
}

/** `<sm3>.tmp-<pid>` of a process still running (writeComplete in a CLI beside the server): not ours to remove. */
function isLiveTemp(name: string): boolean {
  const m = /\.tmp-(\d+)$/.exec(name);
  if (!m) return false;
  const pid = Number(m[1]);
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but is not ours to signal; still alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
