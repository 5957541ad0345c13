/**
 * Enrolment when its answer is lost (sync/PROTOCOL.md §6): the endpoint enrolled the kiosk and spent the
 * token, but `enrolled` never reached the kiosk. The kiosk, with no credentials, asks again with the same
 * token and gets the same credentials (the endpoint kept them until the kiosk's first hello), then delivers
 * its queue, each case once; after that the token is refused. Real processes: the endpoint and a kiosk's
 * SyncClient, through the fault proxy.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../base/log.js';
import { openEndpointStore, type EndpointStore } from '../endpoint/store/index.js';
import { startFaultProxy, type FaultProxy } from './helpers/fault-proxy.js';
import { until } from './helpers/fault-run.js';
import { Supervisor } from './helpers/supervisor.js';
import { TestKioskStore } from './helpers/test-kiosk-store.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENDPOINT_CHILD = fileURLToPath(new URL('./helpers/endpoint-child.ts', import.meta.url));
const KIOSK_CHILD = fileURLToPath(new URL('./helpers/kiosk-child.ts', import.meta.url));
const KIOSK_ID = 'hall-3.kiosk-02';

let proxy: FaultProxy | undefined;
let endpoint: Supervisor | undefined;
let kiosk: Supervisor | undefined;
let kioskStore: TestKioskStore | undefined;
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all([endpoint?.stop(), kiosk?.stop()]);
  await proxy?.close();
  kioskStore?.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  proxy = endpoint = kiosk = kioskStore = undefined;
});

function withEndpointStore<T>(dataDir: string, f: (s: EndpointStore) => T): T {
  const s = openEndpointStore({ dataDir, log: createLogger({ level: 'error' }), owner: false });
  try {
    return f(s);
  } finally {
    s.close();
  }
}

describe('enrolment whose answer is lost', () => {
  it('the kiosk asks again with the same token, gets the same credentials, and its cases arrive once; then the token is spent', async () => {
    const E = mkdtempSync(join(tmpdir(), 'tongban-enroll-endpoint-'));
    const K = mkdtempSync(join(tmpdir(), 'tongban-enroll-kiosk-'));
    dirs.push(E, K);
    endpoint = new Supervisor({ name: 'endpoint', cwd: ROOT, spec: () => ({ args: ['--import', 'tsx', ENDPOINT_CHILD, E], env: { ...process.env, TONGBAN_FAULTS: '' } }), ready: /listening on (wss?:\/\/\S+)/ });
    const m = await endpoint.start();
    proxy = await startFaultProxy({ upstream: m[1]!, seed: 1, faults: { cutBeforeTypes: ['enrolled'] } });
    const store = (kioskStore = new TestKioskStore(join(K, 'kiosk.db')));
    const queued = [store.submitCase({ attachments: [{ bytes: new TextEncoder().encode('%PDF-1.7\n% 材料\n%%EOF\n') }] }), ...store.submitCases(4)];

    const token = withEndpointStore(E, (s) => s.createEnrollToken(KIOSK_ID));
    const url = proxy.url;
    kiosk = new Supervisor({
      name: 'kiosk',
      cwd: ROOT,
      spec: () => ({ args: ['--import', 'tsx', KIOSK_CHILD, store.path, url, token], env: { ...process.env, TONGBAN_FAULTS: '' } }),
      ready: /kiosk syncing/,
    });
    await kiosk.start();

    // The endpoint enrolled it (the token is spent), the answer was cut away.
    await until(() => withEndpointStore(E, (s) => s.kiosk(KIOSK_ID) !== undefined), 10_000, () => 'the endpoint never enrolled the kiosk');
    expect(store.credentials(url)).toBeUndefined();
    proxy.setFaults({});

    // Asked again with the same token, the endpoint gives the same credentials; the queue arrives once.
    await until(() => store.outbox().every((o) => o.sent), 20_000, () => `not delivered: ${kiosk!.stderr()}`);
    const creds = store.credentials(url);
    expect(creds?.kioskId).toBe(KIOSK_ID);
    expect(kiosk.stderr()).not.toContain('auth.usedToken');
    withEndpointStore(E, (s) => {
      expect(s.authenticate(KIOSK_ID, creds!.secret).id).toBe(KIOSK_ID);
      expect(s.cases().map((c) => [c.id, c.contentHash, c.kioskId]).sort()).toEqual(queued.map((q) => [q.caseId, q.contentHash, KIOSK_ID]).sort());
      for (const q of queued) expect(s.getCase(q.caseId)!.history.filter((h) => h.from === null)).toHaveLength(1);
      expect(s.hasFile(queued[0]!.files[0]!.sm3)).toBe(true);
      // The kiosk has used its credentials: the token gives nothing any more.
      expect(() => s.enroll(token, '0.1.0')).toThrow(expect.objectContaining({ code: 'auth.usedToken' }));
    });
    expect(kiosk.crashes).toEqual([]);
  }, 60_000);
});
