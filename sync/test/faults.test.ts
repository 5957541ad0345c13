/** sync/faults.ts: a child process with TONGBAN_FAULTS set dies by SIGKILL exactly at the named point. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../base/errors.js';
import { FAULT_POINTS, parseFaults, seededRandom } from '../faults.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tongban-faults-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The child passes the point `passes` times, printing before each pass.
const script = join(dir, 'child.ts');
writeFileSync(
  script,
  `import { faultPoint } from ${JSON.stringify(pathToFileURL(join(ROOT, 'sync/faults.ts')).href)};
const [point, passes] = [process.argv[2], Number(process.argv[3] ?? 1)];
for (let i = 1; i <= passes; i++) {
  process.stdout.write('pass ' + i + '\\n');
  faultPoint(point);
}
process.stdout.write('survived\\n');
`,
);

interface Run { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }
function run(point: string, env: Record<string, string | undefined>, passes = 1): Promise<Run> {
  return new Promise((resolve, reject) => {
    const childEnv = { ...process.env, TONGBAN_FAULTS: undefined, TONGBAN_FAULTS_SEED: undefined, ...env };
    const child = spawn(process.execPath, ['--import', 'tsx', script, point, String(passes)], { cwd: ROOT, env: childEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe('faultPoint in a child process', () => {
  it('probability 1: dies by SIGKILL at the point, saying which, before going on', async () => {
    const r = await run('kiosk.midBatch', { TONGBAN_FAULTS: 'endpoint.afterCommit=0,kiosk.midBatch=1' });
    expect(r.signal).toBe('SIGKILL');
    expect(r.stdout).toBe('pass 1\n');
    expect(r.stderr).toBe('tongban fault: kiosk.midBatch\n');
  });

  it('unset, probability 0, or another point named: never dies', async () => {
    const runs = await Promise.all([
      run('kiosk.midBatch', {}, 50),
      run('kiosk.midBatch', { TONGBAN_FAULTS: 'kiosk.midBatch=0' }, 50),
      run('kiosk.midBatch', { TONGBAN_FAULTS: 'kiosk.midChunk=1,endpoint.afterCommit=1' }, 50),
    ]);
    for (const r of runs) {
      expect({ code: r.code, signal: r.signal, stderr: r.stderr }).toEqual({ code: 0, signal: null, stderr: '' });
      expect(r.stdout).toContain('pass 50\nsurvived\n');
    }
  });

  it('name@n: dies the nth time the point is passed', async () => {
    const r = await run('endpoint.midChunk', { TONGBAN_FAULTS: 'endpoint.midChunk@3' }, 10);
    expect(r.signal).toBe('SIGKILL');
    expect(r.stdout).toBe('pass 1\npass 2\npass 3\n');
  });

  it('a seed makes the probabilistic decisions replayable', async () => {
    const env = { TONGBAN_FAULTS: 'kiosk.afterAckCommit=0.1', TONGBAN_FAULTS_SEED: '20261121' };
    const [a, b] = await Promise.all([run('kiosk.afterAckCommit', env, 500), run('kiosk.afterAckCommit', env, 500)]);
    expect(a.signal).toBe('SIGKILL');
    expect(a.stdout).toBe(b.stdout);
    // The same point in the same process, drawn from the same PRNG: the pass it died at is predictable.
    const random = seededRandom(20261121);
    let n = 1;
    while (!(random() < 0.1)) n++;
    expect(a.stdout.trim().split('\n').pop()).toBe(`pass ${n}`);
  });

  it('a malformed TONGBAN_FAULTS is an error, not silently ignored', async () => {
    const r = await run('kiosk.midBatch', { TONGBAN_FAULTS: 'kiosk.midBach=1' });
    expect(r.signal).toBeNull();
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('unknown fault point "kiosk.midBach"');
  });
});

describe('parseFaults', () => {
  it('reads probabilities and nth passes', () => {
    expect(parseFaults(' endpoint.afterCommit=0.2, kiosk.midChunk=1 ,kiosk.midBatch@2,')).toEqual(
      new Map<string, unknown>([
        ['endpoint.afterCommit', { probability: 0.2 }],
        ['kiosk.midChunk', { probability: 1 }],
        ['kiosk.midBatch', { nth: 2 }],
      ]),
    );
    expect(parseFaults('').size).toBe(0);
  });

  it.each(['kiosk.midChunk', 'kiosk.midChunk=2', 'kiosk.midChunk=-0.1', 'kiosk.midChunk=abc', 'kiosk.midChunk@0', 'nope=1', '=1', 'kiosk.midChunk=0.1=0.2'])(
    'refuses %j',
    (spec) => {
      expect(() => parseFaults(spec)).toThrow(UsageError);
    },
  );

  it('knows the points of the contract', () => {
    expect(FAULT_POINTS).toEqual([
      'endpoint.afterCommit',
      'endpoint.midChunk',
      'endpoint.afterEventsSent',
      'kiosk.afterAckCommit',
      'kiosk.midChunk',
      'kiosk.afterEventsCommit',
      'kiosk.midBatch',
    ]);
  });
});
