/**
 * SyncClient against the real endpoint server (startEndpoint on 127.0.0.1:0, its real store in a temp
 * dir) and a real kiosk store file: enrolment, drain in order and exactly once, a restart of the
 * endpoint in the middle of a drain, attachments uploaded before their case, stop() leaving nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openEndpointStore } from '../endpoint/store/index.js';
import { CutProxy, Harness, bytes, until } from './client-harness.js';
import { TestKioskStore } from './helpers/test-kiosk-store.js';

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
    const submitted = store.submitCases(450, { region: '310000' });
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

describe('SyncClient: one entry per case on the wire', () => {
  it('holds a case to one entry in flight even when a store offers several of it', async () => {
    /** A store that hands out every unsent entry, ignoring the one-per-case rule of the contract. */
    class EveryEntryStore extends TestKioskStore {
      override pending(q: { regions: readonly string[] | '*'; now: number; limit: number; exclude: ReadonlySet<number> }) {
        const rows = this.db.prepare('SELECT * FROM outbox WHERE sent_at IS NULL AND quarantine_code IS NULL ORDER BY seq').all() as any[];
        return rows
          .filter((r) => !q.exclude.has(r.seq))
          .slice(0, q.limit)
          .map((r) => ({ seq: r.seq, caseId: r.case_id, region: r.region, kind: r.kind, payload: JSON.parse(r.payload), files: JSON.parse(r.files), attempts: r.attempts }));
      }
    }
    const e = await h.endpoint();
    const store = new EveryEntryStore(`${h.dir}/every.db`);
    const a = store.submitCase();
    const changes = [store.changeContent(a.caseId), store.changeContent(a.caseId), store.changeContent(a.caseId)];
    const b = store.submitCase();
    const client = h.client(store, { url: e.url, regions: '*', enrollToken: e.store.createEnrollToken('kiosk-1') });
    client.start();
    await until(() => store.outbox().every((o) => o.sent), 'all sent');
    expect(store.acknowledgedLog).toEqual([a.seq, b.seq, ...changes]);
    const batches = h.sink.records().filter((r) => r.msg === 'cases sent');
    expect(batches.length).toBeGreaterThanOrEqual(4);
    for (const bt of batches) expect(new Set(bt.cases as string[]).size).toBe((bt.cases as string[]).length);
    await client.stop();
    store.close();
  });
});

