/**
 * The agent's data directory: where the store, keys, logs and the runtime file live. One agent at a
 * time may own it (a lock file holding the owner's pid), and other `tongban` commands find the running
 * agent through `agent.json` in it.
 */
import { closeSync, constants, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { EnvironmentError, InputError } from '../base/errors.js';

/** `--data DIR`, else $TONGBAN_DATA, else $XDG_DATA_HOME/tongban (~/.local/share/tongban). */
export function resolveDataDir(option: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string {
  if (option !== undefined && option.trim() === '') throw new InputError('input.dataDir', '--data needs a directory');
  if (option) return resolve(cwd, option);
  if (env.TONGBAN_DATA) return resolve(cwd, env.TONGBAN_DATA);
  const xdg = env.XDG_DATA_HOME || join(env.HOME || homedir(), '.local', 'share');
  return join(xdg, 'tongban');
}

/** Creates the directory (mode 0700: it holds personal data and keys) and checks that it is usable. */
export function prepareDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new EnvironmentError('env.dataDir', `cannot create data directory ${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
  }
  const st = statSync(dir);
  if (!st.isDirectory()) throw new EnvironmentError('env.dataDir', `data directory ${dir} is not a directory`);
  const probe = join(dir, `.write-test-${process.pid}`);
  try {
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (err) {
    throw new EnvironmentError('env.dataDir', `data directory ${dir} is not writable: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
  }
}

export interface DataDirLock {
  readonly path: string;
  release(): void;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the directory's lock, or fails with the pid of the agent that holds it. A lock left behind by a
 * process that no longer runs (kill -9, power cut) is taken over.
 */
export function lockDataDir(dir: string): DataDirLock {
  const path = join(dir, 'agent.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return {
        path,
        release() {
          try {
            if (readFileSync(path, 'utf8').trim() === String(process.pid)) rmSync(path);
          } catch {
            // already gone
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new EnvironmentError('env.dataDir', `cannot lock data directory ${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
      }
      const holder = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && pidAlive(holder)) {
        throw new EnvironmentError('env.alreadyRunning', `another agent (pid ${holder}) is already running on ${dir}`);
      }
      rmSync(path, { force: true }); // stale: its owner is gone
    }
  }
  throw new EnvironmentError('env.dataDir', `cannot lock data directory ${dir}`);
}

/** What other commands need to reach the running agent. */
export interface RuntimeInfo {
  readonly pid: number;
  readonly url: string;
  readonly version: string;
  readonly startedAt: string;
}

export const RUNTIME_FILE = 'agent.json';

/** Written atomically (temp file + rename) so a reader never sees half a file. */
export function writeRuntimeInfo(dir: string, info: RuntimeInfo): void {
  const tmp = join(dir, `${RUNTIME_FILE}.${process.pid}.tmp`);
  writeFileSync(tmp, JSON.stringify(info, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, join(dir, RUNTIME_FILE));
}

export function removeRuntimeInfo(dir: string): void {
  rmSync(join(dir, RUNTIME_FILE), { force: true });
}
