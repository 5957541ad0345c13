/**
 * The reference endpoint in a child process for client-drain.test.ts, so that the test can kill it
 * with SIGKILL (a crash, not a clean close): `node --import tsx client-endpoint-child.ts DATA_DIR KIOSK_ID`.
 * Prints one line `ready URL TOKEN` (TOKEN: a fresh enrolment token for KIOSK_ID) when listening.
 */
import { createLogger } from '../../base/log.js';
import { startEndpoint } from '../endpoint/server.js';

const [dataDir, kioskId] = process.argv.slice(2);
if (!dataDir || !kioskId) throw new Error('usage: client-endpoint-child.ts DATA_DIR KIOSK_ID');
const endpoint = await startEndpoint({ dataDir, port: 0, log: createLogger({ level: 'error' }), clerkToken: 'clerk-test-token', heartbeatMs: 60_000 });
process.stdout.write(`ready ${endpoint.url} ${endpoint.store.createEnrollToken(kioskId)}\n`);
process.once('SIGTERM', () => void endpoint.close().then(() => process.exit(0)));
