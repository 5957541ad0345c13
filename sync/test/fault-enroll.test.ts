/**
 * Enrolment when its answer is lost (sync/PROTOCOL.md §6): the endpoint enrolled the kiosk and spent the
 * token, but `enrolled` never reached the kiosk. The kiosk, with no credentials, is refused
 * `auth.usedToken` on every retry and keeps its cases; with a new token from the operator it enrols again
 * (same kiosk id, new secret) and delivers its queue, each case once. Real processes: the endpoint and a
 * kiosk's SyncClient, through the fault proxy.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../base/log.js';
import { openEndpointStore, type EndpointStore } from '../endpoint/store/index.js';
import { startFaultProxy, type FaultProxy } from './helpers/fault-proxy.js';
import { sleep, until } from './helpers/fault-run.js';
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
  it('the spent token is refused, the cases wait, a new token enrols the kiosk again and they arrive once', async () => {
    const E = mkdtempSync(join(tmpdir(), 'tongban-enroll-endpoint-'));
    const K = mkdtempSync(join(tmpdir(), 'tongban-enroll-kiosk-'));
    dirs.push(E, K);
    endpoint = new Supervisor({ name: 'endpoint', cwd: ROOT, spec: () => ({ args: ['--import', 'tsx', ENDPOINT_CHILD, E], env: { ...process.env, TONGBAN_FAULTS: '' } }), ready: /listening on (wss?:\/\/\S+)/ });
    const m = await endpoint.start();
    proxy = await startFaultProxy({ upstream: m[1]!, seed: 1, faults: { cutBeforeTypes: ['enrolled'] } });
    const store = (kioskStore = new TestKioskStore(join(K, 'kiosk.db')));
    const queued = [store.submitCase({ attachments: [{ bytes: new TextEncoder().encode('%PDF-1.7\n% 材料\n%%EOF\n') }] }), ...store.submitCases(4)];

    let token = withEndpointStore(E, (s) => s.createEnrollToken(KIOSK_ID));
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
    proxy.setFaults({});
    await until(() => kiosk!.stderr().includes('auth.usedToken'), 15_000, () => `the kiosk was not refused: ${kiosk!.stderr()}`);
    await sleep(300);
    expect(store.credentials(url)).toBeUndefined();
    expect(store.outbox().every((o) => !o.sent && o.quarantine === null)).toBe(true);
    expect(withEndpointStore(E, (s) => s.cases())).toEqual([]);

    // The operator makes a new token; the kiosk is started with it.
    token = withEndpointStore(E, (s) => s.createEnrollToken(KIOSK_ID));
    await kiosk.stop();
    await kiosk.start();
    await until(() => store.outbox().every((o) => o.sent), 15_000, () => JSON.stringify(store.outbox()));
    expect(store.credentials(url)?.kioskId).toBe(KIOSK_ID);
    withEndpointStore(E, (s) => {
      expect(s.cases().map((c) => [c.id, c.contentHash, c.kioskId]).sort()).toEqual(queued.map((q) => [q.caseId, q.contentHash, KIOSK_ID]).sort());
      for (const q of queued) expect(s.getCase(q.caseId)!.history.filter((h) => h.from === null)).toHaveLength(1);
      expect(s.hasFile(queued[0]!.files[0]!.sm3)).toBe(true);
    });
    expect(kiosk.crashes).toEqual([]);
  }, 60_000);
});
