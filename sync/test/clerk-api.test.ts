/** The clerk HTTP API over a real node:http server on 127.0.0.1:0 and a real store in a temp dir. */
import { statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../base/log.js';
import { CLERK_TOKEN_FILE, createClerkApi, ensureClerkToken } from '../endpoint/clerk-api.js';
import type { EndpointStore } from '../endpoint/store/index.js';
import { fileRef, openStore, pdfBytes, submitted, tempDir } from './endpoint-store-fixtures.js';

let tmp: ReturnType<typeof tempDir>;
let store: EndpointStore;
let server: Server;
let base: string;
let token: string;
let connected: string[];

beforeEach(async () => {
  tmp = tempDir();
  store = openStore(tmp.dir);
  connected = [];
  const handler = createClerkApi({ store, dataDir: tmp.dir, log: silentLogger, connectedKiosks: () => connected });
  token = ensureClerkToken(tmp.dir);
  server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  store.close();
  tmp.remove();
});

async function call(method: string, path: string, body?: unknown, auth: string | null = token): Promise<{ status: number; json: any }> {
  const res = await fetch(base + path, {
    method,
    headers: { ...(auth !== null ? { authorization: `Bearer ${auth}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

function received(): string {
  store.enroll(store.createEnrollToken('kiosk-1'), '0.1.0');
  const e = submitted(1);
  store.commitBatch('kiosk-1', [e], Date.now());
  return e.caseId;
}

describe('clerk API', () => {
  it('makes its token once, mode 0600, and refuses requests without it', async () => {
    const path = join(tmp.dir, CLERK_TOKEN_FILE);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(ensureClerkToken(tmp.dir)).toBe(token);
    for (const auth of [null, 'wrong-token-wrong-token', `${token}x`]) {
      const r = await call('GET', '/clerk/cases', undefined, auth);
      expect(r.status).toBe(401);
      expect(r.json.error.code).toBe('auth.clerk');
    }
  });

  it('lists and shows cases; 404 for an unknown one', async () => {
    const id = received();
    const list = await call('GET', '/clerk/cases');
    expect(list.status).toBe(200);
    expect(list.json.cases).toEqual([expect.objectContaining({ id, kioskId: 'kiosk-1', status: 'uploaded' })]);
    expect((await call('GET', '/clerk/cases?status=accepted')).json.cases).toEqual([]);
    expect((await call('GET', '/clerk/cases?status=nonsense')).status).toBe(400);
    const one = await call('GET', `/clerk/cases/${id}`);
    expect(one.json).toMatchObject({ id, content: { id }, history: [{ to: 'uploaded' }] });
    expect((await call('GET', '/clerk/cases/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await call('GET', '/clerk/cases/not-a-uuid')).status).toBe(404);
  });

  it('sets a status with a base64 result; the kiosk gets the event; illegal moves are 409, bad bodies 400', async () => {
    const id = received();
    expect((await call('POST', `/clerk/cases/${id}/status`, { to: 'completed' })).status).toBe(409);
    const noNote = await call('POST', `/clerk/cases/${id}/status`, { to: 'refused' });
    expect(noNote.status).toBe(400);
    expect(noNote.json.error.code).toBe('case.noteRequired');
    expect((await call('POST', `/clerk/cases/${id}/status`, { to: 'accepted', extra: 1 })).status).toBe(400);
    expect((await call('POST', `/clerk/cases/${id}/status`, '{not json')).status).toBe(400);
    expect((await call('POST', `/clerk/cases/${id}/status`, { to: 'nowhere' })).status).toBe(400);
    expect((await call('GET', `/clerk/cases/${id}/status`)).status).toBe(405);
    expect((await call('POST', `/clerk/cases/${id}/status`, { to: 'accepted', actor: '李科员' })).status).toBe(200);
    const pdf = pdfBytes('决定书');
    const notPdf = await call('POST', `/clerk/cases/${id}/status`, { to: 'completed', results: [{ title: 'x', base64: Buffer.from('hello').toString('base64') }] });
    expect(notPdf.status).toBe(400);
    expect(notPdf.json.error.code).toBe('result.badType');
    const done = await call('POST', `/clerk/cases/${id}/status`, { to: 'completed', results: [{ title: '证明', mediaType: 'application/pdf', base64: pdf.toString('base64'), documentId: 'DOC-1' }] });
    expect(done.status).toBe(200);
    expect(done.json.results).toEqual([expect.objectContaining({ documentId: 'DOC-1', sm3: fileRef(pdf).sm3, source: 'endpoint' })]);
    const events = store.eventsAfter('kiosk-1', null, 10);
    expect(events.map((e) => (e.kind === 'case.status' ? e.to : e.kind))).toEqual(['accepted', 'completed']);
    expect(store.getCase(id)!.history.at(-2)).toMatchObject({ to: 'accepted', actor: '李科员' });
    // the clerk can fetch the result (and materials) by hash
    const file = await fetch(`${base}/clerk/files/${fileRef(pdf).sm3}`, { headers: { authorization: `Bearer ${token}` } });
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await file.arrayBuffer()).equals(pdf)).toBe(true);
  });

  it('correction is accepted as a word for correctionRequested', async () => {
    const id = received();
    const r = await call('POST', `/clerk/cases/${id}/status`, { to: 'correction', note: '请补交材料' });
    expect(r.status).toBe(200);
    expect(r.json.status).toBe('correctionRequested');
    expect((await call('GET', '/clerk/cases?status=correction')).json.cases).toEqual([expect.objectContaining({ id, status: 'correctionRequested' })]);
  });

  it('kiosks with the connected overlay; enrolment tokens; catalog get/put newer only', async () => {
    store.enroll(store.createEnrollToken('kiosk-1'), '0.1.0');
    connected = ['kiosk-1'];
    expect((await call('GET', '/clerk/kiosks')).json.kiosks).toEqual([expect.objectContaining({ id: 'kiosk-1', connected: true })]);
    connected = [];
    expect((await call('GET', '/clerk/kiosks')).json.kiosks[0].connected).toBe(false);

    const enrol = await call('POST', '/clerk/enroll', { kioskId: 'kiosk-2', ttlHours: 1 });
    expect(enrol.status).toBe(200);
    expect(store.enroll(enrol.json.token, '0.1.0').kioskId).toBe('kiosk-2');
    expect((await call('POST', '/clerk/enroll', { kioskId: 'bad id' })).status).toBe(400);
    expect((await call('POST', '/clerk/enroll', { kioskId: 'k', ttlHours: -1 })).status).toBe(400);

    expect((await call('GET', '/clerk/catalog')).status).toBe(404);
    expect((await call('PUT', '/clerk/catalog', { version: 2, catalog: { items: [] } })).status).toBe(200);
    expect((await call('GET', '/clerk/catalog')).json).toEqual({ version: 2, catalog: { items: [] } });
    const older = await call('PUT', '/clerk/catalog', { version: 1, catalog: { items: [] } });
    expect(older.status).toBe(409);
    expect(older.json.error.code).toBe('catalog.notNewer');
    expect((await call('PUT', '/clerk/catalog', { version: 3, catalog: [] })).status).toBe(400);
    expect(store.eventsAfter('kiosk-1', null, 10).filter((e) => e.kind === 'catalog')).toHaveLength(1);
  });

  it('refuses an oversized body with 413 and unknown paths with 404, never a crash', async () => {
    const big = await call('PUT', '/clerk/catalog', { version: 5, catalog: { blob: 'x'.repeat(3 * 1024 * 1024) } });
    expect(big.status).toBe(413);
    expect((await call('GET', '/clerk/nothing')).status).toBe(404);
    expect((await call('GET', '/clerk/files/abc')).status).toBe(404);
    expect((await call('GET', '/clerk/cases')).status).toBe(200);
  });
});
