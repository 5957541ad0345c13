/**
 * The clerk HTTP API of the reference endpoint (contracts §4), mounted by the server under /clerk/:
 *
 *   GET  /clerk/cases[?status=S&kiosk=ID]      { cases: EndpointCaseSummary[] }
 *   GET  /clerk/cases/:id                      EndpointCase (content, history, results)
 *   POST /clerk/cases/:id/status               { to, note?, actor?, results?: [{ title, mediaType?, base64, documentId? }] } -> EndpointCase
 *   GET  /clerk/kiosks                         { kiosks: KioskRecord[] } (connected: what the server holds now)
 *   GET  /clerk/catalog                        { version, catalog } (404 before one is set)
 *   PUT  /clerk/catalog                        { version, catalog } -> { version }
 *   POST /clerk/enroll                         { kioskId, ttlHours? } -> { kioskId, token, expiresAt }
 *   GET  /clerk/files/:sm3                     a complete file (a material or result document), its own media type
 *
 * Every request carries `Authorization: Bearer <token>`, the token in DATA/clerk-token (mode 0600,
 * made at the first start; compared in constant time). Bodies are JSON, checked where they enter;
 * every failure is JSON `{ error: { code, message } }` with a 4xx status (500 only for a fault of ours,
 * logged). Case content is personal: it is served to the clerk, never logged.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { EnvironmentError, InputError, isTongbanError, messageOf, NegativeAnswer } from '../../base/errors.js';
import type { Logger } from '../../base/log.js';
import { sm3 } from '../../certs/sm3.js';
import { isEndpointStatus } from './store/status-rules.js';
import { StatusError, type EndpointStore, type KioskRecord, type ResultInput } from './store/index.js';
import { isMediaType, isObject, SM3_RE, UUID_RE } from './store/validate.js';

export const CLERK_TOKEN_FILE = 'clerk-token';

/** A status body's limit: a result document of 32 MiB is about 43 MiB in base64. */
const MAX_STATUS_BODY = 48 * 1024 * 1024;
const MAX_BODY = 2 * 1024 * 1024;
const FILE_CHUNK = 512 * 1024;

export interface ClerkApiOptions {
  readonly store: EndpointStore;
  readonly dataDir: string;
  readonly log: Logger;
  /** The kiosks the server holds a connection to now. */
  readonly connectedKiosks: () => readonly string[];
  /** Default: the token in DATA/clerk-token, made when missing. */
  readonly token?: string;
}

export type ClerkHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** The clerk token of a data directory: read, or made (0600) when there is none yet. */
export function ensureClerkToken(dataDir: string): string {
  const path = join(dataDir, CLERK_TOKEN_FILE);
  if (existsSync(path)) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8').trim();
    } catch (err) {
      throw new EnvironmentError('env.clerkToken', `cannot read the clerk token ${path}: ${messageOf(err)}`, { cause: err });
    }
    if (!/^[A-Za-z0-9._~+/=-]{16,200}$/.test(text)) throw new EnvironmentError('env.clerkToken', `the clerk token file ${path} is damaged: remove it to have a new one made`);
    return text;
  }
  const token = randomBytes(32).toString('base64url');
  writeFileSync(path, token + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return token;
}

/** An HTTP failure with its status and JSON error. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, value: unknown, extra: Record<string, string> = {}): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...extra });
  res.end(text);
}

function readBody(req: IncomingMessage, limit: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      reject(new HttpError(413, 'http.tooBig', `the body may have at most ${limit} bytes`));
      return;
    }
    const parts: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(new HttpError(413, 'http.tooBig', `the body may have at most ${limit} bytes`));
        return;
      }
      parts.push(chunk);
    });
    req.on('error', (err) => {
      if (!failed) reject(new HttpError(400, 'http.body', `the body could not be read: ${messageOf(err)}`));
      failed = true;
    });
    req.on('end', () => {
      if (failed) return;
      const text = Buffer.concat(parts).toString('utf8');
      if (text.trim() === '') return reject(new HttpError(400, 'http.badJson', 'the body is empty: a JSON object was expected'));
      try {
        resolve(JSON.parse(text) as unknown);
      } catch {
        reject(new HttpError(400, 'http.badJson', 'the body is not JSON'));
      }
    });
  });
}

function onlyKeys(body: Record<string, unknown>, allowed: readonly string[], what: string): void {
  const extra = Object.keys(body).filter((k) => !allowed.includes(k));
  if (extra.length) throw new HttpError(400, 'http.unknownKey', `${what} takes ${allowed.join(', ')}; not ${extra.join(', ')}`);
}

/** The status a store error deserves. */
function statusOf(err: unknown): number {
  if (err instanceof HttpError) return err.status;
  if (!isTongbanError(err)) return 500;
  if (err.code === 'case.unknown' || err.code === 'kiosk.unknown' || err.code === 'file.unknown') return 404;
  if (err instanceof StatusError && err.code === 'case.illegalTransition') return 409;
  if (err.code === 'catalog.notNewer' || err.code === 'result.duplicate') return 409;
  if (err instanceof InputError || err instanceof NegativeAnswer) return 400;
  return 500;
}

