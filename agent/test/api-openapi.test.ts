import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type RunningAgent } from '../agent.js';
import { exampleCase, exampleItem } from '../cases/example.js';
import { demoCatalog } from '../catalog/catalog.js';
import { resolveRef, schemaProblems } from './api-schema.js';
import Database from 'better-sqlite3';
import { parseConfig } from '../config/config.js';
import { openFieldCipher } from '../pii/field-cipher.js';
import { STORE_FILE } from '../store/store.js';

type Json = Record<string, any>;
const doc = JSON.parse(readFileSync(new URL('../api/openapi.json', import.meta.url), 'utf8')) as Json;
const METHODS = ['get', 'post', 'put', 'delete', 'patch'];
/** Values for path parameters that exist in the demo agent (a case is submitted in beforeAll). */
let caseId = '';
/** A case of an item with materials (the example item takes none), for the material routes. */
let materialsCaseId = '';
/** The certificate issued by the documented POST .../issue (documented before the GET that reads it). */
let documentId = 'none-issued';
/** The receipt job of the documented POST .../receipt/print (documented before its retry). */
let printJobId = 'none-printed';
/** An outbox entry quarantined in beforeAll (as the sync does when an endpoint refuses one for good), for its retry route. */
let quarantinedSeq = 0;
function paramValue(path: string, name: string): string {
  if (name === 'code') return demoCatalog().items[0]!.code;
  if (name === 'seq') return String(quarantinedSeq);
  if (name === 'documentId') return documentId;
  if (path.startsWith('/api/print-jobs/')) return printJobId;
  if (path.endsWith('/materials')) return materialsCaseId;
  return path.startsWith('/api/cases/') ? caseId : 'receipt';
}

interface Operation {
  method: string;
  path: string;
  op: Json;
}
const operations: Operation[] = Object.entries(doc.paths as Json).flatMap(([path, item]) =>
  Object.entries(item as Json)
    .filter(([m]) => METHODS.includes(m))
    .map(([method, op]) => ({ method: method.toUpperCase(), path, op: op as Json })),
);
const isSocket = (o: Operation): boolean => '101' in o.op.responses;

function responseSchema(o: Operation, status: number): Json | undefined {
  let r = o.op.responses[String(status)] as Json | undefined;
  if (r?.$ref) r = resolveRef(doc, r.$ref);
  return r?.content?.['application/json']?.schema;
}

let agent: RunningAgent;
beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tongban-openapi-'));
  // No sync (sync.endpoints []): the cases stay `submitted` (the documented examples act on such cases).
  agent = await startAgent({ dataDir, port: 0, logLevel: 'error', config: parseConfig({ sync: { endpoints: [] } }) });
  const res = await fetch(new URL('api/cases', agent.url), {
    method: 'POST',
    headers: { authorization: `Bearer ${agent.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(exampleCase(exampleItem(demoCatalog()))),
  });
  caseId = ((await res.json()) as { case: { id: string } }).case.id;
  const other = await fetch(new URL('api/cases', agent.url), {
    method: 'POST',
    headers: { authorization: `Bearer ${agent.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(exampleCase(exampleItem(demoCatalog(), '341600-GJJ-0002'))),
  });
  materialsCaseId = ((await other.json()) as { case: { id: string } }).case.id;
  // A quarantined entry (the store file shared in WAL mode with the running agent).
  const db = new Database(join(dataDir, STORE_FILE));
  const sealed = openFieldCipher({ dataDir }).seal('null', 'outbox/-/case.mystery');
  quarantinedSeq = Number(db.prepare("INSERT INTO outbox (case_id, region, kind, payload_sealed, created_at, quarantined_reason, quarantined_code) VALUES (NULL, '341600', 'case.mystery', ?, 0, 'refused by the endpoint', 'case.conflict')").run(sealed).lastInsertRowid);
  db.close();
});
afterAll(async () => {
  await agent?.stop('test over');
});

/** A file body for a route that takes one (not JSON): a tiny PDF. */
const FILE = new TextEncoder().encode('%PDF-1.7\n%%EOF\n');
const takesFile = (o: Operation): boolean => o.op.requestBody !== undefined && !o.op.requestBody.content['application/json'];
/** The documented query parameters' examples. */
function queryOf(o: Operation): string {
  const q = new URLSearchParams();
  for (const p of (o.op.parameters ?? []) as Json[]) if (p.in === 'query' && p.example !== undefined) q.set(p.name, String(p.example));
  return q.size ? `?${q}` : '';
}

async function send(o: Operation, options: { body?: unknown; token?: boolean } = {}): Promise<{ status: number; json: unknown; type: string; bytes?: Buffer }> {
  const path = o.path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(paramValue(o.path, name)));
  const headers: Record<string, string> = {};
  if (options.token !== false) headers.authorization = `Bearer ${agent.token}`;
  if (options.body !== undefined) headers['content-type'] = options.body instanceof Uint8Array ? 'application/pdf' : 'application/json';
  const body = options.body instanceof Uint8Array ? options.body : options.body !== undefined ? JSON.stringify(options.body) : undefined;
  const res = await fetch(new URL(path.slice(1) + queryOf(o), agent.url), { method: o.method, headers, ...(body !== undefined ? { body } : {}) });
  const type = res.headers.get('content-type') ?? '';
  // A binary answer (a sealed PDF) is checked by its media type, not a JSON schema.
  if (!type.startsWith('application/json')) return { status: res.status, json: undefined, type, bytes: Buffer.from(await res.arrayBuffer()) };
  return { status: res.status, json: await res.json(), type };
}

