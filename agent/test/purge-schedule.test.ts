import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, MemorySink } from '../../base/log.js';
import { openFieldCipher } from '../pii/field-cipher.js';
import { scheduleRetentionPurge, type PurgeTimers } from '../purge/schedule.js';
import { openStore, type Store } from '../store/store.js';

const DAY = 24 * 60 * 60 * 1000;
const dirs: string[] = [];
const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Timers the test fires by hand: no waiting, no timing. */
function manualTimers() {
  const pending = new Map<number, { fn: () => void; ms: number }>();
  let next = 1;
  const timers: PurgeTimers = {
    setTimeout(fn, ms) {
      pending.set(next, { fn, ms });
      return next++;
    },
    clearTimeout(h) {
      pending.delete(h as number);
    },
  };
  const fire = () => {
    const [id, t] = [...pending.entries()][0]!;
    pending.delete(id);
    t.fn();
    return t.ms;
  };
  return { timers, pending, fire };
}

describe('scheduled retention purge', () => {
  it('runs after the first delay and then every interval; a failing run is logged and the next one still comes; stop clears it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tongban-schedule-'));
    dirs.push(dir);
    const sink = new MemorySink();
    const log = createLogger({ level: 'debug', sink });
    const cipher = openFieldCipher({ dataDir: dir, log });
    const store = openStore({ dataDir: dir, log, cipher });
    stores.push(store);
    const T = Date.UTC(2026, 0, 1);
    const applicantId = store.applicants.insert({ identitySource: 'card', fields: { idNumber: '11010519491231002X', name: '赵小燕' }, at: T }).id;
    const caseId = store.cases.insert(
      { serial: 'S1', itemCode: 'X', applicantId, state: 'completed', form: { a: 1 }, contentHash: 'd'.repeat(64), actor: 'kiosk', at: T },
      { kind: 'case.submit', payload: {} },
    ).case.id;
    for (const e of store.outbox.forCase(caseId)) store.outbox.markSent(e.seq, T);

    let now = T + 10 * DAY;
    const m = manualTimers();
    const schedule = scheduleRetentionPurge({ store, cipher, retentionDays: 30, intervalMs: 3_600_000, firstDelayMs: 5_000, log, timers: m.timers, now: () => now });
    expect([...m.pending.values()].map((t) => t.ms)).toEqual([5_000]);
    expect(m.fire()).toBe(5_000); // too early for this case
    expect(store.cases.get(caseId)!.form).not.toBeNull();
    expect([...m.pending.values()].map((t) => t.ms)).toEqual([3_600_000]);

    now = T + 31 * DAY;
    m.fire();
    expect(store.cases.get(caseId)!.form).toBeNull();
    expect(store.applicants.get(applicantId)!.fields).toBeNull();

    // A run that fails (the store is gone) is logged, and the schedule goes on.
    store.close();
    m.fire();
    expect(sink.lines.some((l) => l.includes('retention purge failed'))).toBe(true);
    expect(m.pending.size).toBe(1);
    schedule.stop();
    expect(m.pending.size).toBe(0);
    expect(sink.lines.join('')).not.toContain('11010519491231002X');
    expect(sink.lines.join('')).not.toContain('赵小燕');
  });

  it('comes back after catchUpMs while a backlog is left, then at the interval', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tongban-schedule-'));
    dirs.push(dir);
    const cipher = openFieldCipher({ dataDir: dir });
    const store = openStore({ dataDir: dir, log: createLogger({ level: 'error', sink: new MemorySink() }), cipher });
    stores.push(store);
    const T = Date.UTC(2026, 0, 1);
    for (let i = 0; i < 3; i++) {
      const id = store.cases.insert({ serial: `S${i}`, itemCode: 'X', state: 'completed', form: {}, contentHash: 'd'.repeat(64), actor: 'kiosk', at: T }, { kind: 'case.submit', payload: {} }).case.id;
      for (const e of store.outbox.forCase(id)) store.outbox.markSent(e.seq, T);
    }
    const m = manualTimers();
    const schedule = scheduleRetentionPurge({ store, cipher, retentionDays: 30, intervalMs: 3_600_000, firstDelayMs: 5_000, maxCasesPerRun: 2, catchUpMs: 1_000, timers: m.timers, now: () => T + 40 * DAY });
    m.fire();
    expect(store.db.prepare('SELECT count(*) AS n FROM cases WHERE purged_at IS NULL').get()).toEqual({ n: 1 });
    expect([...m.pending.values()].map((t) => t.ms)).toEqual([1_000]);
    m.fire();
    expect(store.db.prepare('SELECT count(*) AS n FROM cases WHERE purged_at IS NULL').get()).toEqual({ n: 0 });
    expect([...m.pending.values()].map((t) => t.ms)).toEqual([3_600_000]);
    schedule.stop();
  });
});
