/**
 * `tongban id read`, `tongban id watch` and `tongban sim idcard`.
 *
 * The card is the holder's own data shown to the operator on stdout; it never goes to the log (the
 * driver logs only codes and lengths, and base/log masks names, numbers and addresses besides).
 */
import { createInterface } from 'node:readline';
import { booleanOption, integerOption, stringOption, writeJson, type Command, type CommandContext, type ParsedArgs } from '../../base/cli.js';
import { UsageError, messageOf } from '../../base/errors.js';
import type { IdCard } from '../idcard/base-info.js';
import { IdCardReader } from '../idcard/reader.js';
import { IdCardWatcher, type WatchEvent } from '../idcard/watch.js';
import { IdCardSim, loadCardFixture, type IdCardFault, type SimCard } from '../sim/idcard-sim.js';

const portOptions = {
  port: { type: 'string', valueName: 'PATH', description: 'serial port of the reader (e.g. /dev/ttyUSB0)' },
  baud: { type: 'string', valueName: 'N', description: 'baud rate (default 115200; 8N1)' },
} as const;

function openReader(args: ParsedArgs): IdCardReader {
  const port = stringOption(args, 'port', true);
  const baud = integerOption(args, 'baud', 1200, 4_000_000);
  return IdCardReader.serial(port, baud ? { baud } : {});
}

/** The card as JSON: the issue's fields in order, binary data as base64. */
export function cardJson(card: IdCard): Record<string, unknown> {
  return {
    cardType: card.cardType,
    layout: card.layout,
    name: card.name,
    sex: card.sex,
    sexCode: card.sexCode,
    nation: card.nation,
    nationCode: card.nationCode,
    birthDate: card.birthDate,
    address: card.address,
    idNumber: card.idNumber,
    issuer: card.issuer,
    validFrom: card.validFrom,
    validTo: card.validTo,
    passNumber: card.passNumber,
    issueCount: card.issueCount,
    englishName: card.englishName,
    nationality: card.nationality,
    ...(card.missing.length ? { missing: card.missing } : {}),
    photo: Buffer.from(card.photo).toString('base64'),
    photoSha256: card.photoSha256,
    ...(card.fingerprint ? { fingerprint: Buffer.from(card.fingerprint).toString('base64') } : {}),
  };
}

const LABELS: [keyof IdCard, string][] = [
  ['name', '姓名 name'],
  ['englishName', '英文姓名 English name'],
  ['sex', '性别 sex'],
  ['nation', '民族 nation'],
  ['birthDate', '出生 birth date'],
  ['address', '住址 address'],
  ['idNumber', '号码 ID number'],
  ['nationality', '国籍 nationality'],
  ['issuer', '签发机关 issuer'],
  ['validFrom', '有效期起 valid from'],
  ['validTo', '有效期止 valid to'],
  ['passNumber', '通行证号码 pass number'],
  ['issueCount', '签发次数 issue count'],
];

const CARD_TYPE_NAMES = { resident: '居民身份证 resident ID card', gat: '港澳台居民居住证 residence permit (HK/Macao/Taiwan)', foreigner: '外国人永久居留身份证 foreign permanent resident ID card' };

function cardText(card: IdCard): string {
  const rows: [string, string][] = [['证件 card', CARD_TYPE_NAMES[card.cardType]]];
  for (const [k, label] of LABELS) {
    const v = card[k];
    if (typeof v === 'string' && v) rows.push([label, k === 'sex' ? `${v} (${card.sexCode})` : k === 'nation' ? `${v} (${card.nationCode})` : v]);
  }
  if (card.missing.length) rows.push(['未读出 not on card', card.missing.join(', ')]);
  rows.push(['照片 photo', `${card.photo.length} bytes WLT, sha256 ${card.photoSha256.slice(0, 16)}… (--json gives the bytes)`]);
  if (card.fingerprint) rows.push(['指纹 fingerprint', `${card.fingerprint.length} bytes`]);
  const width = Math.max(...rows.map(([l]) => l.length));
  return rows.map(([l, v]) => `${l.padEnd(width)}  ${v}`).join('\n') + '\n';
}

