/**
 * Device messages in the XFS4IoT manner (see shared/reference/xfs4iot.md):
 *   { "header": { name, requestId, type, version, timeout?, status?, completionCode?, errorDescription? }, "payload": {...} }
 * A client sends a command; the manager answers at once with an acknowledge (accepted, or rejected with
 * invalidMessage / invalidRequestID / tooManyRequests), then zero or more events, then exactly one
 * completion. State changes nobody asked for go to every subscriber as unsolicited messages.
 *
 * This module is pure: the message types, the catalogue of commands with a check of each payload, and
 * the check of an incoming command (untrusted: it arrives over a WebSocket from the kiosk UI or staff tools).
 */
import { CheckError, array, base64, boolean, integer, isPlainObject, kindOf, object, optional, string, type Check } from './check.js';
import { InputError } from '../../base/errors.js';
import type { DeviceKind } from '../config.js';
import { parseReceipt } from '../escpos/receipt.js';

export const MESSAGE_VERSION = '1.0';

export type MessageType = 'command' | 'acknowledge' | 'event' | 'completion' | 'unsolicited';

/** Acknowledge statuses: absent (accepted) or why the command was refused before it was queued. */
export type AckStatus = 'invalidMessage' | 'invalidRequestID' | 'tooManyRequests';

export const COMPLETION_CODES = [
  'success',
  'commandErrorCode',
  'canceled',
  'deviceNotReady',
  'hardwareError',
  'internalError',
  'invalidData',
  'timeOut',
  'unsupportedCommand',
  'sequenceError',
] as const;
export type CompletionCode = (typeof COMPLETION_CODES)[number];

export interface MessageHeader {
  name: string;
  requestId: number;
  type: MessageType;
  version: string;
  /** Commands: milliseconds the command may take from its acknowledge; 0 or absent: no limit. */
  timeout?: number;
  status?: AckStatus;
  completionCode?: CompletionCode;
  errorDescription?: string;
}

export interface Message<P = Record<string, unknown>> {
  header: MessageHeader;
  payload: P;
}

/** Interfaces (services) and their commands. */
export const INTERFACES = ['Common', 'IdentityCard', 'BarcodeReader', 'Printer', 'DocumentPrinter'] as const;
export type InterfaceName = (typeof INTERFACES)[number];

interface CommandSpec {
  /** The interface a device must offer; Common is offered by all and by the manager itself. */
  readonly iface: InterfaceName;
  /** Commands that hold the device (one at a time per device, queued); the others answer at once. */
  readonly usesDevice: boolean;
  readonly payload: Check<Record<string, unknown>>;
  /** One line for the catalogue (README, Common.Capabilities). */
  readonly summary: string;
}

/** Bounds on binary payloads (decoded bytes). */
export const MAX_RAW_PRINT_BYTES = 1 << 20;
export const MAX_PDF_BYTES = 8 << 20;

const empty = object({});
/** The receipt document of drivers/escpos (title, lines, rows, qr, footer, ...), checked by its own parser. */
const receipt: Check<unknown> = (value, path) => {
  if (value === undefined) throw new CheckError(path, 'is missing');
  try {
    return parseReceipt(value);
  } catch (err) {
    if (err instanceof InputError) throw new CheckError(`${path}:`, err.message.replace(/^receipt: /, ''));
    throw err;
  }
};

