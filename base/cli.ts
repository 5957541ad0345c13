/**
 * The small command framework behind `tongban`: a tree of commands, each with typed options parsed by
 * node:util's parseArgs in strict mode, generated help, and one error convention (errors.ts): one line
 * on stderr and the exit code of the error's kind. Libraries (certs/, drivers/, sync/) define their
 * commands with it; the agent's CLI composes them into one tree.
 */
import { parseArgs } from 'node:util';
import { ExitCode, UsageError, isTongbanError, messageOf } from './errors.js';
import { redactText } from './redact.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  description: string;
  short?: string;
  multiple?: boolean;
  /** Placeholder shown in help, e.g. `FILE`, `PORT`. */
  valueName?: string;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

export interface ParsedArgs {
  readonly values: Readonly<Record<string, string | boolean | string[] | boolean[] | undefined>>;
  readonly positionals: readonly string[];
}

export interface Output {
  write(text: string): unknown;
}

export interface CommandContext {
  readonly stdout: Output;
  readonly stderr: Output;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Resolves when the user asks the process to stop (SIGINT/SIGTERM); long-running commands await it. */
  readonly stopSignal: AbortSignal;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  /** Synopsis after the command path, e.g. `--key KEY.pem --out CERT.pem`. */
  readonly usage?: string;
  readonly description?: string;
  readonly options?: OptionSpecs;
  /** Positional arguments accepted: [min, max]; default [0, 0]. */
  readonly positionals?: readonly [number, number];
  readonly subcommands?: readonly Command[];
  /** A group with `run` runs it when no subcommand is named (e.g. `tongban endpoint --port 1`). */
  run?(args: ParsedArgs, ctx: CommandContext): Promise<ExitCode | void>;
  /**
   * A lazy command: only its name and summary are known up front, the rest is loaded when the command
   * line enters it. Keeps `tongban --version` from loading pdf-lib, fonts and native addons.
   */
  load?(): Promise<Command>;
}

/** A command whose definition (options, run, subcommands) lives in a module loaded on use. */
export function lazyCommand(name: string, summary: string, load: () => Promise<Command>): Command {
  return { name, summary, load };
}

/** The command itself, its lazy definition loaded (name and summary stay those of the stub). */
export async function materialize(command: Command): Promise<Command> {
  if (!command.load) return command;
  const loaded = await command.load();
  return { ...loaded, name: command.name, summary: command.summary, load: undefined };
}

/** The whole tree with every lazy command loaded: for documentation checks and completion. */
export async function loadCommandTree(command: Command): Promise<Command> {
  const c = await materialize(command);
  if (!c.subcommands?.length) return c;
  return { ...c, subcommands: await Promise.all(c.subcommands.map(loadCommandTree)) };
}

export interface Program {
  readonly name: string;
  readonly version: string;
  readonly root: Command;
}

const HELP: OptionSpec = { type: 'boolean', short: 'h', description: 'show this help' };

/** Reads a string option; throws a usage error when it is required and missing. */
export function stringOption(args: ParsedArgs, name: string, required: true): string;
export function stringOption(args: ParsedArgs, name: string, required?: false): string | undefined;
export function stringOption(args: ParsedArgs, name: string, required = false): string | undefined {
  const v = args.values[name];
  if (Array.isArray(v)) return v.length ? String(v[v.length - 1]) : undefined;
  if (typeof v === 'string') return v;
  if (required) throw new UsageError(`missing required option --${name}`, 'usage.missingOption');
  return undefined;
}

export function stringsOption(args: ParsedArgs, name: string): string[] {
  const v = args.values[name];
  if (Array.isArray(v)) return v.map(String);
  return typeof v === 'string' ? [v] : [];
}

export function booleanOption(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}

/** A whole number option within bounds (ports, counts, timeouts). */
export function integerOption(args: ParsedArgs, name: string, min: number, max: number): number | undefined {
  const raw = stringOption(args, name);
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw)) throw new UsageError(`--${name} takes a whole number, not "${raw}"`, 'usage.badValue');
  const n = Number(raw);
  if (n < min || n > max) throw new UsageError(`--${name} must be from ${min} to ${max}, not ${n}`, 'usage.badValue');
  return n;
}

interface Resolved {
  command: Command;
  path: string[];
  rest: string[];
}

