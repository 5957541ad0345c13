/** `tongban cases example [--item CODE]`: a valid case JSON to submit (`tongban cases submit --in`). */
import { stringOption, writeJson, type Command } from '../../base/cli.js';
import { catalogOfDataDir } from '../catalog/catalog-source.js';
import { exampleCase, exampleItem } from '../cases/example.js';
import { resolveDataDir } from '../data-dir.js';

export const casesExampleCommand: Command = {
  name: 'example',
  summary: 'print a valid case JSON for an item (default: the first item issued on site)',
  usage: '[--item CODE] [--data DIR]',
  description: `The applicant is fictional (王演示, a made-up ID number with a valid check digit), the form is
filled with each field's example, materials are electronic licences where accepted, else to be handed
in later. Items are those of the catalog the agent in the data directory holds (tongban catalog list).`,
  options: {
    item: { type: 'string', valueName: 'CODE', description: 'the item code (事项编码)' },
    data: { type: 'string', valueName: 'DIR', description: 'data directory (default: $TONGBAN_DATA, else ~/.local/share/tongban)' },
  },
  async run(args, ctx) {
    const { catalog } = catalogOfDataDir(resolveDataDir(stringOption(args, 'data'), ctx.env, ctx.cwd));
    writeJson(ctx, exampleCase(exampleItem(catalog, stringOption(args, 'item'))));
  },
};
