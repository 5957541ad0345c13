/**
 * `tongban purge`: erases personal data. Without --applicant, the retention purge (cases completed and
 * synced more than --retention-days ago); with --applicant ID-NUMBER, every record of that person
 * (found by the keyed hash of the number; the number is never printed, logged or audited).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { booleanOption, integerOption, stringOption, writeJson, type Command } from '../../base/cli.js';
import { EnvironmentError, ExitCode, UsageError } from '../../base/errors.js';
import { createLogger, stderrSink } from '../../base/log.js';
import { openFieldCipher } from '../pii/field-cipher.js';
import { AGENT_OPTIONS, configFromArgs, dataDirFromArgs } from './agent-client.js';
import { isValidIdNumber } from '../pii/id-number.js';
import { DEFAULT_RETENTION_DAYS, purgeApplicant, purgeExpired, type PurgeReport } from '../purge/purge.js';
import { openStore, STORE_FILE } from '../store/store.js';

function describe(r: PurgeReport): string {
  const verb = r.dryRun ? 'would erase' : 'erased';
  const lines = [`${verb} the personal data of ${r.cases.length} case(s) and ${r.applicants.length} applicant record(s)`];
  if (!r.dryRun) lines.push(`deleted ${r.materialFilesDeleted} material file(s) and ${r.certificateFilesDeleted} certificate file(s)`);
  if (r.unsyncedCases.length) lines.push(`${r.unsyncedCases.length} case(s) were not synced yet: ${r.dryRun ? 'their outbox entries would be' : 'their outbox entries are'} quarantined`);
  for (const id of r.cases) lines.push(`  case ${id}`);
  if (r.endpointCases.length) lines.push(`erased the embedded endpoint's copy of ${r.endpointCases.length} case(s) (DATA/endpoint)`);
  return lines.join('\n') + '\n';
}

export const purgeCommand: Command = {
  name: 'purge',
  summary: "erase personal data: the retention purge, or one applicant's data by ID number",
  usage: '[--applicant ID-NUMBER|-] [--retention-days N] [--config FILE] [--data DIR] [--dry-run] [--json]',
  description: `Without --applicant: erases the personal data (applicant fields, photo, case forms, material
files no other case uses, certificate PDFs) of cases completed and synced more than --retention-days
ago (default: purge.retentionDays of the configuration, else ${DEFAULT_RETENTION_DAYS}); ids, items, states and hashes stay. With --applicant: erases every record of
that person, synced or not ("-" reads the number from stdin, keeping it out of the process list);
exit 1 when no record has that number. Every erasure is written to the audit log.`,
  options: {
    applicant: { type: 'string', valueName: 'ID-NUMBER', description: "the person's ID number (18 characters, or 15 for an older permanent residence card), or - to read it from stdin" },
    'retention-days': { type: 'string', valueName: 'N', description: `days after completion and sync (default: purge.retentionDays, ${DEFAULT_RETENTION_DAYS})` },
    ...AGENT_OPTIONS,
    'dry-run': { type: 'boolean', description: 'say what would be erased, erase nothing' },
    json: { type: 'boolean', description: 'print the report as JSON' },
  },
  async run(args, ctx) {
    let idNumber = stringOption(args, 'applicant');
    const retentionDays = integerOption(args, 'retention-days', 0, 36500);
    if (idNumber !== undefined && retentionDays !== undefined) throw new UsageError('--retention-days applies to the retention purge, not to --applicant');
    if (idNumber === '-') idNumber = readFileSync(0, 'utf8').trim();
    if (idNumber !== undefined && !isValidIdNumber(idNumber)) {
      throw new UsageError('--applicant takes an ID number: 18 characters with a valid check character, or an older 15-character permanent residence number', 'usage.badValue');
    }
    const config = configFromArgs(args, ctx);
    const dataDir = dataDirFromArgs(args, ctx, config);
    if (!existsSync(join(dataDir, STORE_FILE))) throw new EnvironmentError('env.noStore', `no store in ${dataDir} (${STORE_FILE} is missing)`);
    const log = createLogger({ level: 'warn', sink: stderrSink });
    const cipher = openFieldCipher({ dataDir, create: false, log });
    const store = openStore({ dataDir, log, cipher });
    let report: PurgeReport;
    try {
      const dryRun = booleanOption(args, 'dry-run');
      report =
        idNumber !== undefined
          ? purgeApplicant(store, idNumber, { cipher, dryRun, log, actor: 'operator' })
          : purgeExpired(store, { cipher, dryRun, log, actor: 'operator', retentionDays: retentionDays ?? config?.purge.retentionDays ?? DEFAULT_RETENTION_DAYS });
    } finally {
      store.close();
    }
    const none = idNumber !== undefined && report.applicants.length === 0 && report.endpointCases.length === 0;
    if (booleanOption(args, 'json')) writeJson(ctx, report);
    else if (none) ctx.stdout.write('no applicant with that ID number in this store\n');
    else ctx.stdout.write(describe(report));
    return none ? ExitCode.negative : ExitCode.ok;
  },
};