async function resolve(root: Command, argv: readonly string[]): Promise<Resolved> {
  let command = await materialize(root);
  const path = [root.name];
  let i = 0;
  while (i < argv.length && command.subcommands?.length) {
    const arg = argv[i]!;
    if (arg.startsWith('-')) break;
    const sub = command.subcommands.find((c) => c.name === arg);
    if (!sub) {
      if (command.run && (command.positionals?.[1] ?? 0) > 0) break;
      throw new UsageError(
        `unknown command "${[...path.slice(1), arg].join(' ')}" (try: ${path.join(' ')} --help)`,
        'usage.unknownCommand',
      );
    }
    command = await materialize(sub);
    path.push(arg);
    i++;
  }
  return { command, path, rest: argv.slice(i) };
}

function parse(command: Command, path: string[], rest: string[]): ParsedArgs {
  const specs: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const [name, o] of Object.entries(command.options ?? {})) {
    specs[name] = { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) };
  }
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: rest, options: specs, allowPositionals: true, strict: true });
  } catch (err) {
    // parseArgs's messages are good but long and mention its own API; keep the first sentence.
    const msg = messageOf(err).split('. ')[0]!.replace(/\.$/, '');
    throw new UsageError(`${msg} (try: ${path.join(' ')} --help)`, 'usage.badOption', { cause: err });
  }
  if (parsed.values.help !== true) {
    const [min, max] = command.positionals ?? [0, 0];
    const n = parsed.positionals.length;
    if (n < min || n > max) {
      if (n > max && command.subcommands?.length) {
        throw new UsageError(`unknown command "${[...path.slice(1), parsed.positionals[0]].join(' ')}" (try: ${path.join(' ')} --help)`, 'usage.unknownCommand');
      }
      const what = n > max ? `unexpected argument "${parsed.positionals[max]}"` : 'missing argument';
      throw new UsageError(`${what} (usage: ${path.join(' ')} ${command.usage ?? ''})`.replace(/ \)$/, ')'), 'usage.arguments');
    }
  }
  return parsed as ParsedArgs;
}

/** Help text for a command: synopsis, description, options, subcommands. */
export function helpText(command: Command, path: readonly string[]): string {
  const lines: string[] = [];
  const synopsis = command.subcommands?.length && !command.run ? '<command> [options]' : (command.usage ?? '[options]');
  lines.push(`Usage: ${path.join(' ')} ${synopsis}`.trimEnd(), '', command.summary);
  if (command.description) lines.push('', command.description.trim());
  if (command.subcommands?.length) {
    lines.push('', 'Commands:');
    const width = Math.max(...command.subcommands.map((c) => c.name.length));
    for (const c of command.subcommands) lines.push(`  ${c.name.padEnd(width)}  ${c.summary}`);
  }
  const options = { ...(command.options ?? {}), help: HELP };
  const rows = Object.entries(options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.valueName ?? 'VALUE'}` : ''}`;
    return [flag, o.description + (o.multiple ? ' (repeatable)' : '')] as const;
  });
  const width = Math.max(...rows.map(([f]) => f.length));
  lines.push('', 'Options:', ...rows.map(([f, d]) => `  ${f.padEnd(width)}  ${d}`));
  if (command.subcommands?.length) lines.push('', `Run "${path.join(' ')} <command> --help" for a command's own options.`);
  return lines.join('\n') + '\n';
}

/**
 * Runs the program on `argv` (without node and script) and returns the exit code. Never throws:
 * every failure becomes one line on stderr, personal data masked.
 */
export async function runProgram(program: Program, argv: readonly string[], ctx: CommandContext): Promise<number> {
  const fail = (code: number, message: string): number => {
    ctx.stderr.write(`${program.name}: ${redactText(message.split('\n')[0] ?? '')}\n`);
    return code;
  };
  try {
    if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
      ctx.stdout.write(`${program.name} ${program.version}\n`);
      return ExitCode.ok;
    }
    const { command, path, rest } = await resolve(program.root, argv);
    const args = parse(command, path, rest);
    if (args.values.help === true) {
      ctx.stdout.write(helpText(command, path));
      return ExitCode.ok;
    }
    if (!command.run) {
      ctx.stderr.write(helpText(command, path));
      return ExitCode.usage;
    }
    const code = await command.run(args, ctx);
    return code ?? ExitCode.ok;
  } catch (err) {
    if (isTongbanError(err)) return fail(err.exitCode, err.message);
    if (ctx.env.TONGBAN_DEBUG && err instanceof Error && err.stack) ctx.stderr.write(redactText(err.stack) + '\n');
    return fail(ExitCode.failure, `unexpected error: ${messageOf(err)}${ctx.env.TONGBAN_DEBUG ? '' : ' (TONGBAN_DEBUG=1 shows the stack)'}`);
  }
}

/** Writes `value` as one JSON document on stdout (the `--json` form of a command). */
export function writeJson(ctx: CommandContext, value: unknown): void {
  ctx.stdout.write(JSON.stringify(value, null, 2) + '\n');
}
