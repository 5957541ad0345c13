/**
 * Child processes of the UI tests (`tongban start`, `tongban endpoint`): started from the compiled CLI
 * (bin/tongban.js over dist/: `npm run build` first), awaited until a stdout line says they are ready,
 * stopped with SIGTERM (SIGKILL after a grace period), and killed on this process's exit should a test
 * file die before its afterAll.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { BIN, ROOT } from '../../../test/helpers/cli.js';

export interface Daemon {
  readonly child: ChildProcessWithoutNullStreams;
  readonly match: RegExpMatchArray;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<number | null>;
}

const LIVE = new Set<ChildProcessWithoutNullStreams>();
process.once('exit', () => {
  for (const c of LIVE) c.kill('SIGKILL');
});

/** `tongban ARGS` as a long-running child; resolves once its stdout matches `ready`. */
export async function startDaemon(args: readonly string[], ready: RegExp, options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Daemon> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    // No configuration, data dir or debug setting of the developer's shell leaks into the test.
    env: { ...process.env, TONGBAN_CONFIG: '', TONGBAN_DATA: '', TONGBAN_DEBUG: '', TONGBAN_FAULTS: '', ...options.env },
  });
  LIVE.add(child);
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      LIVE.delete(child);
      resolve(code);
    }),
  );
  const timeoutMs = options.timeoutMs ?? 30_000;
  const match = await new Promise<RegExpMatchArray>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tongban ${args.join(' ')}: not ready within ${timeoutMs} ms\nstdout: ${out}\nstderr: ${err}`));
    }, timeoutMs);
    const onData = (): void => {
      const m = out.match(ready);
      if (!m) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      resolve(m);
    };
    child.stdout.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`tongban ${args.join(' ')}: exited with ${code} before ready\nstdout: ${out}\nstderr: ${err}`));
    });
  });
  return {
    child,
    match,
    stdout: () => out,
    stderr: () => err,
    exited,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** `tongban ARGS` run to its end without blocking the event loop (a running agent may need to answer it). */
export function runTongban(args: readonly string[], timeoutMs = 20_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, TONGBAN_CONFIG: '', TONGBAN_DATA: '', TONGBAN_DEBUG: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export { until } from '../../../test/helpers/until.js';
