/** `tongban cases show ID [--json]`: one case of the running agent. */
import { booleanOption, writeJson, type Command } from '../../base/cli.js';
import { AGENT_OPTIONS, configFromArgs, connectAgent, dataDirFromArgs, refusal } from './agent-client.js';

interface Shown {
  id: string;
  serial: string;
  itemCode: string;
  status: string;
  contentHash: string;
  createdAt: string;
  updatedAt: string;
  purged?: true;
  applicant?: { name: string };
  history: { from: string; to: string; actor: string; at: string; note?: string }[];
  rating?: { score: number; label: string };
}

export const casesShowCommand: Command = {
  name: 'show',
  summary: 'show one case of the running agent',
  usage: 'ID [--json] [--config FILE] [--data DIR]',
  description: 'The case whole with --json (form, materials, applicant: personal data, shown to the operator only).',
  positionals: [1, 1],
  options: {
    json: { type: 'boolean', description: 'print the case as JSON' },
    ...AGENT_OPTIONS,
  },
  async run(args, ctx) {
    const id = args.positionals[0]!;
    const client = connectAgent(dataDirFromArgs(args, ctx, configFromArgs(args, ctx)));
    const { status, body } = await client.request('GET', `/api/cases/${encodeURIComponent(id)}`);
    if (status !== 200) throw refusal(status, body);
    if (booleanOption(args, 'json')) return writeJson(ctx, body);
    const c = body as Shown;
    const lines = [
      `case      ${c.id}`,
      `serial    ${c.serial}`,
      `item      ${c.itemCode}`,
      `status    ${c.status}${c.purged ? ' (personal data purged)' : ''}`,
      `hash      ${c.contentHash}`,
      `created   ${c.createdAt}`,
      `updated   ${c.updatedAt}`,
      ...(c.rating ? [`rating    ${c.rating.score} ${c.rating.label}`] : []),
      'history',
      ...c.history.map((h) => `  ${h.at}  ${h.from} -> ${h.to}  (${h.actor})${h.note ? `  ${h.note}` : ''}`),
    ];
    ctx.stdout.write(lines.join('\n') + '\n');
  },
};