/** `correction` is the CLI's word for correctionRequested; both are taken. */
function endpointStatus(value: unknown): 'accepted' | 'correctionRequested' | 'refused' | 'completed' {
  const v = value === 'correction' ? 'correctionRequested' : value;
  if (!isEndpointStatus(v)) throw new HttpError(400, 'case.badStatus', 'to is accepted, correctionRequested (or correction), refused or completed');
  return v;
}

function resultInputs(value: unknown): ResultInput[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > 20) throw new HttpError(400, 'result.invalid', 'results is a list of at most 20 { title, mediaType?, base64, documentId? }');
  return (value as unknown[]).map((r, i) => {
    if (!isObject(r)) throw new HttpError(400, 'result.invalid', `results[${i}] is not an object`);
    onlyKeys(r, ['title', 'mediaType', 'base64', 'documentId'], `results[${i}]`);
    if (typeof r.title !== 'string') throw new HttpError(400, 'result.badTitle', `results[${i}].title is missing`);
    if (typeof r.base64 !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(r.base64) || r.base64.length % 4 !== 0) {
      throw new HttpError(400, 'result.badBase64', `results[${i}].base64 is not base64`);
    }
    if (r.mediaType !== undefined && !isMediaType(r.mediaType)) throw new HttpError(400, 'result.badType', `results[${i}].mediaType is application/pdf, image/jpeg or image/png`);
    if (r.documentId !== undefined && typeof r.documentId !== 'string') throw new HttpError(400, 'result.badDocumentId', `results[${i}].documentId is text`);
    return {
      bytes: Buffer.from(r.base64, 'base64'),
      title: r.title,
      ...(r.mediaType !== undefined ? { mediaType: r.mediaType } : {}),
      ...(r.documentId !== undefined ? { documentId: r.documentId as string } : {}),
    };
  });
}

