/** `tongban cases list [--json]`: the cases the running agent holds (id, item, status, content hash). */
import { booleanOption, stringOption, writeJson, type Command } from '../../base/cli.js';
import { UsageError } from '../../base/errors.js';
import { AGENT_OPTIONS, configFromArgs, connectAgent, dataDirFromArgs, refusal } from './agent-client.js';

interface Entry {
  id: string;
  serial: string;
  itemCode: string;
  status: string;
  contentHash: string;
  updatedAt: string;
}

export const casesListCommand: Command = {
  name: 'list',
  summary: 'list the cases of the running agent: id, item, status, content hash',
  usage: '[--status STATUS] [--limit N] [--json] [--config FILE] [--data DIR]',
  description: 'Newest first. No personal data is shown (see tongban cases show).',
  options: {
    status: { type: 'string', valueName: 'STATUS', description: 'only cases in this status (submitted, uploaded, accepted, ...)' },
    limit: { type: 'string', valueName: 'N', description: 'at most N cases (1..1000, default 100)' },
    json: { type: 'boolean', description: 'print the list as JSON' },
    ...AGENT_OPTIONS,
  },
  async run(args, ctx) {
    const limit = stringOption(args, 'limit');
    if (limit !== undefined && !/^\d{1,4}$/.test(limit)) throw new UsageError(`--limit must be a whole number from 1 to 1000, not "${limit}"`);
    const query = new URLSearchParams();
    const status = stringOption(args, 'status');
    if (status !== undefined) query.set('status', status);
    if (limit !== undefined) query.set('limit', limit);
    const client = connectAgent(dataDirFromArgs(args, ctx, configFromArgs(args, ctx)));
    const { status: code, body } = await client.request('GET', `/api/cases${query.size ? `?${query}` : ''}`);
    if (code !== 200) throw refusal(code, body);
    const cases = (body as { cases: Entry[] }).cases;
    if (booleanOption(args, 'json')) return writeJson(ctx, cases);
    for (const c of cases) ctx.stdout.write(`${c.id}  ${c.itemCode}  ${c.status}  ${c.contentHash}\n`);
  },
};
