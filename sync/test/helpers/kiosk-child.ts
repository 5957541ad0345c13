/**
 * A kiosk's sync client in a child process over the SQLite test kiosk store, for the fault tests of
 * sync/ alone: `node --import tsx kiosk-child.ts STORE.db ENDPOINT_URL ENROLL_TOKEN`. The test writes
 * cases into the same SQLite file; the child polls (kick) for them. Prints `kiosk syncing` when started;
 * SIGTERM stops it. TONGBAN_FAULTS applies (sync/faults.ts).
 */
import { createLogger } from '../../../base/log.js';
import { SyncClient } from '../../client/index.js';
import { checkFaultsEnv } from '../../faults.js';
import { TestKioskStore } from './test-kiosk-store.js';

const [path, url, enrollToken] = process.argv.slice(2);
if (!path || !url) throw new Error('usage: kiosk-child.ts STORE.db ENDPOINT_URL [ENROLL_TOKEN]');
checkFaultsEnv();
const store = new TestKioskStore(path);
const client = new SyncClient({
  endpoint: { url, regions: '*', ...(enrollToken ? { enrollToken } : {}) },
  store,
  log: createLogger({ level: 'warn' }),
  agentVersion: 'fault-test',
  backoff: { baseMs: 50, maxMs: 400 },
});
client.start();
// Cases are written by another process: look for them often.
const poll = setInterval(() => client.kick(), 100);
process.stdout.write('kiosk syncing\n');
process.once('SIGTERM', () => {
  clearInterval(poll);
  void client.stop().then(() => {
    store.close();
    process.exit(0);
  });
});
// The test holds our stdin: when it goes away (even killed), so do we — no process outlives its test.
process.stdin.on('end', () => process.kill(process.pid, 'SIGKILL')).resume();
