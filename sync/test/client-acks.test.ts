/**
 * How the client settles what the endpoint answers, and how it behaves when the endpoint refuses or
 * misbehaves: a permanent rejection is quarantined and never blocks other cases (real endpoint); a
 * retry hint is honoured (a scripted endpoint, a real ws server); refused credentials are visible as
 * 'unauthorized'; a malformed message closes the connection and backs off, never throwing; a busy
 * endpoint's retryAfterMs delays the reconnect; stop() leaves no socket or timer.
 */
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLOSE } from '../protocol/index.js';
import { CutProxy, Harness, ScriptedEndpoint, until } from './client-harness.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');

let h: Harness;
let scripted: ScriptedEndpoint | undefined;
beforeEach(() => {
  h = new Harness();
});
afterEach(async () => {
  await h.cleanup();
  await scripted?.stop();
  scripted = undefined;
});

describe('acknowledgements', () => {
  it('quarantines a permanently rejected entry with its reason; the other cases pass and later entries of that case wait', async () => {
    const e = await h.endpoint();
    const store = h.store();
    const before = store.submitCases(3);
    const bad = store.submitCase({ badHash: true });
    const badLater = store.changeContent(bad.caseId);
    const after = store.submitCases(3);
    const client = h.client(store, { url: e.url, regions: '*', enrollToken: e.store.createEnrollToken('kiosk-1') });
    client.start();
    await until(() => client.status().quarantined === 1 && store.acknowledgedLog.length === 6, 'the good ones sent, the bad one quarantined');
    expect(store.acknowledgedLog).toEqual([...before, ...after].map((s) => s.seq));
    const rows = store.outbox();
    expect(rows.find((r) => r.seq === bad.seq)).toMatchObject({ sent: false, quarantine: 'case.hashMismatch' });
    const reason = store.db.prepare('SELECT quarantine_reason FROM outbox WHERE seq = ?').pluck().get(bad.seq);
    expect(String(reason).length).toBeGreaterThan(0);
    // The case's later entry is held back behind its quarantined one, not sent out of order.
    expect(rows.find((r) => r.seq === badLater)).toMatchObject({ sent: false, quarantine: null });
    expect(e.store.getCase(bad.caseId)).toBeUndefined();
    expect(client.status()).toMatchObject({ connected: true, backlog: 1, quarantined: 1 });
  });

  it('splits batches to stay under the message size limit; an entry too big for any message is quarantined', async () => {
    const e = await h.endpoint();
    const store = h.store();
    const large = store.submitCases(3, { padding: 400_000 });
    const huge = store.submitCase({ padding: 1_100_000 });
    const small = store.submitCases(2);
    const client = h.client(store, { url: e.url, regions: '*', enrollToken: e.store.createEnrollToken('kiosk-1') });
    client.start();
    await until(() => store.acknowledgedLog.length === 5 && client.status().quarantined === 1, 'sent, and the huge one quarantined');
    expect(store.acknowledgedLog).toEqual([...large, ...small].map((s) => s.seq));
    expect(store.outbox().find((o) => o.seq === huge.seq)).toMatchObject({ sent: false, quarantine: 'entry.tooBig' });
    expect(e.store.cases()).toHaveLength(5);
    // One connection throughout: no message was refused as too big.
    expect(h.sink.records().filter((r) => r.msg === 'connected to the endpoint')).toHaveLength(1);
  });

  it("honours the endpoint's retry hint: the entry comes back no earlier than retryAfterMs, the others are not held up", async () => {
    const store = h.store();
    const [first, second] = store.submitCases(2);
    let retried = false;
    scripted = await ScriptedEndpoint.start((msg, peer) => {
      if (msg.type === 'hello') peer.send(ScriptedEndpoint.welcome());
      if (msg.type === 'cases') {
        peer.send({
          type: 'ack',
          results: msg.batch.map((c) => {
            if (c.seq === first!.seq && !retried) {
              retried = true;
              return { seq: c.seq, outcome: 'retry', code: 'endpoint.busy', reason: 'try later', retryAfterMs: 400 };
            }
            return { seq: c.seq, outcome: 'committed' };
          }),
        });
      }
    });
    store.saveCredentials(scripted.url, { kioskId: 'kiosk-1', secret: 's'.repeat(43) });
    const client = h.client(store, { url: scripted.url, regions: '*' });
    client.start();
    await until(() => store.acknowledgedLog.includes(second!.seq), 'the other entry acknowledged');
    const row = store.outbox().find((r) => r.seq === first!.seq)!;
    expect(row).toMatchObject({ sent: false, attempts: 1, lastError: 'endpoint.busy: try later' });
    await until(() => store.acknowledgedLog.includes(first!.seq), 'the retried entry acknowledged');
    const sends = scripted.received.filter((r) => r.msg.type === 'cases' && r.msg.batch.some((c) => c.seq === first!.seq));
    expect(sends).toHaveLength(2);
    expect(sends[1]!.at - sends[0]!.at).toBeGreaterThanOrEqual(400);
    // On one connection throughout: a retry is per entry, not a reconnect.
    expect(scripted.connections).toHaveLength(1);
  });

  it('an ack that does not match the batch is a protocol breach: closed with 4400, backed off, nothing marked', async () => {
    const store = h.store();
    store.submitCases(2);
    scripted = await ScriptedEndpoint.start((msg, peer) => {
      if (msg.type === 'hello') peer.send(ScriptedEndpoint.welcome());
      if (msg.type === 'cases') peer.send({ type: 'ack', results: [{ seq: 999, outcome: 'committed' }] });
    });
    store.saveCredentials(scripted.url, { kioskId: 'kiosk-1', secret: 's'.repeat(43) });
    const client = h.client(store, { url: scripted.url, regions: '*' });
    client.start();
    await until(() => scripted!.connections.length >= 2, 'a reconnect');
    expect(scripted.connections[0]!.closedWith).toBe(CLOSE.protocol);
    const breach = h.sink.records().find((r) => r.msg === 'endpoint broke the protocol');
    expect(String(breach?.error)).toMatch(/ack that does not match/);
    expect(store.outbox().every((o) => !o.sent)).toBe(true);
  });
});

