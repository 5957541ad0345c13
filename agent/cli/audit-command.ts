/**
 * `tongban audit verify`: checks the audit log's SM3 hash chain in the store of a data directory.
 * Exit 0 intact, 1 broken (the first bad entry and why), 2 bad usage, 3 no store or an unreadable one.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { booleanOption, integerOption, stringOption, writeJson, type Command } from '../../base/cli.js';
import { EnvironmentError, ExitCode, UsageError } from '../../base/errors.js';
import { createLogger, stderrSink } from '../../base/log.js';
import { AUDIT_TYPES, readAudit } from '../audit/audit-log.js';
import { verifyAudit } from '../audit/verify.js';
import { openStoreCore, STORE_FILE } from '../store/open-store.js';
import { AGENT_OPTIONS, configFromArgs, dataDirFromArgs } from './agent-client.js';

function openExisting(dataDir: string) {
  if (!existsSync(join(dataDir, STORE_FILE))) throw new EnvironmentError('env.noStore', `no store in ${dataDir} (${STORE_FILE} is missing)`);
  return openStoreCore({ dataDir, log: createLogger({ level: 'warn', sink: stderrSink }) });
}

const listCommand: Command = {
  name: 'list',
  summary: 'print audit log entries, oldest first (seq, time, type, actor, subject, details)',
  usage: '[--config FILE] [--data DIR] [--type TYPE] [--subject SUBJECT] [--after SEQ] [--limit N] [--json]',
  options: {
    ...AGENT_OPTIONS,
    type: { type: 'string', valueName: 'TYPE', description: `only entries of this type (${AUDIT_TYPES.join(', ')})` },
    subject: { type: 'string', valueName: 'SUBJECT', description: 'only entries about this subject (a case id, applicant:<id>, ...)' },
    after: { type: 'string', valueName: 'SEQ', description: 'only entries after this seq (to page on)' },
    limit: { type: 'string', valueName: 'N', description: 'at most N entries (default 100)' },
    json: { type: 'boolean', description: 'print the entries as JSON' },
  },
  async run(args, ctx) {
    const type = stringOption(args, 'type');
    if (type !== undefined && !(AUDIT_TYPES as readonly string[]).includes(type)) throw new UsageError(`--type must be one of ${AUDIT_TYPES.join(', ')}`);
    const query = { type, subject: stringOption(args, 'subject'), afterSeq: integerOption(args, 'after', 0, Number.MAX_SAFE_INTEGER), limit: integerOption(args, 'limit', 1, 100_000) };
    const store = openExisting(dataDirFromArgs(args, ctx, configFromArgs(args, ctx)));
    let entries;
    try {
      entries = readAudit(store.db, query);
    } finally {
      store.close();
    }
    if (booleanOption(args, 'json')) {
      writeJson(ctx, entries);
      return;
    }
    for (const e of entries) {
      ctx.stdout.write(`${e.seq}\t${new Date(e.at).toISOString()}\t${e.type}\t${e.actor}\t${e.subject ?? '-'}\t${JSON.stringify(e.details)}\n`);
    }
  },
};

const verifyCommand: Command = {
  name: 'verify',
  summary: 'check the audit log hash chain: exit 0 intact, 1 broken (first bad entry and why), 3 no readable store',
  usage: '[--config FILE] [--data DIR] [--json]',
  description: `Recomputes every entry's SM3 from the first to the recorded head and reports the first entry that
was edited, removed, inserted or reordered, or entries missing at the end. Reads the store of the data
directory (default: $TONGBAN_DATA, else ~/.local/share/tongban); the agent may be running.`,
  options: {
    ...AGENT_OPTIONS,
    json: { type: 'boolean', description: 'print the verdict as JSON' },
  },
  async run(args, ctx) {
    const store = openExisting(dataDirFromArgs(args, ctx, configFromArgs(args, ctx)));
    let verdict;
    try {
      verdict = verifyAudit(store.db);
    } finally {
      store.close();
    }
    if (booleanOption(args, 'json')) writeJson(ctx, verdict);
    else if (verdict.ok) ctx.stdout.write(`audit log intact: ${verdict.entries} entries, head ${verdict.headHash}\n`);
    else ctx.stdout.write(`audit log broken at entry ${verdict.firstBadSeq} (${verdict.reason}): ${verdict.message}\n`);
    return verdict.ok ? ExitCode.ok : ExitCode.negative;
  },
};

export const auditCommand: Command = {
  name: 'audit',
  summary: 'the audit log of card reads, case transitions, certificates, prints, admin actions and purges',
  subcommands: [verifyCommand, listCommand],
};
