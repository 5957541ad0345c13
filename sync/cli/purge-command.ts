/**
 * `tongban endpoint purge`: erases personal data held by the endpoint. Without --applicant, the retention
 * purge (cases completed more than --retention-days ago); with --applicant ID-NUMBER, every case of that
 * person (found by the keyed hash of the number; the number is never printed or logged). Works on the
 * data directory directly, also while the server runs (WAL).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { booleanOption, integerOption, stringOption, writeJson, type Command } from '../../base/cli.js';
import { ExitCode, UsageError } from '../../base/errors.js';
import { silentLogger } from '../../base/log.js';
import { openEndpointStore, type ErasureReport } from '../endpoint/store/index.js';
import { endpointStoreExists } from './store-access.js';

export const DEFAULT_ENDPOINT_RETENTION_DAYS = 30;
export const PURGE_SUMMARY = "erase personal data at the endpoint: cases completed longer ago than the retention, or one applicant's cases by ID number";

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/** An 18-character ID number with its ISO 7064 check character, or a 15-character older permanent residence number (GB 11643). */
export function isIdNumber(value: string): boolean {
  const v = value.trim().toUpperCase();
  if (/^[A-Z]{3}\d{12}$/.test(v)) return true;
  if (!/^\d{17}[\dX]$/.test(v)) return false;
  const sum = WEIGHTS.reduce((s, w, i) => s + Number(v[i]) * w, 0);
  return '10X98765432'[sum % 11] === v[17];
}

function describe(r: ErasureReport): string {
  const lines = [`erased the personal data of ${r.cases.length} case(s); deleted ${r.filesDeleted} file(s)`, ...r.cases.map((id) => `  case ${id}`)];
  return lines.join('\n') + '\n';
}

export const endpointPurgeCommand: Command = {
  name: 'purge',
  summary: PURGE_SUMMARY,
  usage: '--data DIR [--applicant ID-NUMBER|-] [--retention-days N] [--json]',
  description: `Without --applicant: erases the personal data (sealed content: applicant, form, materials list; notes,
result titles; material and result files no other case lists) of the cases completed more than --retention-days
ago (default ${DEFAULT_ENDPOINT_RETENTION_DAYS}); ids, items, statuses, history and content hashes stay. With --applicant: every case of
that person, whatever its status ("-" reads the number from stdin, keeping it out of the process list); exit 1
when no case has that number.`,
  options: {
    data: { type: 'string', valueName: 'DIR', description: 'the endpoint data directory (required)' },
    applicant: { type: 'string', valueName: 'ID-NUMBER', description: "the person's ID number, or - to read it from stdin" },
    'retention-days': { type: 'string', valueName: 'N', description: `days after completion (default ${DEFAULT_ENDPOINT_RETENTION_DAYS})` },
    json: { type: 'boolean', description: 'print the report as JSON' },
  },
  async run(args, ctx) {
    const dir = resolve(ctx.cwd, stringOption(args, 'data', true));
    let idNumber = stringOption(args, 'applicant');
    const retentionDays = integerOption(args, 'retention-days', 0, 36500);
    if (idNumber !== undefined && retentionDays !== undefined) throw new UsageError('--retention-days applies to the retention purge, not to --applicant', 'usage.badOption');
    if (idNumber === '-') idNumber = readFileSync(0, 'utf8').trim();
    if (idNumber !== undefined && !isIdNumber(idNumber)) {
      throw new UsageError('--applicant takes an ID number: 18 characters with a valid check character, or an older 15-character permanent residence number', 'usage.badValue');
    }
    endpointStoreExists(dir);
    const store = openEndpointStore({ dataDir: dir, log: silentLogger, owner: false });
    let report: ErasureReport;
    try {
      report = idNumber !== undefined ? store.eraseApplicant(idNumber) : store.purgeExpired(retentionDays ?? DEFAULT_ENDPOINT_RETENTION_DAYS);
    } finally {
      store.close();
    }
    if (booleanOption(args, 'json')) writeJson(ctx, report);
    else if (idNumber !== undefined && report.cases.length === 0) ctx.stdout.write('no case of that ID number at this endpoint\n');
    else ctx.stdout.write(describe(report));
    return idNumber !== undefined && report.cases.length === 0 ? ExitCode.negative : ExitCode.ok;
  },
};
