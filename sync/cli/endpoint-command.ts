/**
 * `tongban endpoint ...`: the reference endpoint. With no subcommand it runs the server (sync/endpoint/
 * server.ts) until SIGTERM/Ctrl-C; the subcommands work directly on the data directory's store
 * (DATA/endpoint.db, WAL), also while a server runs on it: the server polls the store and pushes the
 * events they write (a status change, a catalog) to the kiosks.
 */
import { readFileSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import {
  booleanOption,
  integerOption,
  lazyCommand,
  stringOption,
  stringsOption,
  writeJson,
  type Command,
  type CommandContext,
  type OptionSpecs,
  type ParsedArgs,
} from '../../base/cli.js';
import { InputError, UsageError, messageOf } from '../../base/errors.js';
import { createLogger, isLogLevel, levelFromEnv, silentLogger, type LogLevel } from '../../base/log.js';
import { openEndpointStore, STORED_STATUSES, type EndpointCase, type EndpointStore, type KioskRecord, type StoredStatus } from '../endpoint/store/index.js';
import { endpointStoreExists } from './store-access.js';
import { formatTable } from './table.js';

const DATA: OptionSpecs = { data: { type: 'string', valueName: 'DIR', description: 'the endpoint data directory (required)' } };
const JSON_OPT: OptionSpecs = { json: { type: 'boolean', description: 'print JSON' } };

/** `correction` on the command line is the protocol's correctionRequested. */
const STATUS_WORDS: Record<string, StoredStatus> = {
  uploaded: 'uploaded',
  accepted: 'accepted',
  correction: 'correctionRequested',
  correctionRequested: 'correctionRequested',
  refused: 'refused',
  completed: 'completed',
};

function dataDir(args: ParsedArgs, ctx: CommandContext): string {
  return resolve(ctx.cwd, stringOption(args, 'data', true));
}

/**
 * Opens the data directory's store for one command. Reading commands need a store that exists (a
 * mistyped --data must not silently make an empty one); `create` ones (enroll, catalog set) may start
 * it before the server first runs. Never the owner: a server may be uploading into it right now.
 */
async function withStore<T>(args: ParsedArgs, ctx: CommandContext, fn: (store: EndpointStore) => T, create = false): Promise<T> {
  const dir = dataDir(args, ctx);
  if (!create) endpointStoreExists(dir);
  const store = openEndpointStore({ dataDir: dir, log: silentLogger, owner: false });
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

function statusWord(word: string, option: string): StoredStatus {
  const s = STATUS_WORDS[word];
  if (!s) throw new UsageError(`${option} is one of ${Object.keys(STATUS_WORDS).join(', ')}, not "${word}"`, 'usage.badValue');
  return s;
}

const local = (iso: string | null): string => (iso === null ? '-' : iso.replace('T', ' ').replace(/\.\d{3}Z$/, 'Z'));

// ---------------------------------------------------------------- the server

const serveOptions: OptionSpecs = {
  port: { type: 'string', valueName: 'PORT', description: 'TCP port (0 picks a free one; the ready line says which)' },
  ...DATA,
  region: { type: 'string', multiple: true, valueName: 'CODE', description: '6-digit region code this endpoint handles (default: every region)' },
  'tls-cert': { type: 'string', valueName: 'C', description: 'TLS certificate (PEM): serve wss:// and https://' },
  'tls-key': { type: 'string', valueName: 'K', description: 'TLS private key (PEM), with --tls-cert' },
  host: { type: 'string', valueName: 'H', description: 'address to listen on (default 127.0.0.1)' },
  'heartbeat-seconds': { type: 'string', valueName: 'N', description: 'how often kiosks are asked for a heartbeat (default 30)' },
  'log-level': { type: 'string', valueName: 'LEVEL', description: 'debug, info, warn or error (default: $TONGBAN_LOG_LEVEL, else info)' },
  'seal-files': { type: 'boolean', description: 'store material and result files sealed (the store keeps this once on; its clear files are sealed at this start)' },
};

function readPem(path: string, what: string, ctx: CommandContext): Buffer {
  try {
    return readFileSync(resolve(ctx.cwd, path));
  } catch (err) {
    throw new InputError('input.unreadable', `cannot read the ${what} ${path}: ${messageOf(err)}`, { cause: err });
  }
}

async function serve(args: ParsedArgs, ctx: CommandContext): Promise<void> {
  const port = integerOption(args, 'port', 0, 65535);
  if (port === undefined) throw new UsageError('missing required option --port', 'usage.missingOption');
  const dir = dataDir(args, ctx);
  const regions = stringsOption(args, 'region');
  for (const r of regions) if (r !== '*' && !/^\d{6}$/.test(r)) throw new UsageError(`--region is a 6-digit region code, not "${r}"`, 'usage.badValue');
  const certPath = stringOption(args, 'tls-cert');
  const keyPath = stringOption(args, 'tls-key');
  if ((certPath === undefined) !== (keyPath === undefined)) throw new UsageError('--tls-cert and --tls-key go together', 'usage.badOption');
  const level = stringOption(args, 'log-level') ?? ctx.env.TONGBAN_LOG_LEVEL;
  if (level !== undefined && !isLogLevel(level)) throw new UsageError(`--log-level must be debug, info, warn or error, not "${level}"`, 'usage.badValue');
  const heartbeat = integerOption(args, 'heartbeat-seconds', 1, 3600);
  const log = createLogger({ level: (level as LogLevel | undefined) ?? levelFromEnv(ctx.env), sink: ctx.stderr });
  const tls = certPath !== undefined && keyPath !== undefined ? { cert: readPem(certPath, 'TLS certificate', ctx), key: readPem(keyPath, 'TLS key', ctx) } : undefined;

  // Loaded here: ws and the server are not needed by the store's subcommands.
  const { startEndpoint } = await import('../endpoint/server.js');
  const running = await startEndpoint({
    dataDir: dir,
    port,
    log,
    ...(regions.length ? { regions } : {}),
    ...(tls ? { tls } : {}),
    ...(stringOption(args, 'host') !== undefined ? { host: stringOption(args, 'host')! } : {}),
    ...(heartbeat !== undefined ? { heartbeatMs: heartbeat * 1000 } : {}),
    ...(booleanOption(args, 'seal-files') ? { sealFiles: true } : {}),
  });
  ctx.stdout.write(`endpoint listening on ${running.url} (clerk API ${running.httpUrl}/clerk/)\n`);
  await new Promise<void>((done) => {
    if (ctx.stopSignal.aborted) return done();
    ctx.stopSignal.addEventListener('abort', () => done(), { once: true });
  });
  log.info('endpoint stopping', { signal: String(ctx.stopSignal.reason ?? 'signal') });
  await running.close();
}

// ---------------------------------------------------------------- enrolment and kiosks

const enrollCommand: Command = {
  name: 'enroll',
  summary: 'make a one-time enrolment token for a kiosk (printed on stdout)',
  usage: '--data DIR --kiosk KIOSK-ID [--ttl-hours N] [--json]',
  description: 'The kiosk exchanges the token for its credentials at its first connection (tongban start --endpoint URL --enroll-token TOKEN).\nA kiosk enrolled again gets new credentials; a revoked kiosk is reinstated by enrolling it again.',
  options: {
    ...DATA,
    kiosk: { type: 'string', valueName: 'KIOSK-ID', description: 'the kiosk id (A-Z a-z 0-9 . _ -, up to 64)' },
    'ttl-hours': { type: 'string', valueName: 'N', description: 'hours the token stays valid (default 24)' },
    ...JSON_OPT,
  },
  async run(args, ctx) {
    const kioskId = stringOption(args, 'kiosk', true);
    const hours = integerOption(args, 'ttl-hours', 1, 24 * 366) ?? 24;
    const token = await withStore(args, ctx, (store) => store.createEnrollToken(kioskId, hours * 3600 * 1000), true);
    if (booleanOption(args, 'json')) writeJson(ctx, { kioskId, token, expiresAt: new Date(Date.now() + hours * 3600 * 1000).toISOString() });
    else ctx.stdout.write(`${token}\n`);
  },
};

function deviceSummary(k: KioskRecord): string {
  if (!k.devices) return '-';
  const bad = k.devices.filter((d) => !/^(ok|online|busy|ready|healthy)$/i.test(d.state));
  if (k.devices.length === 0) return '-';
  return bad.length ? bad.map((d) => `${d.device}:${d.state}`).join(',') : `${k.devices.length} ok`;
}

function withoutConnected(k: KioskRecord): Omit<KioskRecord, 'connected'> {
  const { connected: _connected, ...rest } = k;
  return rest;
}

const kiosksCommand: Command = {
  name: 'kiosks',
  summary: 'the fleet: kiosks enrolled, revoked, last seen, device health, backlog',
  usage: '--data DIR [--json]',
  description: 'Last seen is the last message of the kiosk (hello, heartbeat, any traffic; at most 5 s stale while connected).\nWhich kiosks are connected right now: GET /clerk/kiosks of the running server.',
  options: { ...DATA, ...JSON_OPT },
  async run(args, ctx) {
    const kiosks = await withStore(args, ctx, (store) => store.kiosks());
    if (booleanOption(args, 'json')) return writeJson(ctx, kiosks.map(withoutConnected));
    if (kiosks.length === 0) return void ctx.stdout.write('no kiosks enrolled\n');
    ctx.stdout.write(
      formatTable(
        ['KIOSK', 'ENROLLED', 'REVOKED', 'LAST SEEN', 'DEVICES', 'BACKLOG', 'QUARANTINED', 'AGENT'],
        kiosks.map((k) => [k.id, local(k.enrolledAt), local(k.revokedAt), local(k.lastSeenAt), deviceSummary(k), String(k.queue?.pending ?? '-'), String(k.queue?.quarantined ?? '-'), k.agentVersion ?? '-']),
      ),
    );
  },
};

const revokeCommand: Command = {
  name: 'revoke',
  summary: 'revoke a kiosk: its credentials and open enrolment tokens stop working',
  usage: '--data DIR --kiosk KIOSK-ID',
  description: 'A connected kiosk is refused at its next connection (close 4403). Enrolling it again reinstates it.',
  options: { ...DATA, kiosk: { type: 'string', valueName: 'KIOSK-ID', description: 'the kiosk id' } },
  async run(args, ctx) {
    const kioskId = stringOption(args, 'kiosk', true);
    await withStore(args, ctx, (store) => store.revoke(kioskId));
    ctx.stdout.write(`kiosk ${kioskId} revoked\n`);
  },
};

// ---------------------------------------------------------------- cases

const casesCommand: Command = {
  name: 'cases',
  summary: 'the cases received: id, kiosk, item, status, content hash',
  usage: '--data DIR [--status S] [--kiosk ID] [--json]',
  description: 'The content hash is the SM3 of the canonical content, the same the kiosk reports for the case (agent/cases/README.md).',
  options: {
    ...DATA,
    status: { type: 'string', valueName: 'S', description: `only cases in this status (${STORED_STATUSES.join(', ')}; correction = correctionRequested)` },
    kiosk: { type: 'string', valueName: 'ID', description: 'only cases from this kiosk' },
    ...JSON_OPT,
  },
  async run(args, ctx) {
    const word = stringOption(args, 'status');
    const status = word === undefined ? undefined : statusWord(word, '--status');
    const kioskId = stringOption(args, 'kiosk');
    const cases = await withStore(args, ctx, (store) => store.cases({ ...(status ? { status } : {}), ...(kioskId ? { kioskId } : {}) }));
    if (booleanOption(args, 'json')) return writeJson(ctx, cases);
    if (cases.length === 0) return void ctx.stdout.write('no cases\n');
    ctx.stdout.write(formatTable(['ID', 'KIOSK', 'ITEM', 'STATUS', 'CONTENT HASH'], cases.map((c) => [c.id, c.kioskId, c.itemCode, c.status, c.contentHash])));
  },
};

function caseText(c: EndpointCase): string {
  const lines = [
    `case ${c.id}`,
    `  serial        ${c.serial}`,
    `  item          ${c.itemCode} (region ${c.region})`,
    `  kiosk         ${c.kioskId}`,
    `  status        ${c.status}`,
    `  content hash  ${c.contentHash}`,
    `  received      ${local(c.receivedAt)}`,
    `  updated       ${local(c.updatedAt)}`,
    ...(c.purgedAt ? [`  erased        ${local(c.purgedAt)} (personal data: content, notes, result titles)`] : []),
    'history:',
    ...c.history.map((h) => `  ${local(h.at)}  ${h.from ?? '-'} -> ${h.to}  by ${h.actor}${h.note ? `  "${h.note}"` : ''}`),
  ];
  if (c.results.length) lines.push('results:', ...c.results.map((r) => `  ${r.documentId}  ${r.title}  ${r.mediaType} ${r.size} bytes  sm3 ${r.sm3}  (${r.source})`));
  lines.push('(--json shows the content: applicant, form and materials)');
  return lines.join('\n') + '\n';
}

const showCommand: Command = {
  name: 'show',
  summary: 'one case: status, history, results; --json with its content',
  usage: '--data DIR CASE-ID [--json]',
  options: { ...DATA, ...JSON_OPT },
  positionals: [1, 1],
  async run(args, ctx) {
    const id = args.positionals[0]!;
    const c = await withStore(args, ctx, (store) => store.getCase(id));
    if (!c) throw new InputError('case.unknown', `no case ${id} at this endpoint`);
    if (booleanOption(args, 'json')) writeJson(ctx, c);
    else ctx.stdout.write(caseText(c));
  },
};

const setStatusCommand: Command = {
  name: 'set-status',
  summary: 'set a case to accepted (受理), correction (补正), refused (不予受理) or completed (办结), with result PDFs',
  usage: '--data DIR CASE-ID accepted|correction|refused|completed [--note TEXT] [--result FILE.pdf ...] [--title T ...] [--actor NAME] [--json]',
  description: `Allowed: uploaded -> accepted | correction (a note) | refused (a note); accepted -> completed (at least one
--result); refused -> completed. Results come only with completion; each --title names the --result at the same
position (default: the file name). The change reaches the kiosk as an event (a running server pushes it).`,
  options: {
    ...DATA,
    note: { type: 'string', valueName: 'TEXT', description: 'why (required for correction and refused; shown to the applicant)' },
    result: { type: 'string', multiple: true, valueName: 'FILE.pdf', description: 'a result document (PDF)' },
    title: { type: 'string', multiple: true, valueName: 'T', description: 'the title of the --result at the same position' },
    actor: { type: 'string', valueName: 'NAME', description: 'who made the change (history; default "endpoint")' },
    ...JSON_OPT,
  },
  positionals: [2, 2],
  async run(args, ctx) {
    const [id, word] = args.positionals as [string, string];
    const to = word === 'uploaded' ? undefined : STATUS_WORDS[word];
    if (to === undefined || to === 'uploaded') throw new UsageError(`the status is accepted, correction, refused or completed, not "${word}"`, 'usage.badValue');
    const files = stringsOption(args, 'result');
    const titles = stringsOption(args, 'title');
    if (titles.length > files.length) throw new UsageError('more --title than --result', 'usage.badOption');
    const results = files.map((f, i) => {
      const path = resolve(ctx.cwd, f);
      let bytes: Buffer;
      try {
        bytes = readFileSync(path);
      } catch (err) {
        throw new InputError('input.unreadable', `cannot read the result ${f}: ${messageOf(err)}`, { cause: err });
      }
      if (bytes.subarray(0, 5).toString('latin1') !== '%PDF-') throw new InputError('result.notPdf', `the result ${f} is not a PDF file`);
      return { bytes, title: titles[i] ?? basename(f, extname(f)), mediaType: 'application/pdf' as const };
    });
    const note = stringOption(args, 'note');
    const actor = stringOption(args, 'actor');
    const { before, after } = await withStore(args, ctx, (store) => {
      const before = store.getCase(id);
      const after = store.setStatus(id, to, { ...(note !== undefined ? { note } : {}), ...(actor !== undefined ? { actor } : {}), results }, Date.now());
      return { before, after };
    });
    if (booleanOption(args, 'json')) writeJson(ctx, after);
    else ctx.stdout.write(`case ${id}: ${before?.status ?? '?'} -> ${after.status}${results.length ? ` with ${results.length} result(s)` : ''}\n`);
  },
};

// ---------------------------------------------------------------- catalog

const catalogSetCommand: Command = {
  name: 'set',
  summary: 'publish a catalog (JSON with a higher version than the current one) to every kiosk',
  usage: '--data DIR --in FILE.json',
  description: "The file is the catalog document the kiosks hold (agent/catalog: version, publishedAt, items, bundles); the kiosk validates it.\nIts version must be higher than the endpoint's current one. Every enrolled kiosk gets it as an event.",
  options: { ...DATA, in: { type: 'string', valueName: 'FILE.json', description: 'the catalog JSON' } },
  async run(args, ctx) {
    const file = stringOption(args, 'in', true);
    let catalog: unknown;
    try {
      catalog = JSON.parse(readFileSync(resolve(ctx.cwd, file), 'utf8')) as unknown;
    } catch (err) {
      throw new InputError('input.unreadable', `cannot read the catalog ${file}: ${messageOf(err)}`, { cause: err });
    }
    if (typeof catalog !== 'object' || catalog === null || Array.isArray(catalog)) throw new InputError('catalog.invalid', `${file} is not a JSON object`);
    const version = (catalog as { version?: unknown }).version;
    if (!Number.isSafeInteger(version) || (version as number) < 1) throw new InputError('catalog.badVersion', `${file} has no "version" (a positive whole number)`);
    const kiosks = await withStore(
      args,
      ctx,
      (store) => {
        store.setCatalog(catalog as object, version as number);
        return store.kiosks().filter((k) => k.revokedAt === null).length;
      },
      true,
    );
    ctx.stdout.write(`catalog version ${String(version)} set; ${kiosks} kiosk(s) will receive it\n`);
  },
};

const catalogShowCommand: Command = {
  name: 'show',
  summary: "the endpoint's current catalog (JSON)",
  usage: '--data DIR',
  options: { ...DATA },
  async run(args, ctx) {
    const c = await withStore(args, ctx, (store) => store.catalog());
    if (!c) throw new InputError('catalog.none', 'no catalog has been set at this endpoint (tongban endpoint catalog set)');
    writeJson(ctx, c);
  },
};

const catalogCommand: Command = {
  name: 'catalog',
  summary: 'the catalog the endpoint serves to its kiosks: set, show',
  subcommands: [catalogSetCommand, catalogShowCommand],
};

export const endpointCommand: Command = {
  name: 'endpoint',
  summary: 'the reference sync endpoint: run it, enrol kiosks, handle cases (clerk), the fleet, the catalog',
  usage: '--port PORT --data DIR [--region CODE ...] [--tls-cert C --tls-key K] [--host H]',
  description: `Without a subcommand: run the endpoint server until Ctrl-C or SIGTERM (exit 0). Kiosks connect to
ws(s)://HOST:PORT/sync; clerks use the HTTP API under /clerk/ with the bearer token in DATA/clerk-token.
Ready line on stdout: "endpoint listening on ws://127.0.0.1:PORT/sync (clerk API http://127.0.0.1:PORT/clerk/)".
The subcommands work on DATA directly, also while the server runs.`,
  options: serveOptions,
  subcommands: [
    enrollCommand,
    casesCommand,
    showCommand,
    setStatusCommand,
    kiosksCommand,
    revokeCommand,
    catalogCommand,
    // Its summary is repeated here: the stub's is what help shows before the command loads (a test keeps them equal).
    lazyCommand('purge', "erase personal data at the endpoint: cases completed longer ago than the retention, or one applicant's cases by ID number", async () => (await import('./purge-command.js')).endpointPurgeCommand),
  ],
  async run(args, ctx) {
    await serve(args, ctx);
  },
};
