/**
 * A resident ID card reader (SAM) on a virtual serial port: answers reset, SAM status, SAM id, find,
 * select and read base info (with and without fingerprint) exactly as the SAM protocol says
 * (drivers/idcard/frame.ts), paced at the line speed (115200 by default). Cards come from JSON fixtures
 * (drivers/sim/fixtures/); cards can be inserted and removed, and faults injected on demand.
 *
 * Used by the tests, by `tongban sim idcard` and by the agent's demo mode:
 *   const sim = await IdCardSim.start('/tmp/idcard', { card: loadCardFixture('resident-longterm.json') });
 *   sim.removeCard(); sim.setFault({ kind: 'badChecksum', times: 1 }); await sim.unplug(); await sim.plugIn();
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { InputError, messageOf } from '../../base/errors.js';
import { silentLogger, type Logger } from '../../base/log.js';
import { FrameExtractor, decodeCommand, encodeReply, PREAMBLE } from '../idcard/frame.js';
import { encodeBaseInfo, encodeText, type CardContent, type CardLayout } from '../idcard/base-info.js';
import { PtyLink } from './pty-link.js';

/** A card as the simulator holds it. */
export interface SimCard {
  readonly content: CardContent;
  /** The WLT photo bytes (1024). */
  readonly photo: Uint8Array;
  readonly fingerprint?: Uint8Array;
}

export type SimCommand = 'reset' | 'samStatus' | 'samId' | 'find' | 'select' | 'read' | 'readWithFingerprint' | 'unknown';

/**
 * Faults on demand. `times` limits a fault to the next N replies it applies to (absent: until cleared).
 * noCard: find answers 80 even with a card present · badChecksum: the reply's CHK is flipped ·
 * truncated: only the first half of the reply is sent · slow: the reply waits `delayMs` ·
 * garbage: random bytes (never a preamble) precede the reply · silent: no reply at all ·
 * sw3: `command` answers with status `sw3` (e.g. 0x41 on read).
 */
export type IdCardFault =
  | { readonly kind: 'noCard' }
  | { readonly kind: 'badChecksum' | 'truncated' | 'silent'; readonly times?: number }
  | { readonly kind: 'slow'; readonly delayMs: number; readonly times?: number }
  | { readonly kind: 'garbage'; readonly bytes?: number; readonly times?: number }
  | { readonly kind: 'sw3'; readonly command: SimCommand; readonly sw3: number; readonly times?: number };

export type IdCardSimEvent =
  | { readonly type: 'command'; readonly command: SimCommand; readonly sw3: number | undefined; readonly fault?: IdCardFault['kind'] }
  | { readonly type: 'cardInserted' | 'cardRemoved' | 'unplugged' | 'pluggedIn' };

export interface IdCardSimOptions {
  /** Line speed for pacing replies; default 115200. */
  readonly baud?: number;
  readonly card?: SimCard;
  readonly log?: Logger;
}

/** A fixed, fictional SAM id (16 bytes). */
const SAM_ID = Uint8Array.from([0x05, 0x00, 0x00, 0x00, 0x20, 0x26, 0x11, 0x21, 0x00, 0x00, 0x00, 0x01, 0x12, 0x34, 0x56, 0x78]);

export class IdCardSim {
  private readonly extractor = new FrameExtractor();
  private readonly listeners = new Set<(e: IdCardSimEvent) => void>();
  private readonly log: Logger;
  private card: SimCard | undefined;
  private found = false;
  private selected = false;
  private fault: { spec: IdCardFault; left: number } | undefined;
  private replyChain: Promise<void> = Promise.resolve();
  /** Bytes received from and sent to the driver (for the benchmark's wire time). */
  bytesIn = 0;
  bytesOut = 0;

  /** Line speed; a pty delivers the host's frame at once, so the simulator adds its wire time before replying. */
  private readonly baud: number;

  private constructor(
    private readonly link: PtyLink,
    options: IdCardSimOptions,
  ) {
    this.baud = options.baud ?? 115200;
    this.log = (options.log ?? silentLogger).child({ component: 'drivers.sim.idcard' });
    this.card = options.card;
    link.onData((chunk) => this.receive(chunk));
  }

  /** Makes the pty at `path` and starts answering. */
  static async start(path: string, options: IdCardSimOptions = {}): Promise<IdCardSim> {
    const link = await PtyLink.open(path, { baud: options.baud ?? 115200, ...(options.log ? { log: options.log } : {}) });
    return new IdCardSim(link, options);
  }

