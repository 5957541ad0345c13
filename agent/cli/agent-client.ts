/**
 * How a `tongban` command reaches the running agent: the same `--config FILE` / `--data DIR` as
 * `tongban start` name the data directory; its agent.json says where the API listens and its api-token
 * is the bearer token. No agent there (no runtime file, its process gone, the API not answering): an
 * environment failure (exit 3) that says how to start one.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stringOption, type CommandContext, type OptionSpecs, type ParsedArgs } from '../../base/cli.js';
import { EnvironmentError, InputError } from '../../base/errors.js';
import { readApiToken } from '../api/token.js';
import { loadConfig, type AgentConfig } from '../config/config.js';
import { RUNTIME_FILE, resolveDataDir } from '../data-dir.js';

/** The options every command that finds the agent takes (as `tongban start` does). */
export const AGENT_OPTIONS: OptionSpecs = {
  config: { type: 'string', valueName: 'FILE', description: "the agent's configuration file (its dataDir; default $TONGBAN_CONFIG)" },
  data: { type: 'string', valueName: 'DIR', description: "the agent's data directory (default: dataDir of the configuration, $TONGBAN_DATA, ~/.local/share/tongban)" },
};

/** --config (or $TONGBAN_CONFIG), checked; undefined when none is named. */
export function configFromArgs(args: ParsedArgs, ctx: CommandContext): AgentConfig | undefined {
  const file = stringOption(args, 'config') ?? (ctx.env.TONGBAN_CONFIG || undefined);
  return file === undefined ? undefined : loadConfig(resolve(ctx.cwd, file));
}

/** --data, else the configuration's dataDir, else $TONGBAN_DATA, else the default. */
export function dataDirFromArgs(args: ParsedArgs, ctx: CommandContext, config: AgentConfig | undefined): string {
  return resolveDataDir(stringOption(args, 'data') ?? config?.dataDir, ctx.env, ctx.cwd);
}

export interface AgentClient {
  readonly url: string;
  /** A JSON request; resolves with the status and the parsed body (the API always answers JSON). */
  request(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
}

export function connectAgent(dataDir: string): AgentClient {
  const notRunning = (why: string): EnvironmentError =>
    new EnvironmentError('env.agentNotRunning', `no agent is running on ${dataDir} (${why}); start one with: tongban start --data ${dataDir}`);
  let runtime: { url?: unknown; pid?: unknown };
  try {
    runtime = JSON.parse(readFileSync(join(dataDir, RUNTIME_FILE), 'utf8')) as typeof runtime;
  } catch (err) {
    throw notRunning((err as NodeJS.ErrnoException).code === 'ENOENT' ? `no ${RUNTIME_FILE}` : `${RUNTIME_FILE} is unreadable`);
  }
  if (typeof runtime.url !== 'string' || !/^http:\/\/(127\.0\.0\.1|\[::1\]|localhost):\d+\/$/.test(runtime.url)) throw notRunning(`${RUNTIME_FILE} has no loopback URL`);
  if (typeof runtime.pid !== 'number' || !alive(runtime.pid)) throw notRunning(`its process ${String(runtime.pid)} is gone`);
  const token = readApiToken(dataDir);
  const url = runtime.url;
  return {
    url,
    async request(method, path, body) {
      let res: Response;
      try {
        res = await fetch(new URL(path.replace(/^\//, ''), url), {
          method,
          headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        });
      } catch (err) {
        throw notRunning(`${url} does not answer: ${(err as { cause?: { code?: string } }).cause?.code ?? String(err)}`);
      }
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new EnvironmentError('env.agentReply', `the agent at ${url} answered ${res.status} with something that is not JSON`);
      }
      return { status: res.status, body: parsed };
    },
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Turns an API refusal into the CLI's error: 4xx -> input error (exit 2) with the API's message. */
export function refusal(status: number, body: unknown): Error {
  const error = (body as { error?: { code?: unknown; message?: unknown; field?: unknown } }).error;
  const message = typeof error?.message === 'string' ? error.message : `the agent answered ${status}`;
  const code = typeof error?.code === 'string' ? error.code : 'api.refused';
  if (status >= 400 && status < 500 && status !== 401) return new InputError(code, message);
  return new EnvironmentError(code, `the agent refused (${status}): ${message}`);
}
