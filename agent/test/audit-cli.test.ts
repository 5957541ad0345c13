import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../base/log.js';
import { tongban } from '../../test/helpers/cli.js';
import { appendAudit } from '../audit/audit-log.js';
import { openStoreCore, STORE_FILE } from '../store/open-store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function dataDir(entries: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'tongban-audit-cli-'));
  dirs.push(dir);
  const s = openStoreCore({ dataDir: dir, log: silentLogger });
  for (let i = 1; i <= entries; i++) appendAudit(s.db, { type: 'caseTransition', actor: 'kiosk', subject: `case-${i}`, details: { to: 'submitted' } });
  s.close();
  return dir;
}

describe('tongban audit verify', () => {
  it('exit 0 on an intact log, with the count and head; --json gives the verdict', () => {
    const dir = dataDir(3);
    const r = tongban(['audit', 'verify', '--data', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^audit log intact: 3 entries, head [0-9a-f]{64}\n$/);
    const j = tongban(['audit', 'verify', '--json'], { env: { TONGBAN_DATA: dir } });
    expect(j.code).toBe(0);
    expect(JSON.parse(j.stdout)).toMatchObject({ ok: true, entries: 3, headSeq: 3 });
  });

  it('exit 1 naming the first bad entry and why', () => {
    const dir = dataDir(5);
    const db = new Database(join(dir, STORE_FILE));
    db.exec("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET subject = 'case-99' WHERE seq = 2;");
    db.close();
    const r = tongban(['audit', 'verify', '--data', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('audit log broken at entry 2 (edited): entry 2 was edited (its content does not match its hash)\n');
    const j = tongban(['audit', 'verify', '--data', dir, '--json']);
    expect(j.code).toBe(1);
    expect(JSON.parse(j.stdout)).toMatchObject({ ok: false, firstBadSeq: 2, reason: 'edited' });
  });

  it('exit 3 with one line when there is no store or it is not ours; exit 2 on bad usage', () => {
    const empty = mkdtempSync(join(tmpdir(), 'tongban-audit-cli-'));
    dirs.push(empty);
    let r = tongban(['audit', 'verify', '--data', empty]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^tongban: no store in .*\n$/);
    writeFileSync(join(empty, STORE_FILE), 'this is not a database, just some text that is long enough'.repeat(40));
    r = tongban(['audit', 'verify', '--data', empty]);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    r = tongban(['audit', 'verify', '--data', empty, '--bogus']);
    expect(r.code).toBe(2);
    r = tongban(['audit', 'verify', 'extra']);
    expect(r.code).toBe(2);
  });
});

describe('tongban audit list', () => {
  it('prints entries oldest first, filtered and paged; --json gives them whole', () => {
    const dir = dataDir(4);
    let r = tongban(['audit', 'list', '--data', dir]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^1\t\d{4}-\d\d-\d\dT[^\t]+Z\tcaseTransition\tkiosk\tcase-1\t\{"to":"submitted"\}$/);
    r = tongban(['audit', 'list', '--data', dir, '--subject', 'case-3', '--json']);
    expect(JSON.parse(r.stdout)).toMatchObject([{ seq: 3, subject: 'case-3', details: { to: 'submitted' }, hash: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
    r = tongban(['audit', 'list', '--data', dir, '--after', '2', '--limit', '1', '--json']);
    expect(JSON.parse(r.stdout).map((e: { seq: number }) => e.seq)).toEqual([3]);
    r = tongban(['audit', 'list', '--data', dir, '--type', 'purge']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    r = tongban(['audit', 'list', '--data', dir, '--type', 'nonsense']);
    expect(r.code).toBe(2);
  });
});
