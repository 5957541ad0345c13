/**
 * `tongban start` where Electron is installed hands over to the Electron shell. No Electron binary exists
 * on these machines, so the process tests name a small script as the binary ($TONGBAN_ELECTRON) that
 * records what it was given; the decision itself is plain functions, tested directly.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hasDisplay, installedElectron, planHandover } from '../electron/handover.js';
import { ROOT, tongban, tongbanDaemon } from '../../test/helpers/cli.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'tongban-handover-'));
  dirs.push(d);
  return d;
}

const MAIN_JS = join(ROOT, 'dist', 'agent', 'electron', 'main.js');

/** A stand-in Electron binary: writes its arguments to `record`, exits with `code`, or waits for SIGTERM. */
function fakeElectron(dir: string, behaviour: { code: number } | 'wait-for-term'): { binary: string; record: string } {
  const binary = join(dir, 'electron');
  const record = join(dir, 'args.txt');
  const tail = behaviour === 'wait-for-term' ? `trap 'echo term >> "${record}"; exit 0' TERM\nwhile :; do sleep 0.05; done` : `exit ${behaviour.code}`;
  writeFileSync(binary, `#!/bin/sh\nprintf '%s\\n' "$@" > "${record}"\necho started >> "${record}"\n${tail}\n`);
  chmodSync(binary, 0o755);
  return { binary, record };
}

describe('the hand-over decision', () => {
  const base = { env: { DISPLAY: ':0' }, platform: 'linux' as const, mainJs: MAIN_JS, otherOptions: [], declined: false };

  it('nothing to say where Electron is not installed, or when declined (--browser, --no-electron)', () => {
    expect(planHandover({ ...base, binary: undefined })).toBeUndefined();
    expect(planHandover({ ...base, binary: '/usr/bin/true', declined: true })).toBeUndefined();
  });

  it('hands over with only --data and --config, which the shell takes', () => {
    expect(planHandover({ ...base, binary: '/usr/bin/true', dataDir: '/d', configFile: '/c.json' })).toEqual({ binary: '/usr/bin/true', args: [MAIN_JS, '--data', '/d', '--config', '/c.json'] });
    expect(planHandover({ ...base, binary: '/usr/bin/true' })).toEqual({ binary: '/usr/bin/true', args: [MAIN_JS] });
  });

  it('says why not: no display, options the window does not take, the entry not built', () => {
    expect(planHandover({ ...base, env: {}, binary: '/usr/bin/true' })).toEqual({ reason: expect.stringMatching(/no display/) });
    expect(planHandover({ ...base, binary: '/usr/bin/true', otherOptions: ['port', 'endpoint'] })).toEqual({ reason: expect.stringMatching(/--port, --endpoint/) });
    expect(planHandover({ ...base, binary: '/usr/bin/true', mainJs: '/nowhere/main.js' })).toEqual({ reason: expect.stringMatching(/not built/) });
  });

  it('a display: DISPLAY or WAYLAND_DISPLAY on Linux; always elsewhere', () => {
    expect(hasDisplay({}, 'linux')).toBe(false);
    expect(hasDisplay({ WAYLAND_DISPLAY: 'wayland-0' }, 'linux')).toBe(true);
    expect(hasDisplay({}, 'win32')).toBe(true);
  });

  it('finds the binary: $TONGBAN_ELECTRON, else the npm package export under node (a path), else none', () => {
    const d = tempDir();
    const bin = join(d, 'electron-bin');
    writeFileSync(bin, '');
    expect(installedElectron({ TONGBAN_ELECTRON: bin })).toBe(bin);
    expect(installedElectron({ TONGBAN_ELECTRON: join(d, 'missing') })).toBeUndefined();
    expect(installedElectron({}, () => bin)).toBe(bin);
    expect(installedElectron({}, () => join(d, 'missing'))).toBeUndefined();
    expect(
      installedElectron({}, () => {
        throw new Error('Electron failed to install correctly');
      }),
    ).toBeUndefined();
    // Here: the optional package (or its binary) is absent.
    expect(installedElectron({})).toBeUndefined();
  });
});

describe('tongban start with Electron installed', () => {
  it('runs the shell with --data and --config, and exits with its code', () => {
    expect(existsSync(MAIN_JS), 'run `npm run build` first').toBe(true);
    const d = tempDir();
    const { binary, record } = fakeElectron(d, { code: 2 });
    const config = join(d, 'kiosk.json');
    writeFileSync(config, '{}');
    const r = tongban(['start', '--data', join(d, 'data'), '--config', config], { env: { TONGBAN_ELECTRON: binary, DISPLAY: ':42' } });
    expect(r.stdout).toMatch(/the agent runs inside the kiosk window/);
    expect(r.code).toBe(2);
    expect(readFileSync(record, 'utf8').trim().split('\n')).toEqual([MAIN_JS, '--data', join(d, 'data'), '--config', config, 'started']);
    // The agent did not start in node: no data directory was made.
    expect(existsSync(join(d, 'data'))).toBe(false);
  });

  it('passes a stop signal on to the shell, and ends with it', async () => {
    const d = tempDir();
    const { binary, record } = fakeElectron(d, 'wait-for-term');
    const run = await tongbanDaemon(['start', '--data', join(d, 'data')], /inside the kiosk window/, { env: { TONGBAN_ELECTRON: binary, DISPLAY: ':42' } });
    for (let i = 0; i < 100 && !existsSync(record); i++) await new Promise((r) => setTimeout(r, 50));
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(readFileSync(record, 'utf8')).toMatch(/started\nterm\n$/);
  });

  it('with --port (which the window does not take) it stays in node and says why', async () => {
    const d = tempDir();
    const { binary, record } = fakeElectron(d, { code: 0 });
    const run = await tongbanDaemon(['start', '--data', join(d, 'data'), '--port', '0'], /自助终端页面: /, { env: { TONGBAN_ELECTRON: binary, DISPLAY: ':42' } });
    expect(run.stdout()).toMatch(/takes only --data and --config \(given: --port\)/);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(existsSync(record)).toBe(false);
  }, 30_000);
});
