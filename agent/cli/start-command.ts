import { integerOption, stringOption, type Command } from '../../base/cli.js';
import { UsageError } from '../../base/errors.js';
import { isLogLevel, type LogLevel } from '../../base/log.js';
import { DEFAULT_PORT, startAgent } from '../agent.js';
import { loadConfig } from '../config/config.js';
import { configFromArgs, dataDirFromArgs } from './agent-client.js';

export const startCommand: Command = {
  name: 'start',
  summary: 'start the kiosk agent (local API on 127.0.0.1) and run until stopped',
  usage: '[--data DIR] [--config FILE] [--port PORT] [--log-level LEVEL]',
  description: `With no configuration file the agent runs the embedded demo: simulated ID card reader, scanner
and receipt printer on ptys under DATA/run/, the demo catalog, and the /api/demo routes that drive
them. The data directory holds the store, keys, the API token and logs (default: $TONGBAN_DATA, else
~/.local/share/tongban). Stop it with Ctrl-C or SIGTERM.`,
  options: {
    data: { type: 'string', valueName: 'DIR', description: 'data directory' },
    config: { type: 'string', valueName: 'FILE', description: 'configuration file (JSON; default: the embedded demo; $TONGBAN_CONFIG)' },
    port: { type: 'string', valueName: 'PORT', description: `local API port (default: api.port of the configuration, ${DEFAULT_PORT}; 0 picks a free one)` },
    'log-level': { type: 'string', valueName: 'LEVEL', description: 'debug, info, warn or error (default: $TONGBAN_LOG_LEVEL, else log.level of the configuration)' },
  },
  async run(args, ctx) {
    const level = stringOption(args, 'log-level') ?? ctx.env.TONGBAN_LOG_LEVEL;
    if (level !== undefined && !isLogLevel(level)) throw new UsageError(`--log-level must be debug, info, warn or error, not "${level}"`);
    const config = configFromArgs(args, ctx) ?? loadConfig(undefined);
    const port = integerOption(args, 'port', 0, 65535);
    const agent = await startAgent({
      dataDir: dataDirFromArgs(args, ctx, config),
      config,
      ...(port !== undefined ? { port } : {}),
      ...(level !== undefined ? { logLevel: level as LogLevel } : {}),
    });
    ctx.stdout.write(`tongban agent ready: ${agent.url}\n`);
    await new Promise<void>((resolve) => {
      if (ctx.stopSignal.aborted) resolve();
      ctx.stopSignal.addEventListener('abort', () => resolve(), { once: true });
    });
    await agent.stop(String(ctx.stopSignal.reason ?? 'signal'));
  },
};

