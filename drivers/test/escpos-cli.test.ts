/** `tongban print receipt` and `tongban sim printer`, both as the real executable (run `npm run build` first). */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tongban, tongbanDaemon } from '../../test/helpers/cli.js';

let dir: string;
let link: string;
let tcpPort: string;
let sim: Awaited<ReturnType<typeof tongbanDaemon>>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tongban-escpos-cli-'));
  sim = await tongbanDaemon(['sim', 'printer', '--link', join(dir, 'tty'), '--out', join(dir, 'out'), '--tcp', '0'], /printer simulator ready: (\S+) tcp 127\.0\.0\.1:(\d+)/);
  link = sim.match[1]!;
  tcpPort = sim.match[2]!;
});

afterAll(async () => {
  sim.child.kill('SIGTERM');
  expect(await sim.exited).toBe(0);
});

function file(name: string, value: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof value === 'string' ? value : JSON.stringify(value));
  return p;
}

async function simSays(re: RegExp): Promise<RegExpMatchArray> {
  for (;;) {
    const m = sim.stdout().match(re);
    if (m) return m;
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function simDo(command: string): Promise<void> {
  const before = sim.stdout().length;
  sim.child.stdin.write(command + '\n');
  for (;;) {
    if (sim.stdout().slice(before).includes(`"msg":"${command}"`)) return;
    await new Promise((r) => setTimeout(r, 10));
  }
}

const receipt = { title: '受理回执', lines: ['申请人：李四', '事项：社保卡补办'], qr: 'https://zwfw.example.gov.cn/q?id=42', footer: '谢谢' };

describe('tongban print receipt → tongban sim printer', () => {
  it('prints over --port, --device and --tcp; the simulator writes what it decoded', async () => {
    const r = tongban(['print', 'receipt', '--port', link, '--in', file('r.json', receipt), '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ printed: true, transport: `serial ${link} @115200`, width: 58, paper: 'ok', cover: 'closed' });
    const line = JSON.parse((await simSays(/^\{"type":"receipt","n":1,.*$/m))[0]) as { title: string; qr: string[]; cut: string; file: string };
    expect(line).toMatchObject({ title: '受理回执', qr: ['https://zwfw.example.gov.cn/q?id=42'], cut: 'full' });
    const text = readFileSync(line.file, 'utf8');
    expect(text).toContain('申请人：李四');
    expect(text).toContain('[QR: https://zwfw.example.gov.cn/q?id=42]');
    expect(JSON.parse(readFileSync(line.file.replace(/\.txt$/, '.json'), 'utf8'))).toMatchObject({ qr: ['https://zwfw.example.gov.cn/q?id=42'], cut: 'full' });

    const d = tongban(['print', 'receipt', '--device', link, '--in', file('r.json', receipt), '--width', '80']);
    expect(d.stderr).toBe('');
    expect(d.stdout).toMatch(/^printed receipt "受理回执" on device /);
    await simSays(/"n":2,/);
    const t = tongban(['print', 'receipt', '--tcp', `127.0.0.1:${tcpPort}`, '--in', file('r.json', receipt)]);
    expect(t.stderr).toBe('');
    expect(t.code).toBe(0);
    await simSays(/"n":3,/);
  });

  it('paper out and cover open: exit 3 with the reason in Chinese and English', async () => {
    await simDo('paper out');
    const r = tongban(['print', 'receipt', '--port', link, '--in', file('r.json', receipt)]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^tongban: receipt not printed: 缺纸 \/ printer is out of paper\n$/);
    await simDo('paper ok');
    await simDo('cover open');
    const c = tongban(['print', 'receipt', '--port', link, '--in', file('r.json', receipt)]);
    expect(c.code).toBe(3);
    expect(c.stderr).toMatch(/纸仓盖打开 \/ printer cover is open/);
    await simDo('cover closed');
    await simDo('offline');
    const o = tongban(['print', 'receipt', '--port', link, '--in', file('r.json', receipt), '--timeout', '200']);
    expect(o.code).toBe(3);
    expect(o.stderr).toMatch(/打印机无应答.*does not answer/);
    await simDo('online');
  });

  it('paper running out mid-receipt: exit 3, and the simulator reports the torn-off part', async () => {
    await simDo('runout 2');
    const r = tongban(['print', 'receipt', '--port', link, '--in', file('r.json', receipt)]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/缺纸 \/ printer is out of paper \(after the job: it may be incomplete\)/);
    await simSays(/"lines":2,"qr":\[\],"cut":"none"/);
    await simDo('paper ok');
  });

  it('--queue keeps a refused receipt and prints it first on the next run', async () => {
    const queue = join(dir, 'queue');
    await simDo('paper out');
    const r = tongban(['print', 'receipt', '--port', link, '--queue', queue, '--in', file('q1.json', { title: '排队一', lines: [] })]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/缺纸.*kept as job [0-9a-f-]+ in /);
    await simDo('paper ok');
    const before = (sim.stdout().match(/"type":"receipt"/g) ?? []).length;
    const ok = tongban(['print', 'receipt', '--port', link, '--queue', queue, '--in', file('q2.json', { title: '排队二', lines: [] }), '--json']);
    expect(ok.code).toBe(0);
    await simSays(new RegExp(`"n":${before + 2},`));
    const titles = [...sim.stdout().matchAll(/"type":"receipt","n":\d+,"title":"([^"]*)"/g)].map((m) => m[1]);
    expect(titles.slice(-2)).toEqual(['排队一', '排队二']);
  });

  it('bad input: exit 2 naming the field; bad usage: exit 2', () => {
    const bad = tongban(['print', 'receipt', '--port', link, '--in', file('bad.json', { title: '回执', lines: ['a', 3] })]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/"lines\[1\]" must be a string/);
    const syntax = tongban(['print', 'receipt', '--port', link, '--in', file('syntax.json', '{"title": ')]);
    expect(syntax.code).toBe(2);
    expect(syntax.stderr).toMatch(/is not valid JSON/);
    const missing = tongban(['print', 'receipt', '--port', link, '--in', join(dir, 'nope.json')]);
    expect(missing.code).toBe(2);
    const two = tongban(['print', 'receipt', '--port', link, '--tcp', 'x:1', '--in', file('r.json', receipt)]);
    expect(two.code).toBe(2);
    expect(two.stderr).toMatch(/exactly one of --port/);
    const width = tongban(['print', 'receipt', '--port', link, '--width', '76', '--in', file('r.json', receipt)]);
    expect(width.code).toBe(2);
    const noPort = tongban(['print', 'receipt', '--port', join(dir, 'ttyNone'), '--in', file('r.json', receipt)]);
    expect(noPort.code).toBe(3);
    expect(noPort.stderr).toMatch(/does not exist/);
    for (const x of [bad, syntax, missing, two, width, noPort]) expect(x.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });
});