export const idReadCommand: Command = {
  name: 'read',
  summary: 'wait for an ID card on the reader and print it (resident, 港澳台 residence permit, foreigner)',
  usage: '--port PATH [--baud N] [--timeout MS] [--fingerprint] [--json]',
  description: `Finds, selects and reads the card (SAM protocol over serial). --json prints cardType (resident |
gat | foreigner), name, sex, sexCode, nation, nationCode, birthDate, address, idNumber, issuer, validFrom,
validTo (YYYY-MM-DD or 长期), the extra fields of other cards (passNumber, issueCount, englishName,
nationality) and photo (base64 of the encrypted WLT bytes). Exit 3 when no card comes within the timeout,
the reader answers garbage, or the port does not exist.`,
  options: {
    ...portOptions,
    timeout: { type: 'string', valueName: 'MS', description: 'how long to wait for a card (default 10000)' },
    fingerprint: { type: 'boolean', description: 'also read the fingerprint block (30 10)' },
    json: { type: 'boolean', description: 'print the card as JSON' },
  },
  async run(args, ctx) {
    const timeoutMs = integerOption(args, 'timeout', 0, 3_600_000) ?? 10_000;
    const reader = openReader(args);
    const ac = new AbortController();
    const onStop = (): void => ac.abort();
    ctx.stopSignal.addEventListener('abort', onStop, { once: true });
    try {
      await reader.open({ signal: ac.signal });
      if (!booleanOption(args, 'json')) ctx.stderr.write('请放置身份证 / place the card on the reader…\n');
      const card = await reader.readCard({ timeoutMs, signal: ac.signal, withFingerprint: booleanOption(args, 'fingerprint') });
      if (booleanOption(args, 'json')) writeJson(ctx, cardJson(card));
      else ctx.stdout.write(cardText(card));
    } finally {
      ctx.stopSignal.removeEventListener('abort', onStop);
      await reader.close().catch(() => undefined);
    }
  },
};

function watchLine(e: WatchEvent): Record<string, unknown> {
  const time = new Date().toISOString();
  if (e.type === 'card-read') return { time, type: e.type, card: cardJson(e.card) };
  return { time, ...e };
}

export const idWatchCommand: Command = {
  name: 'watch',
  summary: 'watch the ID card reader: one JSON line per event (card-inserted, card-read, card-removed, status) until stopped',
  usage: '--port PATH [--baud N] [--interval MS] [--fingerprint]',
  description: `Polls the reader and prints one JSON line per event: {"type":"card-inserted"},
{"type":"card-read","card":{...as id read --json}}, {"type":"card-error","code":...}, {"type":"card-removed"},
{"type":"status","state":"online"|"offline"|"unplugged"|"error"}. A card is read once while it stays on
the reader. An unplugged reader is reopened when it comes back. Stop with Ctrl-C or SIGTERM.`,
  options: {
    ...portOptions,
    interval: { type: 'string', valueName: 'MS', description: 'pause between polls (default 200)' },
    fingerprint: { type: 'boolean', description: 'also read the fingerprint block' },
  },
  async run(args, ctx) {
    const intervalMs = integerOption(args, 'interval', 0, 60_000) ?? 200;
    const reader = openReader(args);
    const watcher = new IdCardWatcher(reader, { intervalMs, withFingerprint: booleanOption(args, 'fingerprint') });
    watcher.onEvent((e) => ctx.stdout.write(JSON.stringify(watchLine(e)) + '\n'));
    watcher.start();
    await stopped(ctx);
    await watcher.stop();
    await reader.close().catch(() => undefined);
  },
};

function stopped(ctx: CommandContext): Promise<void> {
  return new Promise<void>((resolve) => {
    if (ctx.stopSignal.aborted) resolve();
    ctx.stopSignal.addEventListener('abort', () => resolve(), { once: true });
  });
}

const SIM_HELP = `Makes a pty at PATH that speaks the SAM protocol at 115200 baud pacing, with the card of --card
(a JSON fixture: a path, or the name of a bundled one: resident-longterm.json, resident-dated.json,
gat-j.json, foreigner-i.json, foreigner-y.json) lying on it from the start. Prints "idcard simulator
ready: PATH", then one JSON line per command it answers. Plays until Ctrl-C or SIGTERM.

Commands on standard input, one a line:
  insert [FIXTURE.json]   put a card down (default: the --card one)
  remove                  take the card off
  fault KIND [N]          noCard | badChecksum | truncated | garbage | silent | slow MS (N: for the next N replies)
  fault sw3 COMMAND HEX [N]  answer COMMAND (find, select, read, ...) with status HEX, e.g. fault sw3 read 41
  clear                   clear the fault
  unplug | plug           pull the virtual cable / plug it back in`;

