import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startAgent, type RunningAgent } from '../agent.js';
import { parseConfig } from '../config/config.js';

let agent: RunningAgent;
let data: string;

beforeAll(async () => {
  data = mkdtempSync(join(tmpdir(), 'tongban-api-'));
  agent = await startAgent({ dataDir: data, port: 0, logLevel: 'error', config: parseConfig({ api: { maxBodyBytes: 2048 } }) });
});
afterAll(async () => {
  await agent?.stop('test over');
});

async function call(method: string, path: string, options: { body?: unknown; raw?: string; token?: string | null; type?: string } = {}) {
  const headers: Record<string, string> = {};
  const token = options.token === undefined ? agent.token : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const text = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (text !== undefined) headers['content-type'] = options.type ?? 'application/json';
  const res = await fetch(new URL(path.slice(1), agent.url), { method, headers, ...(text !== undefined ? { body: text } : {}) });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, any> };
}

describe('local API: access', () => {
  it('makes the token at first start, 0600, and keeps it', () => {
    const file = join(data, 'api-token');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(agent.token);
    expect(agent.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('serves /api/health without the token and nothing else', async () => {
    const health = await call('GET', '/api/health', { token: null });
    expect(health.status).toBe(200);
    expect(health.json).toMatchObject({ status: 'ok', demo: true, pid: process.pid });
    for (const token of [null, 'x'.repeat(43), agent.token.slice(1)]) {
      const r = await call('GET', '/api/devices', { token });
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toBe('Bearer realm="tongban"');
      expect(r.json).toEqual({ error: { code: 'unauthorized', message: expect.stringContaining('bearer token') } });
    }
  });

  it('listens on the loopback interface only', () => {
    expect(new URL(agent.url).hostname).toBe('127.0.0.1');
  });
});

describe('local API: every request checked, every refusal a JSON error', () => {
  it('404 and 405 with Allow', async () => {
    expect(await call('GET', '/api/nowhere')).toMatchObject({ status: 404, json: { error: { code: 'notFound' } } });
    const r = await call('DELETE', '/api/devices');
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('GET');
    expect(r.json.error.code).toBe('methodNotAllowed');
  });

  it('refuses a wrong content type, bad JSON, a body too large, a body where none is taken', async () => {
    expect(await call('POST', '/api/demo/scan', { raw: 'text=1', type: 'text/plain' })).toMatchObject({ status: 415, json: { error: { code: 'unsupportedMediaType' } } });
    expect(await call('POST', '/api/demo/scan', { raw: '{"text": ' })).toMatchObject({ status: 400, json: { error: { code: 'badJson' } } });
    expect(await call('POST', '/api/demo/scan', { body: { text: 'x'.repeat(3000) } })).toMatchObject({ status: 413, json: { error: { code: 'tooLarge' } } });
    expect(await call('POST', '/api/demo/scan')).toMatchObject({ status: 400, json: { error: { code: 'invalid', field: 'body' } } });
    expect(await call('DELETE', '/api/demo/card', { body: {} })).toMatchObject({ status: 400, json: { error: { code: 'unexpectedBody' } } });
  });

  it('names the field of a body that does not check', async () => {
    expect((await call('PUT', '/api/demo/paper', { body: { paper: 'wet' } })).json).toEqual({
      error: { code: 'invalid', message: 'paper must be one of ok, nearEnd, out', field: 'paper' },
    });
    expect((await call('PUT', '/api/demo/paper', { body: { paper: 'ok', colour: 'white' } })).json.error).toMatchObject({ code: 'invalid', field: 'colour' });
    expect((await call('POST', '/api/demo/scan', { body: [] })).json.error).toMatchObject({ code: 'invalid', message: 'value must be an object, not an array' });
    expect((await call('POST', '/api/demo/card', { body: { fixture: '../../etc/passwd' } })).json.error).toMatchObject({ code: 'invalid', field: 'fixture' });
    expect((await call('GET', '/api/devices/nope')).json.error).toMatchObject({ code: 'unknownDevice', field: 'id' });
  });

  it('answers a body streamed past the limit (no content-length) with 413', async () => {
    const { port } = new URL(agent.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/api/demo/scan', headers: { authorization: `Bearer ${agent.token}`, 'content-type': 'application/json' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write('{"text":"' + 'x'.repeat(4096));
      req.end('"}');
    });
    expect(status).toBe(413);
  });
});

function connect(path: string, options: { token?: string; protocols?: string[] } = {}): Promise<{ ws: WebSocket; messages: any[]; next: (pred: (m: any) => boolean) => Promise<any> }> {
  return new Promise((resolve, reject) => {
    const url = new URL(path.slice(1), agent.url.replace('http', 'ws'));
    const ws = new WebSocket(url, options.protocols ?? [], options.token === undefined ? {} : { headers: { authorization: `Bearer ${options.token}` } });
    const messages: any[] = [];
    const waiters = new Set<{ pred: (m: any) => boolean; resolve: (m: any) => void }>();
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString());
      messages.push(m);
      for (const w of waiters) {
        if (!w.pred(m)) continue;
        waiters.delete(w);
        w.resolve(m);
      }
    });
    ws.on('open', () =>
      resolve({
        ws,
        messages,
        next: (pred) =>
          new Promise((r) => {
            const found = messages.find(pred);
            if (found) return r(found);
            waiters.add({ pred, resolve: r });
          }),
      }),
    );
    ws.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.on('error', reject);
  });
}