export const COMMANDS = {
  'Common.GetServices': { iface: 'Common', usesDevice: false, payload: empty, summary: 'the devices (services) and the interfaces each offers' },
  'Common.Status': { iface: 'Common', usesDevice: false, payload: empty, summary: 'health of one device, or of all when no device is named' },
  'Common.Capabilities': { iface: 'Common', usesDevice: false, payload: empty, summary: 'what a device is and which commands it takes' },
  'Common.Cancel': {
    iface: 'Common',
    usesDevice: false,
    payload: object({ requestIds: optional(array(integer(1, Number.MAX_SAFE_INTEGER), { min: 1, max: 64 })) }),
    summary: "cancel this client's commands by requestId (all of them when none are named)",
  },
  'IdentityCard.ReadCard': {
    iface: 'IdentityCard',
    usesDevice: true,
    payload: object({ fingerprint: optional(boolean()) }),
    summary: 'wait for an ID card, read it (events: InsertCardEvent, MediaInsertedEvent); completion: the card, photo as base64 WLT',
  },
  'IdentityCard.WatchStart': {
    iface: 'IdentityCard',
    usesDevice: true,
    payload: empty,
    summary: 'watch the reader until WatchStop or Cancel (events: MediaInsertedEvent, CardReadEvent, MediaRemovedEvent)',
  },
  'IdentityCard.WatchStop': { iface: 'IdentityCard', usesDevice: false, payload: empty, summary: "end this client's watch (its WatchStart completes with success)" },
  'BarcodeReader.Read': {
    iface: 'BarcodeReader',
    usesDevice: true,
    payload: object({ count: optional(integer(1, 100)) }),
    summary: 'wait for count codes (default 1); each arrives as a ReadEvent, all of them in the completion',
  },
  'Printer.PrintForm': { iface: 'Printer', usesDevice: true, payload: object({ receipt }), summary: 'print a receipt document { title, lines, rows, qr, footer } (drivers/escpos/receipt.ts)' },
  'Printer.PrintRaw': {
    iface: 'Printer',
    usesDevice: true,
    payload: object({ data: base64(MAX_RAW_PRINT_BYTES, 1) as Check<unknown> }),
    summary: 'send raw ESC/POS bytes (base64) to the receipt printer',
  },
  'DocumentPrinter.PrintPdf': {
    iface: 'DocumentPrinter',
    usesDevice: true,
    payload: object({
      data: base64(MAX_PDF_BYTES, 5) as Check<unknown>,
      title: optional(string({ max: 100 })),
    }),
    summary: 'print a PDF (base64) through CUPS and follow the job to completed',
  },
} as const satisfies Record<string, CommandSpec>;
export type CommandName = keyof typeof COMMANDS;

export function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(COMMANDS, name);
}

export function commandSpec(name: CommandName): CommandSpec {
  return COMMANDS[name];
}

/** Events (sent while a command runs) and unsolicited messages. */
export const EVENTS = {
  'IdentityCard.InsertCardEvent': 'the reader waits for a card (请放置身份证)',
  'IdentityCard.MediaInsertedEvent': 'a card is on the reader',
  'IdentityCard.CardReadEvent': 'watch: a card was read (payload: the card)',
  'IdentityCard.MediaRemovedEvent': 'watch: the card was taken away',
  'BarcodeReader.ReadEvent': 'a code was scanned (payload: text)',
  'Printer.MediaTakenEvent': 'the printed receipt was taken',
  'DocumentPrinter.JobStateEvent': 'the CUPS job moved on (pending, processing, ...)',
} as const;
export type EventName = keyof typeof EVENTS;

export const UNSOLICITED = {
  'Common.StatusChangedEvent': "a device's health changed (online, offline, unplugged, error; paper, cover)",
} as const;
export type UnsolicitedName = keyof typeof UNSOLICITED;

/** Which interfaces each kind of device offers (besides Common). */
export const INTERFACES_BY_KIND: Readonly<Record<DeviceKind, readonly InterfaceName[]>> = {
  idcard: ['Common', 'IdentityCard'],
  scanner: ['Common', 'BarcodeReader'],
  receipt: ['Common', 'Printer'],
  document: ['Common', 'DocumentPrinter'],
};

export interface Limits {
  /** Largest incoming message, in bytes of JSON text (or UTF-16 units when given an object's JSON). */
  readonly maxMessageBytes: number;
  /** Longest timeout a command may ask for (ms). */
  readonly maxTimeoutMs: number;
}

export const DEFAULT_LIMITS: Limits = { maxMessageBytes: 12 << 20, maxTimeoutMs: 24 * 3600_000 };

/** A command that passed the header check; its payload is checked separately (a bad payload completes invalidData). */
export interface IncomingCommand {
  readonly name: CommandName;
  readonly requestId: number;
  readonly timeoutMs: number;
  readonly payload: unknown;
}

export type CommandCheck = { ok: true; command: IncomingCommand } | { ok: false; reply: Message };

