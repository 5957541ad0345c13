/** `tongban endpoint purge` and `tongban endpoint --seal-files` through the real executable (run `npm run build` first). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tongban, tongbanDaemon } from '../../test/helpers/cli.js';
import { fileRef, openStore, pdfBytes, submitted, tempDir, upload } from './endpoint-store-fixtures.js';

const ID = '341602199001011234';
let tmp: ReturnType<typeof tempDir>;
let caseIds: string[];

beforeEach(() => {
  tmp = tempDir();
  const store = openStore(tmp.dir);
  store.enroll(store.createEnrollToken('kiosk-1'), '0.1.0');
  const a = submitted(1);
  const b = submitted(2);
  store.commitBatch('kiosk-1', [a, b], Date.now());
  store.setStatus(a.caseId, 'refused', { note: '不予受理' }, Date.now() - 40 * 24 * 3600 * 1000);
  store.setStatus(a.caseId, 'completed', {}, Date.now() - 40 * 24 * 3600 * 1000);
  store.close();
  caseIds = [a.caseId, b.caseId];
});
afterEach(() => tmp.remove());

describe('tongban endpoint purge', () => {
  it('the retention purge takes the case completed 40 days ago; --applicant - (stdin) the rest of that person; then none is left (exit 1)', () => {
    const retention = tongban(['endpoint', 'purge', '--data', tmp.dir, '--retention-days', '30', '--json']);
    expect(retention.code, retention.stderr).toBe(0);
    expect(JSON.parse(retention.stdout)).toEqual({ reason: 'retention', cases: [caseIds[0]], filesDeleted: 0 });
    const shown = tongban(['endpoint', 'show', '--data', tmp.dir, caseIds[0]!]);
    expect(shown.stdout).toMatch(/erased/);
    const person = tongban(['endpoint', 'purge', '--data', tmp.dir, '--applicant', '-'], { input: `${ID}\n` });
    expect(person.code, person.stderr).toBe(0);
    expect(person.stdout).toContain(`case ${caseIds[1]}`);
    expect(person.stdout + person.stderr).not.toContain(ID);
    const again = tongban(['endpoint', 'purge', '--data', tmp.dir, '--applicant', ID]);
    expect(again.code).toBe(1);
    expect(again.stdout).toBe('no case of that ID number at this endpoint\n');
    const json = JSON.parse(tongban(['endpoint', 'show', '--data', tmp.dir, caseIds[1]!, '--json']).stdout) as { content: object; purgedAt?: string };
    expect(json.content).toEqual({});
    expect(json.purgedAt).toBeDefined();
  });

  it('refuses a malformed ID number and --retention-days with --applicant (exit 2), and a directory without a store (exit 3)', () => {
    const bad = tongban(['endpoint', 'purge', '--data', tmp.dir, '--applicant', '341602199001011235']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/check character/);
    expect(bad.stderr).not.toMatch(/\n.*\n/);
    expect(tongban(['endpoint', 'purge', '--data', tmp.dir, '--applicant', ID, '--retention-days', '3']).code).toBe(2);
    expect(tongban(['endpoint', 'purge', '--data', `${tmp.dir}/nowhere`]).code).toBe(3);
  });
});

describe('tongban endpoint --seal-files', () => {
  it("seals the store's clear files at start and keeps them so for every later opener", async () => {
    const scan = pdfBytes('CLEAR-MARKER');
    const store = openStore(tmp.dir);
    upload(store, scan);
    store.close();
    const d = await tongbanDaemon(['endpoint', '--port', '0', '--data', tmp.dir, '--seal-files'], /listening on (wss?:\/\/\S+)/);
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
    const sm3 = fileRef(scan).sm3;
    expect(readFileSync(join(tmp.dir, 'files', sm3)).includes(Buffer.from('CLEAR-MARKER'))).toBe(false);
    const again = openStore(tmp.dir); // no option: the store says its files are sealed
    try {
      expect(Buffer.from(again.readFile(sm3, 0, 1 << 20)).equals(scan)).toBe(true);
    } finally {
      again.close();
    }
  });
});