export function createClerkApi(options: ClerkApiOptions): ClerkHandler {
  const { store } = options;
  const log = options.log.child({ component: 'sync.endpoint.clerk' });
  const token = options.token ?? ensureClerkToken(options.dataDir);
  if (token.length < 16) throw new EnvironmentError('env.clerkToken', 'a clerk token has at least 16 characters');
  const tokenDigest = Buffer.from(sm3(token));

  const authorized = (req: IncomingMessage): boolean => {
    const m = /^Bearer (\S{1,500})$/.exec(req.headers.authorization ?? '');
    return m !== null && timingSafeEqual(Buffer.from(sm3(m[1]!)), tokenDigest);
  };

  const withConnected = (kiosks: readonly KioskRecord[]): KioskRecord[] => {
    const connected = new Set(options.connectedKiosks());
    return kiosks.map((k) => ({ ...k, connected: connected.has(k.id) }));
  };

  const method = (req: IncomingMessage, ...allowed: string[]): void => {
    if (!allowed.includes(req.method ?? 'GET')) throw new HttpError(405, 'http.method', `${allowed.join(' or ')} only`);
  };

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://clerk.invalid');
    const parts = url.pathname.split('/').filter(Boolean); // ['clerk', ...]
    if (parts[0] !== 'clerk') throw new HttpError(404, 'http.notFound', 'no such path');
    const [, what, id, sub, ...rest] = parts;
    if (rest.length) throw new HttpError(404, 'http.notFound', 'no such path');

    if (what === 'cases' && id === undefined) {
      method(req, 'GET');
      const word = url.searchParams.get('status') ?? undefined;
      const status = word === 'correction' ? 'correctionRequested' : word;
      const kioskId = url.searchParams.get('kiosk') ?? undefined;
      return send(res, 200, { cases: store.cases({ ...(status !== undefined ? { status } : {}), ...(kioskId !== undefined ? { kioskId } : {}) }) });
    }
    if (what === 'cases' && id !== undefined) {
      if (!UUID_RE.test(id)) throw new HttpError(404, 'case.unknown', 'a case id is a lower-case UUID');
      if (sub === undefined) {
        method(req, 'GET');
        const c = store.getCase(id);
        if (!c) throw new HttpError(404, 'case.unknown', `no case ${id} at this endpoint`);
        return send(res, 200, c);
      }
      if (sub === 'status') {
        method(req, 'POST');
        const body = await readBody(req, MAX_STATUS_BODY);
        if (!isObject(body)) throw new HttpError(400, 'http.badJson', 'the body is a JSON object { to, note?, actor?, results? }');
        onlyKeys(body, ['to', 'note', 'actor', 'results'], 'a status change');
        if (body.note !== undefined && typeof body.note !== 'string') throw new HttpError(400, 'case.badNote', 'note is text');
        if (body.actor !== undefined && typeof body.actor !== 'string') throw new HttpError(400, 'case.badActor', 'actor is text');
        const to = endpointStatus(body.to);
        const results = resultInputs(body.results);
        const c = store.setStatus(id, to, { ...(body.note !== undefined ? { note: body.note } : {}), ...(body.actor !== undefined ? { actor: body.actor } : {}), results }, Date.now());
        return send(res, 200, c);
      }
    }
    if (what === 'kiosks' && id === undefined) {
      method(req, 'GET');
      return send(res, 200, { kiosks: withConnected(store.kiosks()) });
    }
    if (what === 'catalog' && id === undefined) {
      method(req, 'GET', 'PUT');
      if (req.method === 'PUT') {
        const body = await readBody(req, MAX_BODY);
        if (!isObject(body)) throw new HttpError(400, 'http.badJson', 'the body is { version, catalog }');
        onlyKeys(body, ['version', 'catalog'], 'a catalog');
        if (!Number.isSafeInteger(body.version)) throw new HttpError(400, 'catalog.badVersion', 'version is a positive whole number');
        if (!isObject(body.catalog)) throw new HttpError(400, 'catalog.invalid', 'catalog is a JSON object');
        store.setCatalog(body.catalog, body.version as number);
        return send(res, 200, { version: body.version });
      }
      const c = store.catalog();
      if (!c) throw new HttpError(404, 'catalog.none', 'no catalog has been set at this endpoint');
      return send(res, 200, c);
    }
    if (what === 'enroll' && id === undefined) {
      method(req, 'POST');
      const body = await readBody(req, MAX_BODY);
      if (!isObject(body)) throw new HttpError(400, 'http.badJson', 'the body is { kioskId, ttlHours? }');
      onlyKeys(body, ['kioskId', 'ttlHours'], 'an enrolment');
      if (typeof body.kioskId !== 'string') throw new HttpError(400, 'kiosk.badId', 'kioskId is missing');
      const hours = body.ttlHours ?? 24;
      if (typeof hours !== 'number' || !Number.isFinite(hours) || hours <= 0 || hours > 24 * 366) throw new HttpError(400, 'enroll.badTtl', 'ttlHours is from 0 to 8784');
      const ttlMs = Math.round(hours * 3600 * 1000);
      const enrollToken = store.createEnrollToken(body.kioskId, ttlMs);
      return send(res, 200, { kioskId: body.kioskId, token: enrollToken, expiresAt: new Date(Date.now() + ttlMs).toISOString() });
    }
    if (what === 'files' && id !== undefined && sub === undefined) {
      method(req, 'GET');
      if (!SM3_RE.test(id)) throw new HttpError(404, 'file.unknown', 'a file is named by its SM3 (64 lower-case hex digits)');
      const status = store.fileStatus(id);
      if (!status.complete || status.size === undefined) throw new HttpError(404, 'file.unknown', `no complete file ${id}`);
      const first = store.readFile(id, 0, Math.min(FILE_CHUNK, status.size));
      res.writeHead(200, { 'content-type': status.mediaType ?? 'application/octet-stream', 'content-length': status.size, 'cache-control': 'no-store' });
      res.write(first);
      for (let off = first.length; off < status.size; off += FILE_CHUNK) res.write(store.readFile(id, off, FILE_CHUNK));
      res.end();
      return;
    }
    throw new HttpError(404, 'http.notFound', 'no such path (see sync/endpoint/clerk-api.ts)');
  }

  return async (req, res) => {
    try {
      if (!authorized(req)) throw new HttpError(401, 'auth.clerk', 'the clerk API needs Authorization: Bearer <the token in DATA/clerk-token>');
      await route(req, res);
    } catch (err) {
      const status = statusOf(err);
      const code = err instanceof HttpError || isTongbanError(err) ? err.code : 'internal';
      const message = status === 500 ? 'internal error (logged at the endpoint)' : messageOf(err);
      if (status === 500) log.error('clerk request failed', { method: req.method, path: (req.url ?? '').split('?')[0], err: messageOf(err) });
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (!req.complete) req.resume();
      send(res, status, { error: { code, message } }, status === 401 ? { 'www-authenticate': 'Bearer' } : {});
    }
  };
}
