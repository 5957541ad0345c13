import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../base/log.js';
import { tongban } from '../../test/helpers/cli.js';
import { openFieldCipher } from '../pii/field-cipher.js';
import { openStore } from '../store/store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function kiosk(): { dir: string; applicantId: string; caseId: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tongban-keys-cli-'));
  dirs.push(dir);
  const cipher = openFieldCipher({ dataDir: dir });
  const store = openStore({ dataDir: dir, log: silentLogger, cipher });
  const applicantId = store.applicants.insert({ identitySource: 'card', fields: { idNumber: '11010519491231002X', name: '赵小燕' } }).id;
  const caseId = store.cases.insert(
    { serial: 'S1', itemCode: 'X', applicantId, state: 'submitted', form: { phone: '13512345678' }, contentHash: 'e'.repeat(64), actor: 'kiosk' },
    { kind: 'case.submit', payload: { n: 1 } },
  ).case.id;
  store.materials.put({ caseId, materialId: 'm', bytes: Buffer.from('page'), mime: 'image/jpeg' });
  store.close();
  return { dir, applicantId, caseId };
}

describe('tongban keys', () => {
  it('rotate reseals everything under a new key and removes the old one; the data still reads; audited', () => {
    const { dir, applicantId, caseId } = kiosk();
    const before = JSON.parse(tongban(['keys', 'list', '--data', dir, '--json']).stdout) as { algorithm: string; keys: { id: string; current: boolean }[] };
    expect(before.algorithm).toBe('sm4-ctr-hmac-sm3');
    expect(before.keys).toHaveLength(1);
    const r = tongban(['keys', 'rotate', '--data', dir, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ previous: before.keys[0]!.id, resealedValues: 3, resealedFiles: 1, removedKeys: [before.keys[0]!.id] });
    const after = JSON.parse(tongban(['keys', 'list', '--data', dir, '--json']).stdout) as { keys: { id: string; current: boolean }[] };
    expect(after.keys).toEqual([{ id: report.current, current: true, drained: false }]);

    const cipher = openFieldCipher({ dataDir: dir, create: false });
    const store = openStore({ dataDir: dir, log: silentLogger, cipher });
    try {
      expect(store.applicants.get(applicantId)!.fields).toMatchObject({ name: '赵小燕' });
      expect(store.cases.get(caseId)!.form).toEqual({ phone: '13512345678' });
      expect(Buffer.from(store.materials.read(store.materials.forCase(caseId)[0]!)).toString()).toBe('page');
    } finally {
      store.close();
    }
    expect(tongban(['audit', 'verify', '--data', dir]).code).toBe(0);
    expect(JSON.parse(tongban(['audit', 'list', '--data', dir, '--type', 'keyRotation', '--json']).stdout)).toHaveLength(2);

    const kept = JSON.parse(tongban(['keys', 'rotate', '--data', dir, '--keep-old', '--json']).stdout);
    expect(kept).toMatchObject({ previous: report.current, drainedKeys: [report.current], removedKeys: [] });
    const text = tongban(['keys', 'list', '--data', dir]).stdout;
    expect(text).toBe(`${report.current}  drained\n${kept.current}  current\n`);
  });

  it('rotate --algorithm aes-256-gcm converts a store for the Electron build (no SM4 there)', () => {
    const { dir, applicantId, caseId } = kiosk();
    const r = tongban(['keys', 'rotate', '--data', dir, '--algorithm', 'aes-256-gcm', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ algorithm: 'aes-256-gcm', resealedValues: 3, resealedFiles: 1 });
    const electron = openFieldCipher({ dataDir: dir, create: false, runtime: { sm4: false, nativeSm3: false } });
    const store = openStore({ dataDir: dir, log: silentLogger, cipher: electron });
    try {
      expect(store.applicants.get(applicantId)!.fields).toMatchObject({ name: '赵小燕' });
      expect(store.applicants.findByIdNumber('11010519491231002X')).toEqual([applicantId]);
      expect(Buffer.from(store.materials.read(store.materials.forCase(caseId)[0]!)).toString()).toBe('page');
    } finally {
      store.close();
    }
    expect(tongban(['keys', 'rotate', '--data', dir, '--algorithm', 'des']).code).toBe(2);
  });

  it('rotate refuses to run beside an agent (exit 3), and needs a store and keys', () => {
    const { dir } = kiosk();
    writeFileSync(join(dir, 'agent.lock'), String(process.pid)); // a live process holds the directory
    let r = tongban(['keys', 'rotate', '--data', dir]);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(`tongban: another agent (pid ${process.pid}) is already running on ${dir}\n`);
    const empty = mkdtempSync(join(tmpdir(), 'tongban-keys-cli-'));
    dirs.push(empty);
    r = tongban(['keys', 'rotate', '--data', empty]);
    expect(r.code).toBe(3);
    r = tongban(['keys', 'list', '--data', empty]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^tongban: key directory .* does not exist/);
  });
});
