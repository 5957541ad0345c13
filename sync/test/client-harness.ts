/**
 * Shared set-up for the client tests: a temp dir, a real TestKioskStore file, the real endpoint
 * server on 127.0.0.1:0 (or none), clients with a fast backoff, and a condition poller. Everything
 * started here is closed by cleanup().
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemorySink, createLogger, type Logger } from '../../base/log.js';
import { startEndpoint, type EndpointOptions, type RunningEndpoint } from '../endpoint/server.js';
import { SyncClient, type SyncClientOptions } from '../client/sync-client.js';
import type { EndpointConfig } from '../client/types.js';
import { TestKioskStore } from './helpers/test-kiosk-store.js';

export const FAST_BACKOFF = { baseMs: 20, maxMs: 300 };

export class Harness {
  readonly dir = mkdtempSync(join(tmpdir(), 'tongban-client-'));
  readonly sink = new MemorySink();
  readonly log: Logger = createLogger({ level: 'debug', sink: this.sink });
  private readonly endpoints: RunningEndpoint[] = [];
  private readonly clients: { stop(): Promise<void> }[] = [];
  private readonly stores: TestKioskStore[] = [];

  store(name = 'kiosk'): TestKioskStore {
    const s = new TestKioskStore(join(this.dir, `${name}.db`));
    this.stores.push(s);
    return s;
  }

  async endpoint(name = 'endpoint', extra: Partial<EndpointOptions> = {}): Promise<RunningEndpoint> {
    const e = await startEndpoint({
      dataDir: join(this.dir, name),
      port: 0,
      log: this.log.child({ component: `test.${name}` }),
      clerkToken: 'clerk-test-token',
      heartbeatMs: 60_000,
      ...extra,
    });
    this.endpoints.push(e);
    return e;
  }

  /** Closes an endpoint started here (to restart it on the same data dir). */
  async closeEndpoint(e: RunningEndpoint): Promise<void> {
    const i = this.endpoints.indexOf(e);
    if (i >= 0) this.endpoints.splice(i, 1);
    await e.close();
  }

  client(store: TestKioskStore, endpoint: EndpointConfig, extra: Partial<SyncClientOptions> = {}): SyncClient {
    const c = new SyncClient({ endpoint, store, log: this.log, agentVersion: '0.1.0-test', backoff: FAST_BACKOFF, ...extra });
    this.clients.push(c);
    return c;
  }

  track<T extends { stop(): Promise<void> }>(c: T): T {
    this.clients.push(c);
    return c;
  }

  async cleanup(): Promise<void> {
    for (const c of this.clients.splice(0)) await c.stop();
    for (const e of this.endpoints.splice(0)) await e.close();
    for (const s of this.stores.splice(0)) s.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Polls until `cond` holds (the test's own timeout bounds it); returns its last truthy value. */
export async function until<T>(cond: () => T, what: string, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = cond();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function bytes(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}
