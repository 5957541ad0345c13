/**
 * The embedded default end to end: `tongban start` (a real child process) with no sync endpoints runs a
 * reference endpoint in-process (DATA/endpoint/) and enrols with it by itself. A submitted case arrives
 * there with the same content hash (`tongban endpoint cases --json` vs `tongban cases list --json`); a
 * clerk's status with a result PDF (`tongban endpoint set-status`) reaches the kiosk once; a catalog
 * published on the endpoint replaces the kiosk's; `tongban sync status` names the embedded endpoint.
 */
import { readFileSync, rmSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sm3Hex } from '../../certs/sm3.js';
import { tongban, tongbanDaemon } from '../../test/helpers/cli.js';
import { demoCatalogData } from '../catalog/demo-catalog.js';
import { caseOf, RESULT_PDF, until } from './helpers/sync.js';

let dir: string;
let config: string;
let daemon: Awaited<ReturnType<typeof tongbanDaemon>>;
let api: string;
let token: string;
const data = (): string => join(dir, 'data');
const endpointData = (): string => join(data(), 'endpoint');

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(new URL(path.slice(1), api), {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: await res.json() };
}
const caseStatus = async (id: string): Promise<any> => (await call('GET', `/api/cases/${id}`)).json;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tongban-sync-embedded-'));
  config = join(dir, 'kiosk.json');
  writeFileSync(config, JSON.stringify({ dataDir: 'data', demo: { enabled: false }, api: { port: 0 } }));
  daemon = await tongbanDaemon(['start', '--config', config], /ready: (http:\/\/127\.0\.0\.1:\d+\/) \(sync: embedded endpoint (ws:\/\/127\.0\.0\.1:\d+\/sync)\)/);
  api = daemon.match[1]!;
  token = readFileSync(join(data(), 'api-token'), 'utf8').trim();
});

afterAll(async () => {
  if (daemon) {
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('sync: the embedded reference endpoint of tongban start', () => {
  it('names its endpoint in agent.json and in sync status, connected and enrolled', async () => {
    const runtime = JSON.parse(readFileSync(join(data(), 'agent.json'), 'utf8'));
    expect(runtime.syncEndpoint).toBe(daemon.match[2]);
    const status = await until('connected', async () => {
      const s = (await call('GET', '/api/sync')).json;
      return s.endpoints[0]?.connected ? s : undefined;
    });
    expect(status).toMatchObject({ embedded: daemon.match[2], endpoints: [{ url: daemon.match[2], regions: '*', kioskId: 'local-kiosk' }], unrouted: [], quarantined: [] });
    const text = tongban(['sync', 'status', '--config', config]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`${daemon.match[2]} (embedded reference endpoint): connected, every region`);
  });

  it('syncs a submitted case: the endpoint holds it with the same content hash; a status with a result PDF comes back once', async () => {
    const file = join(dir, 'case.json');
    writeFileSync(file, JSON.stringify(caseOf('341600-YB-0001')));
    const submitted = tongban(['cases', 'submit', '--in', file, '--config', config]);
    expect(submitted.code, submitted.stderr).toBe(0);
    const id = submitted.stdout.trim();
    await until('uploaded', async () => ((await caseStatus(id)).status === 'uploaded' ? true : undefined));
    const kioskList = JSON.parse(tongban(['cases', 'list', '--json', '--config', config]).stdout) as { id: string; contentHash: string }[];
    const endpointList = JSON.parse(tongban(['endpoint', 'cases', '--data', endpointData(), '--json']).stdout) as { id: string; contentHash: string; kioskId: string }[];
    expect(endpointList).toEqual([expect.objectContaining({ id, kioskId: 'local-kiosk', contentHash: kioskList.find((c) => c.id === id)!.contentHash })]);

    const accepted = tongban(['endpoint', 'set-status', '--data', endpointData(), id, 'accepted']);
    expect(accepted.code, accepted.stderr).toBe(0);
    const pdf = join(dir, 'result.pdf');
    writeFileSync(pdf, RESULT_PDF);
    const completed = tongban(['endpoint', 'set-status', '--data', endpointData(), id, 'completed', '--result', pdf, '--title', '长三角异地就医备案结果']);
    expect(completed.code, completed.stderr).toBe(0);
    const done = await until('completed at the kiosk', async () => {
      const c = await caseStatus(id);
      return c.status === 'completed' ? c : undefined;
    });
    expect(done.history.map((h: any) => `${h.from}>${h.to}:${h.actor}`)).toEqual(['draft>submitted:kiosk', 'submitted>uploaded:kiosk', 'uploaded>accepted:endpoint', 'accepted>completed:endpoint']);
    expect(done.results).toEqual([expect.objectContaining({ name: '长三角异地就医备案结果', sm3: sm3Hex(RESULT_PDF) })]);
    // the result file is held by the kiosk (sealed, listed with the case's files)
    const files = (await call('GET', `/api/cases/${id}/materials`)).json;
    expect(JSON.stringify(files)).toContain(sm3Hex(RESULT_PDF));
  });

  it('a catalog published on the endpoint replaces the kiosk’s', async () => {
    const next = structuredClone(demoCatalogData) as any;
    next.version = 2;
    next.items[0].name = `${next.items[0].name}（新版）`;
    next.guides[0].name = '开证明（新版）';
    const file = join(dir, 'catalog-v2.json');
    writeFileSync(file, JSON.stringify(next));
    const set = tongban(['endpoint', 'catalog', 'set', '--data', endpointData(), '--in', file]);
    expect(set.code, set.stderr).toBe(0);
    const catalog = await until('catalog version 2 at the kiosk', async () => {
      const c = (await call('GET', '/api/catalog')).json;
      return c.version === 2 ? c : undefined;
    });
    expect(catalog.items[0].name).toBe(next.items[0].name);
    // 智能导办 pass through the endpoint as part of the catalog document
    expect(catalog.guides.map((g: any) => g.name)).toEqual(next.guides.map((g: any) => g.name));
    const listed = JSON.parse(tongban(['catalog', 'list', '--json', '--data', data()]).stdout);
    expect(listed.version).toBe(2);
  });
});
