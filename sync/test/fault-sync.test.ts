/**
 * Exactly once under faults (issue 6.5), for sync/ on its own: a real endpoint process and a real kiosk
 * sync process (the SyncClient over the SQLite test kiosk store), each killed with SIGKILL at every
 * fault point of sync/faults.ts (and now and then at an arbitrary moment) and restarted, talking through a proxy that cuts, duplicates, replays
 * and delays frames, while cases (with attachments) are written at the kiosk and statuses (with result
 * documents) are set at the endpoint. Afterwards: the endpoint holds exactly the kiosk's cases, once,
 * with the same content hashes and files, and every status change reached the kiosk exactly once.
 *
 * TONGBAN_FAULT_SEED=N replays a run's decisions (the seed is printed on failure).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../base/log.js';
import { sm3Hex } from '../../certs/sm3.js';
import { openEndpointStore, type EndpointStore } from '../endpoint/store/index.js';
import type { EndpointStatus, ResultDoc } from '../protocol/index.js';
import { startFaultProxy, type FaultProxy } from './helpers/fault-proxy.js';
import { CHAOS, faultEnv, prng, reportingSeed, runSeed, sleep, until } from './helpers/fault-run.js';
import { issueOnSite, resubmit } from './helpers/kiosk-moves.js';
import { Supervisor } from './helpers/supervisor.js';
import { TestKioskStore } from './helpers/test-kiosk-store.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENDPOINT_CHILD = fileURLToPath(new URL('./helpers/endpoint-child.ts', import.meta.url));
const KIOSK_CHILD = fileURLToPath(new URL('./helpers/kiosk-child.ts', import.meta.url));
const ENDPOINT_POINTS = ['endpoint.afterCommit', 'endpoint.midChunk', 'endpoint.afterEventsSent'];
const KIOSK_POINTS = ['kiosk.afterAckCommit', 'kiosk.midChunk', 'kiosk.midBatch', 'kiosk.afterEventsCommit'];
const KIOSK_ID = 'hall-1.kiosk-01';
/** The chaos phase lasts until every point fired and this many cases were written, or CHAOS_MAX_MS. */
const MIN_CASES = 30;
const CHAOS_MAX_MS = 40_000;

const quiet = createLogger({ level: 'error' });

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

/** The endpoint's store opened briefly beside the running server, as `tongban endpoint set-status` does (not the owner). */
function withEndpointStore<T>(dataDir: string, f: (s: EndpointStore) => T): T {
  const s = openEndpointStore({ dataDir, log: quiet, owner: false });
  try {
    return f(s);
  } finally {
    s.close();
  }
}

function pdf(label: string, size: number): Buffer {
  const b = Buffer.alloc(size, 0x20);
  b.write(`%PDF-1.7\n% ${label}\n`);
  b.write('\n%%EOF\n', size - 7);
  return b;
}

