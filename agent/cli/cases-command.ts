/**
 * `tongban cases`: the case commands.
 *
 * NOTE for the api helper: add `submit`, `list` and `show` (through the running agent's API) to
 * `subcommands` below, each in its own module like cases-example-command.ts. `example` is the cases
 * helper's (it needs no running agent).
 */
import type { Command } from '../../base/cli.js';
import { casesExampleCommand } from './cases-example-command.js';

export const CASES_SUMMARY = 'cases (办件): example input, and (with a running agent) submit, list, show';

export const casesCommand: Command = {
  name: 'cases',
  summary: CASES_SUMMARY,
  subcommands: [casesExampleCommand],
};
