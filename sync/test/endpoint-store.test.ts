/** The endpoint store on a real SQLite file: enrolment, auth, idempotent batches, status changes, catalog, events. */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EndpointStore } from '../endpoint/store/index.js';
import { decodeEndpointMessage, encodeText, type CaseEntry } from '../protocol/index.js';
import { caseContent, fileRef, hashOf, openStore, pdfBytes, submitted, tempDir, upload } from './endpoint-store-fixtures.js';

let tmp: ReturnType<typeof tempDir>;
let store: EndpointStore;
let clock: number;

function enrolled(kioskId = 'kiosk-1'): { kioskId: string; secret: string } {
  return store.enroll(store.createEnrollToken(kioskId), '0.1.0');
}

beforeEach(() => {
  tmp = tempDir();
  clock = Date.UTC(2026, 10, 21, 12, 0, 0);
  store = openStore(tmp.dir, { now: () => clock });
});

afterEach(() => {
  store.close();
  tmp.remove();
});

describe('enrolment and authentication', () => {
  it('a token is exchanged once for credentials that authenticate', () => {
    const token = store.createEnrollToken('kiosk-1');
    const creds = store.enroll(token, '0.1.0');
    expect(creds.kioskId).toBe('kiosk-1');
    expect(store.authenticate('kiosk-1', creds.secret).id).toBe('kiosk-1');
    expect(() => store.enroll(token, '0.1.0')).toThrow(expect.objectContaining({ code: 'auth.usedToken' }));
  });

  it('answers a lost enrolment again with the same credentials until the kiosk has used them, and never after', () => {
    const token = store.createEnrollToken('kiosk-1', 60_000);
    const first = store.enroll(token, '0.1.0');
    clock += 1000;
    expect(store.enroll(token, '0.1.0')).toEqual(first); // `enrolled` lost on the way: asked again
    expect(store.authenticate('kiosk-1', first.secret).id).toBe('kiosk-1');
    expect(() => store.enroll(token, '0.1.0')).toThrow(expect.objectContaining({ code: 'auth.usedToken' }));

    // Not after the token's lifetime, and not once a newer token replaced the credentials.
    const late = store.createEnrollToken('kiosk-2', 60_000);
    store.enroll(late, '0.1.0');
    clock += 60_000;
    expect(() => store.enroll(late, '0.1.0')).toThrow(expect.objectContaining({ code: 'auth.usedToken' }));
    const old = store.createEnrollToken('kiosk-3');
    store.enroll(old, '0.1.0');
    const newer = store.enroll(store.createEnrollToken('kiosk-3'), '0.1.0');
    expect(() => store.enroll(old, '0.1.0')).toThrow(expect.objectContaining({ code: 'auth.usedToken' }));
    expect(store.authenticate('kiosk-3', newer.secret).id).toBe('kiosk-3');
  });

  it('refuses an unknown token and an expired one', () => {
    expect(() => store.enroll('nonsense', '0.1.0')).toThrow(expect.objectContaining({ code: 'auth.badToken' }));
    const token = store.createEnrollToken('kiosk-1', 60_000);
    clock += 60_000;
    expect(() => store.enroll(token, '0.1.0')).toThrow(expect.objectContaining({ code: 'auth.expiredToken' }));
  });

  it('keeps only hashes of tokens and secrets', () => {
    const token = store.createEnrollToken('kiosk-1');
    const { secret } = store.enroll(token, '0.1.0');
    const db = new Database(join(tmp.dir, 'endpoint.db'), { readonly: true });
    const dump = JSON.stringify([db.prepare('SELECT * FROM enroll_tokens').all(), db.prepare('SELECT * FROM kiosks').all()]);
    db.close();
    expect(dump).not.toContain(token);
    expect(dump).not.toContain(secret);
  });

  it('refuses an unknown kiosk, a wrong secret and a revoked kiosk; revocation voids its open tokens; a new token re-enrols', () => {
    const { secret } = enrolled();
    expect(() => store.authenticate('kiosk-2', secret)).toThrow(expect.objectContaining({ code: 'auth.unknown' }));
    expect(() => store.authenticate('kiosk-1', secret + 'x')).toThrow(expect.objectContaining({ code: 'auth.badSecret' }));
    const pending = store.createEnrollToken('kiosk-1');
    store.revoke('kiosk-1');
    expect(() => store.authenticate('kiosk-1', secret)).toThrow(expect.objectContaining({ code: 'auth.revoked' }));
    expect(() => store.enroll(pending, '0.1.0')).toThrow(expect.objectContaining({ code: 'auth.usedToken' }));
    expect(store.kiosks()[0]!.revokedAt).not.toBeNull();
    clock += 1;
    const again = store.enroll(store.createEnrollToken('kiosk-1'), '0.2.0');
    expect(store.authenticate('kiosk-1', again.secret).revokedAt).toBeNull();
    expect(() => store.authenticate('kiosk-1', secret)).toThrow(expect.objectContaining({ code: 'auth.badSecret' }));
  });

  it('refuses a malformed kiosk id', () => {
    expect(() => store.createEnrollToken('kiosk 1')).toThrow(expect.objectContaining({ code: 'kiosk.badId' }));
  });
});

