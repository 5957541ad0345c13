/**
 * `tongban certs templates`: the certificate templates `tongban certs issue` can render, and example
 * data for each (`--example NAME`), a starting point for a DATA.json.
 */
import { booleanOption, stringOption, writeJson, type Command } from '../../base/cli.js';
import { InputError } from '../../base/errors.js';
import { exampleData, listTemplates, templateNames } from '../pdf/templates/index.js';

export const templatesCommand: Command = {
  name: 'templates',
  summary: 'list the certificate templates, or print example data for one',
  usage: '[--json] | --example NAME',
  description: `Without options, lists each template's name, printed title and what it holds. With --example NAME,
prints example data for that template as JSON (clearly fictional people and companies), ready to edit
and pass to: tongban certs issue --template NAME --data DATA.json ...`,
  options: {
    json: { type: 'boolean', description: 'list as JSON' },
    example: { type: 'string', valueName: 'NAME', description: 'print example data for the template NAME' },
  },
  async run(args, ctx) {
    const name = stringOption(args, 'example');
    if (name !== undefined) {
      if (!templateNames().includes(name)) {
        throw new InputError('certs.unknownTemplate', `unknown template "${name}" (known: ${templateNames().join(', ')})`);
      }
      writeJson(ctx, exampleData(name));
      return;
    }
    const templates = listTemplates();
    if (booleanOption(args, 'json')) {
      writeJson(ctx, templates);
      return;
    }
    const width = Math.max(...templates.map((t) => t.name.length));
    for (const t of templates) ctx.stdout.write(`${t.name.padEnd(width)}  ${t.title}\n${' '.repeat(width)}  ${t.description}\n`);
  },
};