  get path(): string {
    return this.link.path;
  }

  get cardInserted(): boolean {
    return this.card !== undefined;
  }

  get pluggedIn(): boolean {
    return this.link.pluggedIn;
  }

  onEvent(listener: (e: IdCardSimEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  insertCard(card: SimCard): void {
    this.card = card;
    this.found = false;
    this.selected = false;
    this.emit({ type: 'cardInserted' });
  }

  removeCard(): void {
    this.card = undefined;
    this.found = false;
    this.selected = false;
    this.emit({ type: 'cardRemoved' });
  }

  /** Sets (or with undefined clears) the fault. */
  setFault(fault: IdCardFault | undefined): void {
    this.fault = fault ? { spec: fault, left: 'times' in fault && fault.times !== undefined ? fault.times : Infinity } : undefined;
  }

  async unplug(): Promise<void> {
    await this.link.unplug();
    this.extractor.reset();
    this.emit({ type: 'unplugged' });
  }

  async plugIn(): Promise<void> {
    await this.link.plugIn();
    this.emit({ type: 'pluggedIn' });
  }

  async stop(): Promise<void> {
    await this.link.close();
    this.listeners.clear();
  }

  private emit(e: IdCardSimEvent): void {
    for (const l of [...this.listeners]) l(e);
  }

  private receive(chunk: Uint8Array): void {
    this.bytesIn += chunk.length;
    for (const item of this.extractor.push(chunk)) {
      if (item.kind === 'error') {
        // A real SAM answers a corrupt frame with SW3 10 (checksum) / 11 (length).
        this.queue('unknown', item.error.message.includes('length') ? 0x11 : 0x10, new Uint8Array(0));
        continue;
      }
      let cmd;
      try {
        cmd = decodeCommand(item.body);
      } catch (err) {
        this.log.debug('undecodable command', { error: messageOf(err) });
        this.queue('unknown', 0x11, new Uint8Array(0));
        continue;
      }
      this.answer(cmd.cmd, cmd.para);
    }
  }

  private answer(cmd: number, para: number): void {
    const key = (cmd << 8) | para;
    switch (key) {
      case 0x10ff:
      case 0x01ff:
        this.found = this.selected = false;
        return this.queue('reset', 0x90);
      case 0x11ff:
        return this.queue('samStatus', 0x90);
      case 0x12ff:
        return this.queue('samId', 0x90, SAM_ID);
      case 0x2001: {
        const present = this.card !== undefined && this.fault?.spec.kind !== 'noCard';
        this.found = present;
        this.selected = false;
        return this.queue('find', present ? 0x9f : 0x80, present ? new Uint8Array(4) : new Uint8Array(0));
      }
      case 0x2002:
        this.selected = this.found && this.card !== undefined;
        return this.queue('select', this.selected ? 0x90 : 0x81, this.selected ? new Uint8Array(8) : new Uint8Array(0));
      case 0x3001:
      case 0x3010: {
        const command = para === 0x10 ? 'readWithFingerprint' : 'read';
        const card = this.card;
        if (!card || !this.selected) return this.queue(command, 0x41);
        const fp = para === 0x10 ? (card.fingerprint ?? new Uint8Array(1024)) : undefined;
        return this.queue(command, 0x90, encodeBaseInfo(encodeText(card.content), card.photo, fp));
      }
      default:
        return this.queue('unknown', 0x21);
    }
  }

  /** Takes one use of the current fault if it applies to `command`. */
  private takeFault(command: SimCommand): IdCardFault | undefined {
    const f = this.fault;
    if (!f || f.spec.kind === 'noCard') return undefined;
    if (f.spec.kind === 'sw3' && f.spec.command !== command) return undefined;
    if (--f.left <= 0) this.fault = undefined;
    return f.spec;
  }

  private queue(command: SimCommand, sw3: number, data: Uint8Array = new Uint8Array(0)): void {
    const fault = this.takeFault(command);
    const status = fault?.kind === 'sw3' ? fault.sw3 : sw3;
    let frame = encodeReply(status, status === sw3 ? data : new Uint8Array(0));
    this.emit({ type: 'command', command, sw3: fault?.kind === 'silent' ? undefined : status, ...(fault ? { fault: fault.kind } : {}) });
    const run = async (): Promise<void> => {
      // A SAM cannot answer before the command has crossed the line (host frames are 10 bytes).
      if (this.baud > 0) await sleep((10 * 10 * 1000) / this.baud);
      if (!fault || fault.kind === 'sw3') return this.send(frame);
      switch (fault.kind) {
        case 'silent':
          return;
        case 'slow':
          await sleep(fault.delayMs);
          return this.send(frame);
        case 'badChecksum':
          frame = Uint8Array.from(frame);
          frame[frame.length - 1]! ^= 0x5a;
          return this.send(frame);
        case 'truncated':
          return this.send(frame.subarray(0, Math.max(1, frame.length >> 1)));
        case 'garbage':
          await this.send(noise(fault.bytes ?? 32));
          return this.send(frame);
      }
    };
    this.replyChain = this.replyChain.then(run).catch((err: unknown) => this.log.warn('reply failed', { error: messageOf(err) }));
  }

  private async send(bytes: Uint8Array): Promise<void> {
    if (!this.link.pluggedIn) return;
    this.bytesOut += bytes.length;
    await this.link.write(bytes);
  }
}

/** Random line noise that cannot contain a frame preamble (no 0xAA). */
function noise(n: number): Uint8Array {
  const b = randomBytes(n);
  for (let i = 0; i < b.length; i++) if (b[i] === PREAMBLE[0]) b[i] = 0x55;
  return b;
}

/** `n` pseudo-random bytes derived from `seed` (SHA-256 in counter mode): stable photos for fixtures. */
export function seededBytes(seed: string, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0, counter = 0; i < n; counter++) {
    const block = createHash('sha256').update(`${seed}:${counter}`).digest();
    out.set(block.subarray(0, Math.min(block.length, n - i)), i);
    i += block.length;
  }
  return out;
}

const LAYOUTS: readonly CardLayout[] = ['resident', 'J', 'I', 'Y'];
const STRING_FIELDS = ['name', 'sexCode', 'nationCode', 'birthDate', 'address', 'idNumber', 'issuer', 'validFrom', 'validTo', 'passNumber', 'issueCount', 'englishName', 'nationality'] as const;

/** A card from fixture JSON: the CardContent fields, plus `photoSeed` (1024 bytes) and optional `fingerprintSeed`. */
export function parseCardFixture(json: unknown, where = 'card fixture'): SimCard {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new InputError('input.fixture', `${where}: not a JSON object`);
  const o = json as Record<string, unknown>;
  if (!LAYOUTS.includes(o.layout as CardLayout)) throw new InputError('input.fixture', `${where}: "layout" must be one of ${LAYOUTS.join(', ')}`);
  const content: Record<string, string> = { layout: o.layout as string };
  for (const k of STRING_FIELDS) {
    const v = o[k];
    if (v === undefined) continue;
    if (typeof v !== 'string') throw new InputError('input.fixture', `${where}: "${k}" must be a string`);
    content[k] = v;
  }
  if (!content.idNumber) throw new InputError('input.fixture', `${where}: "idNumber" is required`);
  for (const k of ['photoSeed', 'fingerprintSeed'] as const) {
    if (o[k] !== undefined && typeof o[k] !== 'string') throw new InputError('input.fixture', `${where}: "${k}" must be a string`);
  }
  const photoSeed = (o.photoSeed as string | undefined) ?? content.idNumber;
  return {
    content: content as unknown as CardContent,
    photo: seededBytes(photoSeed, 1024),
    ...(typeof o.fingerprintSeed === 'string' ? { fingerprint: seededBytes(o.fingerprintSeed, 1024) } : {}),
  };
}

/** Reads a fixture file (a path, or the name of one of drivers/sim/fixtures/ such as `gat-j.json`). */
export function loadCardFixture(file: string): SimCard {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    // A bare name: the bundled fixtures (next to this module in the source tree; from dist/, in the source tree).
    const found = /^[\w.-]+\.json$/.test(file)
      ? [`./fixtures/${file}`, `../../../drivers/sim/fixtures/${file}`]
          .map((rel) => fileURLToPath(new URL(rel, import.meta.url)))
          .find((p) => existsSync(p))
      : undefined;
    if (!found) throw new InputError('input.unreadable', `cannot read card fixture ${file}: ${messageOf(err)}`);
    text = readFileSync(found, 'utf8');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InputError('input.fixture', `card fixture ${file} is not JSON: ${messageOf(err)}`);
  }
  return parseCardFixture(json, `card fixture ${file}`);
}
