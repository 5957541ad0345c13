import { mkdtempSync, readFileSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tongban, tongbanDaemon } from './helpers/cli.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

describe('tongban CLI conventions', () => {
  it('--version prints the package version', () => {
    const r = tongban(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`tongban ${pkg.version}\n`);
  });

  it('--help lists the commands and the exit codes', () => {
    const r = tongban(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: tongban <command>/);
    expect(r.stdout).toMatch(/\n {2}start {2}/);
    expect(r.stdout).toContain('3 a device or environment failure');
  });

  it('with no command prints the help on stderr and exits 2', () => {
    const r = tongban([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('Commands:');
  });

  it('an unknown command is bad usage: exit 2 and one line on stderr', () => {
    const r = tongban(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('tongban: unknown command "frobnicate" (try: tongban --help)\n');
  });

  it('an unknown option is bad usage: exit 2 and one line on stderr', () => {
    const r = tongban(['start', '--colour']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^tongban: Unknown option '--colour'.*tongban start --help/);
  });

  it('a malformed value is bad usage', () => {
    const r = tongban(['start', '--port', 'eighty']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('tongban: --port takes a whole number, not "eighty"\n');
  });

  it('subcommand help goes to stdout', () => {
    const r = tongban(['start', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: tongban start [--data DIR]');
    expect(r.stdout).toContain('--port PORT');
  });
});

describe('tongban start', () => {
  it('serves the local API on loopback, writes its runtime file, and stops cleanly on SIGTERM', async () => {
    const data = mkdtempSync(join(tmpdir(), 'tongban-start-'));
    const d = await tongbanDaemon(['start', '--data', data, '--port', '0'], /ready: (http:\/\/127\.0\.0\.1:(\d+)\/)/);
    const url = d.match[1]!;
    const res = await fetch(new URL('api/health', url));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', version: pkg.version, pid: d.child.pid });
    expect((await fetch(new URL('api/nowhere', url))).status).toBe(404);
    const runtime = JSON.parse(readFileSync(join(data, 'agent.json'), 'utf8')) as { url: string; pid: number };
    expect(runtime).toMatchObject({ url, pid: d.child.pid });
    expect(statSync(data).mode & 0o777).toBe(0o700);

    // A second agent on the same data directory is refused: environment failure.
    const second = tongban(['start', '--data', data, '--port', '0']);
    expect(second.code).toBe(3);
    expect(second.stderr).toBe(`tongban: another agent (pid ${d.child.pid}) is already running on ${data}\n`);

    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
    expect(existsSync(join(data, 'agent.json'))).toBe(false);
    expect(existsSync(join(data, 'agent.lock'))).toBe(false);
    const logLines = readFileSync(join(data, 'logs', 'agent.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    // The agent's own lifecycle lines, in order (the store, keys and devices log their own).
    expect(logLines.filter((l) => l.component === 'agent').map((l) => l.msg)).toEqual(['agent ready', 'agent stopping', 'agent stopped']);
  });

  it('takes over the lock of an agent that died without releasing it', async () => {
    const data = mkdtempSync(join(tmpdir(), 'tongban-stale-'));
    const d1 = await tongbanDaemon(['start', '--data', data, '--port', '0'], /ready: /);
    d1.child.kill('SIGKILL');
    await d1.exited;
    expect(existsSync(join(data, 'agent.lock'))).toBe(true);
    const d2 = await tongbanDaemon(['start', '--data', data, '--port', '0'], /ready: /);
    d2.child.kill('SIGINT');
    expect(await d2.exited).toBe(0);
  });

  it('a data directory that cannot be used is an environment failure, in one line', () => {
    const base = mkdtempSync(join(tmpdir(), 'tongban-bad-'));
    const file = join(base, 'not-a-dir');
    writeFileSync(file, 'x');
    const r = tongban(['start', '--data', file, '--port', '0']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(`tongban: cannot create data directory ${file}: EEXIST\n`);
  });

  it('a port in use is an environment failure with a hint', async () => {
    const data = mkdtempSync(join(tmpdir(), 'tongban-port-'));
    const d = await tongbanDaemon(['start', '--data', data, '--port', '0'], /ready: http:\/\/127\.0\.0\.1:(\d+)\//);
    const other = mkdtempSync(join(tmpdir(), 'tongban-port2-'));
    const r = tongban(['start', '--data', other, '--port', d.match[1]!]);
    expect(r.code).toBe(3);
    // The error is the one line a person reads; the JSON lines before it are the agent's log.
    expect(r.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('{'))).toEqual([`tongban: port ${d.match[1]} on 127.0.0.1 is already in use (choose another with --port)`]);
    expect(existsSync(join(other, 'agent.lock'))).toBe(false);
    d.child.kill('SIGTERM');
    await d.exited;
  });
});
