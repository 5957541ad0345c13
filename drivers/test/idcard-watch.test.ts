import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { IdCardReader } from '../idcard/reader.js';
import { IdCardWatcher, type WatchEvent } from '../idcard/watch.js';
import { IdCardSim, loadCardFixture } from '../sim/idcard-sim.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

/** Waits (polling, no timing assertion) until `events` satisfies `pred`. */
async function until(events: WatchEvent[], pred: (e: WatchEvent[]) => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (pred(events)) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`watch: never saw ${what}; events: ${events.map((e) => e.type + ('state' in e ? `:${e.state}` : '')).join(', ')}`);
}
const count = (events: WatchEvent[], type: WatchEvent['type']): number => events.filter((e) => e.type === type).length;
const summary = (events: WatchEvent[]): string[] => events.map((e) => (e.type === 'status' ? `status:${e.state}` : e.type));

describe('IdCardWatcher', () => {
  it('reports insert, one read per insertion, remove, and unplug / back', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tongban-idwatch-')), 'tty');
    const sim = await IdCardSim.start(path);
    cleanups.push(() => sim.stop());
    const reader = IdCardReader.serial(path, { commandTimeoutMs: 200, retries: 1 });
    cleanups.push(() => reader.close());
    const watcher = new IdCardWatcher(reader, { intervalMs: 20 });
    cleanups.push(() => watcher.stop());
    const events: WatchEvent[] = [];
    watcher.onEvent((e) => events.push(e));
    watcher.start();
    await until(events, (e) => count(e, 'status') === 1, 'online');

    sim.insertCard(loadCardFixture('gat-j.json'));
    await until(events, (e) => count(e, 'card-read') === 1, 'the card read');
    const read = events.find((e) => e.type === 'card-read');
    expect(read?.type === 'card-read' && read.card.cardType).toBe('gat');
    // Many polls later the same card is still there and has not been read again.
    const polls = await new Promise<number>((resolve) => {
      let n = 0;
      const off = sim.onEvent((e) => {
        if (e.type === 'command' && e.command === 'find' && ++n === 10) {
          off();
          resolve(n);
        }
      });
    });
    expect(polls).toBe(10);
    expect(count(events, 'card-read')).toBe(1);
    expect(count(events, 'card-inserted')).toBe(1);

    sim.removeCard();
    await until(events, (e) => count(e, 'card-removed') === 1, 'card-removed');
    sim.insertCard(loadCardFixture('resident-dated.json'));
    await until(events, (e) => count(e, 'card-read') === 2, 'the second card read');

    await sim.unplug();
    await until(events, (e) => e.some((x) => x.type === 'status' && x.state === 'unplugged'), 'unplugged');
    await sim.plugIn();
    await until(events, (e) => e.at(-1)?.type === 'card-read', 'the card read again after plugging back in');
    expect(summary(events)).toEqual([
      'status:online',
      'card-inserted',
      'card-read',
      'card-removed',
      'card-inserted',
      'card-read',
      'card-removed',
      'status:unplugged',
      'status:online',
      'card-inserted',
      'card-read',
    ]);
  });

  it('reports a failed read once, and a silent reader as offline, then online again', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tongban-idwatch-')), 'tty');
    const sim = await IdCardSim.start(path);
    cleanups.push(() => sim.stop());
    const reader = IdCardReader.serial(path, { commandTimeoutMs: 100, retries: 0 });
    cleanups.push(() => reader.close());
    const watcher = new IdCardWatcher(reader, { intervalMs: 20 });
    cleanups.push(() => watcher.stop());
    const events: WatchEvent[] = [];
    watcher.onEvent((e) => events.push(e));
    watcher.start();
    await until(events, (e) => count(e, 'status') === 1, 'online');
    sim.setFault({ kind: 'sw3', command: 'read', sw3: 0x41 });
    sim.insertCard(loadCardFixture('resident-longterm.json'));
    await until(events, (e) => count(e, 'card-error') === 1, 'card-error');
    const err = events.find((e) => e.type === 'card-error');
    expect(err).toMatchObject({ code: 'idcard.sw3.41' });
    sim.setFault({ kind: 'silent' });
    await until(events, (e) => e.some((x) => x.type === 'status' && x.state === 'offline'), 'offline');
    sim.setFault(undefined);
    await until(events, (e) => e.at(-1)?.type === 'card-read', 'a read after the reader answers again');
    expect(count(events, 'card-error')).toBe(1);
    expect(summary(events).slice(-4)).toEqual(['status:offline', 'status:online', 'card-inserted', 'card-read']);
  });
});
