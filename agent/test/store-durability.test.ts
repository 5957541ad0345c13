/**
 * An acknowledged write survives kill -9: a child process inserts cases and prints each id after its
 * commit; it is killed with SIGKILL at random moments (after a random number of acknowledgements, plus
 * a random few hundred microseconds of further writing), several times over the same data directory, writing one transaction per case and with group commit.
 * Every acknowledged case must be there exactly once, with its outbox entry, every acknowledged material
 * with its whole file, and the database must pass integrity_check.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../base/log.js';
import { sm3Hex } from '../../certs/sm3.js';
import { openFieldCipher } from '../pii/field-cipher.js';
import { openStore } from '../store/store.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const writer = fileURLToPath(new URL('./fixtures/store-writer.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tongban-durable-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the writer until it has acknowledged `killAfter` cases, kills it, returns the acknowledged ids. */
function runAndKill(killAfter: number, mode: 'single' | 'group'): Promise<{ acked: string[]; materials: string[][]; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, dir, mode], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const acked: string[] = [];
    const materials: string[][] = [];
    let pending = '';
    let stderr = '';
    let killing = false;
    // A bound on the round, not an assertion: a writer that never gets going fails the round below.
    const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (stderr += d));
    child.stdout.on('data', (d: string) => {
      const lines = (pending + d).split('\n');
      pending = lines.pop()!; // a line cut by the kill was never acknowledged
      for (const line of lines) {
        if (line.startsWith('material ')) materials.push(line.split(' ').slice(1));
        else if (line !== 'ready') acked.push(line);
      }
      if (!killing && acked.length >= killAfter) {
        killing = true;
        const spinUntil = process.hrtime.bigint() + BigInt(Math.floor(Math.random() * 500_000));
        setImmediate(() => {
          while (process.hrtime.bigint() < spinUntil) {
            // let the child write on for a random fraction of a millisecond
          }
          child.kill('SIGKILL');
        });
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      if (code !== null) reject(new Error(`writer exited with ${code}: ${stderr}`));
      else resolve({ acked, materials, signal });
    });
  });
}

describe('store durability under kill -9', () => {
  it('keeps every acknowledged case exactly once across repeated SIGKILLs', async () => {
    const acked: string[] = [];
    const materials: string[][] = [];
    for (let round = 0; round < 6; round++) {
      // one transaction per case, then group commit, in turns over the same store
      const r = await runAndKill(50 + Math.floor(Math.random() * 400), round % 2 === 0 ? 'single' : 'group');
      expect(r.signal).toBe('SIGKILL');
      expect(r.acked.length).toBeGreaterThan(0);
      acked.push(...r.acked);
      materials.push(...r.materials);
    }
    const store = openStore({ dataDir: dir, log: silentLogger, cipher: openFieldCipher({ dataDir: dir }) });
    try {
      expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(store.db.pragma('foreign_key_check')).toEqual([]);
      expect(new Set(acked).size).toBe(acked.length);
      const count = store.db.prepare('SELECT count(*) AS n FROM cases WHERE id = ?');
      const outbox = store.db.prepare('SELECT count(*) AS n FROM outbox WHERE case_id = ?');
      const missing = acked.filter((id) => (count.get(id) as { n: number }).n !== 1);
      expect(missing).toEqual([]);
      const withoutOutbox = acked.filter((id) => (outbox.get(id) as { n: number }).n !== 1);
      expect(withoutOutbox).toEqual([]);
      // Only what was in flight at a kill may be committed without having been acknowledged.
      expect(store.cases.count() - acked.length).toBeGreaterThanOrEqual(0);
      expect(store.cases.count() - acked.length).toBeLessThanOrEqual(3 * 1 + 3 * 2000); // in flight: a case, or a group batch
      // Every stored case still opens (its sealed form is whole).
      expect(store.cases.get(acked[acked.length - 1]!)!.form).toMatchObject({ name: '张三' });
      // Every acknowledged material has its row and its whole file (the file was durable before the row).
      expect(materials.length).toBeGreaterThan(0);
      for (const [caseId, sm3] of materials) {
        const rows = store.materials.forCase(caseId!);
        expect(rows.map((m) => m.sm3)).toEqual([sm3]);
        expect(sm3Hex(store.materials.read(rows[0]!))).toBe(sm3);
      }
      // Each case and its outbox entry were committed together: no orphan on either side.
      expect(store.db.prepare('SELECT count(*) AS n FROM cases WHERE id NOT IN (SELECT case_id FROM outbox)').get()).toEqual({ n: 0 });
    } finally {
      store.close();
    }
  });
});