describe('commitBatch', () => {
  beforeEach(() => void enrolled());

  it('commits a case durably: it is there after the store is reopened', () => {
    const e = submitted(1);
    expect(store.commitBatch('kiosk-1', [e], clock)).toEqual([{ seq: 1, outcome: 'committed' }]);
    store.close();
    store = openStore(tmp.dir, { now: () => clock });
    const c = store.getCase(e.caseId)!;
    expect(c.status).toBe('uploaded');
    expect(c.contentHash).toBe((e.payload as { contentHash: string }).contentHash);
    expect(c.content).toEqual((e.payload as { content: unknown }).content);
    expect(c.itemCode).toBe('341600-SB-0003');
    expect(store.kiosks()[0]!.highestSeq).toBe(1);
  });

  it('the same seq twice is a duplicate and never a second case', () => {
    const e = submitted(1);
    store.commitBatch('kiosk-1', [e], clock);
    expect(store.commitBatch('kiosk-1', [e], clock)).toEqual([{ seq: 1, outcome: 'duplicate' }]);
    expect(store.cases()).toHaveLength(1);
  });

  it('the same case under a new seq with the same content is a duplicate; other content is a conflict', () => {
    const e = submitted(1);
    store.commitBatch('kiosk-1', [e], clock);
    expect(store.commitBatch('kiosk-1', [{ ...e, seq: 2 }], clock)).toEqual([{ seq: 2, outcome: 'duplicate' }]);
    const other = submitted(3, e.caseId, { purpose: '购房' });
    expect(store.commitBatch('kiosk-1', [other], clock)[0]).toMatchObject({ seq: 3, outcome: 'rejected', code: 'case.conflict' });
    expect(store.cases()).toHaveLength(1);
    expect(store.getCase(e.caseId)!.contentHash).toBe((e.payload as { contentHash: string }).contentHash);
  });

  it('rejects a content hash that is not the SM3 of the canonical content, and content of another case', () => {
    const e = submitted(1);
    const p = e.payload as { content: Record<string, unknown>; contentHash: string };
    const tampered: CaseEntry = { ...e, payload: { ...p, content: { ...p.content, itemCode: '341600-SB-0004' } } } as CaseEntry;
    expect(store.commitBatch('kiosk-1', [tampered], clock)[0]).toMatchObject({ outcome: 'rejected', code: 'case.hashMismatch' });
    const otherId = randomUUID();
    const foreign = caseContent(otherId);
    const wrongCase = { ...e, seq: 2, payload: { ...p, content: foreign, contentHash: hashOf(foreign) } } as CaseEntry;
    expect(store.commitBatch('kiosk-1', [wrongCase], clock)[0]).toMatchObject({ outcome: 'rejected', code: 'case.hashMismatch' });
    expect(store.cases()).toHaveLength(0);
  });

  it('a seq used again for another case is refused, not taken for a duplicate', () => {
    store.commitBatch('kiosk-1', [submitted(1)], clock);
    expect(store.commitBatch('kiosk-1', [submitted(1)], clock)[0]).toMatchObject({ outcome: 'rejected', code: 'entry.seqReused' });
    expect(store.cases()).toHaveLength(1);
  });

  it('files not yet complete: retry (nothing recorded), and the later entries of that case wait; others go on; after the upload it commits', () => {
    const pdf = pdfBytes('material');
    const e = submitted(1, randomUUID(), { attached: [fileRef(pdf)] });
    const contentChange = { seq: 2, caseId: e.caseId, region: '341600', kind: 'case.contentChanged', payload: e.payload } as CaseEntry;
    const other = submitted(3);
    const acks = store.commitBatch('kiosk-1', [e, contentChange, other], clock);
    expect(acks[0]).toMatchObject({ seq: 1, outcome: 'retry', code: 'files.missing' });
    expect(acks[0]!.retryAfterMs).toBeGreaterThan(0);
    expect(acks[1]).toMatchObject({ seq: 2, outcome: 'retry', code: 'files.missing' });
    expect(acks[2]).toEqual({ seq: 3, outcome: 'committed' });
    upload(store, pdf);
    expect(store.commitBatch('kiosk-1', [e], clock)).toEqual([{ seq: 1, outcome: 'committed' }]);
  });

  it('a file listed with another size than the one stored is refused', () => {
    const pdf = pdfBytes('material');
    upload(store, pdf);
    const e = submitted(1, randomUUID(), { attached: [{ ...fileRef(pdf), size: pdf.length + 1 }] });
    expect(store.commitBatch('kiosk-1', [e], clock)[0]).toMatchObject({ outcome: 'rejected', code: 'case.fileMismatch' });
  });

  it('refuses a region it does not serve; the rejected seq is checked again when it comes back', () => {
    store.close();
    store = openStore(tmp.dir, { regions: ['310000'], now: () => clock });
    const e = submitted(1);
    expect(store.commitBatch('kiosk-1', [e], clock)[0]).toMatchObject({ outcome: 'rejected', code: 'case.regionNotServed' });
    store.close();
    store = openStore(tmp.dir, { regions: ['310000', '341600'], now: () => clock });
    expect(store.commitBatch('kiosk-1', [e], clock)).toEqual([{ seq: 1, outcome: 'committed' }]);
  });

  it('one bad entry does not spoil the batch: each gets its own outcome, in order', () => {
    const bad = { ...submitted(2), caseId: 'NOT-A-UUID' } as CaseEntry;
    const acks = store.commitBatch('kiosk-1', [submitted(1), bad, submitted(3)], clock);
    expect(acks.map((a) => a.outcome)).toEqual(['committed', 'rejected', 'committed']);
    expect(store.cases()).toHaveLength(2);
  });

  it('refuses a batch from a kiosk it does not know', () => {
    expect(() => store.commitBatch('kiosk-9', [submitted(1)], clock)).toThrow(expect.objectContaining({ code: 'auth.unknown' }));
  });

  it('kiosk moves: on-site accept and complete with a result; idempotent by case; an illegal move refused', () => {
    const e = submitted(1);
    const hash = (e.payload as { contentHash: string }).contentHash;
    store.commitBatch('kiosk-1', [e], clock);
    const accept: CaseEntry = { seq: 2, caseId: e.caseId, region: '341600', kind: 'case.transition', payload: { from: 'submitted', to: 'accepted', at: '2026-11-21T12:00:00.000Z', contentHash: hash, results: [] } };
    expect(store.commitBatch('kiosk-1', [accept], clock)).toEqual([{ seq: 2, outcome: 'committed' }]);
    expect(store.commitBatch('kiosk-1', [{ ...accept, seq: 3 }], clock)).toEqual([{ seq: 3, outcome: 'duplicate' }]);
    const cert = pdfBytes('certificate');
    const result = { ...fileRef(cert), documentId: 'SB-341600-20261121-000123', title: '社会保险参保缴费证明' };
    const complete: CaseEntry = { seq: 4, caseId: e.caseId, region: '341600', kind: 'case.transition', payload: { from: 'accepted', to: 'completed', at: '2026-11-21T12:00:01.000Z', contentHash: hash, results: [result] } };
    expect(store.commitBatch('kiosk-1', [complete], clock)[0]).toMatchObject({ outcome: 'retry', code: 'files.missing' });
    upload(store, cert);
    expect(store.commitBatch('kiosk-1', [complete], clock)).toEqual([{ seq: 4, outcome: 'committed' }]);
    const c = store.getCase(e.caseId)!;
    expect(c.status).toBe('completed');
    expect(c.results).toEqual([expect.objectContaining({ documentId: result.documentId, source: 'kiosk', sm3: result.sm3 })]);
    expect(c.history.map((h) => h.to)).toEqual(['uploaded', 'accepted', 'completed']);
    const back: CaseEntry = { seq: 5, caseId: e.caseId, region: '341600', kind: 'case.transition', payload: { from: 'completed', to: 'accepted', at: '2026-11-21T12:00:02.000Z', contentHash: hash, results: [] } };
    expect(store.commitBatch('kiosk-1', [back], clock)[0]).toMatchObject({ outcome: 'rejected', code: 'case.illegalTransition' });
  });

  it('补正: the clerk asks for a correction, the kiosk resubmits corrected content, the clerk sees the new hash', () => {
    const e = submitted(1);
    store.commitBatch('kiosk-1', [e], clock);
    store.setStatus(e.caseId, 'correctionRequested', { note: '请补交承诺书' }, clock);
    const corrected = caseContent(e.caseId, { purpose: '购房' });
    const resubmit: CaseEntry = {
      seq: 2,
      caseId: e.caseId,
      region: '341600',
      kind: 'case.transition',
      payload: { from: 'correctionRequested', to: 'submitted', at: '2026-11-21T12:00:00.000Z', contentHash: hashOf(corrected), content: corrected, results: [] },
    };
    expect(store.commitBatch('kiosk-1', [resubmit], clock)).toEqual([{ seq: 2, outcome: 'committed' }]);
    const c = store.getCase(e.caseId)!;
    expect(c.status).toBe('uploaded');
    expect(c.contentHash).toBe(hashOf(corrected));
    // the original submission replayed under a new seq is still recognised as the same case
    expect(store.commitBatch('kiosk-1', [{ ...e, seq: 3 }], clock)).toEqual([{ seq: 3, outcome: 'duplicate' }]);
  });

  it('content changed while uploaded: new hash; the same change again is a duplicate', () => {
    const e = submitted(1);
    store.commitBatch('kiosk-1', [e], clock);
    const changed = caseContent(e.caseId, { purpose: '其他' });
    const entry: CaseEntry = { seq: 2, caseId: e.caseId, region: '341600', kind: 'case.contentChanged', payload: { contentHash: hashOf(changed), content: changed } };
    expect(store.commitBatch('kiosk-1', [entry], clock)).toEqual([{ seq: 2, outcome: 'committed' }]);
    expect(store.commitBatch('kiosk-1', [{ ...entry, seq: 3 }], clock)).toEqual([{ seq: 3, outcome: 'duplicate' }]);
    expect(store.getCase(e.caseId)!.contentHash).toBe(hashOf(changed));
  });
});