describe('connection failures', () => {
  it("refused credentials: state 'unauthorized' with the endpoint's reason, retried slowly; a revoked kiosk likewise", async () => {
    const e = await h.endpoint();
    const store = h.store();
    store.saveCredentials(e.url, { kioskId: 'kiosk-x', secret: 'not-a-secret-the-endpoint-gave' });
    const client = h.client(store, { url: e.url, regions: '*' }, { backoff: { baseMs: 20, maxMs: 60_000 } });
    client.start();
    await until(() => client.status().state === 'unauthorized', 'unauthorized');
    const st = client.status();
    expect(st.connected).toBe(false);
    expect(st.lastError).toMatch(/^auth\./);
    // Slowly: at least half the maximum backoff away.
    expect(Date.parse(st.nextRetryAt!) - Date.now()).toBeGreaterThan(25_000);
    await client.stop();

    // Enrolled, then revoked by the endpoint's operator.
    const store2 = h.store('kiosk2');
    const c2 = h.client(store2, { url: e.url, regions: '*', enrollToken: e.store.createEnrollToken('kiosk-2') });
    c2.start();
    await until(() => c2.status().connected, 'connected');
    e.store.revoke('kiosk-2');
    await c2.stop();
    c2.start();
    await until(() => c2.status().state === 'unauthorized', 'unauthorized after revocation');
    expect(c2.status().lastError).toMatch(/auth\.revoked/);
  });

  it("no credentials and no enrolment token: 'unauthorized' without connecting", async () => {
    scripted = await ScriptedEndpoint.start(() => {});
    const store = h.store();
    const client = h.client(store, { url: scripted.url, regions: '*' });
    client.start();
    await until(() => client.status().state === 'unauthorized', 'unauthorized');
    expect(client.status().lastError).toMatch(/no credentials/);
    expect(scripted.connections).toHaveLength(0);
  });

  it('a malformed message from the endpoint closes the connection and backs off; nothing is thrown', async () => {
    const store = h.store();
    store.submitCase();
    const garbage: (string | Buffer)[] = ['not json', '{"v":1,"type":"ack","results":[],"extra":1}', '{"v":9,"type":"heartbeat.request"}'];
    scripted = await ScriptedEndpoint.start((msg, peer, conn) => {
      if (msg.type !== 'hello') return;
      peer.send(ScriptedEndpoint.welcome());
      const g = garbage[conn];
      if (g !== undefined) peer.sendRaw(g);
      else if (conn === 3) peer.sendRaw(Buffer.from([0, 0, 0, 9, 1, 2]), true);
    });
    store.saveCredentials(scripted.url, { kioskId: 'kiosk-1', secret: 's'.repeat(43) });
    const client = h.client(store, { url: scripted.url, regions: '*' });
    client.start();
    await until(() => scripted!.connections.length >= 5, 'reconnected after each malformed message');
    for (const c of scripted.connections.slice(0, 4)) expect(c.closedWith).toBe(CLOSE.protocol);
    const warned = h.sink.records().filter((r) => r.msg === 'malformed message from the endpoint');
    expect(warned.length).toBeGreaterThanOrEqual(4);
  });

  it("a busy endpoint's retryAfterMs: the client reconnects no earlier than asked", async () => {
    const store = h.store();
    scripted = await ScriptedEndpoint.start((msg, peer, conn) => {
      if (msg.type !== 'hello') return;
      if (conn === 0) {
        peer.send({ type: 'error', code: 'busy', message: 'the endpoint is busy, try again', fatal: true, retryAfterMs: 500 });
        peer.close(CLOSE.busy, 'busy');
      } else {
        peer.send(ScriptedEndpoint.welcome());
      }
    });
    store.saveCredentials(scripted.url, { kioskId: 'kiosk-1', secret: 's'.repeat(43) });
    const client = h.client(store, { url: scripted.url, regions: '*' });
    client.start();
    await until(() => client.status().state === 'backoff', 'backing off');
    expect(client.status().lastError).toMatch(/^busy/);
    await until(() => client.status().connected, 'connected on the second try');
    expect(scripted.connections[1]!.at - scripted.connections[0]!.at).toBeGreaterThanOrEqual(500);
  });

  it('an endpoint that never answers hello: the connection is given up after the answer timeout, and stop() meanwhile returns at once', async () => {
    const store = h.store();
    scripted = await ScriptedEndpoint.start(() => {});
    store.saveCredentials(scripted.url, { kioskId: 'kiosk-1', secret: 's'.repeat(43) });
    const client = h.client(store, { url: scripted.url, regions: '*' }, { answerTimeoutMs: 150 });
    client.start();
    await until(() => scripted!.connections.length >= 2, 'given up and tried again');
    expect(h.sink.records().some((r) => r.msg === 'sync connection down: retrying later' && String(r.error).includes('no welcome from the endpoint within 150 ms'))).toBe(true);
    await until(() => client.status().state === 'connecting' && scripted!.received.length >= 2, 'waiting for a welcome again');
    await client.stop();
    expect(client.status().state).toBe('stopped');
    await until(() => scripted!.connections.every((c) => c.closedWith !== null), 'every connection closed');
  });

  it('an endpoint that talks but never acknowledges: the connection is dropped after the ack timeout and the batch resent', async () => {
    const store = h.store();
    const [only] = store.submitCases(1);
    scripted = await ScriptedEndpoint.start((msg, peer, conn) => {
      if (msg.type === 'hello') peer.send(ScriptedEndpoint.welcome({ heartbeatMs: 100 }));
      // The first connection swallows the batch (and keeps sending heartbeat requests); the second acknowledges.
      if (msg.type === 'heartbeat') peer.send({ type: 'heartbeat.request' });
      if (msg.type === 'cases' && conn > 0) peer.send({ type: 'ack', results: msg.batch.map((c) => ({ seq: c.seq, outcome: 'committed' })) });
    });
    store.saveCredentials(scripted.url, { kioskId: 'kiosk-1', secret: 's'.repeat(43) });
    const client = h.client(store, { url: scripted.url, regions: '*' }, { ackTimeoutMs: 300 });
    client.start();
    await until(() => store.acknowledgedLog.includes(only!.seq), 'acknowledged on the second connection');
    expect(h.sink.records().some((r) => r.msg === 'no ack from the endpoint: dropping the connection')).toBe(true);
    expect(scripted.received.filter((r) => r.msg.type === 'cases').map((r) => r.conn)).toEqual([0, 1]);
  });

  it('a refused connection (nothing listening) is backed off with growing delays, and stop() ends it', async () => {
    scripted = await ScriptedEndpoint.start(() => {});
    const url = scripted.url;
    await scripted.stop();
    scripted = undefined;
    const store = h.store();
    store.saveCredentials(url, { kioskId: 'kiosk-1', secret: 's'.repeat(43) });
    const client = h.client(store, { url, regions: '*' });
    client.start();
    await until(() => h.sink.records().filter((r) => r.msg === 'sync connection down: retrying later').length >= 4, 'several attempts');
    expect(client.status()).toMatchObject({ state: 'backoff', connected: false });
    expect(client.status().lastError).toMatch(/ECONNREFUSED/);
    await client.stop();
    expect(client.status()).toMatchObject({ state: 'stopped', nextRetryAt: null });
  });
});