describe('exactly once under SIGKILL, cuts, duplicates and replays (sync/ alone)', () => {
  it('the endpoint ends with exactly the kiosk cases and files, the kiosk with every status once', async () => {
    const seed = runSeed();
    const rnd = prng(seed);
    let state: (() => string) | undefined;
    await reportingSeed(seed, () => ({ ...(proxy ? { proxy } : {}), children: { endpoint, kiosk }, ...(state ? { state } : {}) }), async () => {
      const E = mkdtempSync(join(tmpdir(), 'tongban-fault-endpoint-'));
      const K = mkdtempSync(join(tmpdir(), 'tongban-fault-kiosk-'));
      dirs.push(E, K);
      let calm = false;

      endpoint = new Supervisor({
        name: 'endpoint',
        cwd: ROOT,
        spec: () => ({
          args: ['--import', 'tsx', ENDPOINT_CHILD, E],
          env: { ...process.env, TONGBAN_FAULTS: '', ...(calm ? {} : faultEnv(ENDPOINT_POINTS, endpoint!.faults, rnd, 0.02)) },
        }),
        ready: /listening on (wss?:\/\/\S+)/,
        onReady: (m) => proxy?.setUpstream(m[1]!),
        restartDelayMs: () => rnd.int(0, 300),
      });
      const first = await endpoint.start();
      proxy = await startFaultProxy({ upstream: first[1]!, seed });
      const token = withEndpointStore(E, (s) => s.createEnrollToken(KIOSK_ID));

      kioskStore = new TestKioskStore(join(K, 'kiosk.db'));
      const store = kioskStore;
      const proxyUrl = proxy.url;
      kiosk = new Supervisor({
        name: 'kiosk',
        cwd: ROOT,
        spec: () => ({
          args: ['--import', 'tsx', KIOSK_CHILD, store.path, proxyUrl, token],
          env: { ...process.env, TONGBAN_FAULTS: '', ...(calm ? {} : faultEnv(KIOSK_POINTS, kiosk!.faults, rnd, 0.02)) },
        }),
        ready: /kiosk syncing/,
        restartDelayMs: () => rnd.int(0, 300),
      });
      await kiosk.start();
      // Enrolment is not under test here (a lost `enrolled` leaves a used token): the network is calm until then.
      await until(() => store.credentials(proxyUrl) !== undefined, 15_000, () => 'the kiosk did not enrol');
      proxy.setFaults(CHAOS);
      state = () => {
        const ob = store.outbox();
        const unsent = ob.filter((o) => !o.sent);
        const ep = withEndpointStore(E, (s) => ({ cases: s.cases().length, kiosk: s.kiosk(KIOSK_ID), maxEvent: s.maxEventId() }));
        return JSON.stringify({ outbox: ob.length, unsent: unsent.length, firstUnsent: unsent.slice(0, 3), inbox: store.inbox().length, ep });
      };

      // ---- chaos: cases written at the kiosk, statuses set at the endpoint, both sides dying
      const statusLog = new Map<string, EndpointStatus[]>();
      const contentChanged = new Set<string>();
      const clerkFailures: string[] = [];
      const kioskIssued = new Map<string, ResultDoc>(); // 当场办结 at the kiosk: the clerk leaves these alone
      const resubmitted = new Map<string, number>(); // 补正 resubmissions per case
      const submitted: string[] = [];
      const started = Date.now();
      const allFired = (): boolean => ENDPOINT_POINTS.every((p) => endpoint!.faults.includes(p)) && KIOSK_POINTS.every((p) => kiosk!.faults.includes(p));
      let chaosOn = true;
      while ((submitted.length < MIN_CASES || !allFired()) && Date.now() - started < CHAOS_MAX_MS) {
        // The network misbehaves in bursts of about two seconds with a quieter second between them
        // (uploads of megabytes need a few hundred undisturbed round trips to make progress).
        const want = Math.floor((Date.now() - started) / 1000) % 3 !== 2;
        if (want !== chaosOn) {
          chaosOn = want;
          proxy.setFaults(want ? CHAOS : {});
        }
        if (rnd.chance(0.6)) {
          const n = rnd.chance(0.5) ? rnd.int(1, 2) : 0;
          const attachments = Array.from({ length: n }, (_, i) => ({ bytes: pdf(`case ${submitted.length} file ${i}`, rnd.int(1000, 1_300_000)) }));
          const id = store.submitCase({ attachments }).caseId;
          submitted.push(id);
          if (rnd.chance(0.1)) {
            const doc = issueOnSite(store, id, pdf(`证明 ${id}`, rnd.int(2000, 900_000)));
            if (doc) kioskIssued.set(id, doc);
          }
        }
        if (rnd.chance(0.3)) {
          // 补正: a case the clerk sent back, once its event reached the kiosk, corrected and resubmitted.
          const back = store.db.prepare("SELECT id FROM cases WHERE status = 'correctionRequested'").all() as { id: string }[];
          if (back.length > 0) {
            const id = rnd.pick(back).id;
            if (resubmit(store, id, `已补正 ${(resubmitted.get(id) ?? 0) + 1}`)) resubmitted.set(id, (resubmitted.get(id) ?? 0) + 1);
          }
        }
        if (rnd.chance(0.08) && submitted.length > 0) {
          // Content changes only on cases the clerk leaves alone (a changed accepted case is rightly refused).
          const id = rnd.pick(submitted);
          if (!statusLog.has(id) && !kioskIssued.has(id)) {
            contentChanged.add(id);
            store.changeContent(id);
          }
        }
        if (rnd.chance(0.5)) {
          withEndpointStore(E, (s) => {
            const candidates = s.cases().filter((c) => !contentChanged.has(c.id) && !kioskIssued.has(c.id) && c.status !== 'completed' && c.status !== 'correctionRequested');
            if (candidates.length === 0) return;
            const c = rnd.pick(candidates);
            let to: EndpointStatus;
            const opts: { note?: string; results?: { bytes: Uint8Array; title: string }[] } = {};
            if (c.status === 'uploaded') {
              to = rnd.pick(['accepted', 'accepted', 'refused', 'correctionRequested'] as const);
              if (to !== 'accepted') opts.note = to === 'refused' ? '不符合受理条件' : '请补交户口簿';
            } else {
              to = 'completed';
              if (c.status === 'accepted') opts.results = [{ bytes: pdf(`result ${c.id}`, rnd.int(500, 700_000)), title: '办结通知书' }];
            }
            try {
              s.setStatus(c.id, to, opts, Date.now());
            } catch (err) {
              // A clerk's command may fail (e.g. beside an endpoint restarting); then nothing changed, which the end checks.
              clerkFailures.push((err as Error).message);
              return;
            }
            statusLog.set(c.id, [...(statusLog.get(c.id) ?? []), to]);
          });
        }
        // Besides the named points, a kill at an arbitrary moment now and then.
        if (rnd.chance(0.01)) (rnd.chance(0.5) ? endpoint : kiosk).killNow();
        await sleep(rnd.int(50, 200));
      }
      expect({ endpoint: endpoint.faults, kiosk: kiosk.faults }).toEqual({
        endpoint: expect.arrayContaining(ENDPOINT_POINTS),
        kiosk: expect.arrayContaining(KIOSK_POINTS),
      });

      // ---- calm: no more faults; both sides killed once more and restarted clean; the system converges
      calm = true;
      proxy.setFaults({});
      await Promise.all([endpoint.stop('SIGKILL'), kiosk.stop('SIGKILL')]);
      await endpoint.start();
      await kiosk.start();
      await until(
        () => {
          const ob = store.outbox();
          const q = ob.find((o) => o.quarantine !== null);
          if (q) throw new Error(`entry ${q.seq} quarantined: ${q.quarantine} (${q.lastError ?? ''})`);
          if (ob.some((o) => !o.sent)) return false;
          return withEndpointStore(E, (s) => {
            const k = s.kiosk(KIOSK_ID);
            return k !== undefined && k.unackedEvents === 0 && store.inbox().length === s.eventsAfter(KIOSK_ID, null, 100_000).length;
          });
        },
        30_000,
        state,
        200,
      );

      // ---- what arrived: exactly what was sent, once
      const kioskCases = store.db.prepare('SELECT id, status, content_hash, content FROM cases ORDER BY id').all() as {
        id: string;
        status: string;
        content_hash: string;
        content: string;
      }[];
      expect(kioskCases).toHaveLength(submitted.length);
      withEndpointStore(E, (s) => {
        const endpointCases = s.cases().sort((a, b) => (a.id < b.id ? -1 : 1));
        expect(endpointCases.map((c) => [c.id, c.contentHash, c.kioskId])).toEqual(kioskCases.map((c) => [c.id, c.content_hash, KIOSK_ID]));
        for (const kc of kioskCases) {
          const ec = s.getCase(kc.id)!;
          // Once: one arrival in the endpoint's history, one entry per status set, nothing else.
          expect(ec.history.filter((h) => h.from === null)).toHaveLength(1);
          const changes = statusLog.get(kc.id) ?? [];
          expect(ec.history.filter((h) => h.actor === 'endpoint').map((h) => h.to)).toEqual(changes);
          expect(ec.content).toEqual(JSON.parse(kc.content));
          // The files: every attached material complete at the endpoint, the same bytes (SM3) as the kiosk's.
          for (const m of (ec.content.materials as { sm3: string; size: number }[]).filter((x) => x.sm3)) {
            expect(s.hasFile(m.sm3)).toBe(true);
            expect(sm3Hex(s.readFile(m.sm3, 0, m.size))).toBe(m.sm3);
            expect(sm3Hex(store.readFile(m.sm3))).toBe(m.sm3);
          }
          // Every status change reached the kiosk exactly once, in order, with its result documents.
          const atKiosk = store.history(kc.id).filter((h) => h.actor === 'endpoint' && h.to !== 'uploaded');
          expect(atKiosk.map((h) => h.to)).toEqual(changes);
          expect(kc.status).toBe(ec.status);
          for (const r of ec.results) expect(sm3Hex(store.readFile(r.sm3))).toBe(r.sm3);
          // The kiosk's own moves arrived once each: 补正 resubmissions, and 当场办结 with its result file.
          const kioskMoves = ec.history.filter((h) => h.actor === 'kiosk' && h.from !== null);
          expect(kioskMoves.filter((h) => h.from === 'correctionRequested')).toHaveLength(resubmitted.get(kc.id) ?? 0);
          const issued = kioskIssued.get(kc.id);
          if (issued) {
            expect(kioskMoves.map((h) => h.to)).toEqual(['accepted', 'completed']);
            expect(ec.results.map((r) => [r.sm3, r.documentId, r.source])).toEqual([[issued.sm3, issued.documentId, 'kiosk']]);
            expect(sm3Hex(s.readFile(issued.sm3, 0, issued.size))).toBe(issued.sm3);
          }
        }
        // The inbox holds each event once.
        const events = s.eventsAfter(KIOSK_ID, null, 100_000);
        expect(store.inbox().map((e) => e.eventId).sort()).toEqual(events.map((e) => e.id).sort());
      });
      // Deaths were the injected faults, nothing else.
      expect(endpoint.crashes).toEqual([]);
      expect(kiosk.crashes).toEqual([]);
      expect(endpoint.startError ?? kiosk.startError).toBeNull();
      console.log(
        `fault-sync seed ${seed}: ${submitted.length} cases (${kioskIssued.size} issued on site, ${[...resubmitted.values()].reduce((a, b) => a + b, 0)} resubmissions), ` +
          `${[...statusLog.values()].flat().length} status changes, ` +
          `${clerkFailures.length} clerk commands failed ${JSON.stringify(clerkFailures.slice(0, 3))}, endpoint faults ${JSON.stringify(endpoint.faults)}, kiosk faults ${JSON.stringify(kiosk.faults)}, ` +
          `proxy ${JSON.stringify({ ...proxy.stats, byType: undefined, relayed: undefined })}`,
      );
    });
  }, 120_000);
});