describe('setStatus', () => {
  let caseId: string;
  beforeEach(() => {
    enrolled();
    const e = submitted(1);
    caseId = e.caseId;
    store.commitBatch('kiosk-1', [e], clock);
  });

  it('accept then complete with a result PDF: history, result file, one event per change for the kiosk', () => {
    store.setStatus(caseId, 'accepted', {}, clock);
    const pdf = pdfBytes('证明');
    const c = store.setStatus(caseId, 'completed', { results: [{ bytes: pdf, title: '证明' }], actor: '张科员' }, clock + 1);
    expect(c.status).toBe('completed');
    expect(c.history.at(-1)).toMatchObject({ from: 'accepted', to: 'completed', actor: '张科员' });
    expect(store.hasFile(fileRef(pdf).sm3)).toBe(true);
    expect(Buffer.from(store.readFile(fileRef(pdf).sm3, 0, 1 << 20)).equals(pdf)).toBe(true);
    const events = store.eventsAfter('kiosk-1', null, 10);
    expect(events.map((e) => e.kind === 'case.status' && e.to)).toEqual(['accepted', 'completed']);
    expect(events[1]).toMatchObject({ kind: 'case.status', caseId, results: [{ ...fileRef(pdf), title: '证明', documentId: `R-${fileRef(pdf).sm3.slice(0, 16)}` }] });
  });

  it('refuses illegal moves, a correction or refusal without a note, completion of an accepted case without a result, results before completion, a result that is not a PDF', () => {
    expect(() => store.setStatus(caseId, 'completed', {}, clock)).toThrow(expect.objectContaining({ code: 'case.illegalTransition' }));
    const early = pdfBytes('too early');
    expect(() => store.setStatus(caseId, 'completed', { results: [{ bytes: early, title: 't' }] }, clock)).toThrow(expect.objectContaining({ code: 'case.illegalTransition' }));
    expect(existsSync(join(tmp.dir, 'files', fileRef(early).sm3))).toBe(false); // no orphan file for a refused change
    expect(() => store.setStatus(caseId, 'refused', {}, clock)).toThrow(expect.objectContaining({ code: 'case.noteRequired' }));
    expect(() => store.setStatus(caseId, 'correctionRequested', { note: '  ' }, clock)).toThrow(expect.objectContaining({ code: 'case.noteRequired' }));
    expect(() => store.setStatus(caseId, 'accepted', { results: [{ bytes: pdfBytes(), title: 't' }] }, clock)).toThrow(expect.objectContaining({ code: 'case.resultsOnlyOnCompletion' }));
    store.setStatus(caseId, 'accepted', {}, clock);
    expect(() => store.setStatus(caseId, 'completed', {}, clock)).toThrow(expect.objectContaining({ code: 'case.resultRequired' }));
    expect(() => store.setStatus(caseId, 'completed', { results: [{ bytes: Buffer.from('not a pdf'), title: 't' }] }, clock)).toThrow(
      expect.objectContaining({ code: 'result.badType' }),
    );
    expect(() => store.setStatus(caseId, 'completed', { results: [{ bytes: pdfBytes(), title: 't', mediaType: 'image/png' }] }, clock)).toThrow(
      expect.objectContaining({ code: 'result.badType' }),
    );
    expect(() => store.setStatus(randomUUID(), 'accepted', {}, clock)).toThrow(expect.objectContaining({ code: 'case.unknown' }));
    // nothing of the refused changes left a trace
    expect(store.getCase(caseId)!.history.map((h) => h.to)).toEqual(['uploaded', 'accepted']);
    expect(store.eventsAfter('kiosk-1', null, 10)).toHaveLength(1);
  });

  it('refused then completed without a result; completed is final', () => {
    store.setStatus(caseId, 'refused', { note: '不属于本事项' }, clock);
    store.setStatus(caseId, 'completed', {}, clock);
    expect(() => store.setStatus(caseId, 'accepted', {}, clock)).toThrow(expect.objectContaining({ code: 'case.illegalTransition' }));
    expect(store.eventsAfter('kiosk-1', null, 10).map((e) => (e.kind === 'case.status' ? [e.to, e.note] : []))).toEqual([
      ['refused', '不属于本事项'],
      ['completed', undefined],
    ]);
  });
});

