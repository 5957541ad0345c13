/** README.md is the newcomer's door: keep what it says true. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCommandTree, type Command } from '../base/cli.js';
import { program } from '../agent/cli/main.js';
import { BIN, ROOT } from './helpers/cli.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

function commandPaths(cmd: Command, prefix: string[] = []): string[] {
  const here = [...prefix, cmd.name];
  return [here.join(' '), ...(cmd.subcommands ?? []).flatMap((c) => commandPaths(c, here))];
}

describe('README', () => {
  it('shows the two quick-start commands, and package.json backs them', () => {
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm test');
    expect(pkg.scripts.start).toBe('node bin/tongban.js start');
    expect(pkg.scripts.test).toContain('vitest run');
  });

  it('names only commands that exist, and every command that exists', async () => {
    const known = commandPaths(await loadCommandTree(program().root));
    const named = [...readme.matchAll(/^\| `(tongban(?: [a-z][a-z-]*)*)/gm)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThan(0);
    for (const n of named) expect(known, `README names "${n}"`).toContain(n);
    for (const k of known.filter((k) => k !== 'tongban')) {
      expect(named.some((n) => n === k), `README misses "${k}"`).toBe(true);
    }
  });

  it('names only npm scripts that exist', () => {
    for (const m of readme.matchAll(/npm run ([a-z:-]+)/g)) expect(Object.keys(pkg.scripts)).toContain(m[1]);
  });
});

describe('lazy commands', () => {
  it('show the same summary in their group as in their own help', async () => {
    async function check(cmd: Command, path: string): Promise<void> {
      for (const sub of cmd.subcommands ?? []) {
        const here = `${path} ${sub.name}`;
        const loaded = sub.load ? await sub.load() : sub;
        expect(loaded.summary, here).toBe(sub.summary);
        await check(loaded, here);
      }
    }
    await check(program().root, 'tongban');
  });
});

describe('README walkthrough', () => {
  it('"Issue and verify a sealed certificate" runs as written, ending in a valid, trusted PDF', () => {
    const section = readme.split('### Issue and verify a sealed certificate')[1]!;
    const script = section.split('```sh\n')[1]!.split('```')[0]!;
    const dir = mkdtempSync(join(tmpdir(), 'tongban-readme-'));
    const r = spawnSync('bash', ['-euo', 'pipefail', '-c', script.replaceAll('npx tongban', `node ${JSON.stringify(BIN)}`)], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('Verdict: VALID');
  });
});
