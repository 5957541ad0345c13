import { describe, expect, it } from 'vitest';
import { backoffCap, backoffDelay, retryDelay, DEFAULT_BACKOFF } from '../client/backoff.js';
import { assignRoutes, countsFor, narrowRoute, pendingFor, routes } from '../client/routing.js';
import type { KioskSyncStore, SyncEntry } from '../client/types.js';

const fixed = (x: number) => () => x;

describe('backoff with full jitter', () => {
  it('doubles the cap from the base up to the maximum', () => {
    const o = { baseMs: 500, maxMs: 30_000 };
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((a) => backoffCap(a, o))).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    expect(backoffCap(10_000, o)).toBe(30_000);
    expect(backoffCap(-3, o)).toBe(500);
    expect(backoffCap(Number.NaN, o)).toBe(500);
    expect(DEFAULT_BACKOFF).toEqual({ baseMs: 500, maxMs: 30_000 });
  });

  it('draws uniformly between 0 and the cap', () => {
    const o = { baseMs: 100, maxMs: 10_000 };
    expect(backoffDelay(3, o, fixed(0))).toBe(0);
    expect(backoffDelay(3, o, fixed(0.5))).toBe(400);
    expect(backoffDelay(3, o, fixed(0.999999))).toBe(800);
    // A broken random source stays within bounds.
    expect(backoffDelay(3, o, fixed(7))).toBe(800);
    expect(backoffDelay(3, o, fixed(-1))).toBe(0);
    expect(backoffDelay(3, o, fixed(Number.NaN))).toBe(0);
  });

  it('spreads a fleet: many kiosks reconnecting draw different delays', () => {
    let seed = 42;
    const lcg = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const delays = Array.from({ length: 200 }, () => backoffDelay(4, DEFAULT_BACKOFF, lcg));
    expect(new Set(delays).size).toBeGreaterThan(150);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThanOrEqual(8000);
  });

  it("never retries before the endpoint's hint, and adds up to 10 % to it", () => {
    const o = { baseMs: 100, maxMs: 1000 };
    expect(retryDelay(0, 5000, o, fixed(0))).toBe(5000);
    expect(retryDelay(0, 5000, o, fixed(0.999999))).toBe(5500);
    // Our own backoff longer than the hint: the backoff.
    expect(retryDelay(5, 10, o, fixed(0.5))).toBe(500);
    // No or nonsense hint: plain backoff.
    expect(retryDelay(2, undefined, o, fixed(0.5))).toBe(200);
    expect(retryDelay(2, -5, o, fixed(0.5))).toBe(200);
    expect(retryDelay(2, Number.POSITIVE_INFINITY, o, fixed(0.5))).toBe(200);
  });
});

function entry(seq: number, region: string): SyncEntry {
  return { seq, caseId: `c${seq}`, region, kind: 'case.submitted', payload: { serial: 's', contentHash: 'h', content: {} }, files: [], attempts: 0 };
}

/** A store that only answers pending/counts (enough for the routing arithmetic). */
function listStore(entries: SyncEntry[]): KioskSyncStore & { calls: number } {
  const s = {
    calls: 0,
    pending(q: { regions: readonly string[] | '*'; limit: number; exclude: ReadonlySet<number> }) {
      s.calls++;
      return entries.filter((e) => (q.regions === '*' || q.regions.includes(e.region)) && !q.exclude.has(e.seq)).slice(0, q.limit);
    },
    counts(regions: readonly string[] | '*') {
      return { pending: entries.filter((e) => regions === '*' || regions.includes(e.region)).length, quarantined: 0 };
    },
  };
  return s as unknown as KioskSyncStore & { calls: number };
}

describe('routing by region', () => {
  it('gives each region to exactly one endpoint: the first that lists it, else the first *', () => {
    const r = assignRoutes([{ regions: ['310000'] }, { regions: '*' }, { regions: ['310000', '340000'] }, { regions: '*' }]);
    expect(routes(r[0]!, '310000')).toBe(true);
    expect(routes(r[1]!, '310000')).toBe(false);
    expect(routes(r[1]!, '340000')).toBe(false);
    expect(routes(r[1]!, '110000')).toBe(true);
    expect(routes(r[2]!, '340000')).toBe(true);
    expect(routes(r[2]!, '310000')).toBe(false);
    expect(routes(r[3]!, '110000')).toBe(false);
    // Without a '*' endpoint an unlisted region goes nowhere.
    const only = assignRoutes([{ regions: ['310000'] }]);
    expect(routes(only[0]!, '340000')).toBe(false);
  });

  it("narrows to the regions the endpoint's welcome says it serves", () => {
    const [wild] = assignRoutes([{ regions: '*' }, { regions: ['340000'] }]);
    expect(narrowRoute(wild!, ['*'])).toBe(wild);
    const n = narrowRoute(wild!, ['310000', '340000']);
    expect(n.regions).toEqual(['310000']);
    const [listed] = assignRoutes([{ regions: ['310000', '320000'] }]);
    expect(narrowRoute(listed!, ['320000']).regions).toEqual(['320000']);
  });

  it("'*' minus other endpoints' regions pages past their entries and counts without them", () => {
    const entries = [...Array.from({ length: 25 }, (_, i) => entry(i + 1, '340000')), entry(26, '310000'), entry(27, '110000')];
    const store = listStore(entries);
    const [wild] = assignRoutes([{ regions: '*' }, { regions: ['340000'] }]);
    const got = pendingFor(store, wild!, { now: 0, limit: 10, exclude: new Set() });
    expect(got.map((e) => e.seq)).toEqual([26, 27]);
    expect(countsFor(store, wild!)).toEqual({ pending: 2, quarantined: 0 });
    expect(pendingFor(store, { regions: [], except: new Set() }, { now: 0, limit: 10, exclude: new Set() })).toEqual([]);
  });
});
