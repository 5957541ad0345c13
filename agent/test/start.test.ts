import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { tongban, tongbanDaemon } from '../../test/helpers/cli.js';

const READY = /ready: (http:\/\/127\.0\.0\.1:(\d+)\/)/;

/** Pids of the child processes of `pid` (from /proc). */
function childrenOf(pid: number): { pid: number; cmdline: string }[] {
  const out: { pid: number; cmdline: string }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push({ pid: Number(name), cmdline: readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ') });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** stderr without the agent's JSON log lines: what a person reads. */
function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l !== '' && !l.startsWith('{'));
}

async function until<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('tongban start: configuration', () => {
  it('refuses a configuration with a mistake, naming the key path (exit 2)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tongban-start-config-'));
    const config = join(dir, 'kiosk.json');
    writeFileSync(config, JSON.stringify({ demo: { enabled: false }, devices: [{ id: 'r', kind: 'receipt', transport: { type: 'tcp', host: 'printer', port: 'x' } }] }));
    const r = tongban(['start', '--config', config, '--data', join(dir, 'data'), '--port', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`tongban: configuration ${config}: devices[0].transport.port must be a number, not a string\n`);
    const missing = tongban(['start', '--config', join(dir, 'nope.json'), '--data', join(dir, 'data')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^tongban: cannot read configuration .*nope\.json: ENOENT\n$/);
  });

  it('runs without devices when the configuration says so (no simulators, no demo routes)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tongban-start-nodev-'));
    const config = join(dir, 'kiosk.json');
    writeFileSync(config, JSON.stringify({ demo: { enabled: false }, api: { port: 0 } }));
    const data = join(dir, 'data');
    const d = await tongbanDaemon(['start', '--config', config, '--data', data], READY);
    try {
      const url = d.match[1]!;
      const token = readFileSync(join(data, 'api-token'), 'utf8').trim();
      const auth = { headers: { authorization: `Bearer ${token}` } };
      expect(await (await fetch(new URL('api/health', url))).json()).toMatchObject({ demo: false });
      expect(await (await fetch(new URL('api/devices', url), auth)).json()).toEqual({ devices: [] });
      expect((await fetch(new URL('api/demo', url), auth)).status).toBe(404);
      expect(childrenOf(d.child.pid!)).toEqual([]);
    } finally {
      d.child.kill('SIGTERM');
      expect(await d.exited).toBe(0);
    }
  });
});

describe('tongban start: the data directory', () => {
  it('refuses a damaged store with a clear message and leaves it alone (exit 3)', () => {
    const data = mkdtempSync(join(tmpdir(), 'tongban-start-corrupt-'));
    const junk = Buffer.alloc(8192, 0x5a);
    writeFileSync(join(data, 'store.db'), junk);
    const r = tongban(['start', '--data', data, '--port', '0']);
    expect(r.code).toBe(3);
    expect(errorLines(r.stderr)).toEqual([expect.stringMatching(/^tongban: .*store\.db is not a SQLite database .*left untouched$/)]);
    expect(readFileSync(join(data, 'store.db'))).toEqual(junk);
  });

  it("refuses another program's SQLite database (exit 3)", () => {
    const data = mkdtempSync(join(tmpdir(), 'tongban-start-foreign-'));
    const db = new Database(join(data, 'store.db'));
    db.exec('CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT); PRAGMA application_id = 1234; PRAGMA user_version = 7;');
    db.close();
    const r = tongban(['start', '--data', data, '--port', '0']);
    expect(r.code).toBe(3);
    expect(errorLines(r.stderr)).toEqual([expect.stringMatching(/^tongban: .*store\.db/)]);
  });
});

describe('tongban start: a device that crashes does not take the agent down', () => {
  it('the ID card simulator killed with SIGKILL: the reader shows not online, the API keeps answering, SIGTERM still exits 0', async () => {
    const data = mkdtempSync(join(tmpdir(), 'tongban-start-crash-'));
    const d = await tongbanDaemon(['start', '--data', data, '--port', '0'], READY);
    const url = d.match[1]!;
    const token = readFileSync(join(data, 'api-token'), 'utf8').trim();
    const auth = { headers: { authorization: `Bearer ${token}` } };
    const socat = childrenOf(d.child.pid!).find((c) => c.cmdline.includes(join(data, 'run', 'idcard')));
    expect(socat).toBeDefined();
    process.kill(socat!.pid, 'SIGKILL');
    const health = await until(async () => {
      const h = (await (await fetch(new URL('api/devices/idcard', url), auth)).json()) as { state: string };
      return h.state === 'online' ? undefined : h;
    });
    expect(['offline', 'unplugged', 'error']).toContain(health.state);
    expect((await fetch(new URL('api/health', url))).status).toBe(200);
    expect(((await (await fetch(new URL('api/devices/receipt', url), auth)).json()) as { state: string }).state).toBe('online');
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
  });
});
