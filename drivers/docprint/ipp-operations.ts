/**
 * The IPP operations the document printer uses, as pure request builders and reply readers (no I/O):
 * Print-Job, Get-Job-Attributes, Get-Printer-Attributes, Cancel-Job and CUPS-Get-Printers.
 */
import {
  attr,
  booleanOf,
  findAttribute,
  integer,
  integerOf,
  keyword,
  name,
  stringsOf,
  uri,
  type IppAttribute,
  type IppMessage,
} from './ipp-codec.js';

export const Operation = {
  printJob: 0x0002,
  cancelJob: 0x0008,
  getJobAttributes: 0x0009,
  getPrinterAttributes: 0x000b,
  pausePrinter: 0x0010,
  resumePrinter: 0x0011,
  cupsGetPrinters: 0x4002,
} as const;

export const Status = {
  successfulOk: 0x0000,
  clientErrorNotFound: 0x0406,
  clientErrorForbidden: 0x0401,
  clientErrorNotAuthenticated: 0x0402,
  clientErrorNotAuthorized: 0x0403,
  serverErrorNotAcceptingJobs: 0x0506,
} as const;

/** Names of the status codes a spooler is likely to answer with (RFC 8011 §4.1.6 / §13). */
export function statusName(code: number): string {
  const names: Record<number, string> = {
    0x0000: 'successful-ok',
    0x0001: 'successful-ok-ignored-or-substituted-attributes',
    0x0002: 'successful-ok-conflicting-attributes',
    0x0400: 'client-error-bad-request',
    0x0401: 'client-error-forbidden',
    0x0402: 'client-error-not-authenticated',
    0x0403: 'client-error-not-authorized',
    0x0404: 'client-error-not-possible',
    0x0405: 'client-error-timeout',
    0x0406: 'client-error-not-found',
    0x0407: 'client-error-gone',
    0x0408: 'client-error-request-entity-too-large',
    0x040a: 'client-error-document-format-not-supported',
    0x040b: 'client-error-attributes-or-values-not-supported',
    0x0500: 'server-error-internal-error',
    0x0501: 'server-error-operation-not-supported',
    0x0502: 'server-error-service-unavailable',
    0x0503: 'server-error-version-not-supported',
    0x0504: 'server-error-device-error',
    0x0505: 'server-error-temporary-error',
    0x0506: 'server-error-not-accepting-jobs',
    0x0507: 'server-error-busy',
    0x0508: 'server-error-job-canceled',
  };
  return names[code] ?? `status 0x${code.toString(16).padStart(4, '0')}`;
}

export const JobState = {
  pending: 3,
  held: 4,
  processing: 5,
  stopped: 6,
  canceled: 7,
  aborted: 8,
  completed: 9,
} as const;
export type JobStateName = keyof typeof JobState;

export const PrinterState = { idle: 3, processing: 4, stopped: 5 } as const;
export type PrinterStateName = keyof typeof PrinterState;

function nameOfState<T extends Record<string, number>>(table: T, n: number | undefined): keyof T | undefined {
  return (Object.keys(table) as (keyof T)[]).find((k) => table[k] === n);
}

export interface RequestBase {
  printerUri: string;
  requestId: number;
  userName: string;
}

function operationGroup(base: RequestBase, ...more: IppAttribute[]): IppMessage['groups'][number] {
  return {
    tag: 'operation',
    attributes: [
      attr('attributes-charset', { tag: 'charset', value: 'utf-8' }),
      attr('attributes-natural-language', { tag: 'naturalLanguage', value: 'en' }),
      attr('printer-uri', uri(base.printerUri)),
      attr('requesting-user-name', name(base.userName)),
      ...more,
    ],
  };
}

const V11 = { major: 1, minor: 1 };

export function printJobRequest(base: RequestBase, jobName: string, pdf: Uint8Array): IppMessage {
  return {
    version: V11,
    code: Operation.printJob,
    requestId: base.requestId,
    groups: [operationGroup(base, attr('job-name', name(jobName)), attr('document-format', { tag: 'mimeMediaType', value: 'application/pdf' }))],
    data: pdf,
  };
}

export function jobRequest(op: typeof Operation.getJobAttributes | typeof Operation.cancelJob, base: RequestBase, jobId: number): IppMessage {
  const extra = op === Operation.getJobAttributes ? [attr('requested-attributes', keyword('job-state'), keyword('job-state-reasons'), keyword('job-printer-state-message'))] : [];
  return { version: V11, code: op, requestId: base.requestId, groups: [operationGroup(base, attr('job-id', integer(jobId)), ...extra)] };
}

export const PRINTER_ATTRIBUTES = [
  'printer-name',
  'printer-state',
  'printer-state-reasons',
  'printer-state-message',
  'printer-is-accepting-jobs',
  'printer-uri-supported',
  'device-uri',
  'printer-make-and-model',
] as const;