describe('heartbeats and liveness', () => {
  it('sends a heartbeat with device health and queue sizes on welcome, on heartbeat.request and every heartbeatMs', async () => {
    const store = h.store();
    store.submitCase({ region: '999999' });
    let interval = 60_000;
    scripted = await ScriptedEndpoint.start((msg, peer) => {
      if (msg.type === 'hello') peer.send(ScriptedEndpoint.welcome({ heartbeatMs: interval, regions: ['310000'] }));
    });
    store.saveCredentials(scripted.url, { kioskId: 'kiosk-1', secret: 's'.repeat(43) });
    const client = h.client(store, { url: scripted.url, regions: '*' });
    client.start();
    const beats = () => scripted!.received.filter((r) => r.msg.type === 'heartbeat');
    await until(() => beats().length === 1, 'the first heartbeat');
    expect(beats()[0]!.msg).toMatchObject({ devices: [{ device: 'printer', state: 'online' }], queue: { pending: 1, quarantined: 0 }, auditHead: null });
    scripted.connectionsPeers[0]!.send({ type: 'heartbeat.request' });
    await until(() => beats().length === 2, 'the requested heartbeat');
    await client.stop();

    interval = 100;
    client.start();
    await until(() => beats().filter((b) => b.conn === 1).length >= 4, 'heartbeats on the interval');
  });

  it('a network that fails silently is noticed (no frame for 3 heartbeat intervals) and the connection replaced', async () => {
    const e = await h.endpoint('endpoint', { heartbeatMs: 100 });
    const proxy = h.track(await CutProxy.start(e.port));
    const store = h.store();
    store.submitCases(2);
    const url = `ws://127.0.0.1:${proxy.port}/sync`;
    const client = h.client(store, { url, regions: '*', enrollToken: e.store.createEnrollToken('kiosk-1') });
    client.start();
    await until(() => store.acknowledgedLog.length === 2, 'drained');
    proxy.freeze();
    store.submitCase();
    client.kick();
    await until(() => h.sink.records().some((r) => r.msg === 'endpoint silent: dropping the connection'), 'silence noticed');
    await until(() => store.acknowledgedLog.length === 3, 'sent on a new connection');
    expect(h.sink.records().filter((r) => r.msg === 'connected to the endpoint').length).toBeGreaterThanOrEqual(2);
  });
});

describe('stop()', () => {
  it('closes the socket and leaves no timer behind: a process that stopped its client exits by itself', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(HERE, 'client-exit-child.ts'), h.dir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Bounded by the test's timeout: a leaked handle keeps the child alive and the test fails.
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const code = await exited;
    clearTimeout(killer);
    expect(err).toBe('');
    expect(out).toBe('drained\nstopped\n');
    expect(code).toBe(0);
  });
});
