/**
 * Child process for client-acks.test.ts: starts an endpoint and a SyncClient, drains a few cases,
 * receives a status event, then stops the client, closes the endpoint and the store — and must then
 * exit on its own: a timer or socket left by the client would keep the process alive.
 * argv: DIR. Prints "drained" once the cases are acknowledged and "stopped" after stop().
 */
import { join } from 'node:path';
import { createLogger } from '../../base/log.js';
import { startEndpoint } from '../endpoint/server.js';
import { SyncClient } from '../client/sync-client.js';
import { TestKioskStore } from './helpers/test-kiosk-store.js';

const dir = process.argv[2]!;
const log = createLogger({ level: 'error' });
const endpoint = await startEndpoint({ dataDir: join(dir, 'endpoint'), port: 0, log, clerkToken: 'clerk-test-token', heartbeatMs: 100, eventPollMs: 50 });
const store = new TestKioskStore(join(dir, 'kiosk.db'));
const cases = store.submitCases(5);
const client = new SyncClient({
  endpoint: { url: endpoint.url, regions: '*', enrollToken: endpoint.store.createEnrollToken('kiosk-1') },
  store,
  log,
  agentVersion: '0.1.0-test',
  backoff: { baseMs: 20, maxMs: 200 },
});
client.start();
const poll = async (cond: () => boolean): Promise<void> => {
  while (!cond()) await new Promise((r) => setTimeout(r, 10));
};
await poll(() => store.outbox().every((o) => o.sent));
endpoint.store.setStatus(cases[0]!.caseId, 'accepted', {}, Date.now());
await poll(() => store.caseStatus(cases[0]!.caseId) === 'accepted');
// Let a few heartbeats pass.
await new Promise((r) => setTimeout(r, 300));
process.stdout.write('drained\n');
await client.stop();
process.stdout.write('stopped\n');
await endpoint.close();
store.close();
