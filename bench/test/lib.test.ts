// The benchmark toolkit's parts that can be checked without timing anything: the openssl speed parser,
// the tables, the target checks, and the shape of a (very short) measurement.
import { describe, expect, it } from 'vitest';
import { type BenchReport, createContext, formatNumber, formatTable, measure, parseOpensslSpeed, targetTable } from '../lib.js';

// `openssl speed -seconds 3 sm2` from OpenSSL 3.0 (build and CPU lines trimmed).
const OUTPUT = `Doing 256 bits sign CurveSM2's for 3s: 9087 256 bits CurveSM2 signs in 2.99s 
Doing 256 bits verify CurveSM2's for 3s: 9840 256 bits CurveSM2 verify in 3.00s
version: 3.0.22
options: bn(64,64)
                              sign    verify    sign/s verify/s
 256 bits SM2 (CurveSM2)   0.0003s   0.0003s   3039.1   3280.0
`;

describe('bench toolkit', () => {
  it('reads sign/s and verify/s from openssl speed, and the wall rate from the counts', () => {
    const { sign, verify } = parseOpensslSpeed(OUTPUT, 'sm2', 3);
    expect(sign.opsPerSec).toBe(3039.1);
    expect(verify.opsPerSec).toBe(3280);
    expect(sign.ops).toBe(9087);
    expect(sign.wallOpsPerSec).toBeCloseTo(3029);
    expect(verify.wallOpsPerSec).toBe(3280);
    expect(sign.source).toBe('openssl speed -seconds 3 sm2');
  });

  it('says so when the output has no figures', () => {
    expect(() => parseOpensslSpeed('Error: unknown algorithm', 'sm9', 3)).toThrow(/cannot read sign\/s and verify\/s/);
  });

  it('formats numbers and aligned tables', () => {
    expect(formatNumber(12345.6)).toBe('12,346');
    expect(formatNumber(12.34)).toBe('12.3');
    expect(formatNumber(0.01234)).toBe('0.0123');
    expect(formatNumber(undefined)).toBe('-');
    expect(formatTable([['name', 'n'], ['a', '1'], ['longer', '100']]).split('\n')).toEqual(['name      n', '------  ---', 'a         1', 'longer  100']);
  });

  it('checks ratios and limits into PASS and FAIL', () => {
    const report: BenchReport = { name: 'x', description: 'x', measurements: [], targets: [], notes: [] };
    const b = createContext(report);
    const ours = { name: 'ours', ops: 1, opsPerSec: 300, wallOpsPerSec: 300 };
    const peer = { name: 'peer', ops: 1, opsPerSec: 100, wallOpsPerSec: 100 };
    expect(b.ratio('ours / peer', ours, peer, 2).pass).toBe(true);
    expect(b.ratio('ours / peer', ours, peer, 4).pass).toBe(false);
    expect(b.ratio('bytes', { ...ours, mibPerSec: 10 }, { ...peer, mibPerSec: 20 }, 0.5).value).toBe(0.5);
    expect(b.limit('median', 151, 'ms', { atMost: 150 }).pass).toBe(false);
    expect(b.limit('size', 399, 'KB', { atMost: 400 }).pass).toBe(true);
    const table = targetTable(report.targets);
    expect(table).toMatch(/ours \/ peer\s+3\.00x\s+>= 2x\s+PASS/);
    expect(table).toMatch(/median\s+151 ms\s+<= 150 ms\s+FAIL/);
  });

  it('measures sync and async functions into a complete figure', async () => {
    let calls = 0;
    const m = await measure('noop', () => calls++, { minTimeMs: 20, warmupMs: 5 });
    expect(m.ops).toBeGreaterThan(0);
    expect(calls).toBeGreaterThanOrEqual(m.ops);
    for (const v of [m.opsPerSec, m.wallOpsPerSec, m.medianMs!, m.p95Ms!]) expect(Number.isFinite(v)).toBe(true);
    const a = await measure('async', async () => {}, { minTimeMs: 20, warmupMs: 5, bytesPerOp: 1 << 20 });
    expect(a.mibPerSec).toBeGreaterThan(0);
  });
});
