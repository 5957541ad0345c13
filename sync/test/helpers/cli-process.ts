/**
 * The real `tongban` executable (bin/tongban.js over dist/, so `npm run build` first) for the fault
 * tests: one-shot commands run asynchronously (the test's own event loop runs the fault proxy and must
 * not be blocked by spawnSync), and the local API of a running agent.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const BIN = fileURLToPath(new URL('../../../bin/tongban.js', import.meta.url));

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `tongban ARGS` to completion (killed after `timeoutMs`). */
export function tongbanAsync(args: readonly string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, TONGBAN_DEBUG: '', TONGBAN_FAULTS: '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** `tongban ARGS --json`, parsed; throws with stderr when it fails. */
export async function tongbanJson<T = any>(args: readonly string[]): Promise<T> {
  const r = await tongbanAsync([...args, '--json']);
  if (r.code !== 0) throw new Error(`tongban ${args.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as T;
}

/** One call to a running agent's local API; `undefined` status when the agent could not be reached. */
export async function agentApi(
  baseUrl: string,
  token: string,
  method: string,
  path: string,
  body?: object | Uint8Array,
  contentType?: string,
): Promise<{ status: number | undefined; json: any }> {
  const raw = body instanceof Uint8Array;
  try {
    const res = await fetch(new URL(path.replace(/^\//, ''), baseUrl), {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': contentType ?? (raw ? 'application/octet-stream' : 'application/json') } : {}),
      },
      ...(body !== undefined ? { body: raw ? body : JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: res.status, json };
  } catch {
    return { status: undefined, json: null };
  }
}
