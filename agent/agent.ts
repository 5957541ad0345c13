/**
 * The agent process: owns the data directory, serves the local API, and shuts down cleanly on
 * SIGTERM/SIGINT. Later parts (store, devices, sync) are composed here and nowhere else.
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, stderrSink, teeSink, type Logger, type LogLevel } from '../base/log.js';
import { packageInfo } from '../base/package-info.js';
import { startApiServer, type ApiServer } from './api/server.js';
import { lockDataDir, prepareDataDir, removeRuntimeInfo, writeRuntimeInfo, type DataDirLock } from './data-dir.js';

export interface AgentOptions {
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
  readonly logLevel: LogLevel;
}

export interface RunningAgent {
  readonly url: string;
  readonly log: Logger;
  stop(reason: string): Promise<void>;
}

export const DEFAULT_PORT = 8787;

export async function startAgent(options: AgentOptions): Promise<RunningAgent> {
  prepareDataDir(options.dataDir);
  const lock: DataDirLock = lockDataDir(options.dataDir);
  const logDir = join(options.dataDir, 'logs');
  mkdirSync(logDir, { recursive: true, mode: 0o700 });
  const file = createWriteStream(join(logDir, 'agent.log'), { flags: 'a', mode: 0o600 });
  const log = createLogger({ level: options.logLevel, sink: teeSink(stderrSink, file), fields: { component: 'agent' } });
  const { version } = packageInfo();
  const startedAt = new Date();

  let api: ApiServer;
  try {
    api = await startApiServer({
      host: options.host,
      port: options.port,
      log: log.child({ component: 'agent.api' }),
      routes: [
        {
          method: 'GET',
          path: '/api/health',
          handler: () => ({
            status: 200,
            body: { status: 'ok', version, pid: process.pid, startedAt: startedAt.toISOString(), uptimeMs: Date.now() - startedAt.getTime() },
          }),
        },
      ],
    });
  } catch (err) {
    lock.release();
    file.end();
    throw err;
  }
  writeRuntimeInfo(options.dataDir, { pid: process.pid, url: api.url, version, startedAt: startedAt.toISOString() });
  log.info('agent ready', { url: api.url, dataDir: options.dataDir, version });

  let stopping: Promise<void> | undefined;
  return {
    url: api.url,
    log,
    stop(reason) {
      stopping ??= (async () => {
        log.info('agent stopping', { reason });
        await api.close();
        removeRuntimeInfo(options.dataDir);
        lock.release();
        log.info('agent stopped');
        await new Promise<void>((resolve) => file.end(resolve));
      })();
      return stopping;
    },
  };
}
