/**
 * `tongban cases`: the case commands.
 * `example` needs no running agent; `submit`, `list` and `show` go through the running agent's API.
 */
import type { Command } from '../../base/cli.js';
import { casesExampleCommand } from './cases-example-command.js';
import { casesListCommand } from './cases-list-command.js';
import { casesShowCommand } from './cases-show-command.js';
import { casesSubmitCommand } from './cases-submit-command.js';

export const CASES_SUMMARY = 'cases (办件): example input, and (with a running agent) submit, list, show';

export const casesCommand: Command = {
  name: 'cases',
  summary: CASES_SUMMARY,
  subcommands: [casesExampleCommand, casesSubmitCommand, casesListCommand, casesShowCommand],
};
