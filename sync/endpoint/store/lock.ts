/**
 * DATA/endpoint.lock: one serving process per endpoint data directory. The owner repairs partial
 * uploads at open; a second server on the same directory would cut the first one's uploads in progress
 * (and answer kiosks from a store it does not own). A lock left by a process that no longer runs
 * (kill -9, power cut) is taken over. The CLI's subcommands do not take it (they are not owners).
 */
import { closeSync, constants, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentError, messageOf } from '../../../base/errors.js';

export const ENDPOINT_LOCK_FILE = 'endpoint.lock';

export interface EndpointLock {
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function lockEndpointDir(dir: string): EndpointLock {
  const path = join(dir, ENDPOINT_LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
      try {
        writeSync(fd, String(process.pid));
      } finally {
        closeSync(fd);
      }
      return {
        release() {
          try {
            if (readFileSync(path, 'utf8').trim() === String(process.pid)) rmSync(path, { force: true });
          } catch {
            // already gone
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new EnvironmentError('env.dataDir', `cannot lock the endpoint data directory ${dir}: ${messageOf(err)}`, { cause: err });
      }
      let holder = NaN;
      try {
        holder = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
      } catch {
        // removed meanwhile: try again
      }
      // The same process may open its own store again (tests, an embedded endpoint): the first opening keeps the lock.
      if (holder === process.pid) return { release() {} };
      if (Number.isInteger(holder) && holder > 0 && alive(holder)) {
        throw new EnvironmentError('env.alreadyRunning', `another endpoint (pid ${holder}) is serving ${dir}: stop it first, or use another --data`);
      }
      rmSync(path, { force: true }); // stale: its owner is gone
    }
  }
  throw new EnvironmentError('env.dataDir', `cannot lock the endpoint data directory ${dir}`);
}
