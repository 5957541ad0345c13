import { integerOption, stringOption, type Command } from '../../base/cli.js';
import { UsageError } from '../../base/errors.js';
import { isLogLevel, levelFromEnv } from '../../base/log.js';
import { DEFAULT_PORT, startAgent } from '../agent.js';
import { resolveDataDir } from '../data-dir.js';

export const startCommand: Command = {
  name: 'start',
  summary: 'start the kiosk agent (local API on 127.0.0.1) and run until stopped',
  usage: '[--data DIR] [--port PORT] [--log-level LEVEL]',
  description: `With no options the agent uses the embedded defaults. The data directory holds the store,
keys and logs (default: $TONGBAN_DATA, else ~/.local/share/tongban). Stop it with Ctrl-C or SIGTERM.`,
  options: {
    data: { type: 'string', valueName: 'DIR', description: 'data directory' },
    port: { type: 'string', valueName: 'PORT', description: `local API port (default ${DEFAULT_PORT}; 0 picks a free one)` },
    'log-level': { type: 'string', valueName: 'LEVEL', description: 'debug, info, warn or error (default: $TONGBAN_LOG_LEVEL or info)' },
  },
  async run(args, ctx) {
    const level = stringOption(args, 'log-level');
    if (level !== undefined && !isLogLevel(level)) throw new UsageError(`--log-level must be debug, info, warn or error, not "${level}"`);
    const agent = await startAgent({
      dataDir: resolveDataDir(stringOption(args, 'data'), ctx.env, ctx.cwd),
      host: '127.0.0.1',
      port: integerOption(args, 'port', 0, 65535) ?? DEFAULT_PORT,
      logLevel: level ?? levelFromEnv(ctx.env),
    });
    ctx.stdout.write(`tongban agent ready: ${agent.url}\n`);
    await new Promise<void>((resolve) => {
      if (ctx.stopSignal.aborted) resolve();
      ctx.stopSignal.addEventListener('abort', () => resolve(), { once: true });
    });
    await agent.stop(String(ctx.stopSignal.reason ?? 'signal'));
  },
};
