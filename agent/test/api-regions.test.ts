import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type RunningAgent } from '../agent.js';
import { demoCatalog } from '../catalog/catalog.js';
import { fieldProblem } from '../catalog/field-check.js';
import { parseConfig } from '../config/config.js';

let agent: RunningAgent;
let data: string;

beforeAll(async () => {
  data = mkdtempSync(join(tmpdir(), 'tongban-regions-'));
  agent = await startAgent({ dataDir: data, port: 0, logLevel: 'error', config: parseConfig({ sync: { endpoints: [] } }) });
});
afterAll(async () => {
  await agent?.stop('test over');
  rmSync(data, { recursive: true, force: true });
});

async function get(path: string, token: string | null = agent.token) {
  const res = await fetch(new URL(path.slice(1), agent.url), { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, json: (await res.json()) as { regions: { code: string; name: string; parent: string | null }[] } };
}

describe('GET /api/regions', () => {
  it('needs the token', async () => {
    expect((await get('/api/regions', null)).status).toBe(401);
  });

  it('names regions as a tree of valid, unique codes, Shanghai districts under 上海市', async () => {
    const { status, json } = await get('/api/regions');
    expect(status).toBe(200);
    const byCode = new Map(json.regions.map((r) => [r.code, r]));
    expect(byCode.size).toBe(json.regions.length);
    const regionField = { name: 'r', label: '地区', type: 'region', required: true } as const;
    for (const r of json.regions) {
      expect(fieldProblem(regionField, r.code), r.code).toBeUndefined();
      if (r.parent === null) expect(r.code.endsWith('0000'), r.code).toBe(true);
      else expect(byCode.has(r.parent), r.code).toBe(true);
    }
    expect(byCode.get('341600')).toEqual({ code: '341600', name: '亳州市', parent: '340000' });
    expect(byCode.get('341602')).toEqual({ code: '341602', name: '谯城区', parent: '341600' });
    expect(byCode.get('310117')).toEqual({ code: '310117', name: '松江区', parent: '310000' });
    expect(json.regions.filter((r) => r.parent === null)).toHaveLength(34);
  });

  it('names every region the demo catalog uses (item regions and region fields\' examples)', async () => {
    const { json } = await get('/api/regions');
    const codes = new Set(json.regions.map((r) => r.code));
    for (const item of demoCatalog().items) {
      expect(codes.has(item.region), item.code).toBe(true);
      expect(codes.has(item.targetRegion), item.code).toBe(true);
      for (const f of item.form.fields) if (f.type === 'region') expect(codes.has(String(f.example)), `${item.code} ${f.name}`).toBe(true);
    }
  });
});