describe('SyncClient: interruptions', () => {
  it('an endpoint restarted in the middle of a drain: the client reconnects and resumes, nothing arrives twice', async () => {
    let e = await h.endpoint();
    const port = e.port;
    const store = h.store();
    const submitted = store.submitCases(2000);
    const client = h.client(store, { url: e.url, regions: '*', enrollToken: e.store.createEnrollToken('kiosk-1') });
    client.start();
    await until(() => store.acknowledgedLog.length >= 200, 'part of the backlog acknowledged');
    await h.closeEndpoint(e);
    expect(store.outbox().some((o) => !o.sent)).toBe(true);
    await until(() => client.status().state === 'backoff', 'the client backing off');
    expect(client.status().lastError).not.toBeNull();
    expect(client.status().nextRetryAt).not.toBeNull();
    // The same data dir and port: the same endpoint, back.
    e = await h.endpoint('endpoint', { port });
    await until(() => store.outbox().every((o) => o.sent), 'all sent after the restart');
    expect(store.acknowledgedLog).toEqual(submitted.map((s) => s.seq));
    const atEndpoint = e.store.cases({ kioskId: 'kiosk-1' });
    expect(atEndpoint).toHaveLength(2000);
    expect(new Set(atEndpoint.map((c) => c.id)).size).toBe(2000);
    await until(() => client.status().connected, 'connected again');
    expect(client.status()).toMatchObject({ backlog: 0, sent: 2000, lastError: null, nextRetryAt: null });
  });

  it('an endpoint killed with SIGKILL mid-drain (committed batches not yet acknowledged) and started again: each case once', async () => {
    const data = `${h.dir}/crashing-endpoint`;
    let ep = await h.childEndpoint(data, 'kiosk-1');
    // A stable address in front of the endpoint, which comes back on another port.
    const proxy = h.track(await CutProxy.start(ep.port));
    const url = `ws://127.0.0.1:${proxy.port}/sync`;
    const store = h.store();
    const submitted = store.submitCases(3000);
    const client = h.client(store, { url, regions: '*', enrollToken: ep.token });
    client.start();
    await until(() => store.acknowledgedLog.length >= 400, 'part of the backlog acknowledged');
    // From now on the endpoint's acks are lost on the way; it goes on committing what the kiosk sends.
    proxy.muteDown();
    const ackedAtKill = store.acknowledgedLog.length;
    const held = (): number => {
      const s = openEndpointStore({ dataDir: data, log: h.log, owner: false });
      try {
        return s.cases().length;
      } finally {
        s.close();
      }
    };
    await until(() => held() > ackedAtKill, 'batches committed whose acks never arrived');
    ep.child.kill('SIGKILL');
    await new Promise((r) => ep.child.once('exit', r));
    expect(store.acknowledgedLog.length).toBe(ackedAtKill);
    expect(held()).toBeGreaterThan(ackedAtKill);
    expect(held()).toBeLessThan(3000);
    ep = await h.childEndpoint(data, 'kiosk-unused');
    proxy.targetPort = ep.port;
    await until(() => store.outbox().every((o) => o.sent), 'all sent after the crash');
    expect(store.acknowledgedLog).toEqual(submitted.map((s) => s.seq));
    ep.child.kill('SIGTERM');
    await new Promise((r) => ep.child.once('exit', r));
    const endpointStore = openEndpointStore({ dataDir: data, log: h.log });
    try {
      const cases = endpointStore.cases({ kioskId: 'kiosk-1' });
      expect(cases).toHaveLength(3000);
      const hashes = new Map(cases.map((c) => [c.id, c.contentHash]));
      for (const s of submitted) expect(hashes.get(s.caseId)).toBe(s.contentHash);
    } finally {
      endpointStore.close();
    }
  });

  it('uploads attachments before the case that lists them; a cut mid-file resumes from the endpoint committed offset', async () => {
    const e = await h.endpoint();
    const proxy = h.track(await CutProxy.start(e.port));
    const url = `ws://127.0.0.1:${proxy.port}/sync`;
    const store = h.store();
    const big = bytes(6 * 1024 * 1024 + 123, 7);
    const small = bytes(2000, 8);
    const one = store.submitCase({ attachments: [{ bytes: big }, { bytes: small, mediaType: 'image/png' }] });
    // A second case listing the same small file: uploaded once, not twice.
    const two = store.submitCase({ attachments: [{ bytes: small, mediaType: 'image/png' }] });
    const empty = store.submitCase({ attachments: [{ bytes: new Uint8Array(0) }] });
    proxy.cutAfter = 3 * 1024 * 1024;
    const client = h.client(store, { url, regions: '*', enrollToken: e.store.createEnrollToken('kiosk-1') });
    client.start();
    await until(() => store.outbox().every((o) => o.sent), 'all sent');
    expect(proxy.cuts).toBe(1);
    for (const f of [...one.files, ...two.files, ...empty.files]) {
      expect(e.store.hasFile(f.sm3)).toBe(true);
      expect(Buffer.from(e.store.readFile(f.sm3, 0, f.size)).equals(Buffer.from(store.readFile(f.sm3)))).toBe(true);
    }
    expect(e.store.cases()).toHaveLength(3);
    // Resumed, not restarted: the second connection began past zero and the total sent stays well below twice the file.
    const resumed = h.sink.records().filter((r) => r.msg === 'resuming a file upload');
    expect(resumed.length).toBeGreaterThanOrEqual(1);
    expect(resumed[0]!.from).toBeGreaterThan(0);
    expect(proxy.upBytes).toBeLessThan(big.length + 5 * 1024 * 1024);
  });

  it("quarantines a case whose file the kiosk no longer holds intact (missing, shorter, or bytes that do not hash to it); the others go", async () => {
    const e = await h.endpoint();
    const store = h.store();
    const missing = store.submitCase({ attachments: [{ bytes: bytes(3000, 1) }] });
    const shorter = store.submitCase({ attachments: [{ bytes: bytes(3000, 2) }] });
    const altered = store.submitCase({ attachments: [{ bytes: bytes(600_000, 3) }] });
    const fine = store.submitCases(4, { attachments: [{ bytes: bytes(700_000, 4) }] });
    store.db.prepare('DELETE FROM files WHERE sm3 = ?').run(missing.files[0]!.sm3);
    store.db.prepare('UPDATE files SET bytes = ? WHERE sm3 = ?').run(Buffer.from(bytes(2999, 2)), shorter.files[0]!.sm3);
    store.db.prepare('UPDATE files SET bytes = ? WHERE sm3 = ?').run(Buffer.from(bytes(600_000, 33)), altered.files[0]!.sm3);
    const client = h.client(store, { url: e.url, regions: '*', enrollToken: e.store.createEnrollToken('kiosk-1') });
    client.start();
    await until(() => store.acknowledgedLog.length === 4 && client.status().quarantined === 3, 'the intact ones sent, three quarantined');
    expect(store.acknowledgedLog).toEqual(fine.map((f) => f.seq));
    const q = (seq: number) => store.outbox().find((o) => o.seq === seq)?.quarantine;
    expect([q(missing.seq), q(shorter.seq), q(altered.seq)]).toEqual(['files.unavailable', 'files.corrupt', 'files.corrupt']);
    expect(e.store.hasFile(altered.files[0]!.sm3)).toBe(false);
    expect(e.store.cases()).toHaveLength(4);
  });
});