/**
 * Checks an incoming command: JSON text (string or bytes) or an already parsed value. Returns the command,
 * or the acknowledge to send back (status invalidMessage; requestId echoed when it could be read, else 0).
 */
export function checkCommand(raw: unknown, limits: Limits = DEFAULT_LIMITS): CommandCheck {
  let value = raw;
  if (typeof raw === 'string' || raw instanceof Uint8Array) {
    const size = typeof raw === 'string' ? Buffer.byteLength(raw, 'utf8') : raw.byteLength;
    if (size > limits.maxMessageBytes) return refuse(0, '', `message is larger than ${limits.maxMessageBytes} bytes`);
    try {
      value = JSON.parse(typeof raw === 'string' ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8'));
    } catch {
      return refuse(0, '', 'message is not JSON');
    }
  }
  if (!isPlainObject(value)) return refuse(0, '', `message must be an object, not ${kindOf(value)}`);
  const header = value.header;
  if (!isPlainObject(header)) return refuse(0, '', header === undefined ? 'header is missing' : `header must be an object, not ${kindOf(header)}`);
  const rid = header.requestId;
  const requestId = typeof rid === 'number' && Number.isSafeInteger(rid) && rid > 0 ? rid : 0;
  const name = typeof header.name === 'string' && header.name.length <= 64 ? header.name : '';
  try {
    for (const key of Object.keys(value)) {
      if (key !== 'header' && key !== 'payload') throw new CheckError(key, 'is not a known key (known: header, payload)');
    }
    for (const key of Object.keys(header)) {
      if (!['name', 'requestId', 'type', 'version', 'timeout'].includes(key)) throw new CheckError(`header.${key}`, 'is not a known key of a command');
    }
    string({ max: 64 })(header.name, 'header.name');
    integer(1, Number.MAX_SAFE_INTEGER)(header.requestId, 'header.requestId');
    if (header.type !== 'command') throw new CheckError('header.type', 'must be "command"');
    if (header.version !== undefined) string({ max: 16, pattern: /^\d+\.\d+$/, hint: 'like "1.0"' })(header.version, 'header.version');
    const timeoutMs = optional(integer(0, limits.maxTimeoutMs))(header.timeout, 'header.timeout') ?? 0;
    if (!isCommandName(name)) throw new CheckError('header.name', `is not a known command (known: ${Object.keys(COMMANDS).join(', ')})`);
    if (value.payload !== undefined && !isPlainObject(value.payload)) throw new CheckError('payload', `must be an object, not ${kindOf(value.payload)}`);
    return { ok: true, command: { name, requestId, timeoutMs, payload: value.payload ?? {} } };
  } catch (err) {
    if (err instanceof CheckError) return refuse(requestId, name, err.message);
    throw err;
  }
}

/** Checks a command's payload; throws CheckError naming the field (e.g. "payload.receipt.lines[3] ..."). */
export function checkPayload(name: CommandName, payload: unknown): Record<string, unknown> {
  return COMMANDS[name].payload(payload, 'payload');
}

function refuse(requestId: number, name: string, description: string): CommandCheck {
  return { ok: false, reply: acknowledge(name, requestId, 'invalidMessage', description) };
}

export function acknowledge(name: string, requestId: number, status?: AckStatus, errorDescription?: string): Message {
  const header: MessageHeader = { name, requestId, type: 'acknowledge', version: MESSAGE_VERSION };
  if (status) header.status = status;
  if (errorDescription) header.errorDescription = errorDescription;
  return { header, payload: {} };
}

export function eventMessage(name: string, requestId: number, payload: Record<string, unknown>): Message {
  return { header: { name, requestId, type: 'event', version: MESSAGE_VERSION }, payload };
}

export function completion(
  name: string,
  requestId: number,
  completionCode: CompletionCode,
  payload: Record<string, unknown> = {},
  errorDescription?: string,
): Message {
  const header: MessageHeader = { name, requestId, type: 'completion', version: MESSAGE_VERSION, completionCode };
  if (errorDescription) header.errorDescription = errorDescription;
  return { header, payload };
}

export function unsolicited(name: UnsolicitedName, payload: Record<string, unknown>): Message {
  return { header: { name, requestId: 0, type: 'unsolicited', version: MESSAGE_VERSION }, payload };
}
