/**
 * Endpoint events reaching the kiosk through the real endpoint server: status changes with result
 * documents (fetched with file.get, several chunks) and a catalog, applied once in one local
 * transaction each, the cursor advanced only with the apply and acknowledged only after it; a local
 * apply that fails leaves the cursor where it was and the events come again.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EndpointEvent } from '../protocol/index.js';
import { sm3Hex } from '../../certs/sm3.js';
import { CutProxy, Harness, bytes, until } from './client-harness.js';
import { TestKioskStore } from './helpers/test-kiosk-store.js';

let h: Harness;
beforeEach(() => {
  h = new Harness();
});
afterEach(async () => {
  await h.cleanup();
});

/** Bytes the endpoint takes for a PDF: the signature, then ~1.2 MB (three chunks). */
function pdf(seed: number, size = 1_200_000): Uint8Array {
  const head = Buffer.from('%PDF-1.7\n');
  return Buffer.concat([head, Buffer.from(bytes(size - head.length - 6, seed)), Buffer.from('%%EOF\n')]);
}

describe('endpoint events', () => {
  it('applies status changes with their result documents and a catalog once each, cursor and ack after the apply', async () => {
    const e = await h.endpoint();
    const store = h.store();
    const [a, b, c] = store.submitCases(3);
    const client = h.client(store, { url: e.url, regions: '*', enrollToken: e.store.createEnrollToken('kiosk-1') });
    client.start();
    await until(() => store.outbox().every((o) => o.sent), 'drained');

    const result = pdf(1);
    e.store.setStatus(a!.caseId, 'accepted', { note: '材料齐全，予以受理' }, Date.now());
    e.store.setStatus(a!.caseId, 'completed', { results: [{ bytes: result, title: '住房公积金提取决定书' }] }, Date.now());
    e.store.setStatus(b!.caseId, 'correctionRequested', { note: '请补正身份证复印件' }, Date.now());
    e.store.setCatalog({ format: 1, items: [] }, 7, Date.now());

    await until(() => store.inbox().length === 4 && store.cursor(e.url) !== null, 'four events applied');
    expect(store.caseStatus(a!.caseId)).toBe('completed');
    expect(store.caseStatus(b!.caseId)).toBe('correctionRequested');
    expect(store.history(a!.caseId).map((x) => `${x.from}>${x.to}:${x.actor}`)).toEqual([
      'submitted>uploaded:sync',
      'uploaded>accepted:endpoint',
      'accepted>completed:endpoint',
    ]);
    expect(store.history(b!.caseId).at(-1)).toMatchObject({ to: 'correctionRequested', note: '请补正身份证复印件' });
    expect(store.catalogVersion()).toBe(7);
    // The result document came with the event, whole.
    expect(Buffer.from(store.readFile(sm3Hex(result))).equals(Buffer.from(result))).toBe(true);

    const inbox = store.inbox();
    expect(new Set(inbox.map((i) => i.eventId)).size).toBe(4);
    expect(inbox.every((i) => i.outcome === 'applied')).toBe(true);
    const last = inbox.at(-1)!.cursor;
    expect(store.cursor(e.url)).toBe(last);
    await until(() => e.store.kiosks().find((k) => k.id === 'kiosk-1')?.ackedCursor === last, 'the endpoint recorded the ack');
    expect(client.status().received).toBe(4);

    // A new client on the same store (a kiosk restart): hello carries the cursor, nothing is applied again.
    const calls = store.applyCalls;
    await client.stop();
    const again = h.client(store, { url: e.url, regions: '*' });
    again.start();
    await until(() => again.status().connected, 'reconnected');
    e.store.setStatus(c!.caseId, 'refused', { note: '不属于本事项受理范围' }, Date.now());
    await until(() => store.caseStatus(c!.caseId) === 'refused', 'the next event');
    expect(store.applyCalls).toBe(calls + 1);
    expect(store.inbox()).toHaveLength(5);
  });

  it('a local apply that fails leaves the cursor where it was and sends no ack; the events come again and apply once', async () => {
    const e = await h.endpoint();
    class FlakyStore extends TestKioskStore {
      failures = 2;
      override applyEvents(url: string, events: readonly EndpointEvent[], files: ReadonlyMap<string, Uint8Array>): void {
        if (this.failures > 0) {
          this.failures--;
          throw new Error('disk full (test)');
        }
        super.applyEvents(url, events, files);
      }
    }
    const store = new FlakyStore(`${h.dir}/flaky.db`);
    const [a] = store.submitCases(1);
    const client = h.client(store, { url: e.url, regions: '*', enrollToken: e.store.createEnrollToken('kiosk-1') });
    client.start();
    await until(() => store.outbox().every((o) => o.sent), 'drained');
    const result = pdf(2, 700_000);
    e.store.setStatus(a!.caseId, 'accepted', {}, Date.now());
    e.store.setStatus(a!.caseId, 'completed', { results: [{ bytes: result, title: '决定书' }] }, Date.now());

    await until(() => store.failures === 0, 'both failures happened');
    // Nothing applied, nothing acknowledged at the endpoint yet.
    expect(store.cursor(e.url)).toBeNull();
    expect(store.inbox()).toHaveLength(0);
    expect(e.store.kiosks()[0]!.ackedCursor).toBeNull();
    expect(h.sink.records().some((r) => r.msg === 'sync connection closed on an error' && String(r.error).includes('disk full'))).toBe(true);

    await until(() => store.caseStatus(a!.caseId) === 'completed', 'applied on a later connection');
    expect(store.inbox()).toHaveLength(2);
    expect(store.applyCalls).toBe(1);
    expect(store.hasFile(sm3Hex(result))).toBe(true);
    await until(() => e.store.kiosks()[0]!.ackedCursor === store.cursor(e.url), 'acknowledged after the apply');
    await client.stop();
    store.close();
  });

  it('a result download cut midway resumes from the bytes already received', async () => {
    const e = await h.endpoint();
    const proxy = h.track(await CutProxy.start(e.port));
    const url = `ws://127.0.0.1:${proxy.port}/sync`;
    const store = h.store();
    const [a] = store.submitCases(1);
    const client = h.client(store, { url, regions: '*', enrollToken: e.store.createEnrollToken('kiosk-1') });
    client.start();
    await until(() => store.outbox().every((o) => o.sent), 'drained');
    const result = pdf(3, 3 * 1024 * 1024);
    proxy.cutDownAfter = proxy.downBytes + 1_800_000;
    e.store.setStatus(a!.caseId, 'accepted', {}, Date.now());
    e.store.setStatus(a!.caseId, 'completed', { results: [{ bytes: result, title: '决定书' }] }, Date.now());
    await until(() => store.caseStatus(a!.caseId) === 'completed', 'applied after the cut');
    expect(proxy.cuts).toBe(1);
    expect(Buffer.from(store.readFile(sm3Hex(result))).equals(Buffer.from(result))).toBe(true);
    const resumed = h.sink.records().find((r) => r.msg === 'resuming a file download');
    expect(resumed?.from).toBeGreaterThan(0);
    expect(store.inbox()).toHaveLength(2);
  });
});
