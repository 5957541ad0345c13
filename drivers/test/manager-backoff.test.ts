import { describe, expect, it } from 'vitest';
import { Backoff, backoffDelay, type BackoffPolicy } from '../manager/backoff.js';

const policy: BackoffPolicy = { initialMs: 100, maxMs: 2000, factor: 2, jitter: 0.5 };

describe('backoff', () => {
  it('doubles from the initial delay up to the bound without jitter', () => {
    const noJitter = { ...policy, jitter: 0 };
    expect([0, 1, 2, 3, 4, 5, 6, 50, 5000].map((n) => backoffDelay(n, noJitter, () => 0.7))).toEqual([100, 200, 400, 800, 1600, 2000, 2000, 2000, 2000]);
  });

  it('takes off at most the jitter fraction, as drawn', () => {
    expect(backoffDelay(2, policy, () => 0)).toBe(400);
    expect(backoffDelay(2, policy, () => 0.5)).toBe(300);
    expect(backoffDelay(2, policy, () => 0.999999)).toBe(200);
    // a broken random source cannot push the delay out of its band
    expect(backoffDelay(2, policy, () => 7)).toBe(200);
    expect(backoffDelay(2, policy, () => -3)).toBe(400);
  });

  it('counts attempts and starts over after a success', () => {
    const draws = [0.1, 0.9, 0.5, 0.0, 0.2];
    let i = 0;
    const b = new Backoff(policy, () => draws[i++ % draws.length]!);
    expect([b.next(), b.next(), b.next()]).toEqual([95, 110, 300]);
    expect(b.attempt).toBe(3);
    b.reset();
    expect(b.attempt).toBe(0);
    expect([b.next(), b.next()]).toEqual([100, 180]);
  });

  it('stays bounded after days of attempts', () => {
    const b = new Backoff(policy, () => 0);
    let last = 0;
    for (let k = 0; k < 100_000; k++) last = b.next();
    expect(last).toBe(2000);
  });

  it('refuses a policy that makes no sense', () => {
    expect(() => new Backoff({ ...policy, maxMs: 50 })).toThrow(RangeError);
    expect(() => new Backoff({ ...policy, jitter: 1.5 })).toThrow(RangeError);
    expect(() => new Backoff({ ...policy, initialMs: 0 })).toThrow(RangeError);
  });
});
