/**
 * `tongban sync status [--json]`: the running agent's sync (GET /api/sync) — per endpoint connected or
 * not, its backlog and last error; the regions no endpoint serves with their waiting cases; the
 * quarantined entries with the endpoint's reason. Found like the other commands (--config / --data).
 */
import { booleanOption, writeJson, type Command } from '../../base/cli.js';
import type { SyncStatus } from '../sync/start-sync.js';
import { AGENT_OPTIONS, configFromArgs, connectAgent, dataDirFromArgs, refusal } from './agent-client.js';

export const SYNC_SUMMARY = 'case sync to the 跨省通办 endpoints: status (connected, backlog, quarantined cases)';

function regionsText(regions: SyncStatus['endpoints'][number]['regions']): string {
  return regions === '*' ? 'every region' : `regions ${regions.join(', ')}`;
}

export function formatSyncStatus(s: SyncStatus): string {
  const lines: string[] = [];
  if (s.endpoints.length === 0) lines.push('no sync endpoint configured (sync.endpoints is empty): every case waits');
  for (const e of s.endpoints) {
    const embedded = e.url === s.embedded ? ' (embedded reference endpoint)' : '';
    lines.push(`${e.url}${embedded}: ${e.connected ? 'connected' : `not connected (${e.state})`}, ${regionsText(e.regions)}`);
    lines.push(`  backlog ${e.backlog}, in flight ${e.inFlight}, quarantined ${e.quarantined}, sent ${e.sent}, received ${e.received}${e.kioskId ? `, kiosk ${e.kioskId}` : ''}`);
    if (e.lastError) lines.push(`  last error: ${e.lastError}${e.nextRetryAt ? ` (next attempt ${e.nextRetryAt})` : ''}`);
  }
  for (const u of s.unrouted) lines.push(`region ${u.region}: no endpoint serves it, ${u.count} waiting`);
  if (s.quarantined.length) {
    lines.push(`quarantined (retry: POST /api/sync/quarantine/SEQ/retry):`);
    for (const q of s.quarantined) lines.push(`  ${q.seq}  ${q.caseId ?? '-'}  ${q.kind}  ${q.code ?? '-'}: ${q.reason}`);
  }
  return lines.join('\n') + '\n';
}

const syncStatusCommand: Command = {
  name: 'status',
  summary: 'the running agent’s sync: per endpoint connected or not, backlog, quarantined cases',
  usage: '[--json] [--config FILE] [--data DIR]',
  description: 'Regions no endpoint serves are listed with the cases waiting for them.',
  options: { json: { type: 'boolean', description: 'print the status as JSON (as GET /api/sync answers)' }, ...AGENT_OPTIONS },
  async run(args, ctx) {
    const client = connectAgent(dataDirFromArgs(args, ctx, configFromArgs(args, ctx)));
    const { status, body } = await client.request('GET', '/api/sync');
    if (status !== 200) throw refusal(status, body);
    if (booleanOption(args, 'json')) return writeJson(ctx, body);
    ctx.stdout.write(formatSyncStatus(body as SyncStatus));
  },
};

export const syncCommand: Command = {
  name: 'sync',
  summary: SYNC_SUMMARY,
  subcommands: [syncStatusCommand],
};