describe('catalog and events', () => {
  it('newer versions only; one event per enrolled kiosk; a kiosk enrolled later gets the newest catalog first', () => {
    enrolled('kiosk-1');
    enrolled('kiosk-2');
    store.setCatalog({ items: [1] }, 1);
    store.setCatalog({ items: [1, 2] }, 2);
    expect(() => store.setCatalog({ items: [] }, 2)).toThrow(expect.objectContaining({ code: 'catalog.notNewer' }));
    expect(() => store.setCatalog({ items: [] }, 1)).toThrow(expect.objectContaining({ code: 'catalog.notNewer' }));
    expect(store.catalog()).toEqual({ version: 2, catalog: { items: [1, 2] } });
    for (const k of ['kiosk-1', 'kiosk-2']) {
      expect(store.eventsAfter(k, null, 10).map((e) => (e.kind === 'catalog' ? e.version : 0))).toEqual([1, 2]);
    }
    enrolled('kiosk-3');
    const first = store.eventsAfter('kiosk-3', null, 10);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ kind: 'catalog', version: 2, catalog: { items: [1, 2] } });
  });

  it('eventsAfter pages by cursor, per kiosk; ackEvents is remembered for the fleet view; maxEventId grows', () => {
    enrolled('kiosk-1');
    enrolled('kiosk-2');
    for (let v = 1; v <= 5; v++) store.setCatalog({ v }, v);
    const page1 = store.eventsAfter('kiosk-1', null, 2);
    expect(page1).toHaveLength(2);
    const page2 = store.eventsAfter('kiosk-1', page1[1]!.cursor, 2);
    expect(page2.map((e) => (e.kind === 'catalog' ? e.version : 0))).toEqual([3, 4]);
    expect(Number(page2[0]!.cursor)).toBeGreaterThan(Number(page1[1]!.cursor));
    expect(new Set([...page1, ...page2].map((e) => e.id)).size).toBe(4);
    expect(store.maxEventId()).toBe(10);
    store.ackEvents('kiosk-1', page2[1]!.cursor);
    store.ackEvents('kiosk-1', page1[0]!.cursor); // a replayed older ack does not move it back
    const k1 = store.kiosks().find((k) => k.id === 'kiosk-1')!;
    expect(k1.ackedCursor).toBe(page2[1]!.cursor);
    expect(k1.unackedEvents).toBe(1);
    expect(store.kiosks().find((k) => k.id === 'kiosk-2')!.unackedEvents).toBe(5);
    expect(() => store.eventsAfter('kiosk-1', 'abc', 10)).toThrow(expect.objectContaining({ code: 'events.badCursor' }));
  });

  it('heartbeats and touches make the fleet view', () => {
    enrolled('kiosk-1');
    store.touch('kiosk-1', clock, { address: '127.0.0.1', agentVersion: '0.1.1' });
    store.recordHeartbeat('kiosk-1', { devices: [{ device: 'printer', state: 'paperOut' }], queue: { pending: 3, quarantined: 1, unrouted: 0, inboxUnapplied: 0 }, auditHead: null }, clock + 5);
    expect(store.kiosks()[0]).toMatchObject({
      id: 'kiosk-1',
      agentVersion: '0.1.1',
      address: '127.0.0.1',
      lastSeenAt: new Date(clock + 5).toISOString(),
      devices: [{ device: 'printer', state: 'paperOut' }],
      queue: { pending: 3, quarantined: 1 },
      connected: false,
    });
    expect(() => store.recordHeartbeat('kiosk-1', { devices: 'x' as never, queue: { pending: 0, quarantined: 0, unrouted: 0, inboxUnapplied: 0 }, auditHead: null }, clock)).toThrow(
      expect.objectContaining({ code: 'heartbeat.invalid' }),
    );
  });
});

