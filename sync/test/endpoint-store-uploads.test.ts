/**
 * The endpoint's uploads, the cheap way (files.ts): an offer writes nothing until its first chunk, the
 * SM3 runs as the chunks arrive, and after a restart it is redone from the committed prefix on disk.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { EndpointStore } from '../endpoint/store/index.js';
import { fileRef, openStore, tempDir } from './endpoint-store-fixtures.js';

let tmp: ReturnType<typeof tempDir>;
let store: EndpointStore;

beforeEach(() => {
  tmp = tempDir();
  store = openStore(tmp.dir);
});

afterEach(() => {
  store.close();
  tmp.remove();
});

const pdf = (n: number): Buffer => Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(n - 9)]);

function fileRows(): { sm3: string; committed: number; complete: number }[] {
  const db = new Database(join(tmp.dir, 'endpoint.db'), { readonly: true });
  try {
    return db.prepare('SELECT sm3, committed, complete FROM files ORDER BY sm3').all() as { sm3: string; committed: number; complete: number }[];
  } finally {
    db.close();
  }
}

it('offers of files never sent leave no row and no file; the first chunk writes the row with its offset', () => {
  const never = Array.from({ length: 50 }, () => fileRef(pdf(2000)));
  for (const f of never) expect(store.beginFile(f.sm3, f.size, f.mediaType)).toEqual({ committed: 0, complete: false });
  expect(fileRows()).toEqual([]);
  expect(readdirSync(join(tmp.dir, 'files', 'partial'))).toEqual([]);
  expect(store.fileStatus(never[0]!.sm3)).toMatchObject({ committed: 0, complete: false });

  const bytes = pdf(3000);
  const { sm3 } = fileRef(bytes);
  store.beginFile(sm3, 3000, 'application/pdf');
  expect(store.appendChunk(sm3, 0, bytes.subarray(0, 1000), false)).toEqual({ committed: 1000, complete: false });
  expect(fileRows()).toEqual([{ sm3, committed: 1000, complete: 0 }]);
  expect(store.appendChunk(sm3, 1000, bytes.subarray(1000), true)).toEqual({ committed: 3000, complete: true });
  expect(fileRows()).toEqual([{ sm3, committed: 3000, complete: 1 }]);
  expect(readFileSync(join(tmp.dir, 'files', sm3)).equals(bytes)).toBe(true);
});

it('a file in one chunk is stored complete; one whose bytes do not hash to its SM3 leaves nothing', () => {
  const bytes = pdf(1500);
  const { sm3 } = fileRef(bytes);
  store.beginFile(sm3, 1500, 'application/pdf');
  expect(store.appendChunk(sm3, 0, bytes, true)).toEqual({ committed: 1500, complete: true });
  expect(store.hasFile(sm3)).toBe(true);

  const other = pdf(1500);
  const claimed = fileRef(pdf(1500)).sm3;
  store.beginFile(claimed, 1500, 'application/pdf');
  expect(store.appendChunk(claimed, 0, other, true)).toMatchObject({ rejected: { code: 'file.hashMismatch' } });
  expect(fileRows().map((r) => r.sm3)).toEqual([sm3]);
  expect(existsSync(join(tmp.dir, 'files', 'partial', claimed))).toBe(false);
  expect(existsSync(join(tmp.dir, 'files', claimed))).toBe(false);
});

it('a chunk of a file offered to a store since closed is not taken (the offer lived in memory); offered again, it is', () => {
  const bytes = pdf(2000);
  const { sm3 } = fileRef(bytes);
  store.beginFile(sm3, 2000, 'application/pdf');
  store.close();
  store = openStore(tmp.dir);
  expect(store.appendChunk(sm3, 0, bytes.subarray(0, 1000), false)).toMatchObject({ rejected: { code: 'file.notOffered' } });
  store.beginFile(sm3, 2000, 'application/pdf');
  expect(store.appendChunk(sm3, 0, bytes.subarray(0, 1000), false)).toEqual({ committed: 1000, complete: false });
});

it('after a restart the running SM3 is redone from the committed prefix: a good upload completes, a bad one is refused', () => {
  const good = pdf(5000);
  const bad = pdf(5000);
  for (const bytes of [good, bad]) {
    const { sm3 } = fileRef(bytes);
    store.beginFile(sm3, 5000, 'application/pdf');
    expect(store.appendChunk(sm3, 0, bytes.subarray(0, 2000), false)).toEqual({ committed: 2000, complete: false });
  }
  store.close();
  store = openStore(tmp.dir);
  const g = fileRef(good).sm3;
  expect(store.beginFile(g, 5000, 'application/pdf')).toEqual({ committed: 2000, complete: false });
  expect(store.appendChunk(g, 2000, good.subarray(2000, 4000), false)).toEqual({ committed: 4000, complete: false });
  expect(store.appendChunk(g, 4000, good.subarray(4000), true)).toEqual({ committed: 5000, complete: true });
  expect(readFileSync(join(tmp.dir, 'files', g)).equals(good)).toBe(true);

  const b = fileRef(bad).sm3;
  const wrong = Buffer.from(bad.subarray(2000));
  wrong[100] = wrong[100]! ^ 1;
  expect(store.appendChunk(b, 2000, wrong, true)).toMatchObject({ rejected: { code: 'file.hashMismatch' } });
  expect(store.fileStatus(b)).toMatchObject({ committed: 0, complete: false });
  expect(store.hasFile(b)).toBe(false);
});

it('a replayed chunk and a chunk after a refused one keep the running SM3 right', () => {
  const bytes = pdf(4000);
  const { sm3 } = fileRef(bytes);
  store.beginFile(sm3, 4000, 'application/pdf');
  expect(store.appendChunk(sm3, 0, bytes.subarray(0, 1000), false)).toEqual({ committed: 1000, complete: false });
  expect(store.appendChunk(sm3, 0, bytes.subarray(0, 1000), false)).toEqual({ committed: 1000, complete: false });
  expect(store.appendChunk(sm3, 2000, bytes.subarray(2000, 3000), false)).toMatchObject({ rejected: { code: 'file.badOffset' } });
  expect(store.appendChunk(sm3, 1000, bytes.subarray(1000, 3000), false)).toEqual({ committed: 3000, complete: false });
  expect(store.appendChunk(sm3, 3000, bytes.subarray(3000), true)).toEqual({ committed: 4000, complete: true });
  expect(readFileSync(join(tmp.dir, 'files', sm3)).equals(bytes)).toBe(true);
});
