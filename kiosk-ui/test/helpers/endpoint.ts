/**
 * A `tongban endpoint` in its own process (the reference 跨省通办 endpoint), so that a UI test can take
 * it down and bring it back on the same port while the kiosk runs: the offline path the citizen sees.
 */
import { join } from 'node:path';
import { runTongban, startDaemon, type Daemon } from './processes.js';

const LISTENING = /listening on (ws:\/\/127\.0\.0\.1:(\d+)\/sync)/;

/** A case as `tongban endpoint cases --json` lists it (the fields the tests read; the rest passed through). */
export interface EndpointCase {
  id: string;
  kioskId: string;
  itemCode: string;
  status: string;
  contentHash: string;
  [key: string]: unknown;
}

export interface ExternalEndpoint {
  /** ws://127.0.0.1:PORT/sync */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** True while the endpoint process runs. */
  running(): boolean;
  /** Stops the endpoint process (SIGTERM); the kiosk sees it gone. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same data. */
  start(): Promise<void>;
  /** The cases it holds: `tongban endpoint cases --data DIR --json`. */
  cases(): Promise<EndpointCase[]>;
  /** A one-time enrolment token for a kiosk (`tongban endpoint enroll`). */
  enroll(kioskId: string): Promise<string>;
}

export async function startExternalEndpoint(dir: string): Promise<ExternalEndpoint> {
  const dataDir = join(dir, 'endpoint');
  let daemon: Daemon | undefined = await startDaemon(['endpoint', '--port', '0', '--data', dataDir], LISTENING);
  const url = daemon.match[1]!;
  const port = Number(daemon.match[2]);
  const cli = async (args: string[]): Promise<string> => {
    const r = await runTongban(['endpoint', ...args, '--data', dataDir]);
    if (r.code !== 0) throw new Error(`tongban endpoint ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  };
  return {
    url,
    port,
    dataDir,
    running: () => daemon !== undefined && daemon.child.exitCode === null && daemon.child.signalCode === null,
    async stop() {
      await daemon?.stop();
      daemon = undefined;
    },
    async start() {
      if (daemon) throw new Error('the endpoint is already running');
      daemon = await startDaemon(['endpoint', '--port', String(port), '--data', dataDir], LISTENING);
    },
    async cases() {
      return JSON.parse(await cli(['cases', '--json'])) as EndpointCase[];
    },
    async enroll(kioskId) {
      return (await cli(['enroll', '--kiosk', kioskId])).trim();
    },
  };
}
