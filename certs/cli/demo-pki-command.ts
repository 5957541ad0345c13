/**
 * `tongban certs demo-pki --out DIR`: writes the demo PKI (root CA, seal maker, department signers with
 * their keys) so the seal and PDF commands can be tried without a real CA.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { booleanOption, stringOption, writeJson, type Command } from '../../base/cli.js';
import { EnvironmentError, ExitCode, UsageError } from '../../base/errors.js';
import { createDemoPki, demoPkiFiles } from '../demo-pki.js';
import { writeOutputFile } from './files.js';

export const demoPkiCommand: Command = {
  name: 'demo-pki',
  summary: 'write the demo PKI: root CA, seal maker and department signers, with keys',
  usage: '--out DIR [--seed TEXT] [--force] [--json]',
  description: `Writes root/ca.pem and root/ca.key, maker/cert.pem and maker/key.pem, and for each department
signers/<name>/cert.pem, key.pem and chain.pem. The keys derive from a public seed: the same seed gives
the same keys in every run. They are for demonstrations only and prove nothing to anyone else.`,
  options: {
    out: { type: 'string', valueName: 'DIR', description: 'directory to write into (created if missing)' },
    seed: { type: 'string', valueName: 'TEXT', description: 'key seed (default: the public demo seed)' },
    force: { type: 'boolean', description: 'write into a directory that is not empty' },
    json: { type: 'boolean', description: 'list the files written as JSON' },
  },
  run(args, ctx) {
    const out = stringOption(args, 'out', true);
    const seed = stringOption(args, 'seed');
    if (seed !== undefined && seed.length === 0) throw new UsageError('--seed is empty', 'usage.badValue');
    const dir = resolve(ctx.cwd, out);
    if (existsSync(dir) && readdirSync(dir).length > 0 && !booleanOption(args, 'force')) {
      throw new UsageError(`${out} is not empty; pass --force to write into it`, 'usage.exists');
    }
    const pki = createDemoPki(seed === undefined ? {} : { seed });
    const files = demoPkiFiles(pki);
    for (const f of files) {
      try {
        mkdirSync(dirname(join(dir, f.path)), { recursive: true });
      } catch (err) {
        throw new EnvironmentError('file.unwritable', `cannot create ${join(out, dirname(f.path))}: ${(err as Error).message}`);
      }
      writeOutputFile(ctx, join(out, f.path), f.contents, { secret: f.secret });
    }
    if (booleanOption(args, 'json')) {
      writeJson(ctx, {
        dir: out,
        root: { subject: pki.root.cert.subjectString, cert: 'root/ca.pem', key: 'root/ca.key' },
        maker: { subject: pki.maker.cert.subjectString, cert: 'maker/cert.pem', key: 'maker/key.pem' },
        signers: pki.signers.map((s) => ({ slug: s.slug, name: s.name, subject: s.cert.subjectString, cert: `signers/${s.slug}/cert.pem`, key: `signers/${s.slug}/key.pem` })),
      });
    } else {
      const lines = [
        `demo PKI written to ${out} (for demonstrations only):`,
        `  ${'root/ca.pem'.padEnd(24)} ${pki.root.cert.subjectString}`,
        `  ${'maker/cert.pem'.padEnd(24)} ${pki.maker.cert.subjectString}`,
        ...pki.signers.map((s) => `  ${`signers/${s.slug}/`.padEnd(24)} ${s.name}`),
      ];
      ctx.stdout.write(lines.join('\n') + '\n');
    }
    return Promise.resolve(ExitCode.ok);
  },
};
