import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { booleanOption, integerOption, stringOption, type Command, type CommandContext, type ParsedArgs } from '../../base/cli.js';
import { CheckError } from '../../drivers/manager/check.js';
import { ExitCode, UsageError } from '../../base/errors.js';
import { isLogLevel, type LogLevel } from '../../base/log.js';
import { DEFAULT_PORT, startAgent } from '../agent.js';
import { loadConfig, type AgentConfig } from '../config/config.js';
import { parseSyncConfig } from '../config/sync-config.js';
import { configFromArgs, dataDirFromArgs } from './agent-client.js';
import { kioskUrl } from '../api/ui-routes.js';
import { findChromium, parseWindowSize, type WindowSize } from '../browser/chromium-kiosk.js';
import { startKioskBrowser, type KioskBrowser } from '../browser/kiosk-browser.js';
import { installedElectron, planHandover, type Handover } from '../electron/handover.js';

export const startCommand: Command = {
  name: 'start',
  summary: 'start the kiosk agent (local API on 127.0.0.1) and run until stopped',
  usage: '[--data DIR] [--config FILE] [--port PORT] [--log-level LEVEL] [--endpoint URL [--enroll-token TOKEN]] [--browser [--browser-path FILE] [--browser-window WxH]] [--no-electron]',
  description: `With no configuration file the agent runs the embedded demo: simulated ID card reader, scanner
and receipt printer on ptys under DATA/run/, the demo catalog, and the /api/demo routes that drive
them, and a reference sync endpoint in-process on 127.0.0.1 (data in DATA/endpoint/) that the kiosk
enrols with by itself. --endpoint sends the cases of every region to that endpoint instead (the
configuration's sync.endpoints can route regions to different ones). The data directory holds the
store, keys, the API token and logs (default: $TONGBAN_DATA, else ~/.local/share/tongban). Once ready
it prints the kiosk pages' URL (自助终端页面: http://127.0.0.1:PORT/kiosk/#token=...): open it in a
browser (Chromium) or Electron. --browser opens it itself in the system Chromium as a kiosk (full
screen, a throwaway profile under DATA/run/, only the agent's address reachable; started again if it
dies, closed when the agent stops), for machines without the Electron shell. Where Electron is installed
(the optional \`electron\` package with its binary, or $TONGBAN_ELECTRON) and a display is set, start hands
over to the Electron shell instead: the same agent runs inside it and the kiosk window opens (only --data
and --config pass; --no-electron keeps to node). Stop it with Ctrl-C or SIGTERM.`,
  options: {
    data: { type: 'string', valueName: 'DIR', description: 'data directory' },
    config: { type: 'string', valueName: 'FILE', description: 'configuration file (JSON; default: the embedded demo; $TONGBAN_CONFIG)' },
    port: { type: 'string', valueName: 'PORT', description: `local API port (default: api.port of the configuration, ${DEFAULT_PORT}; 0 picks a free one)` },
    'log-level': { type: 'string', valueName: 'LEVEL', description: 'debug, info, warn or error (default: $TONGBAN_LOG_LEVEL, else log.level of the configuration)' },
    endpoint: { type: 'string', valueName: 'URL', description: 'sync every region to this endpoint (ws:// or wss://HOST:PORT/sync) instead of sync.endpoints or the embedded one' },
    'enroll-token': { type: 'string', valueName: 'TOKEN', description: 'the one-time enrolment token of --endpoint (tongban endpoint enroll), used when the kiosk has no credentials for it yet' },
    browser: { type: 'boolean', description: 'open the kiosk pages in the system Chromium as a kiosk (the fallback for machines without Electron)' },
    'browser-path': { type: 'string', valueName: 'FILE', description: 'the Chromium to run with --browser (default: $TONGBAN_BROWSER, else /usr/bin/chromium, chromium-browser, google-chrome)' },
    'browser-window': { type: 'string', valueName: 'WxH', description: 'with --browser: place the window at 0,0 with this size, for an X session without a window manager (e.g. 1080x1920)' },
    'no-electron': { type: 'boolean', description: 'run in node and serve the pages for a browser even where Electron is installed' },
  },
  async run(args, ctx) {
    const level = stringOption(args, 'log-level') ?? ctx.env.TONGBAN_LOG_LEVEL;
    if (level !== undefined && !isLogLevel(level)) throw new UsageError(`--log-level must be debug, info, warn or error, not "${level}"`);
    const config = withEndpointOption(args, configFromArgs(args, ctx) ?? loadConfig(undefined));
    const port = integerOption(args, 'port', 0, 65535);
    const browser = browserOptions(args, ctx.env);
    const plan = planHandover({
      binary: installedElectron(ctx.env),
      env: ctx.env,
      platform: process.platform,
      mainJs: fileURLToPath(new URL('../electron/main.js', import.meta.url)),
      ...(stringOption(args, 'data') !== undefined ? { dataDir: stringOption(args, 'data') } : {}),
      ...(stringOption(args, 'config') !== undefined ? { configFile: stringOption(args, 'config') } : {}),
      otherOptions: ['port', 'log-level', 'endpoint', 'enroll-token'].filter((o) => stringOption(args, o) !== undefined),
      declined: browser !== undefined || booleanOption(args, 'no-electron'),
    });
    if (plan && 'binary' in plan) return runInElectron(plan, ctx);
    if (plan) ctx.stdout.write(`${plan.reason}\n`);
    const agent = await startAgent({
      dataDir: dataDirFromArgs(args, ctx, config),
      config,
      ...(port !== undefined ? { port } : {}),
      ...(level !== undefined ? { logLevel: level as LogLevel } : {}),
    });
    ctx.stdout.write(`tongban agent ready: ${agent.url}${agent.syncEndpoint ? ` (sync: embedded endpoint ${agent.syncEndpoint})` : ''}\n`);
    // The token rides in the fragment, which the browser never sends; printed here only, never logged.
    ctx.stdout.write(`自助终端页面: ${kioskUrl(agent.url, agent.token)}\n`);
    let kiosk: KioskBrowser | undefined;
    if (browser) {
      kiosk = startKioskBrowser({
        executable: browser.executable,
        kioskUrl: kioskUrl(agent.url, agent.token),
        runDir: join(dataDirFromArgs(args, ctx, config), 'run'),
        log: agent.log.child({ component: 'agent.browser' }),
        env: ctx.env,
        ...(browser.window ? { window: browser.window } : {}),
      });
      ctx.stdout.write(`kiosk browser: ${browser.executable} (pid ${kiosk.pid ?? '?'})\n`);
    }
    await new Promise<void>((resolve) => {
      if (ctx.stopSignal.aborted) resolve();
      ctx.stopSignal.addEventListener('abort', () => resolve(), { once: true });
    });
    // The browser closes first: it would only show errors once the API is gone.
    await kiosk?.stop();
    await agent.stop(String(ctx.stopSignal.reason ?? 'signal'));
  },
};

