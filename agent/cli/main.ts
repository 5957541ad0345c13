/**
 * `tongban`: the one command-line door to every part. The tree is composed here, in the agent (the
 * composition root); each library contributes its own commands as later parts land.
 */
import { lazyCommand, runProgram, type Command, type CommandContext, type Program } from '../../base/cli.js';
import { packageInfo } from '../../base/package-info.js';
import { driverCommands } from '../../drivers/cli/index.js';
import { startCommand } from './start-command.js';

export function program(): Program {
  const root: Command = {
    name: 'tongban',
    summary: 'tongban (通办): edge agent for government self-service kiosks',
    description: `Exit codes: 0 success, 1 a negative answer (e.g. signature invalid), 2 bad usage or unreadable
input, 3 a device or environment failure. Commands that report data take --json.
Show the version with: tongban --version`,
    subcommands: [
      startCommand,
      ...driverCommands,
      lazyCommand('certs', 'national-standard e-seals: SM2 keys and certificates, seals, sealed PDFs', async () => (await import('../../certs/cli/index.js')).certsCommand),
      lazyCommand('catalog', 'the service catalog (政务服务事项) the kiosk offers', async () => (await import('./catalog-command.js')).catalogCommand),
      lazyCommand('cases', 'cases (办件): example input, and (with a running agent) submit, list, show', async () => (await import('./cases-command.js')).casesCommand),
      lazyCommand('audit', 'the audit log of card reads, case transitions, certificates, prints, admin actions and purges', async () => (await import('./audit-command.js')).auditCommand),
      lazyCommand('purge', "erase personal data: the retention purge, or one applicant's data by ID number", async () => (await import('./purge-command.js')).purgeCommand),
      lazyCommand('keys', 'the field keys that encrypt personal data at rest: list, rotate', async () => (await import('./keys-command.js')).keysCommand),
      lazyCommand('sync', 'case sync to the 跨省通办 endpoints: status (connected, backlog, quarantined cases)', async () => (await import('./sync-command.js')).syncCommand),
      lazyCommand('endpoint', 'the reference sync endpoint: run it, enrol kiosks, handle cases (clerk), the fleet, the catalog', async () => (await import('../../sync/cli/index.js')).endpointCommand),
    ],
  };
  return { name: 'tongban', version: packageInfo().version, root };
}

/** Entry point of bin/tongban.js: wires the process's streams and signals, then exits with the code. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<never> {
  const stop = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      // A second signal while stopping means "now".
      if (stop.signal.aborted) process.exit(3);
      stop.abort(signal);
    });
  }
  const ctx: CommandContext = {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    stopSignal: stop.signal,
  };
  const code = await runProgram(program(), argv, ctx);
  // Let stdout drain before exiting (a pipe to `jq` must get the whole document).
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  process.exit(code);
}
