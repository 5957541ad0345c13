/**
 * End to end through the real agent with the embedded endpoint ON (the default: no sync.endpoints): a case
 * submitted over the API syncs to the reference endpoint in DATA/endpoint/, and afterwards no file of the
 * whole data directory (kiosk store, endpoint store, their WAL files, logs, keys, files) nor the agent's
 * output holds the applicant's ID number, name, phone or address in clear; `tongban purge --applicant`
 * erases both copies, audited, and the audit chain still verifies.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { tongban, tongbanDaemon } from '../../test/helpers/cli.js';
import { exampleCase } from '../cases/example.js';
import { demoCatalog } from '../catalog/catalog.js';
import { everyFile, leaksIn, withCheck } from './helpers/pii.js';

const READY = /ready: (http:\/\/127\.0\.0\.1:(\d+)\/)/;

const ID = withCheck('31011719880808472');
const NAME = '端木机密';
const PHONE = '13966665555';
const ADDRESS = '上海市青浦区隐私路88弄8号';
const SECRETS = [ID, NAME, PHONE, ADDRESS];

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const leaks = (dir: string): string[] => leaksIn(everyFile(dir), SECRETS);

describe('personal data at rest with the embedded endpoint', () => {
  it('is nowhere in clear in the data directory (endpoint included) after a case synced, and purge --applicant erases both copies', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tongban-pii-endpoint-'));
    dirs.push(dir);
    const data = join(dir, 'data');
    const endpointData = join(data, 'endpoint');
    const config = join(dir, 'kiosk.json');
    // No sync key: the embedded endpoint runs in the agent, data in DATA/endpoint/.
    writeFileSync(config, JSON.stringify({ dataDir: 'data', demo: { enabled: false }, api: { port: 0 }, log: { level: 'debug' } }));
    const item = demoCatalog().items.find((i) => i.code === '341600-YB-0001')!;
    const input = exampleCase(item) as { applicant: Record<string, string>; form: Record<string, unknown> };
    input.applicant = { ...input.applicant, idNumber: ID, name: NAME };
    input.form = { ...input.form, phone: PHONE, residenceAddress: ADDRESS };
    const file = join(dir, 'case.json');
    writeFileSync(file, JSON.stringify(input));

    const d = await tongbanDaemon(['start', '--config', config, '--log-level', 'debug'], READY);
    let caseId: string;
    try {
      const r = tongban(['cases', 'submit', '--in', file, '--config', config]);
      expect(r.code, r.stderr).toBe(0);
      caseId = r.stdout.trim();
      // Until the endpoint holds it (the sync runs in the background; bounded wait, not a timing assertion).
      let listed: { id: string; contentHash: string }[] = [];
      for (let i = 0; i < 100 && !listed.some((c) => c.id === caseId); i++) {
        await new Promise((ok) => setTimeout(ok, 100));
        const cases = tongban(['endpoint', 'cases', '--data', endpointData, '--json']);
        if (cases.code === 0) listed = JSON.parse(cases.stdout) as typeof listed;
      }
      expect(listed.map((c) => c.id)).toContain(caseId);
      // The clerk's view opens the sealed content.
      const shown = tongban(['endpoint', 'show', '--data', endpointData, caseId, '--json']);
      expect(shown.code, shown.stderr).toBe(0);
      expect(JSON.parse(shown.stdout)).toMatchObject({ content: { applicant: { idNumber: ID, name: NAME } } });
      // A clerk completes it with a result PDF that names the applicant: written sealed into DATA/endpoint/files,
      // pushed to the kiosk, fetched (opened, its SM3 checked) and kept sealed there too.
      const pdf = join(dir, 'result.pdf');
      writeFileSync(pdf, `%PDF-1.7\n% ${NAME} ${ID} ${ADDRESS}\n%%EOF\n`);
      for (const step of [['accepted'], ['completed', '--result', pdf, '--title', '结果']]) {
        const set = tongban(['endpoint', 'set-status', '--data', endpointData, caseId, ...step]);
        expect(set.code, set.stderr).toBe(0);
      }
      let status = '';
      for (let i = 0; i < 100 && status !== 'completed'; i++) {
        await new Promise((ok) => setTimeout(ok, 100));
        const c = tongban(['cases', 'show', caseId, '--json', '--config', config]);
        if (c.code === 0) status = (JSON.parse(c.stdout) as { status: string }).status;
      }
      expect(status).toBe('completed');
      expect(readdirSync(join(endpointData, 'files')).filter((n) => /^[0-9a-f]{64}$/.test(n))).toHaveLength(1);
      // While running (WAL files present) and after the stop.
      expect(leaks(data)).toEqual([]);
    } finally {
      d.child.kill('SIGTERM');
      await d.exited;
    }
    expect(readdirSync(endpointData)).toEqual(expect.arrayContaining(['endpoint.db', 'keys']));
    expect(leaks(data)).toEqual([]);
    for (const s of SECRETS) {
      expect(d.stdout()).not.toContain(s);
      expect(d.stderr()).not.toContain(s);
    }

    const inboxHeld = (): number => {
      const db = new Database(join(data, 'store.db'), { readonly: true });
      try {
        return (db.prepare('SELECT count(*) AS n FROM inbox WHERE case_id = ? AND payload_sealed IS NOT NULL').get(caseId) as { n: number }).n;
      } finally {
        db.close();
      }
    };
    expect(inboxHeld()).toBeGreaterThan(0); // the clerk's status events, kept sealed

    const purge = tongban(['purge', '--applicant', ID, '--config', config, '--json']);
    expect(purge.code, purge.stderr).toBe(0);
    expect(JSON.parse(purge.stdout)).toMatchObject({ reason: 'operator', cases: [caseId], endpointCases: [caseId] });
    expect(readdirSync(join(endpointData, 'files')).filter((n) => /^[0-9a-f]{64}$/.test(n))).toEqual([]); // the result file went with it
    for (const s of SECRETS) expect(purge.stdout + purge.stderr).not.toContain(s);
    const erased = JSON.parse(tongban(['endpoint', 'show', '--data', endpointData, caseId, '--json']).stdout) as { content: object; purgedAt?: string };
    expect(erased.content).toEqual({});
    expect(erased.purgedAt).toBeDefined();
    expect(inboxHeld()).toBe(0); // the kiosk's copy of what the endpoint said about the case went too
    expect(tongban(['endpoint', 'purge', '--data', endpointData, '--applicant', ID]).code).toBe(1); // nothing of that person left there
    const verify = tongban(['audit', 'verify', '--config', config]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    expect(leaks(data)).toEqual([]);
  });
});
