/** `tongban catalog list`: the service items this kiosk offers. */
import { booleanOption, stringOption, writeJson, type Command } from '../../base/cli.js';
import { catalogOfDataDir } from '../catalog/catalog-source.js';
import { resolveDataDir } from '../data-dir.js';

export const CATALOG_SUMMARY = 'the service catalog (政务服务事项) the kiosk offers';

const listCommand: Command = {
  name: 'list',
  summary: 'list the service items: code, name, department, handling modes, issued on site',
  usage: '[--data DIR] [--json]',
  description: `Shows the catalog stored in the data directory when an agent has run there (updates from the
endpoint replace it), else the embedded demo catalog.`,
  options: {
    data: { type: 'string', valueName: 'DIR', description: 'data directory (default: $TONGBAN_DATA, else ~/.local/share/tongban)' },
    json: { type: 'boolean', description: 'the whole catalog as JSON (forms and materials included)' },
  },
  async run(args, ctx) {
    const { catalog, source } = catalogOfDataDir(resolveDataDir(stringOption(args, 'data'), ctx.env, ctx.cwd));
    if (booleanOption(args, 'json')) {
      writeJson(ctx, { source, ...catalog });
      return;
    }
    ctx.stdout.write(`catalog version ${catalog.version} (${source}), ${catalog.items.length} items\n`);
    for (const it of catalog.items) {
      const onSite = it.issuable ? `  当场出证 ${it.issuable}` : '';
      ctx.stdout.write(`${it.code.padEnd(16)} ${it.name}  [${it.department}, ${it.region}]  ${it.modes.join('/')}  ${it.timeLimitDays === 0 ? '即办' : `${it.timeLimitDays}个工作日`}${onSite}\n`);
    }
    for (const b of catalog.bundles) ctx.stdout.write(`${b.code.padEnd(16)} ${b.name} (一件事: ${b.items.join(', ')})\n`);
  },
};

export const catalogCommand: Command = {
  name: 'catalog',
  summary: CATALOG_SUMMARY,
  subcommands: [listCommand],
};
