/** Shared by the sync end-to-end tests: polling until a condition holds (bounded), and cases to submit. */
import { spawn } from 'node:child_process';
import { BIN, ROOT } from '../../../test/helpers/cli.js';
import { exampleCase } from '../../cases/example.js';
import { demoCatalog } from '../../catalog/catalog.js';

export { until } from '../../../test/helpers/until.js';

/** The example case of a demo item (fictional applicant, example values). */
export function caseOf(itemCode: string): Record<string, unknown> {
  const item = demoCatalog().items.find((i) => i.code === itemCode);
  if (!item) throw new Error(`no demo item ${itemCode}`);
  return exampleCase(item) as Record<string, unknown>;
}

/** A small valid-looking PDF (a result document). */
export const RESULT_PDF = new TextEncoder().encode('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n% 办结通知书\n%%EOF\n');

/**
 * `tongban ARGS` as a child process, awaited without blocking this process's event loop (an agent
 * running in this process must answer the command's API calls; test/helpers/cli.ts's spawnSync would
 * deadlock).
 */
export function tongbanAsync(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
