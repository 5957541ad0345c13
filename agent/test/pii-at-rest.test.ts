/**
 * End to end through the real agent: a case submitted over the API leaves no personal value in clear in
 * any file of the data directory (store, WAL, logs, materials) nor on the agent's stdout/stderr; then
 * `tongban purge --applicant` erases it and `tongban audit verify` still finds the chain intact.
 */
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tongban, tongbanDaemon } from '../../test/helpers/cli.js';
import { exampleCase } from '../cases/example.js';
import { demoCatalog } from '../catalog/catalog.js';
import { everyFile, leaksIn, withCheck } from './helpers/pii.js';

const READY = /ready: (http:\/\/127\.0\.0\.1:(\d+)\/)/;

const ID = withCheck('31011719880808471');
const NAME = '欧阳秘密';
const PHONE = '13977778888';
const ADDRESS = '上海市松江区保密路77弄7号';
const SECRETS = [ID, NAME, PHONE, ADDRESS];

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const leaks = (files: { path: string; bytes: Buffer }[]): string[] => leaksIn(files, SECRETS);

describe('personal data at rest and in logs, through the running agent', () => {
  it('is nowhere in clear after a submission (debug logging on), and is erased by tongban purge --applicant', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tongban-pii-rest-'));
    dirs.push(dir);
    const data = join(dir, 'data');
    const config = join(dir, 'kiosk.json');
    // No sync (sync.endpoints []): cases stay at the kiosk, `submitted` (the embedded endpoint would upload them at once).
    writeFileSync(config, JSON.stringify({ dataDir: 'data', demo: { enabled: false }, api: { port: 0 }, log: { level: 'debug' }, sync: { endpoints: [] } }));
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
      const shown = tongban(['cases', 'show', caseId, '--json', '--config', config]);
      expect(shown.stdout).toContain(NAME); // the agent can read it back (decrypted on demand)...
    } finally {
      d.child.kill('SIGTERM');
      await d.exited;
    }
    // ...but no file of the data directory, nor the agent's output, holds any of it in clear.
    expect(leaks(everyFile(data))).toEqual([]);
    for (const s of SECRETS) {
      expect(d.stdout()).not.toContain(s);
      expect(d.stderr()).not.toContain(s);
    }
    expect(readFileSync(join(data, 'logs', 'agent.log'), 'utf8')).toContain('agent ready'); // the log was written

    const purge = tongban(['purge', '--applicant', ID, '--config', config, '--json']);
    expect(purge.code, purge.stderr).toBe(0);
    expect(JSON.parse(purge.stdout)).toMatchObject({ reason: 'operator', cases: [caseId], unsyncedCases: [caseId] });
    for (const s of SECRETS) expect(purge.stdout + purge.stderr).not.toContain(s);
    const verify = tongban(['audit', 'verify', '--config', config]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  });
});