describe('what the store writes passes the kiosk decoder', () => {
  it('events at the limits (note, title, results, a large catalog) and acks with long reasons decode; a catalog too deep is refused', () => {
    enrolled('kiosk-1');
    const e = submitted(1);
    store.commitBatch('kiosk-1', [e], clock);
    store.setStatus(e.caseId, 'accepted', {}, clock);
    const results = Array.from({ length: 20 }, (_, i) => ({ bytes: pdfBytes(`r${i}`), title: '证'.repeat(200), documentId: `D.${i}:x-y_z` }));
    store.setStatus(e.caseId, 'completed', { results, note: '注'.repeat(2000) }, clock);
    expect(() => store.setStatus(e.caseId, 'completed', { note: 'x'.repeat(2001) }, clock)).toThrow(expect.objectContaining({ code: 'case.badNote' }));
    store.setCatalog({ items: Array.from({ length: 1400 }, (_, i) => ({ code: `ITEM-${i}`, name: '事项'.repeat(100) })) }, 1);
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 40; i++) deep = { d: deep };
    expect(() => store.setCatalog(deep, 2)).toThrow(expect.objectContaining({ code: 'catalog.invalid' }));
    const events = store.eventsAfter('kiosk-1', null, 10);
    expect(events).toHaveLength(3);
    for (const ev of events) {
      const decoded = decodeEndpointMessage(encodeText({ type: 'events', events: [ev] }), false);
      expect(decoded).toMatchObject({ type: 'events', events: [{ cursor: ev.cursor }] });
    }
    store.close();
    store = openStore(tmp.dir, { regions: Array.from({ length: 300 }, (_, i) => String(100000 + i)), now: () => clock });
    const acks = store.commitBatch('kiosk-1', [submitted(2)], clock);
    expect(acks[0]).toMatchObject({ outcome: 'rejected', code: 'case.regionNotServed' });
    expect(decodeEndpointMessage(encodeText({ type: 'ack', results: acks }), false)).toMatchObject({ type: 'ack' });
  });
});
