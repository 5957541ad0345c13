import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tongban, tongbanDaemon } from '../../test/helpers/cli.js';
import { exampleCase, exampleItem } from '../cases/example.js';
import { demoCatalog } from '../catalog/catalog.js';

const READY = /ready: (http:\/\/127\.0\.0\.1:(\d+)\/)/;
const example = exampleCase(exampleItem(demoCatalog())) as Record<string, unknown>;

/** A data directory with a configuration whose dataDir points at it (no devices: fast). */
function kiosk(): { dir: string; data: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tongban-cases-cli-'));
  const config = join(dir, 'kiosk.json');
  // No sync (sync.endpoints []): cases stay at the kiosk, `submitted` (the embedded endpoint would upload them at once).
  writeFileSync(config, JSON.stringify({ dataDir: 'data', demo: { enabled: false }, api: { port: 0 }, sync: { endpoints: [] } }));
  return { dir, data: join(dir, 'data'), config };
}

describe('tongban cases submit / list / show', () => {
  it('with no agent running: exit 3 and how to start one', () => {
    const { data, config } = kiosk();
    for (const args of [['cases', 'list', '--data', data], ['cases', 'show', randomUUID(), '--config', config], ['cases', 'submit', '--in', '-', '--data', data]]) {
      const r = tongban(args, { input: JSON.stringify(example) });
      expect(r.code).toBe(3);
      expect(r.stderr).toBe(`tongban: no agent is running on ${data} (no agent.json); start one with: tongban start --data ${data}\n`);
    }
  });

  it('submits through the running agent (found by --config or --data), lists and shows; an id makes a repeat idempotent', async () => {
    const { dir, data, config } = kiosk();
    const d = await tongbanDaemon(['start', '--config', config], READY);
    try {
      const file = join(dir, 'case.json');
      writeFileSync(file, JSON.stringify(example));
      const a = tongban(['cases', 'submit', '--in', file, '--config', config]);
      const b = tongban(['cases', 'submit', '--in', file, '--data', data]);
      expect(a.code).toBe(0);
      expect(a.stdout).toMatch(/^[0-9a-f-]{36}\n$/);
      expect(b.stdout).not.toBe(a.stdout);

      const withId = join(dir, 'case-with-id.json');
      const id = randomUUID();
      writeFileSync(withId, JSON.stringify({ ...example, id }));
      expect(tongban(['cases', 'submit', '--in', withId, '--data', data]).stdout).toBe(`${id}\n`);
      expect(tongban(['cases', 'submit', '--in', withId, '--data', data]).stdout).toBe(`${id}\n`);

      const list = tongban(['cases', 'list', '--json', '--data', data]);
      expect(list.code).toBe(0);
      const cases = JSON.parse(list.stdout) as { id: string; itemCode: string; status: string; contentHash: string }[];
      expect(cases.map((c) => c.id).sort()).toEqual([a.stdout.trim(), b.stdout.trim(), id].sort());
      const text = tongban(['cases', 'list', '--config', config]).stdout.trim().split('\n');
      expect(text).toHaveLength(3);
      for (const line of text) expect(line).toMatch(new RegExp(`^[0-9a-f-]{36}  ${example.itemCode}  submitted  [0-9a-f]{64}$`));

      const shown = tongban(['cases', 'show', id, '--json', '--data', data]);
      expect(JSON.parse(shown.stdout)).toMatchObject({ id, itemCode: example.itemCode, status: 'submitted', contentHash: cases.find((c) => c.id === id)!.contentHash });
      const human = tongban(['cases', 'show', id, '--data', data]);
      expect(human.stdout).toContain(`case      ${id}\n`);
      expect(human.stdout).toContain('draft -> submitted  (kiosk)');

      // refusals: the field named (exit 2); unknown case (exit 2); unreadable input (exit 2)
      writeFileSync(file, JSON.stringify({ ...example, applicant: { ...(example.applicant as object), idNumber: '123' } }));
      const bad = tongban(['cases', 'submit', '--in', file, '--data', data]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/^tongban: applicant\.idNumber: /);
      const missing = tongban(['cases', 'show', randomUUID(), '--data', data]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/^tongban: no case [0-9a-f-]{36}\n$/);
      writeFileSync(file, '{ nope');
      expect(tongban(['cases', 'submit', '--in', file, '--data', data])).toMatchObject({ code: 2, stderr: expect.stringMatching(/is not JSON/) });
      expect(tongban(['cases', 'list', '--status', 'lost', '--data', data])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^tongban: status must be one of/) });
    } finally {
      d.child.kill('SIGTERM');
      expect(await d.exited).toBe(0);
    }
  });
});

describe('tongban start: SIGTERM in the middle of a burst of submissions', () => {
  it('exits 0 and every acknowledged case is in the store afterwards', async () => {
    const { config, data } = kiosk();
    const d = await tongbanDaemon(['start', '--config', config], READY);
    const url = d.match[1]!;
    const token = readFileSync(join(data, 'api-token'), 'utf8').trim();
    const acknowledged: string[] = [];
    let refusedOrCut = 0;
    let sent = 0;
    const client = async (): Promise<void> => {
      for (;;) {
        sent++;
        try {
          const res = await fetch(new URL('api/cases', url), {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify(example),
          });
          if (res.status !== 201) {
            refusedOrCut++;
            return;
          }
          acknowledged.push(((await res.json()) as { case: { id: string } }).case.id);
        } catch {
          refusedOrCut++; // the agent went away
          return;
        }
      }
    };
    const clients = Array.from({ length: 8 }, () => client());
    while (acknowledged.length < 200) await new Promise((r) => setTimeout(r, 5));
    d.child.kill('SIGTERM');
    await Promise.all(clients);
    expect(await d.exited).toBe(0);
    expect(sent).toBeGreaterThan(acknowledged.length);

    // Start again on the same data and ask for each acknowledged case.
    const again = await tongbanDaemon(['start', '--config', config], READY);
    try {
      const missing: string[] = [];
      for (const id of acknowledged) {
        const res = await fetch(new URL(`api/cases/${id}`, again.match[1]!), { headers: { authorization: `Bearer ${token}` } });
        if (res.status !== 200) missing.push(id);
        await res.arrayBuffer();
      }
      expect(missing).toEqual([]);
      expect(refusedOrCut).toBeGreaterThan(0);
    } finally {
      again.child.kill('SIGTERM');
      await again.exited;
    }
  });
});