/**
 * Runs the Electron shell with the agent inside it until it exits (its exit code is start's); a stop
 * signal here is passed on as SIGTERM, which the shell answers by stopping the agent cleanly.
 */
function runInElectron(plan: Handover, ctx: CommandContext): Promise<ExitCode> {
  ctx.stdout.write(`tongban: Electron is installed: the agent runs inside the kiosk window (${plan.binary})\n`);
  const child = spawn(plan.binary, plan.args, { stdio: 'inherit', env: ctx.env });
  const stop = (): void => void child.kill('SIGTERM');
  ctx.stopSignal.addEventListener('abort', stop, { once: true });
  return new Promise<ExitCode>((resolve) => {
    child.once('error', (err) => {
      ctx.stopSignal.removeEventListener('abort', stop);
      ctx.stdout.write(`tongban: cannot run Electron (${plan.binary}): ${err.message}\n`);
      resolve(ExitCode.failure);
    });
    child.once('exit', (code, signal) => {
      ctx.stopSignal.removeEventListener('abort', stop);
      // The shell exits with tongban's codes (0-3); anything else (a crash) is a failure.
      if (code === null) resolve(signal === 'SIGTERM' || signal === 'SIGINT' ? ExitCode.ok : ExitCode.failure);
      else resolve(([0, 1, 2, 3] as const).find((c) => c === code) ?? ExitCode.failure);
    });
  });
}

/** --browser [--browser-path FILE] [--browser-window WxH]: the Chromium found before the agent starts (none: exit 3). */
function browserOptions(args: ParsedArgs, env: NodeJS.ProcessEnv): { executable: string; window?: WindowSize } | undefined {
  const path = stringOption(args, 'browser-path');
  const size = stringOption(args, 'browser-window');
  if (!booleanOption(args, 'browser')) {
    if (path !== undefined || size !== undefined) throw new UsageError(`--${path !== undefined ? 'browser-path' : 'browser-window'} goes with --browser`);
    return undefined;
  }
  const window = size !== undefined ? parseWindowSize(size) : undefined;
  const executable = findChromium(path ?? (env.TONGBAN_BROWSER || undefined), isExecutable);
  return { executable, ...(window ? { window } : {}) };
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** --endpoint URL [--enroll-token TOKEN]: one endpoint for every region, checked as sync.endpoints is. */
function withEndpointOption(args: ParsedArgs, config: AgentConfig): AgentConfig {
  const url = stringOption(args, 'endpoint');
  const token = stringOption(args, 'enroll-token');
  if (url === undefined) {
    if (token !== undefined) throw new UsageError('--enroll-token goes with --endpoint URL');
    return config;
  }
  try {
    const sync = parseSyncConfig({ endpoints: [{ url, regions: ['*'], ...(token !== undefined ? { enrollToken: token } : {}) }] });
    return { ...config, sync: { ...config.sync, ...(sync.endpoints ? { endpoints: sync.endpoints } : {}) } };
  } catch (err) {
    const problem = err instanceof CheckError ? err.problem : String(err);
    throw new UsageError(`--${err instanceof CheckError && err.path.endsWith('enrollToken') ? 'enroll-token' : 'endpoint'} ${problem}`);
  }
}
