/**
 * Durable when it returns: a real process writing to the store is killed with SIGKILL mid-stream; on
 * reopening, every batch it was told was committed is there, no batch is there in part, and the file
 * upload resumes from an offset at least as far as the last chunk it was told was committed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ROOT } from '../../test/helpers/cli.js';
import { crashFile, openStore, tempDir } from './endpoint-store-fixtures.js';

const CHILD = fileURLToPath(new URL('./endpoint-store-crash-child.ts', import.meta.url));
let tmp: ReturnType<typeof tempDir>;
let child: ChildProcess | undefined;

beforeEach(() => {
  tmp = tempDir();
});

afterEach(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  tmp.remove();
});

it('everything acknowledged before a SIGKILL is there after it; batches are whole; the upload resumes', async () => {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, tmp.dir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  child = proc;
  let out = '';
  let err = '';
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => proc.on('exit', (_code, signal) => resolve(signal)));
  // Killed once it has reported 40 batches: wherever it is then (in a transaction, between the write of a chunk and its offset).
  await new Promise<void>((resolve, reject) => {
    proc.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if ((out.match(/^cases /gm) ?? []).length >= 40) {
        proc.kill('SIGKILL');
        resolve();
      }
    });
    void exited.then(() => reject(new Error(`child exited early: ${err}`)));
  });
  expect(await exited).toBe('SIGKILL');

  const reported = [...out.matchAll(/^cases (.+)$/gm)].flatMap((m) => m[1]!.split(' '));
  const chunks = [...out.matchAll(/^chunk (\d+)$/gm)].map((m) => Number(m[1]));
  const store = openStore(tmp.dir);
  try {
    const ids = new Set(store.cases().map((c) => c.id));
    for (const id of reported) expect(ids.has(id), id).toBe(true);
    expect(ids.size % 10).toBe(0); // a batch is there whole or not at all
    expect(ids.size - reported.length).toBeLessThanOrEqual(10);
    expect(store.kiosks()[0]!.highestSeq).toBe(ids.size);

    const file = crashFile();
    const status = store.fileStatus(file.sm3);
    expect(status.committed).toBeGreaterThanOrEqual(chunks.at(-1) ?? 0);
    expect(statSync(join(tmp.dir, 'files', 'partial', file.sm3)).size).toBe(status.committed);
    let committed = store.beginFile(file.sm3, file.bytes.length, 'application/pdf').committed;
    while (committed < file.bytes.length) {
      const end = Math.min(committed + 512 * 1024, file.bytes.length);
      const r = store.appendChunk(file.sm3, committed, file.bytes.subarray(committed, end), end === file.bytes.length);
      if ('rejected' in r) throw new Error(r.rejected.reason);
      committed = r.committed;
    }
    expect(store.fileStatus(file.sm3)).toMatchObject({ complete: true, committed: file.bytes.length });
  } finally {
    store.close();
  }
});