export function printerRequest(
  op: typeof Operation.getPrinterAttributes | typeof Operation.cupsGetPrinters | typeof Operation.pausePrinter | typeof Operation.resumePrinter,
  base: RequestBase,
): IppMessage {
  const extra =
    op === Operation.getPrinterAttributes || op === Operation.cupsGetPrinters
      ? [attr('requested-attributes', ...PRINTER_ATTRIBUTES.map(keyword))]
      : [];
  const group = operationGroup(base, ...extra);
  // CUPS-Get-Printers addresses the server, not one printer.
  if (op === Operation.cupsGetPrinters) group.attributes.splice(2, 1);
  return { version: V11, code: op, requestId: base.requestId, groups: [group] };
}

export interface JobInfo {
  id: number;
  state: JobStateName | 'unknown';
  stateCode: number | undefined;
  reasons: string[];
  message?: string;
}

export function readJob(reply: IppMessage, jobId?: number): JobInfo {
  const id = integerOf(findAttribute(reply, 'job-id', 'job')) ?? jobId ?? 0;
  const stateCode = integerOf(findAttribute(reply, 'job-state', 'job'));
  const message = stringsOf(findAttribute(reply, 'job-printer-state-message', 'job'))[0];
  return {
    id,
    state: nameOfState(JobState, stateCode) ?? 'unknown',
    stateCode,
    reasons: stringsOf(findAttribute(reply, 'job-state-reasons', 'job')),
    ...(message ? { message } : {}),
  };
}

export interface PrinterInfo {
  name: string;
  state: PrinterStateName | 'unknown';
  stateCode: number | undefined;
  reasons: string[];
  message?: string;
  acceptingJobs: boolean;
  deviceUri?: string;
  makeAndModel?: string;
}

function printerFrom(attrs: IppAttribute[]): PrinterInfo {
  const get = (n: string) => attrs.find((a) => a.name === n);
  const stateCode = integerOf(get('printer-state'));
  const message = stringsOf(get('printer-state-message'))[0];
  const deviceUri = stringsOf(get('device-uri'))[0];
  const makeAndModel = stringsOf(get('printer-make-and-model'))[0];
  return {
    name: stringsOf(get('printer-name'))[0] ?? '',
    state: nameOfState(PrinterState, stateCode) ?? 'unknown',
    stateCode,
    reasons: stringsOf(get('printer-state-reasons')).filter((r) => r !== 'none'),
    acceptingJobs: booleanOf(get('printer-is-accepting-jobs')) ?? true,
    ...(message ? { message } : {}),
    ...(deviceUri ? { deviceUri } : {}),
    ...(makeAndModel ? { makeAndModel } : {}),
  };
}

export function readPrinter(reply: IppMessage): PrinterInfo {
  return printerFrom(reply.groups.filter((g) => g.tag === 'printer').flatMap((g) => g.attributes));
}

/** CUPS-Get-Printers answers one printer group per queue. */
export function readPrinters(reply: IppMessage): PrinterInfo[] {
  return reply.groups.filter((g) => g.tag === 'printer').map((g) => printerFrom(g.attributes));
}

/** The status-message of a reply, if the server gave one. */
export function statusMessage(reply: IppMessage): string | undefined {
  return stringsOf(findAttribute(reply, 'status-message', 'operation'))[0];
}

const REASONS: Record<string, string> = {
  'media-empty': 'out of paper',
  'media-needed': 'paper needed',
  'media-jam': 'paper jam',
  'media-low': 'paper low',
  paused: 'paused by an operator (cupsenable/Resume-Printer starts it again)',
  'door-open': 'a door is open',
  'cover-open': 'the cover is open',
  'toner-empty': 'out of toner',
  'toner-low': 'toner low',
  'marker-supply-empty': 'out of ink or toner',
  'offline-report': 'the printer is offline',
  offline: 'the printer is offline',
  shutdown: 'the printer is shut down',
  'connecting-to-device': 'connecting to the printer',
  'printer-stopped': 'the printer is stopped',
  'timed-out': 'the printer did not answer',
  'cups-missing-filter': 'a CUPS filter for this printer is missing',
  'job-canceled-by-user': 'canceled by a user',
  'aborted-by-system': 'aborted by the spooler',
  'document-format-error': 'the document could not be converted',
  'job-completed-with-errors': 'completed with errors',
};

/** A plain explanation of printer-state-reasons / job-state-reasons keywords (severity suffixes dropped). */
export function explainReasons(reasons: readonly string[]): string {
  const parts = reasons
    .filter((r) => r !== 'none')
    .map((r) => {
      const base = r.replace(/-(error|warning|report)$/, '');
      const plain = REASONS[r] ?? REASONS[base];
      return plain ? `${r} (${plain})` : r;
    });
  return parts.join(', ');
}
