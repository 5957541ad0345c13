import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../base/log.js';
import { sm3Hex } from '../../certs/sm3.js';
import { openFieldCipher } from '../pii/field-cipher.js';
import type { NewCase } from '../store/cases-repo.js';
import { openStore, type Store } from '../store/store.js';

let dir: string;
let store: Store;
const open = (): Store => openStore({ dataDir: dir, log: silentLogger, cipher: openFieldCipher({ dataDir: dir }) });
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tongban-group-'));
  store = open();
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const newCase = (serial: string): NewCase => ({
  serial,
  itemCode: '310000-000101-002',
  state: 'submitted',
  form: { serial },
  contentHash: sm3Hex(serial),
  actor: 'api',
});

describe('group commit', () => {
  it('commits concurrent intakes in few transactions and acknowledges each after its commit', async () => {
    const results = await Promise.all(Array.from({ length: 300 }, (_, i) => store.intakeCase(newCase(`S${i}`), { kind: 'case.submit', payload: { i } })));
    expect(results.every((r) => r.created)).toBe(true);
    const stats = store.group.stats();
    expect(stats.units).toBe(300);
    expect(stats.batches).toBeLessThan(10);
    expect(store.cases.count()).toBe(300);
    expect(store.outbox.pendingCount()).toBe(300);
    // the outbox stays FIFO in submission order
    expect(store.outbox.due(Date.now(), 300).map((e) => (e.payload as { i: number }).i)).toEqual(Array.from({ length: 300 }, (_, i) => i));
  });

  it('rolls back a failing unit alone: the others of its batch are committed', async () => {
    const settled = await Promise.allSettled([
      store.intakeCase(newCase('A'), { kind: 'case.submit', payload: null }),
      store.intakeCase(newCase('A'), { kind: 'case.submit', payload: null }), // same serial, another id
      store.intakeCase(newCase('B'), { kind: 'case.submit', payload: null }),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((settled[1] as PromiseRejectedResult).reason)).toMatch(/serial number A is already used/);
    expect(store.group.stats().batches).toBe(1);
    expect(store.cases.count()).toBe(2);
    expect(store.outbox.pendingCount()).toBe(2); // no outbox entry of the failed unit
  });

  it('undoes the partial writes of a failing unit run in its own savepoint', async () => {
    const settled = await Promise.allSettled([
      store.group.run(() => store.settings.set('a', 1)),
      store.group.run(() => {
        store.settings.set('b', 2);
        throw new Error('half done');
      }),
      store.group.run(() => store.settings.set('c', 3)),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect([store.settings.get('a'), store.settings.get('b'), store.settings.get('c')]).toEqual([1, undefined, 3]);
  });

  it('commits queued writes when the store is closed, and refuses new ones after', async () => {
    const pending = store.intakeCase(newCase('queued'), { kind: 'case.submit', payload: null });
    store.close();
    const r = await pending;
    await expect(store.intakeCase(newCase('late'), { kind: 'case.submit', payload: null })).rejects.toThrow(/closing/);
    store = open();
    expect(store.cases.get(r.case.id)?.serial).toBe('queued');
    expect(store.cases.count()).toBe(1);
  });

  it('flush resolves once everything queued is committed', async () => {
    const acks: string[] = [];
    for (let i = 0; i < 5; i++) void store.intakeCase(newCase(`F${i}`), { kind: 'k', payload: null }).then((r) => acks.push(r.case.serial));
    await store.group.flush();
    expect(store.cases.count()).toBe(5);
    await Promise.resolve();
    expect(acks).toHaveLength(5);
  });
});
