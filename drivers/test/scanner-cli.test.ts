/** `tongban scan` and `tongban sim scanner`, the real executable (run `npm run build` first). */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, ROOT, tongban, tongbanDaemon } from '../../test/helpers/cli.js';

const children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

const linkPath = (): string => join(mkdtempSync(join(tmpdir(), 'tongban-scancli-')), 'tty');

/** Starts `tongban scan ...` and resolves once it says it is reading. */
async function startScan(args: string[]): Promise<{ child: ChildProcessWithoutNullStreams; out: () => string; err: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [BIN, 'scan', ...args], { cwd: ROOT, env: { ...process.env, TONGBAN_DEBUG: '' } });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const end = Date.now() + 15_000;
  while (!err.includes('tongban scan: reading') && child.exitCode === null && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  if (!err.includes('tongban scan: reading')) throw new Error(`scan did not start: ${err}`);
  return { child, out: () => out, err: () => err, exited };
}

async function startSim(link: string, extra: string[] = []) {
  const sim = await tongbanDaemon(['sim', 'scanner', '--link', link, '--baud', '115200', ...extra], /scanner simulator ready/);
  children.push(sim.child);
  return sim;
}

describe('tongban sim scanner + tongban scan', () => {
  it('codes typed into the simulator come out of scan as JSON lines; --count ends it with 0', async () => {
    const link = linkPath();
    const sim = await startSim(link);
    const scan = await startScan(['--port', link, '--count', '2']);
    sim.child.stdin.write('6901234567892\n\nhttps://wst.ahzwfw.gov.cn/q?c=皖事通-办件-42\n');
    expect(await scan.exited).toBe(0);
    const lines = scan.out().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.text)).toEqual(['6901234567892', 'https://wst.ahzwfw.gov.cn/q?c=皖事通-办件-42']);
    for (const l of lines) {
      expect(l.source).toBe(`serial ${link} @9600`);
      expect(Number.isNaN(Date.parse(String(l.at)))).toBe(false);
    }
    sim.child.kill('SIGINT');
    expect(await sim.exited).toBe(0);
    expect(sim.stdout()).toContain('scanned: 6901234567892');
  });

  it('crlf suffix and GB18030 text, garbage reported on stderr; SIGINT stops scan with 0', async () => {
    const link = linkPath();
    const sim = await startSim(link, ['--suffix', 'crlf', '--encoding', 'gb18030']);
    const scan = await startScan(['--port', link, '--suffix', 'crlf', '--max-length', '32']);
    sim.child.stdin.write(`${'X'.repeat(40)}\n安徽省政务服务网\n`);
    const end = Date.now() + 10_000;
    while (!scan.out().includes('\n') && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    scan.child.kill('SIGINT');
    expect(await scan.exited).toBe(0);
    expect(JSON.parse(scan.out().trim()).text).toBe('安徽省政务服务网');
    expect(scan.err()).toContain('scanner.overlong');
  });

  it('says when the scanner is pulled and when it is back, and not "back" when it first opens', async () => {
    const link = linkPath();
    const sim = await startSim(link);
    const scan = await startScan(['--port', link, '--count', '1']);
    expect(scan.err()).not.toContain('back online');
    sim.child.stdin.write('!unplug\n');
    const until = async (text: string) => {
      const end = Date.now() + 10_000;
      while (!scan.err().includes(text) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      expect(scan.err()).toContain(text);
    };
    await until('waiting for it to come back');
    sim.child.stdin.write('!plug\n');
    await until('scanner back online');
    sim.child.stdin.write('after-replug\n');
    expect(await scan.exited).toBe(0);
    expect(JSON.parse(scan.out().trim()).text).toBe('after-replug');
  });

  it('a port that does not exist: exit 3 and a clear message', () => {
    const r = tongban(['scan', '--port', '/dev/tongban-no-such-scanner']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/no serial port at \/dev\/tongban-no-such-scanner/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a HID device that is not there: exit 3 and a clear message', () => {
    const r = tongban(['scan', '--hid', '0c2e:0b61']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/no HID device 0c2e:0b61 found|node-hid cannot be loaded/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('bad usage: exit 2 with one line', () => {
    for (const args of [
      ['scan'],
      ['scan', '--port', '/dev/x', '--hid', '0c2e:0b61'],
      ['scan', '--port', '/dev/x', '--suffix', 'tab'],
      ['scan', '--hid', 'honeywell'],
      ['scan', '--hid', '05e0:1200'],
      ['scan', '--hid', '0c2e:0b61', '--layout', 'zebra'],
      ['scan', '--port', '/dev/x', '--count', '0'],
      ['sim', 'scanner'],
      ['sim', 'scanner', '--link', '/tmp/x', '--suffix', 'nul'],
    ]) {
      const r = tongban(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });

  it('help explains that stdin lines are scanned', () => {
    const r = tongban(['sim', 'scanner', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Every line read from stdin is "scanned"/);
  });
});
