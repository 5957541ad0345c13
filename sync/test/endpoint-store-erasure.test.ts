/**
 * Erasure at the endpoint (sync/endpoint/store/erasure.ts): one person's cases found by the keyed hash of
 * the ID number, and the retention purge of completed cases; what stays is enough for idempotency.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EndpointStore } from '../endpoint/store/index.js';
import type { CaseEntry } from '../protocol/index.js';
import { caseContent, fileRef, hashOf, openStore, pdfBytes, submitted, tempDir, upload } from './endpoint-store-fixtures.js';

const DAY = 24 * 3600 * 1000;
let tmp: ReturnType<typeof tempDir>;
let store: EndpointStore;
const clock = Date.UTC(2026, 10, 21, 12, 0, 0);

beforeEach(() => {
  tmp = tempDir();
  store = openStore(tmp.dir);
  store.enroll(store.createEnrollToken('kiosk-1'), '0.1.0');
});
afterEach(() => {
  store.close();
  tmp.remove();
});

/** A submitted entry for another applicant (same fixture, another ID number and name). */
function otherPerson(seq: number, attached: ReturnType<typeof fileRef>[] = []): CaseEntry {
  const e = submitted(seq, undefined, { attached });
  const content = { ...caseContent(e.caseId, { attached }), applicant: { source: 'idCard', idType: 'resident', idNumber: '11010519491231002X', name: '李其他' } };
  return { ...e, payload: { ...(e.payload as object), content, contentHash: hashOf(content) } } as CaseEntry;
}

function filesOnDisk(): string[] {
  return readdirSync(join(tmp.dir, 'files')).filter((n) => /^[0-9a-f]{64}$/.test(n));
}

describe('eraseApplicant', () => {
  it("erases every case of the person (content, notes, titles, event notes, files no one else lists), keeps the facts, and a resend is still a duplicate", () => {
    const scan = pdfBytes('身份证扫描件');
    const shared = pdfBytes('shared');
    upload(store, scan);
    upload(store, shared);
    const mine = submitted(1, undefined, { attached: [fileRef(scan), fileRef(shared)] });
    const mine2 = submitted(2);
    const theirs = otherPerson(3, [fileRef(shared)]);
    expect(store.commitBatch('kiosk-1', [mine, mine2, theirs], clock).map((r) => r.outcome)).toEqual(['committed', 'committed', 'committed']);
    store.setStatus(mine.caseId, 'refused', { note: '材料不全：王演示' }, clock + 1);
    store.setStatus(mine.caseId, 'completed', {}, clock + 2);

    const report = store.eraseApplicant(' 341602199001011234 ', clock + 3);
    expect(report).toEqual({ reason: 'operator', cases: [mine.caseId, mine2.caseId].sort(), filesDeleted: 1 });
    const c = store.getCase(mine.caseId)!;
    expect(c).toMatchObject({ content: {}, status: 'completed', contentHash: (mine.payload as { contentHash: string }).contentHash, purgedAt: new Date(clock + 3).toISOString() });
    expect(c.history.map((h) => h.note)).toEqual([undefined, undefined, undefined]);
    const events = store.eventsAfter('kiosk-1', null, 10).filter((e) => e.kind === 'case.status');
    expect(events).toHaveLength(2);
    for (const e of events) expect(e).not.toHaveProperty('note');
    // The other person's case and the file it shares are untouched.
    expect(store.getCase(theirs.caseId)!.content).toMatchObject({ applicant: { name: '李其他' } });
    expect(filesOnDisk()).toEqual([fileRef(shared).sm3]);
    expect(store.hasFile(fileRef(scan).sm3)).toBe(false);
    // Idempotency survives: the same entry again is a duplicate, the same case under a new seq too.
    expect(store.commitBatch('kiosk-1', [mine, { ...mine, seq: 9 }], clock + 4).map((r) => r.outcome)).toEqual(['duplicate', 'duplicate']);
    expect(store.eraseApplicant('341602199001011234', clock + 5).cases).toEqual([]);
  });
});

describe('purgeExpired', () => {
  it('erases completed cases older than the retention, not younger ones nor open ones', () => {
    const old = submitted(1);
    const young = submitted(2);
    const open = submitted(3);
    store.commitBatch('kiosk-1', [old, young, open], clock);
    store.setStatus(old.caseId, 'refused', { note: 'x' }, clock);
    store.setStatus(old.caseId, 'completed', {}, clock);
    store.setStatus(young.caseId, 'accepted', {}, clock);
    store.setStatus(young.caseId, 'completed', { results: [{ bytes: pdfBytes('r'), title: '结果' }] }, clock + 20 * DAY);
    const report = store.purgeExpired(30, clock + 31 * DAY);
    expect(report).toEqual({ reason: 'retention', cases: [old.caseId], filesDeleted: 0 });
    expect(store.getCase(young.caseId)!.results[0]!.title).toBe('结果');
    const later = store.purgeExpired(30, clock + 51 * DAY);
    expect(later).toEqual({ reason: 'retention', cases: [young.caseId], filesDeleted: 1 });
    expect(store.getCase(young.caseId)!.results[0]!.title).toBe('');
    expect(store.getCase(open.caseId)!.purgedAt).toBeUndefined();
    expect(() => store.purgeExpired(-1)).toThrow(RangeError);
  });
});
