/**
 * SyncService over several real endpoints: each case goes to the endpoint of its region, once; a region
 * no endpoint takes waits (visible as unrouted); a '*' endpoint takes what the others do not list; a
 * client never sends a case to an endpoint whose welcome says it does not serve the region. And TLS:
 * an endpoint with a self-signed certificate, trusted through `ca`.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SyncService } from '../client/sync-service.js';
import type { EndpointConfig } from '../client/types.js';
import { FAST_BACKOFF, Harness, until } from './client-harness.js';
import type { TestKioskStore } from './helpers/test-kiosk-store.js';

let h: Harness;
beforeEach(() => {
  h = new Harness();
});
afterEach(async () => {
  await h.cleanup();
});

/** What the agent computes for status: unsent entries of regions no endpoint takes. */
function unroutedOf(store: TestKioskStore, routed: (region: string) => boolean): () => { region: string; count: number }[] {
  return () => {
    const counts = new Map<string, number>();
    for (const o of store.outbox()) if (!o.sent && !routed(o.region)) counts.set(o.region, (counts.get(o.region) ?? 0) + 1);
    return [...counts].map(([region, count]) => ({ region, count }));
  };
}

function service(store: TestKioskStore, endpoints: EndpointConfig[], routed: (region: string) => boolean): SyncService {
  return h.track(new SyncService({ endpoints, store, log: h.log, agentVersion: '0.1.0-test', unrouted: unroutedOf(store, routed), backoff: FAST_BACKOFF }));
}

describe('SyncService: routing by region', () => {
  it('sends each case to the endpoint of its region, once; an unrouted region waits, visibly', async () => {
    const sh = await h.endpoint('shanghai', { regions: ['310000'] });
    const ah = await h.endpoint('anhui', { regions: ['340000'] });
    const store = h.store();
    const s310 = store.submitCases(30, { region: '310000' });
    const s340 = store.submitCases(20, { region: '340000' });
    const s110 = store.submitCases(5, { region: '110000' });
    const svc = service(
      store,
      [
        { url: sh.url, regions: ['310000'], enrollToken: sh.store.createEnrollToken('kiosk-1') },
        { url: ah.url, regions: ['340000'], enrollToken: ah.store.createEnrollToken('kiosk-1') },
      ],
      (r) => r === '310000' || r === '340000',
    );
    expect(svc.status().unrouted).toEqual([{ region: '110000', count: 5 }]);
    svc.start();
    await until(() => store.acknowledgedLog.length === 50, 'both regions sent');
    expect(new Set(sh.store.cases().map((c) => c.id))).toEqual(new Set(s310.map((s) => s.caseId)));
    expect(new Set(ah.store.cases().map((c) => c.id))).toEqual(new Set(s340.map((s) => s.caseId)));
    const st = svc.status();
    expect(st.endpoints.map((x) => [x.url, x.connected, x.backlog, x.sent])).toEqual([
      [sh.url, true, 0, 30],
      [ah.url, true, 0, 20],
    ]);
    expect(st.unrouted).toEqual([{ region: '110000', count: 5 }]);
    for (const s of s110) expect(store.caseStatus(s.caseId)).toBe('submitted');

    // kick() reaches every client: a new case of each routed region goes at once.
    store.submitCase({ region: '340000' });
    store.submitCase({ region: '310000' });
    svc.kick();
    await until(() => store.acknowledgedLog.length === 52, 'the new ones sent');
    await svc.stop();
    expect(svc.status().endpoints.every((x) => x.state === 'stopped')).toBe(true);
  });

  it("a '*' endpoint takes every region the others do not list", async () => {
    const sh = await h.endpoint('shanghai', { regions: ['310000'] });
    const any = await h.endpoint('national');
    const store = h.store();
    const s310 = store.submitCases(10, { region: '310000' });
    const rest = [...store.submitCases(10, { region: '340000' }), ...store.submitCases(10, { region: '110000' })];
    const svc = service(
      store,
      [
        { url: sh.url, regions: ['310000'], enrollToken: sh.store.createEnrollToken('kiosk-1') },
        { url: any.url, regions: '*', enrollToken: any.store.createEnrollToken('kiosk-1') },
      ],
      () => true,
    );
    // Counted where they will go, before anything is sent.
    expect(svc.status().endpoints.map((x) => x.backlog)).toEqual([10, 20]);
    svc.start();
    await until(() => store.acknowledgedLog.length === 30, 'all sent');
    expect(new Set(sh.store.cases().map((c) => c.id))).toEqual(new Set(s310.map((s) => s.caseId)));
    expect(new Set(any.store.cases().map((c) => c.id))).toEqual(new Set(rest.map((s) => s.caseId)));
  });

  it("never sends a case to an endpoint whose welcome does not list its region: it waits instead of being refused", async () => {
    const ah = await h.endpoint('anhui', { regions: ['340000'] });
    const store = h.store();
    const mine = store.submitCases(3, { region: '340000' });
    const other = store.submitCases(2, { region: '310000' });
    const client = h.client(store, { url: ah.url, regions: '*', enrollToken: ah.store.createEnrollToken('kiosk-1') });
    client.start();
    await until(() => store.acknowledgedLog.length === 3, 'the served region sent');
    expect(store.acknowledgedLog).toEqual(mine.map((s) => s.seq));
    await client.stop();
    for (const s of other) expect(store.outbox().find((o) => o.seq === s.seq)).toMatchObject({ sent: false, quarantine: null, attempts: 0 });
  });
});

describe('TLS', () => {
  it('connects over wss:// to a self-signed endpoint trusted through ca; without it, the failure is shown and retried', async () => {
    const certPath = join(h.dir, 'cert.pem');
    const keyPath = join(h.dir, 'key.pem');
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyPath, '-out', certPath],
      { stdio: 'ignore' },
    );
    const cert = readFileSync(certPath, 'utf8');
    const e = await h.endpoint('endpoint', { tls: { cert, key: readFileSync(keyPath, 'utf8') } });
    expect(e.url.startsWith('wss://')).toBe(true);

    const untrusting = h.store('untrusting');
    untrusting.submitCase();
    const bad = h.client(untrusting, { url: e.url, regions: '*', enrollToken: e.store.createEnrollToken('kiosk-0') });
    bad.start();
    await until(() => bad.status().state === 'backoff', 'refused the certificate');
    expect(bad.status().lastError).toMatch(/certificate/i);
    await bad.stop();

    const store = h.store();
    store.submitCases(3);
    const client = h.client(store, { url: e.url, regions: '*', enrollToken: e.store.createEnrollToken('kiosk-1'), ca: cert });
    client.start();
    await until(() => store.acknowledgedLog.length === 3, 'drained over TLS');
    expect(e.store.cases()).toHaveLength(3);
  });
});