async function demoPersonalCode(): Promise<{ text: string }> {
  const res = await fetch(new URL('api/demo/personal-code', agent.url), { method: 'POST', headers: { authorization: `Bearer ${agent.token}`, 'content-type': 'application/json' }, body: '{}' });
  return { text: ((await res.json()) as { text: string }).text };
}

describe('agent/api/openapi.json and the implementation', () => {
  it('is an OpenAPI 3.1 document whose $refs all resolve', () => {
    expect(doc.openapi).toBe('3.1.0');
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    for (const r of refs) expect(() => resolveRef(doc, r.slice(8, -1))).not.toThrow();
  });

  it('documents exactly the routes the agent serves (demo mode: all of them)', () => {
    const served = agent.served.map((r) => `${r.method} ${r.path}`).sort();
    const documented = operations.map((o) => `${o.method} ${o.path}`).sort();
    expect(documented).toEqual(served);
  });

  it('every documented route answers its documented success schema; its example request is valid and accepted', async () => {
    for (const o of operations.filter((x) => !isSocket(x))) {
      const media = o.op.requestBody?.content?.['application/json'];
      if (media) expect(schemaProblems(doc, media.schema, media.example), `${o.method} ${o.path} example`).toEqual([]);
      // A personal code verifies only under this agent's own key: the documented example's shape, a fresh code.
      const body = o.path === '/api/identify/code' ? await demoPersonalCode() : media?.example;
      const r = await send(o, { body: takesFile(o) ? FILE : body });
      // Staff may move only an uploaded case (the sync uploads it): on a fresh submitted case the
      // example transition is the documented refusal.
      const success = Object.keys(o.op.responses).map(Number).filter((s) => s >= 200 && s < 300);
      if (o.path.endsWith('/transitions')) expect(r.status).toBe(409);
      // Quitting needs the kiosk shell (Electron), which this agent runs without: the documented refusal
      // (agent/test/api-staff-quit.test.ts checks the 202 under a shell).
      else if (o.path === '/api/staff/quit') expect(r.status).toBe(409);
      else expect(success, `${o.method} ${o.path} answered ${r.status} ${JSON.stringify(r.json)}`).toContain(r.status);
      if (o.path.endsWith('/issue')) documentId = (r.json as { documentId: string }).documentId;
      if (o.path.endsWith('/receipt/print')) printJobId = (r.json as { job: { id: string } }).job.id;
      if (r.bytes) {
        expect(Object.keys(o.op.responses[String(r.status)].content)).toContain(r.type);
        // A sealed PDF, or a picture of its page (a certificate's preview).
        if (r.type === 'image/png') expect(r.bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
        else expect(r.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
        continue;
      }
      expect(schemaProblems(doc, responseSchema(o, r.status)!, r.json), `${o.method} ${o.path} response`).toEqual([]);
    }
    // leave the simulators as they were
    await fetch(new URL('api/demo/paper', agent.url), { method: 'PUT', headers: { authorization: `Bearer ${agent.token}`, 'content-type': 'application/json' }, body: '{"paper":"ok"}' });
  });

  it('every refusal has the documented Error shape: without the token, and with a body that breaks the schema', async () => {
    for (const o of operations.filter((x) => !isSocket(x))) {
      if (o.op.security?.length === 0) continue; // public
      expect(o.op.responses['401'], `${o.method} ${o.path} documents 401`).toBeDefined();
      const r = await send(o, { token: false, body: takesFile(o) ? FILE : o.op.requestBody ? {} : undefined });
      expect(r.status).toBe(401);
      expect(schemaProblems(doc, responseSchema(o, 401)!, r.json)).toEqual([]);
      if (takesFile(o)) {
        // a file route refuses JSON as a media type it does not take
        const bad = await send(o, { body: { notDocumented: true } });
        expect(bad.status, `${o.method} ${o.path}`).toBe(415);
        expect(schemaProblems(doc, responseSchema(o, 415)!, bad.json)).toEqual([]);
      } else if (o.op.requestBody) {
        const bad = await send(o, { body: { notDocumented: true } });
        expect(bad.status, `${o.method} ${o.path}`).toBe(400);
        expect(o.op.responses['400']).toBeDefined();
        expect(schemaProblems(doc, responseSchema(o, 400)!, bad.json)).toEqual([]);
        expect(schemaProblems(doc, o.op.requestBody.content['application/json'].schema, { notDocumented: true })).not.toEqual([]);
      }
    }
  });

  it('a documented path parameter that names nothing is a documented 404', async () => {
    for (const o of operations.filter((x) => !isSocket(x) && x.path.includes('{'))) {
      const path = o.path.replace(/\{\w+\}/g, 'no-such-thing');
      const example = o.op.requestBody?.content['application/json']?.example;
      const file = takesFile(o);
      const res = await fetch(new URL(path.slice(1) + queryOf(o), agent.url), {
        method: o.method,
        headers: { authorization: `Bearer ${agent.token}`, ...(file ? { 'content-type': 'application/pdf' } : example ? { 'content-type': 'application/json' } : {}) },
        ...(file ? { body: FILE } : example ? { body: JSON.stringify(example) } : {}),
      });
      expect(res.status, path).toBe(404);
      expect(schemaProblems(doc, responseSchema(o, 404)!, await res.json())).toEqual([]);
    }
  });
});
