/**
 * SyncClient against the real endpoint server (startEndpoint on 127.0.0.1:0, its real store in a temp
 * dir) and a real kiosk store file: enrolment, drain in order and exactly once, a restart of the
 * endpoint in the middle of a drain, attachments uploaded before their case, stop() leaving nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Harness, bytes, until } from './client-harness.js';

let h: Harness;
beforeEach(() => {
  h = new Harness();
});
afterEach(async () => {
  await h.cleanup();
});

describe('SyncClient: hello, drain, acknowledged', () => {
  it('enrols with the token, says hello and drains the backlog in seq order, each entry once', async () => {
    const e = await h.endpoint();
    const store = h.store();
    const submitted = Array.from({ length: 450 }, () => store.submitCase({ region: '310000' }));
    const client = h.client(store, { url: e.url, regions: '*', enrollToken: e.store.createEnrollToken('kiosk-1') });
    expect(client.status()).toMatchObject({ state: 'stopped', connected: false, backlog: 450, quarantined: 0 });
    client.start();
    await until(() => store.outbox().every((o) => o.sent), 'all sent');

    // Credentials saved, in order, once each.
    expect(store.credentials(e.url)?.kioskId).toBe('kiosk-1');
    expect(store.acknowledgedLog).toEqual(submitted.map((s) => s.seq));
    const atEndpoint = e.store.cases({ kioskId: 'kiosk-1' });
    expect(atEndpoint).toHaveLength(450);
    const byId = new Map(atEndpoint.map((c) => [c.id, c]));
    for (const s of submitted) {
      expect(byId.get(s.caseId)?.contentHash).toBe(s.contentHash);
      expect(store.caseStatus(s.caseId)).toBe('uploaded');
    }
    const st = client.status();
    expect(st).toMatchObject({ state: 'connected', connected: true, kioskId: 'kiosk-1', backlog: 0, quarantined: 0, inFlight: 0, sent: 450, lastError: null });
    expect(st.lastConnectedAt).not.toBeNull();
    expect(e.connectedKiosks()).toEqual(['kiosk-1']);

    // New entries while connected: kick() sends them at once.
    const later = store.submitCase({ region: '340000' });
    client.kick();
    await until(() => store.outbox().every((o) => o.sent), 'the later case sent');
    expect(store.acknowledgedLog.at(-1)).toBe(later.seq);

    await client.stop();
    expect(client.status()).toMatchObject({ state: 'stopped', connected: false });
    await until(() => e.connectedKiosks().length === 0, 'the endpoint saw the close');
  });

  it('sends a case only after the one before it of the same case was acknowledged', async () => {
    const e = await h.endpoint();
    const store = h.store();
    const a = store.submitCase();
    const changes = [store.changeContent(a.caseId), store.changeContent(a.caseId)];
    const b = store.submitCase();
    const client = h.client(store, { url: e.url, regions: '*', enrollToken: e.store.createEnrollToken('kiosk-1') });
    client.start();
    await until(() => store.outbox().every((o) => o.sent), 'all sent');
    // The second and third entries of case a each went in a later batch than the one before.
    expect(store.acknowledgedLog).toEqual([a.seq, b.seq, changes[0], changes[1]]);
    const c = e.store.getCase(a.caseId);
    expect(c?.contentHash).toBe(store.db.prepare('SELECT content_hash AS h FROM cases WHERE id = ?').pluck().get(a.caseId));
  });
});
