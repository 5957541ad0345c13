/**
 * A failing endpoint never takes the agent down: `tongban start --endpoint URL --enroll-token TOKEN`
 * (a child process) syncs to `tongban endpoint` (another child), which kills itself with SIGKILL
 * mid-sync: right after committing a batch, before acknowledging it (TONGBAN_FAULTS
 * endpoint.afterCommit@2). The agent keeps taking cases (every one 2xx), shows the endpoint as not
 * connected with its backlog; once the endpoint is back on its port, every case arrives exactly once,
 * with the content hash the kiosk reports, and a status set on the endpoint reaches the kiosk once.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tongban, tongbanDaemon } from '../../test/helpers/cli.js';
import { caseOf, until } from './helpers/sync.js';

type Daemon = Awaited<ReturnType<typeof tongbanDaemon>>;
const LISTENING = /listening on (ws:\/\/127\.0\.0\.1:(\d+)\/sync)/;

let dir: string;
let endpoint: Daemon | undefined;
let agent: Daemon | undefined;
let api: string;
let token: string;
const endpointData = (): string => join(dir, 'endpoint');
const data = (): string => join(dir, 'kiosk');

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(new URL(path.slice(1), api), {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: await res.json() };
}

const ITEMS = ['341600-YB-0001', '341600-GJJ-0002', '310117-SB-0005'];
async function submitMany(n: number): Promise<string[]> {
  const rs = await Promise.all(Array.from({ length: n }, (_, i) => call('POST', '/api/cases', caseOf(ITEMS[i % ITEMS.length]!))));
  for (const r of rs) expect(r.status).toBe(201);
  return rs.map((r) => r.json.case.id as string);
}
const uploadedCount = async (ids: readonly string[]): Promise<number> => {
  const list = (await call('GET', '/api/cases?limit=1000')).json.cases as { id: string; status: string }[];
  return list.filter((c) => ids.includes(c.id) && c.status === 'uploaded').length;
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tongban-sync-kill-'));
  // It kills itself with SIGKILL right after committing its second batch, before acknowledging it (sync/faults.ts).
  endpoint = await tongbanDaemon(['endpoint', '--port', '0', '--data', endpointData()], LISTENING, { env: { TONGBAN_FAULTS: 'endpoint.afterCommit@2' } });
  const enrolled = tongban(['endpoint', 'enroll', '--data', endpointData(), '--kiosk', 'hall-7']);
  expect(enrolled.code, enrolled.stderr).toBe(0);
  agent = await tongbanDaemon(['start', '--data', data(), '--port', '0', '--endpoint', endpoint.match[1]!, '--enroll-token', enrolled.stdout.trim()], /ready: (http:\/\/127\.0\.0\.1:\d+\/)/, {
    env: { TONGBAN_CONFIG: '' },
  });
  api = agent.match[1]!;
  token = readFileSync(join(data(), 'api-token'), 'utf8').trim();
});

afterAll(async () => {
  for (const d of [agent, endpoint]) {
    if (d && d.child.exitCode === null && d.child.signalCode === null) {
      d.child.kill('SIGTERM');
      await d.exited;
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('sync: the endpoint killed with SIGKILL mid-sync', () => {
  it('the agent keeps taking cases; after the endpoint restarts every case arrives once, and its events once', async () => {
    expect(agent!.match[0]).not.toContain('embedded'); // --endpoint replaces the embedded one
    const before = await submitMany(20);
    await until('the first batch uploaded', async () => ((await uploadedCount(before)) === before.length ? true : undefined));
    // the next batch: committed at the endpoint, which dies (SIGKILL) before its ack
    const during = await submitMany(40);
    expect(await endpoint!.exited).toBeNull(); // killed by a signal
    expect(endpoint!.stderr()).toContain('tongban fault: endpoint.afterCommit');
    const first = [...before, ...during];
    const port = endpoint!.match[2]!;

    // the endpoint is gone: cases are still taken (durably) and the status says so
    const second = await submitMany(30);
    const down = await until('seen as not connected', async () => {
      const s = (await call('GET', '/api/sync')).json;
      return s.endpoints[0].connected ? undefined : s;
    });
    expect(down.endpoints[0]).toMatchObject({ url: endpoint!.match[1], kioskId: 'hall-7', connected: false });
    expect(down.endpoints[0].backlog).toBeGreaterThanOrEqual(30); // the unacknowledged batch and the new cases
    expect((await call('GET', '/api/health')).status).toBe(200);

    endpoint = await tongbanDaemon(['endpoint', '--port', port, '--data', endpointData()], LISTENING);
    const all = [...first, ...second];
    await until('every case uploaded', async () => ((await uploadedCount(all)) === all.length ? true : undefined), 60_000);
    const atEndpoint = JSON.parse(tongban(['endpoint', 'cases', '--data', endpointData(), '--json']).stdout) as { id: string; contentHash: string; kioskId: string }[];
    expect(atEndpoint.map((c) => c.id).sort()).toEqual([...all].sort()); // each once, none lost, none extra
    const kiosk = (await call('GET', '/api/cases?limit=1000')).json.cases as { id: string; contentHash: string }[];
    const hashOf = new Map(kiosk.map((c) => [c.id, c.contentHash]));
    for (const c of atEndpoint) expect(c.contentHash, c.id).toBe(hashOf.get(c.id));
    const status = (await call('GET', '/api/sync')).json;
    expect(status.endpoints[0]).toMatchObject({ connected: true, backlog: 0, quarantined: 0 });

    // an event from the restarted endpoint arrives once
    const refused = tongban(['endpoint', 'set-status', '--data', endpointData(), first[0]!, 'refused', '--note', '材料不全']);
    expect(refused.code, refused.stderr).toBe(0);
    const c = await until('refused at the kiosk', async () => {
      const got = (await call('GET', `/api/cases/${first[0]}`)).json;
      return got.status === 'refused' ? got : undefined;
    });
    expect(c.history.filter((h: any) => h.to === 'refused')).toEqual([expect.objectContaining({ actor: 'endpoint', note: '材料不全' })]);
  });
});
