/**
 * The endpoint store's batch commit, fast path and fallback: the canonical text computed for the
 * content hash (equal to certs canonicalJson), entries applied without a savepoint each, and a row
 * the schema refuses after the checks passed (a trigger here) costing only its own entry.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../certs/pdf/templates/reference.js';
import { sm3Hex } from '../../certs/sm3.js';
import type { EndpointStore } from '../endpoint/store/index.js';
import { fastCanonicalJson } from '../endpoint/store/validate.js';
import { openStore, submitted, tempDir } from './endpoint-store-fixtures.js';

describe('fastCanonicalJson', () => {
  const values: unknown[] = [
    null,
    true,
    0,
    -0,
    1e21,
    1.5e-7,
    -12.25,
    '',
    'a"b\\c\n\u2028\u0001',
    '王演示',
    [],
    {},
    [1, 'x', null, [2, [3, {}]], { b: 1, a: 2 }],
    { b: 1, a: { d: [1, 2], c: '三' }, 10: 'ten', 9: 'nine', '09': 'x', '': 'empty', A: 1, _: 2, é: 3, '\ud83d\ude00': 4, 'ｆ': 5 },
    { z: undefined, y: 1, nested: { u: undefined } },
    JSON.parse('{"__proto__": {"b": 1, "a": 2}, "k": [1, {"y": 0, "x": 0}]}'),
    { format: 1, id: 'x', applicant: { source: 'idCard', idType: 'resident', idNumber: '341602199001011234', name: '王演示' }, form: { residenceAddress: '上海', phone: '138' } },
  ];

  it('writes exactly what canonicalJson writes', () => {
    for (const v of values) expect(fastCanonicalJson(v)).toBe(canonicalJson(v));
  });

  it('refuses what canonicalJson refuses', () => {
    for (const v of [NaN, Infinity, [1, undefined], { a: () => 1 }, { a: 10n }, { a: { b: [Symbol('s')] } }]) {
      expect(() => canonicalJson(v)).toThrow(RangeError);
      expect(() => fastCanonicalJson(v)).toThrow(RangeError);
    }
  });
});

describe('commitBatch', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: EndpointStore;

  beforeEach(() => {
    tmp = tempDir();
    store = openStore(tmp.dir);
    store.enroll(store.createEnrollToken('kiosk-1'), '0.1.0');
  });

  afterEach(() => {
    store.close();
    tmp.remove();
  });

  it('keeps the content the kiosk sent, which hashes to its content hash', () => {
    const entry = submitted(1);
    expect(store.commitBatch('kiosk-1', [entry], 1)).toEqual([{ seq: 1, outcome: 'committed' }]);
    const c = store.getCase(entry.caseId)!;
    expect(c.content).toEqual((entry.payload as { content: object }).content);
    expect(sm3Hex(canonicalJson(c.content))).toBe(c.contentHash);
    expect(c.contentHash).toBe((entry.payload as { contentHash: string }).contentHash);
  });

  it('a row the schema refuses after the checks passed rejects that entry only; the others commit in the batch', () => {
    // A constraint the store's checks do not know: the fast path fails, the batch is redone entry by entry.
    const db = new Database(join(tmp.dir, 'endpoint.db'));
    db.exec(`CREATE TRIGGER refuse_one BEFORE INSERT ON cases WHEN NEW.serial LIKE '%refused%' BEGIN SELECT RAISE(ABORT, 'refused by a trigger'); END`);
    db.close();
    const a = submitted(1);
    const b = submitted(2);
    (b.payload as { serial: string }).serial = 'refused-1';
    const c = submitted(3);
    const results = store.commitBatch('kiosk-1', [a, b, c], 1);
    expect(results.map((r) => r.outcome)).toEqual(['committed', 'rejected', 'committed']);
    expect(results[1]).toMatchObject({ seq: 2, code: 'entry.invalid' });
    expect(store.cases().map((x) => x.id).sort()).toEqual([a.caseId, c.caseId].sort());
    // Recorded once each: sent again, the committed ones are duplicates and the refused one is checked again.
    expect(store.commitBatch('kiosk-1', [a, b, c], 2).map((r) => r.outcome)).toEqual(['duplicate', 'rejected', 'duplicate']);
    expect(store.kiosk('kiosk-1')!.highestSeq).toBe(3);
  });

  it('an error that is not a constraint fails the whole batch and writes nothing', () => {
    const db = new Database(join(tmp.dir, 'endpoint.db'));
    db.exec(`CREATE TRIGGER fail_one BEFORE INSERT ON cases WHEN NEW.serial LIKE '%broken%' BEGIN SELECT no_such_function(); END`);
    db.close();
    const a = submitted(1);
    const b = submitted(2);
    (b.payload as { serial: string }).serial = 'broken-1';
    expect(() => store.commitBatch('kiosk-1', [a, b], 1)).toThrow();
    expect(store.cases()).toEqual([]);
    expect(store.kiosk('kiosk-1')!.highestSeq).toBe(0);
  });
});
