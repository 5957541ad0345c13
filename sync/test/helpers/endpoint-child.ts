/**
 * A reference endpoint in a child process, for the fault tests of sync/ alone (without the CLI):
 * `node --import tsx endpoint-child.ts DATA_DIR`. Prints `endpoint listening on ws://…/sync` when ready;
 * SIGTERM closes it. TONGBAN_FAULTS applies (sync/faults.ts).
 */
import { createLogger } from '../../../base/log.js';
import { startEndpoint } from '../../endpoint/server.js';
import { checkFaultsEnv } from '../../faults.js';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: endpoint-child.ts DATA_DIR');
checkFaultsEnv();
const endpoint = await startEndpoint({ dataDir, port: 0, log: createLogger({ level: 'warn' }), heartbeatMs: 2000, eventPollMs: 50 });
process.stdout.write(`endpoint listening on ${endpoint.url}\n`);
process.once('SIGTERM', () => {
  void endpoint.close().then(() => process.exit(0));
});
// The test holds our stdin: when it goes away (even killed), so do we — no process outlives its test.
process.stdin.on('end', () => process.kill(process.pid, 'SIGKILL')).resume();
