import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../base/log.js';
import { tongban } from '../../test/helpers/cli.js';
import { openFieldCipher } from '../pii/field-cipher.js';
import { openStore } from '../store/store.js';

const DAY = 24 * 60 * 60 * 1000;
const ID = '11010519491231002X';
const NAME = '赵小燕';
const HASH = 'b'.repeat(64);

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A data directory with one applicant and a case completed and synced `ageDays` ago. */
function kiosk(ageDays: number): { dir: string; caseId: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tongban-purge-cli-'));
  dirs.push(dir);
  const cipher = openFieldCipher({ dataDir: dir });
  const store = openStore({ dataDir: dir, log: silentLogger, cipher });
  const at = Date.now() - ageDays * DAY;
  const applicantId = store.applicants.insert({ identitySource: 'card', fields: { idNumber: ID, name: NAME, phone: '13512345678' }, at }).id;
  const caseId = store.cases.insert(
    { serial: 'S1', itemCode: '310000-000201001000', applicantId, state: 'accepted', form: { phone: '13512345678' }, contentHash: HASH, actor: 'kiosk', at },
    { kind: 'case.submit', payload: { name: NAME } },
  ).case.id;
  store.cases.transition(caseId, { from: 'accepted', to: 'completed', actor: 'kiosk', at });
  for (const e of store.outbox.forCase(caseId)) store.outbox.markSent(e.seq, at);
  store.close();
  return { dir, caseId };
}

function noPersonalData(...texts: string[]): void {
  for (const t of texts) {
    expect(t).not.toContain(ID);
    expect(t).not.toContain(NAME);
    expect(t).not.toContain('13512345678');
  }
}

describe('tongban purge', () => {
  it('--applicant erases that person (JSON report), then finds nothing (exit 1); audit verify stays intact', () => {
    const { dir, caseId } = kiosk(1);
    const dry = tongban(['purge', '--data', dir, '--applicant', ID, '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ reason: 'operator', dryRun: true, cases: [caseId] });
    const r = tongban(['purge', '--data', dir, '--applicant', ID.toLowerCase(), '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ reason: 'operator', dryRun: false, cases: [caseId], unsyncedCases: [] });
    noPersonalData(dry.stdout, dry.stderr, r.stdout, r.stderr);
    const again = tongban(['purge', '--data', dir, '--applicant', ID]);
    expect(again.code).toBe(1);
    expect(again.stdout).toBe('no applicant with that ID number in this store\n');
    const v = tongban(['audit', 'verify', '--data', dir, '--json']);
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout)).toMatchObject({ ok: true });
  });

  it('--applicant - reads the number from stdin (out of the process list)', () => {
    const { dir, caseId } = kiosk(1);
    const r = tongban(['purge', '--data', dir, '--applicant', '-'], { input: `${ID}\n` });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('erased the personal data of 1 case(s) and 1 applicant record(s)');
    expect(r.stdout).toContain(`case ${caseId}`);
    noPersonalData(r.stdout, r.stderr);
  });

  it('without --applicant runs the retention purge', () => {
    const { dir, caseId } = kiosk(40);
    const keep = tongban(['purge', '--data', dir, '--retention-days', '60', '--json']);
    expect(keep.code, keep.stderr).toBe(0);
    expect(JSON.parse(keep.stdout)).toMatchObject({ reason: 'retention', cases: [] });
    const dry = tongban(['purge', '--data', dir, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('would erase the personal data of 1 case(s) and 1 applicant record(s)');
    const r = tongban(['purge', '--data', dir, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ reason: 'retention', cases: [caseId] });
  });

  it('takes the data directory and purge.retentionDays from --config', () => {
    const { dir, caseId } = kiosk(40);
    const file = join(dir, '..', `${dir.split('/').pop()}.json`);
    writeFileSync(file, JSON.stringify({ dataDir: dir, purge: { retentionDays: 60 } }));
    dirs.push(file);
    let r = tongban(['purge', '--config', file, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ reason: 'retention', cases: [] });
    writeFileSync(file, JSON.stringify({ dataDir: dir, purge: { retentionDays: 30 } }));
    r = tongban(['purge', '--config', file, '--json']);
    expect(JSON.parse(r.stdout)).toMatchObject({ reason: 'retention', cases: [caseId] });
  });

  it('bad usage exits 2 without echoing the number; a data directory without store or keys exits 3', () => {
    const { dir } = kiosk(1);
    const wrongCheck = ID.slice(0, 17) + '1';
    let r = tongban(['purge', '--data', dir, '--applicant', wrongCheck]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('tongban: --applicant takes an ID number: 18 characters with a valid check character, or an older 15-character permanent residence number\n');
    r = tongban(['purge', '--data', dir, '--applicant', ID, '--retention-days', '3']);
    expect(r.code).toBe(2);
    r = tongban(['purge', '--data', dir, '--retention-days', 'soon']);
    expect(r.code).toBe(2);
    const empty = mkdtempSync(join(tmpdir(), 'tongban-purge-cli-'));
    dirs.push(empty);
    r = tongban(['purge', '--data', empty]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^tongban: no store in /);
    rmSync(join(dir, 'keys'), { recursive: true });
    r = tongban(['purge', '--data', dir, '--applicant', ID]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^tongban: key directory .* does not exist/);
  });
});
