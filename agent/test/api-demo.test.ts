import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { verifyAudit } from '../audit/verify.js';
import { startAgent } from '../agent.js';

describe('demo mode with a simulator that cannot start', () => {
  it('the agent starts anyway: that device is not online, its demo route answers 503 saying why, the others work', async () => {
    const data = mkdtempSync(join(tmpdir(), 'tongban-demo-broken-'));
    mkdirSync(join(data, 'run'), { recursive: true });
    writeFileSync(join(data, 'run', 'scanner'), 'not a pty'); // a path the scanner simulator must not take over
    const agent = await startAgent({ dataDir: data, port: 0, logLevel: 'error' });
    try {
      const call = async (method: string, path: string, body?: unknown) => {
        const res = await fetch(new URL(path, agent.url), {
          method,
          headers: { authorization: `Bearer ${agent.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
          ...(body ? { body: JSON.stringify(body) } : {}),
        });
        return { status: res.status, json: (await res.json()) as Record<string, any> };
      };
      expect((await call('GET', 'api/demo')).json).toMatchObject({ unavailable: ['scanner'] });
      const scan = await call('POST', 'api/demo/scan', { text: 'x' });
      expect(scan.status).toBe(503);
      expect(scan.json.error).toMatchObject({ code: 'env.simulator', message: expect.stringMatching(/^the demo's scanner simulator is not running \(.*not a symlink/) });
      expect((await call('GET', 'api/devices/scanner')).json.state).not.toBe('online');
      expect((await call('POST', 'api/demo/card', {})).json).toMatchObject({ card: true });
      expect((await call('GET', 'api/devices/idcard')).json.state).toBe('online');
    } finally {
      await agent.stop('test over');
    }
  });
});

describe('device records', () => {
  it('a card read and a print over the WebSocket are audited (without personal data); device state changes are kept as device events', async () => {
    const data = mkdtempSync(join(tmpdir(), 'tongban-demo-records-'));
    const agent = await startAgent({ dataDir: data, port: 0, logLevel: 'error' });
    try {
      const auth = { authorization: `Bearer ${agent.token}` };
      await fetch(new URL('api/demo/card', agent.url), { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{}' });
      const ws = new WebSocket(new URL('api/ws', agent.url.replace('http', 'ws')), { headers: auth });
      const completions = new Map<number, any>();
      ws.on('message', (d) => {
        const m = JSON.parse(d.toString());
        if (m.header.type === 'completion') completions.set(m.header.requestId, m);
      });
      await new Promise((r) => ws.once('open', r));
      ws.send(JSON.stringify({ header: { name: 'IdentityCard.ReadCard', requestId: 1, type: 'command', version: '1.0', timeout: 20000 }, payload: {} }));
      ws.send(JSON.stringify({ header: { name: 'Printer.PrintForm', requestId: 2, type: 'command', version: '1.0', timeout: 20000 }, payload: { receipt: { title: '受理回执', lines: ['申办流水号：3416002611210318'] } } }));
      while (completions.size < 2) await new Promise((r) => setTimeout(r, 20));
      expect(completions.get(1).header.completionCode).toBe('success');
      expect(completions.get(2).header.completionCode).toBe('success');
      const cardName = completions.get(1).payload.card.name as string;
      await fetch(new URL('api/demo/paper', agent.url), { method: 'PUT', headers: { ...auth, 'content-type': 'application/json' }, body: '{"paper":"out"}' });
      // the printer's idle poll notices the paper (options.statusPollMs 1 s in demo mode)
      for (;;) {
        const h = (await (await fetch(new URL('api/devices/receipt', agent.url), { headers: auth })).json()) as { device?: { paper?: string } };
        if (h.device?.paper === 'out') break;
        await new Promise((r) => setTimeout(r, 50));
      }
      ws.close();
      await agent.stop('test over');
      const db = new Database(join(data, 'store.db'), { readonly: true });
      try {
        const audit = db.prepare("SELECT type, actor, details FROM audit_log WHERE type IN ('cardRead', 'print') ORDER BY type").all() as { type: string; actor: string; details: string }[];
        // the two devices work at once: in the order of their types
        expect(audit.map((a) => [a.type, JSON.parse(a.details)])).toEqual([
          ['cardRead', { device: 'idcard', cardType: expect.any(String) }],
          ['print', { device: 'receipt', command: 'Printer.PrintForm', bytes: expect.any(Number) }],
        ]);
        expect(JSON.stringify(audit)).not.toContain(cardName);
        expect(verifyAudit(db)).toMatchObject({ ok: true });
        const events = db.prepare("SELECT device, type, details FROM device_events WHERE device = 'receipt'").all() as { details: string }[];
        expect(events.map((e) => JSON.parse(e.details))).toContainEqual(expect.objectContaining({ device: expect.objectContaining({ paper: 'out' }) }));
      } finally {
        db.close();
      }
    } finally {
      await agent.stop('test over');
    }
  });
});