export const simIdcardCommand: Command = {
  name: 'idcard',
  summary: 'simulate an ID card reader (SAM protocol) on a virtual serial port',
  usage: '--link PATH [--card FIXTURE.json] [--baud N]',
  description: SIM_HELP,
  options: {
    link: { type: 'string', valueName: 'PATH', description: 'where the virtual serial port appears (a symlink to the pty)' },
    card: { type: 'string', valueName: 'FIXTURE.json', description: 'card on the reader at start (a fixture file or a bundled fixture name)' },
    baud: { type: 'string', valueName: 'N', description: 'line speed the replies are paced to (default 115200; 0: unpaced)' },
  },
  async run(args, ctx) {
    const link = stringOption(args, 'link', true);
    const cardFile = stringOption(args, 'card');
    const card = cardFile ? loadCardFixture(cardFile) : undefined;
    const baud = integerOption(args, 'baud', 0, 4_000_000) ?? 115200;
    const sim = await IdCardSim.start(link, { baud, ...(card ? { card } : {}) });
    sim.onEvent((e) => ctx.stdout.write(JSON.stringify(e.type === 'command' && e.sw3 !== undefined ? { ...e, sw3: e.sw3.toString(16).toUpperCase() } : e) + '\n'));
    ctx.stdout.write(`idcard simulator ready: ${sim.path}\n`);
    // Commands on stdin (see the help); when stdin is closed or empty the simulator just plays on.
    const rl = createInterface({ input: process.stdin });
    rl.on('line', (line) => {
      void simCommandLine(sim, line, card).then(
        (msg) => msg && ctx.stdout.write(JSON.stringify({ type: 'ok', msg }) + '\n'),
        (err: unknown) => ctx.stderr.write(`tongban sim idcard: ${messageOf(err)}\n`),
      );
    });
    await stopped(ctx);
    rl.close();
    await sim.stop();
  },
};

const FAULT_KINDS = ['noCard', 'badChecksum', 'truncated', 'garbage', 'silent', 'slow', 'sw3'] as const;

/** One stdin command of the simulator. Returns a confirmation. */
export async function simCommandLine(sim: IdCardSim, line: string, defaultCard: SimCard | undefined): Promise<string | undefined> {
  const [verb, ...rest] = line.trim().split(/\s+/);
  switch (verb) {
    case undefined:
    case '':
      return undefined;
    case 'insert': {
      const card = rest[0] ? loadCardFixture(rest[0]) : defaultCard;
      if (!card) throw new UsageError('insert needs a fixture (no --card was given)');
      sim.insertCard(card);
      return 'card inserted';
    }
    case 'remove':
      sim.removeCard();
      return 'card removed';
    case 'clear':
      sim.setFault(undefined);
      return 'fault cleared';
    case 'unplug':
      await sim.unplug();
      return 'unplugged';
    case 'plug':
      await sim.plugIn();
      return 'plugged in';
    case 'fault': {
      const kind = rest[0] as (typeof FAULT_KINDS)[number];
      if (!FAULT_KINDS.includes(kind)) throw new UsageError(`fault must be one of ${FAULT_KINDS.join(', ')}`);
      const num = (s: string | undefined, what: string): number | undefined => {
        if (s === undefined) return undefined;
        if (!/^\d+$/.test(s)) throw new UsageError(`${what} must be a whole number, not "${s}"`);
        return Number(s);
      };
      let fault: IdCardFault;
      if (kind === 'noCard') fault = { kind };
      else if (kind === 'slow') {
        const delayMs = num(rest[1], 'the delay');
        if (delayMs === undefined) throw new UsageError('fault slow needs a delay in ms');
        const times = num(rest[2], 'N');
        fault = { kind, delayMs, ...(times !== undefined ? { times } : {}) };
      } else if (kind === 'sw3') {
        const command = rest[1] as 'find';
        if (!rest[2] || !/^[0-9a-fA-F]{1,2}$/.test(rest[2])) throw new UsageError('fault sw3 COMMAND HEX, e.g. fault sw3 read 41');
        const times = num(rest[3], 'N');
        fault = { kind, command, sw3: parseInt(rest[2], 16), ...(times !== undefined ? { times } : {}) };
      } else {
        const times = num(rest[1], 'N');
        fault = { kind, ...(times !== undefined ? { times } : {}) };
      }
      sim.setFault(fault);
      return `fault ${kind}`;
    }
    default:
      throw new UsageError(`unknown simulator command "${verb}" (insert, remove, fault, clear, unplug, plug)`);
  }
}
