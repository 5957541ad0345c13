/** `tongban cases submit --in CASE.json`: a case into the running agent, through its API. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { stringOption, type Command } from '../../base/cli.js';
import { InputError, messageOf } from '../../base/errors.js';
import { AGENT_OPTIONS, configFromArgs, connectAgent, dataDirFromArgs, refusal } from './agent-client.js';

/** A case file is a few kilobytes; the API refuses bodies above api.maxBodyBytes anyway. */
const MAX_CASE_FILE = 16 * 1024 * 1024;

export const casesSubmitCommand: Command = {
  name: 'submit',
  summary: "submit a case (JSON) through the running agent's API; prints the case id",
  usage: '--in CASE.json [--config FILE] [--data DIR]',
  description: `A new case each time, unless the JSON carries an "id" (a lower-case UUID): a repeated submission
with it is idempotent (the same id is printed, nothing is written twice). The agent is found through
its data directory (agent.json, api-token). Get a valid example with: tongban cases example
Exit 2 when the agent refuses the case (the field at fault is named), 3 when no agent is running.`,
  options: {
    in: { type: 'string', valueName: 'CASE.json', description: 'the case (- for stdin)' },
    ...AGENT_OPTIONS,
  },
  async run(args, ctx) {
    const file = stringOption(args, 'in', true);
    const config = configFromArgs(args, ctx);
    const client = connectAgent(dataDirFromArgs(args, ctx, config));
    let text: string;
    try {
      text = readFileSync(file === '-' ? 0 : resolve(ctx.cwd, file), 'utf8');
    } catch (err) {
      throw new InputError('input.unreadable', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? messageOf(err)}`);
    }
    if (Buffer.byteLength(text) > MAX_CASE_FILE) throw new InputError('input.tooLarge', `${file} is larger than ${MAX_CASE_FILE} bytes`);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new InputError('input.json', `${file} is not JSON: ${messageOf(err)}`);
    }
    const { status, body } = await client.request('POST', '/api/cases', json);
    if (status !== 200 && status !== 201) throw refusal(status, body);
    const id = (body as { case?: { id?: unknown } }).case?.id;
    if (typeof id !== 'string') throw refusal(500, { error: { message: 'the answer carries no case id' } });
    ctx.stdout.write(`${id}\n`);
  },
};
