import { describe, expect, it } from 'vitest';
import { integerOption, lazyCommand, runProgram, stringOption, type Command, type CommandContext, type Program } from '../cli.js';
import { DeviceError, InputError, NegativeAnswer } from '../errors.js';

function harness(env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CommandContext = {
    stdout: { write: (t: string) => out.push(t) },
    stderr: { write: (t: string) => err.push(t) },
    env,
    cwd: '/',
    stopSignal: new AbortController().signal,
  };
  return { ctx, out: () => out.join(''), err: () => err.join('') };
}

const leaf = (name: string, run: Command['run'], extra: Partial<Command> = {}): Command => ({ name, summary: `${name} things`, run, ...extra });

let loads = 0;

const prog: Program = {
  name: 'tb',
  version: '9.9.9',
  root: {
    name: 'tb',
    summary: 'test program',
    subcommands: [
      leaf('ok', async (args, ctx) => {
        ctx.stdout.write(`n=${integerOption(args, 'n', 1, 10) ?? 'none'} in=${stringOption(args, 'in') ?? ''} pos=${args.positionals.join(',')}\n`);
      }, { options: { n: { type: 'string', description: 'a number' }, in: { type: 'string', description: 'a file' } }, positionals: [0, 2] }),
      leaf('no', async () => { throw new NegativeAnswer('sig.invalid', 'signature invalid'); }),
      leaf('bad', async () => { throw new InputError('input.json', 'case.json: line 3: unexpected token\nsecond line'); }),
      leaf('dev', async () => { throw new DeviceError('device.noCard', 'no card for applicant 341602199001011234'); }),
      leaf('bug', async () => { throw new TypeError('x is undefined'); }),
      leaf('need', async (args) => { stringOption(args, 'key', true); }, { options: { key: { type: 'string', description: 'key' } } }),
      { name: 'group', summary: 'a group', subcommands: [leaf('inner', async (_a, ctx) => { ctx.stdout.write('inner\n'); })] },
      lazyCommand('lazy', 'loaded on use', async () => {
        loads++;
        return leaf('lazy', async (args, ctx) => { ctx.stdout.write(`lazy ${stringOption(args, 'x')}\n`); }, { options: { x: { type: 'string', description: 'x' } } });
      }),
    ],
  },
};

describe('runProgram', () => {
  it('runs a nested command', async () => {
    const h = harness();
    expect(await runProgram(prog, ['group', 'inner'], h.ctx)).toBe(0);
    expect(h.out()).toBe('inner\n');
  });
  it('parses options and positionals', async () => {
    const h = harness();
    expect(await runProgram(prog, ['ok', '--n', '3', 'a', '--in=f.json', 'b'], h.ctx)).toBe(0);
    expect(h.out()).toBe('n=3 in=f.json pos=a,b\n');
  });
  it.each([
    [['ok', 'a', 'b', 'c'], 2, 'tb: unexpected argument "c"'],
    [['ok', '--n', '11'], 2, 'tb: --n must be from 1 to 10, not 11'],
    [['ok', '--n'], 2, "tb: Option '--n <value>' argument missing"],
    [['need'], 2, 'tb: missing required option --key'],
    [['group', 'outer'], 2, 'tb: unknown command "group outer"'],
    [['no'], 1, 'tb: signature invalid'],
    [['bad'], 2, 'tb: case.json: line 3: unexpected token'],
    [['dev'], 3, 'tb: no card for applicant 3416**********1234'],
    [['bug'], 3, 'tb: unexpected error: x is undefined (TONGBAN_DEBUG=1 shows the stack)'],
  ])('%j exits %i with one line', async (argv, code, line) => {
    const h = harness();
    expect(await runProgram(prog, argv, h.ctx)).toBe(code);
    expect(h.err().split('\n')).toHaveLength(2); // one line and its newline
    expect(h.err().startsWith(line)).toBe(true);
    expect(h.out()).toBe('');
  });
  it('prints a group\'s help when no subcommand is given, as bad usage', async () => {
    const h = harness();
    expect(await runProgram(prog, ['group'], h.ctx)).toBe(2);
    expect(h.err()).toContain('Usage: tb group <command> [options]');
    expect(h.err()).toContain('inner  inner things');
  });
  it('shows the stack of an unexpected error only when asked', async () => {
    const h = harness({ TONGBAN_DEBUG: '1' });
    expect(await runProgram(prog, ['bug'], h.ctx)).toBe(3);
    expect(h.err()).toContain('TypeError: x is undefined\n    at ');
  });
  it('loads a lazy command only when the command line enters it', async () => {
    loads = 0;
    const h = harness();
    expect(await runProgram(prog, ['ok'], h.ctx)).toBe(0);
    expect(await runProgram(prog, ['--help'], h.ctx)).toBe(0);
    expect(h.out()).toContain('lazy   loaded on use');
    expect(loads).toBe(0);
    expect(await runProgram(prog, ['lazy', '--x', '7'], h.ctx)).toBe(0);
    expect(h.out()).toContain('lazy 7\n');
    expect(loads).toBe(1);
    const h2 = harness();
    expect(await runProgram(prog, ['lazy', '--help'], h2.ctx)).toBe(0);
    expect(h2.out()).toContain('Usage: tb lazy [options]\n\nloaded on use');
    expect(h2.out()).toContain('--x VALUE');
  });
  it('prints the version', async () => {
    const h = harness();
    expect(await runProgram(prog, ['--version'], h.ctx)).toBe(0);
    expect(h.out()).toBe('tb 9.9.9\n');
  });
});
