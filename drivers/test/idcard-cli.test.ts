/** The real `tongban` executable (run `npm run build` first): id read, id watch and sim idcard. */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, tongban, tongbanDaemon } from '../../test/helpers/cli.js';
import { seededBytes } from '../sim/idcard-sim.js';

type Daemon = Awaited<ReturnType<typeof tongbanDaemon>>;
let sim: Daemon;
let port: string;

async function until(read: () => string, re: RegExp, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (re.test(read())) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`never saw ${what}: ${read()}`);
}

/** Sends a stdin command to the simulator and waits for its confirmation. */
async function simSay(line: string): Promise<void> {
  const before = (sim.stdout().match(/"type":"ok"/g) ?? []).length;
  sim.child.stdin.write(line + '\n');
  await until(() => String((sim.stdout().match(/"type":"ok"/g) ?? []).length), new RegExp(`^${before + 1}$`), `confirmation of ${line}`);
}

/** Runs tongban asynchronously (the simulator is another process, but keep the test's loop free). */
function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, TONGBAN_DEBUG: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  port = join(mkdtempSync(join(tmpdir(), 'tongban-idcli-')), 'tty');
  sim = await tongbanDaemon(['sim', 'idcard', '--link', port, '--card', 'resident-longterm.json'], /idcard simulator ready: (\S+)/);
  expect(sim.match[1]).toBe(port);
});

afterAll(async () => {
  sim.child.kill('SIGTERM');
  expect(await sim.exited).toBe(0);
});

describe('tongban id read / watch against tongban sim idcard', () => {
  it('id read --json prints every field, the photo as base64', async () => {
    const r = await run(['id', 'read', '--port', port, '--json', '--timeout', '3000']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const card = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(card).toMatchObject({
      cardType: 'resident', name: '张示例', sex: '男', sexCode: '1', nation: '汉', nationCode: '01', birthDate: '1990-03-07',
      idNumber: '11010119900307002X', issuer: '北京市公安局东城分局', validFrom: '2015-06-01', validTo: '长期',
    });
    expect(Buffer.from(card.photo as string, 'base64')).toEqual(Buffer.from(seededBytes('resident-longterm', 1024)));
    expect(sim.stdout()).toContain('"command":"read"');
  });

  it('id read without --json prints the card for the operator; other card types show their fields', async () => {
    await simSay('insert foreigner-i.json');
    const r = await run(['id', 'read', '--port', port, '--timeout', '3000']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('外国人永久居留身份证');
    expect(r.stdout).toContain('SAMPLE, MAXIMILIAN EXAMPLE');
    expect(r.stdout).toContain('CAN310060010201');
    await simSay('insert gat-j.json');
    const j = JSON.parse((await run(['id', 'read', '--port', port, '--json'])).stdout) as Record<string, unknown>;
    expect(j).toMatchObject({ cardType: 'gat', passNumber: 'H00000000', issueCount: '01' });
  });

  it('no card within the timeout: exit 3, one clear line', async () => {
    await simSay('remove');
    const r = await run(['id', 'read', '--port', port, '--timeout', '300']);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n').filter((l) => !l.startsWith('请放置'))).toEqual([expect.stringMatching(/^tongban: .*no card was placed on the reader within 300 ms/)]);
  });

  it('a corrupt reply: exit 3, one clear line, no stack trace', async () => {
    await simSay('insert');
    await simSay('fault badChecksum');
    const r = await run(['id', 'read', '--port', port, '--timeout', '2000']);
    await simSay('clear');
    expect(r.code).toBe(3);
    const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('请放置'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/garbled replies/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('an SW3 failure is reported with its meaning: exit 3', async () => {
    await simSay('fault sw3 read 41 1');
    const r = await run(['id', 'read', '--port', port, '--timeout', '2000']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/读卡操作失败 \/ reading the card failed \(SW3 41/);
  });

  it('a port that does not exist: exit 3; bad options: exit 2', async () => {
    const r = tongban(['id', 'read', '--port', join(tmpdir(), 'no-such-tongban-port')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/does not exist/);
    expect(tongban(['id', 'read']).code).toBe(2);
    expect(tongban(['id', 'read', '--port', port, '--timeout', 'soon']).code).toBe(2);
    expect(tongban(['sim', 'idcard', '--link', join(tmpdir(), 'x'), '--card', 'no-such-card.json']).code).toBe(2);
  });

  it('id watch prints one JSON line per event until SIGINT', async () => {
    const child = spawn(process.execPath, [BIN, 'id', 'watch', '--port', port, '--interval', '20'], { cwd: ROOT });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await until(() => out, /"type":"card-read"/, 'card-read');
    await simSay('remove');
    await until(() => out, /"type":"card-removed"/, 'card-removed');
    await simSay('unplug');
    await until(() => out, /"state":"unplugged"/, 'unplugged');
    await simSay('plug');
    await until(() => out, /"state":"online"[^\n]*\n(?:.*\n)*.*"state":"online"/, 'online again');
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    const events = out.trim().split('\n').map((l) => JSON.parse(l) as { type: string; state?: string; card?: { cardType: string } });
    expect(events.map((e) => (e.type === 'status' ? `status:${e.state}` : e.type))).toEqual([
      'status:online',
      'card-inserted',
      'card-read',
      'card-removed',
      'status:unplugged',
      'status:online',
    ]);
    expect(events[2]!.card!.cardType).toBe('resident');
  });
});