describe('local API: the devices over WebSocket', () => {
  it('refuses a socket without the token or for a device that is not configured', async () => {
    await expect(connect('/api/ws')).rejects.toThrow('HTTP 401');
    await expect(connect('/api/ws', { token: 'nope' })).rejects.toThrow('HTTP 401');
    await expect(connect('/api/ws/devices/nope', { token: agent.token })).rejects.toThrow('HTTP 404');
  });

  it('reads the card put on the simulated reader by the demo route (XFS4IoT command, acknowledge, events, completion)', async () => {
    await call('DELETE', '/api/demo/card');
    const c = await connect('/api/ws', { token: agent.token });
    c.ws.send(JSON.stringify({ header: { name: 'IdentityCard.ReadCard', requestId: 7, type: 'command', version: '1.0', timeout: 20000 }, payload: {} }));
    expect(await c.next((m) => m.header.type === 'acknowledge')).toMatchObject({ header: { requestId: 7 } });
    await c.next((m) => m.header.name === 'IdentityCard.InsertCardEvent');
    expect((await call('POST', '/api/demo/card', { body: {} })).json).toMatchObject({ card: true });
    const done = await c.next((m) => m.header.type === 'completion');
    expect(done.header).toMatchObject({ name: 'IdentityCard.ReadCard', requestId: 7, completionCode: 'success' });
    expect(done.payload.card.idNumber).toMatch(/^\d{17}[\dX]$/);
    c.ws.close();
  });

  it('answers a malformed message with an invalidMessage acknowledge, and keeps the socket', async () => {
    const c = await connect('/api/ws', { token: agent.token });
    c.ws.send('not json');
    expect((await c.next((m) => m.header.type === 'acknowledge')).header.status).toBe('invalidMessage');
    c.ws.send(JSON.stringify({ header: { name: 'Common.Status', requestId: 2, type: 'command', version: '1.0' }, payload: {} }));
    const status = await c.next((m) => m.header.type === 'completion');
    expect(status.payload.devices.map((d: { id: string }) => d.id)).toEqual(['idcard', 'scanner', 'receipt', 'a4']);
    c.ws.close();
  });

  it('a device endpoint (token as a subprotocol, as a browser sends it) gets the scan driven by the demo route, and unsolicited status', async () => {
    const c = await connect('/api/ws/devices/scanner', { protocols: ['tongban', `bearer.${agent.token}`] });
    expect(c.ws.protocol).toBe('tongban');
    c.ws.send(JSON.stringify({ header: { name: 'BarcodeReader.Read', requestId: 1, type: 'command', version: '1.0', timeout: 20000 }, payload: {} }));
    await c.next((m) => m.header.type === 'acknowledge');
    await call('POST', '/api/demo/scan', { body: { text: 'https://zwfw.example.cn/qr/12345' } });
    const done = await c.next((m) => m.header.type === 'completion');
    expect(done.payload.codes[0].text).toBe('https://zwfw.example.cn/qr/12345');

    const all = await connect('/api/ws', { token: agent.token });
    await call('PUT', '/api/demo/paper', { body: { paper: 'out' } });
    const changed = await all.next((m) => m.header.name === 'Common.StatusChangedEvent' && m.payload.device === 'receipt' && m.payload.status.device?.paper === 'out');
    expect(changed.header.type).toBe('unsolicited');
    // the scanner's endpoint hears only the scanner
    expect(c.messages.some((m) => m.header.type === 'unsolicited' && m.payload.device !== 'scanner')).toBe(false);
    await call('PUT', '/api/demo/paper', { body: { paper: 'ok' } });
    c.ws.close();
    all.ws.close();
  });
});
