/**
 * The personal QR code (电子身份码): the format (agent/identify/personal-code.ts) made and verified, every
 * kind of bad code refused with its own code, and the routes of a real demo agent (POST /api/identify/code,
 * POST /api/demo/personal-code): documented shapes, the key in DATA/keys/ (0600) kept across restarts,
 * nothing personal in the log.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import Database from 'better-sqlite3';
import { hmacSm3 } from '../../certs/hmac-sm3.js';
import { verifyAudit } from '../audit/verify.js';
import { startAgent, type RunningAgent } from '../agent.js';
import { CODE_REFUSALS, PERSONAL_CODE_KEY_FILE, encodePersonalCode, verifyPersonalCode, type CodeRefusal } from '../identify/personal-code.js';
import { resolveRef, schemaProblems } from './api-schema.js';
import { apiCall } from './helpers/api.js';

const key = randomBytes(32);
const holder = { name: '张示例', idNumber: '11010119900307002X' };
const NOW = new Date('2026-11-22T08:00:00Z');
const later = new Date(NOW.getTime() + 600_000);

function refusal(text: string, k: Uint8Array = key, now = NOW): CodeRefusal | undefined {
  try {
    verifyPersonalCode(k, text, now);
    return undefined;
  } catch (err) {
    return (err as { code?: CodeRefusal }).code;
  }
}

/** A code signed with `key` over a payload of our choosing (what only the key holder can make). */
function signed(payload: string, k: Uint8Array = key): string {
  const p = Buffer.from(payload, 'utf8').toString('base64url');
  return `TBID1.${p}.${Buffer.from(hmacSm3(k, [`TBID1.${p}`])).toString('base64url')}`;
}

describe('the personal code format', () => {
  it('a code made for a holder verifies to that holder and its expiry; it is compact enough for a QR code', () => {
    const text = encodePersonalCode(key, holder, later);
    expect(text).toMatch(/^TBID1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(text.length).toBeLessThan(160);
    expect(verifyPersonalCode(key, text, NOW)).toEqual({ ...holder, expiresAt: new Date(Math.floor(later.getTime() / 1000) * 1000) });
    // as scanners send it: with a line end
    expect(verifyPersonalCode(key, `${text}\r\n`, NOW).idNumber).toBe(holder.idNumber);
    // a name with a middle dot (少数民族姓名)
    expect(verifyPersonalCode(key, encodePersonalCode(key, { name: '阿依古丽·买买提', idNumber: holder.idNumber }, later), NOW).name).toBe('阿依古丽·买买提');
  });

  it('garbage, another QR code or a damaged code is code.garbled', () => {
    const good = encodePersonalCode(key, holder, later);
    for (const text of ['', '\u0002\u00ff@@##\u001b[0m', 'https://example.gov.cn/qr?id=1', '6222000000000000000', good.slice(0, good.lastIndexOf('.')), `${good}.extra`, good.replace(/\.[^.]+$/, '.!!!'), 'TBID1..', `TBID1.${'A'.repeat(600)}.x`]) {
      expect(refusal(text), JSON.stringify(text)).toBe('code.garbled');
    }
    // a tag cut short
    expect(refusal(good.slice(0, -4))).toBe('code.garbled');
  });

  it('a code whose payload or tag was changed, or made with another key, is code.forged', () => {
    const good = encodePersonalCode(key, holder, later);
    const [v, payload, tag] = good.split('.') as [string, string, string];
    const other = encodePersonalCode(key, { name: '李演示', idNumber: '440306198512120042' }, later).split('.')[1]!;
    expect(refusal(`${v}.${other}.${tag}`)).toBe('code.forged'); // someone else's data under this tag
    const flipped = (tag[5] === 'A' ? 'B' : 'A');
    expect(refusal(`${v}.${payload}.${tag.slice(0, 5)}${flipped}${tag.slice(6)}`)).toBe('code.forged');
    expect(refusal(encodePersonalCode(randomBytes(32), holder, later))).toBe('code.forged');
  });

  it('a verified code past its time is code.expired; another version of the format is code.unknown', () => {
    expect(refusal(encodePersonalCode(key, holder, new Date(NOW.getTime() - 1000)))).toBe('code.expired');
    expect(refusal(encodePersonalCode(key, holder, NOW))).toBe('code.expired');
    expect(refusal(encodePersonalCode(key, holder, later).replace(/^TBID1/, 'TBID2'))).toBe('code.unknown');
  });

  it('the ID number must carry a valid GB 11643 check character: not made, and refused when signed anyway', () => {
    expect(() => encodePersonalCode(key, { name: '张示例', idNumber: '110101199003070021' }, later)).toThrow(/check character/);
    expect(() => encodePersonalCode(key, { name: '', idNumber: holder.idNumber }, later)).toThrow(/name/);
    expect(() => encodePersonalCode(key, { name: '张|三', idNumber: holder.idNumber }, later)).toThrow(/name/);
    const seconds = Math.floor(later.getTime() / 1000);
    expect(refusal(signed(`110101199003070021|${seconds}|张示例`))).toBe('code.garbled');
    expect(refusal(signed(`${holder.idNumber}|soon|张示例`))).toBe('code.garbled');
    expect(refusal(signed(`${holder.idNumber}|${seconds}|张示例|extra`))).toBe('code.garbled');
    expect(refusal(signed(`${holder.idNumber}|${seconds}|张示例`))).toBeUndefined();
  });

  it('every refusal has a plain Chinese message that says what to do', () => {
    for (const message of Object.values(CODE_REFUSALS)) expect(message).toMatch(/^[^a-zA-Z]*请/);
  });
});

type Json = Record<string, any>;
const doc = JSON.parse(readFileSync(new URL('../api/openapi.json', import.meta.url), 'utf8')) as Json;
function responseSchema(path: string, status: number): Json {
  let r = doc.paths[path].post.responses[String(status)] as Json;
  if (r.$ref) r = resolveRef(doc, r.$ref);
  return r.content['application/json'].schema;
}

describe('POST /api/identify/code and POST /api/demo/personal-code on a demo agent', () => {
  let dataDir: string;
  let agent: RunningAgent;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tongban-identify-'));
    agent = await startAgent({ dataDir, port: 0, logLevel: 'info' });
  });
  afterAll(async () => {
    await agent?.stop('test over');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a demo code for the configured card identifies its holder, as documented', async () => {
    const made = await apiCall(agent, 'POST', '/api/demo/personal-code', {});
    expect(made.status).toBe(200);
    expect(schemaProblems(doc, responseSchema('/api/demo/personal-code', 200), made.json)).toEqual([]);
    const r = await apiCall(agent, 'POST', '/api/identify/code', { text: made.json.text });
    expect(r.status).toBe(200);
    expect(schemaProblems(doc, responseSchema('/api/identify/code', 200), r.json)).toEqual([]);
    expect(r.json).toEqual({ applicant: { name: '张示例', idNumber: '11010119900307002X', source: 'code' }, expiresAt: made.json.expiresAt });
    // another fixture's person
    const other = await apiCall(agent, 'POST', '/api/demo/personal-code', { fixture: 'gat-j.json' });
    expect((await apiCall(agent, 'POST', '/api/identify/code', { text: other.json.text })).json.applicant).toEqual({ name: '陈样本', idNumber: '810000199506150025', source: 'code' });
  });

  it('refusals are 422 with their own code and the Chinese text, in the documented Error shape', async () => {
    const expired = (await apiCall(agent, 'POST', '/api/demo/personal-code', { validSeconds: -60 })).json.text as string;
    const good = (await apiCall(agent, 'POST', '/api/demo/personal-code', {})).json.text as string;
    const forged = encodePersonalCode(randomBytes(32), holder, later);
    const cases: [string, CodeRefusal][] = [
      [expired, 'code.expired'],
      [forged, 'code.forged'],
      ['\u0002\u00ff\u00fe@@garbage\u0007', 'code.garbled'],
      [good.slice(0, 30), 'code.garbled'],
      [good.replace(/^TBID1/, 'TBID7'), 'code.unknown'],
    ];
    for (const [text, code] of cases) {
      const r = await apiCall(agent, 'POST', '/api/identify/code', { text });
      expect(r.status, code).toBe(422);
      expect(r.json).toEqual({ error: { code, message: CODE_REFUSALS[code], field: 'text' } });
      expect(schemaProblems(doc, responseSchema('/api/identify/code', 422), r.json)).toEqual([]);
    }
    // a malformed request is still a 400
    expect((await apiCall(agent, 'POST', '/api/identify/code', { text: 12 })).status).toBe(400);
    expect((await apiCall(agent, 'POST', '/api/identify/code', { text: 'x'.repeat(4097) })).status).toBe(400);
  });

  it('the documented example is a well-formed code under an all-zero key: this agent refuses it as forged', async () => {
    const example = doc.paths['/api/identify/code'].post.requestBody.content['application/json'].example.text as string;
    expect(verifyPersonalCode(new Uint8Array(32), example, new Date(1_794_444_399_000))).toMatchObject(holder);
    const r = await apiCall(agent, 'POST', '/api/identify/code', { text: example });
    expect(r.json.error.code).toBe('code.forged');
  });

  it('a fixture without an 18-character ID number gets no code (400)', async () => {
    const r = await apiCall(agent, 'POST', '/api/demo/personal-code', { fixture: 'foreigner-i.json' });
    expect(r.status).toBe(400);
    expect(r.json.error).toMatchObject({ code: 'invalid', field: 'fixture' });
  });

  it('PUT /api/demo/card-reader unreadable: the next card read fails as a damaged card does, the one after reads', async () => {
    await apiCall(agent, 'POST', '/api/demo/card', {});
    const set = await apiCall(agent, 'PUT', '/api/demo/card-reader', { fault: 'unreadable' });
    expect(set.status).toBe(200);
    expect(set.json.card).toBe(true);
    const ws = new WebSocket(new URL('api/ws', agent.url.replace('http', 'ws')), { headers: { authorization: `Bearer ${agent.token}` } });
    const completions = new Map<number, any>();
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString());
      if (m.header.type === 'completion') completions.set(m.header.requestId, m);
    });
    await new Promise((r) => ws.once('open', r));
    const read = async (requestId: number): Promise<any> => {
      ws.send(JSON.stringify({ header: { name: 'IdentityCard.ReadCard', requestId, type: 'command', version: '1.0', timeout: 20000 }, payload: {} }));
      while (!completions.has(requestId)) await new Promise((r) => setTimeout(r, 20));
      return completions.get(requestId);
    };
    try {
      const failed = await read(1);
      expect(failed.header.completionCode).toBe('commandErrorCode');
      expect(failed.payload.errorCode).toBe('idcard.sw3.41');
      expect((await read(2)).header.completionCode).toBe('success');
    } finally {
      ws.close();
    }
    expect((await apiCall(agent, 'PUT', '/api/demo/card-reader', { fault: 'none' })).status).toBe(200);
    expect((await apiCall(agent, 'PUT', '/api/demo/card-reader', { fault: 'broken' })).status).toBe(400);
    await apiCall(agent, 'DELETE', '/api/demo/card');
  });

  it('the key is DATA/keys/identity-code.secret (0600) and survives a restart: a code made before verifies after', async () => {
    const path = join(dataDir, 'keys', PERSONAL_CODE_KEY_FILE);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(path).size).toBe(32);
    const text = (await apiCall(agent, 'POST', '/api/demo/personal-code', {})).json.text as string;
    await agent.stop('restart');
    agent = await startAgent({ dataDir, port: 0, logLevel: 'info' });
    expect((await apiCall(agent, 'POST', '/api/identify/code', { text })).status).toBe(200);
  });

  it('each verification is audited (type identity) with its outcome only; the chain verifies', async () => {
    const db = new Database(join(dataDir, 'store.db'), { readonly: true });
    try {
      const rows = db.prepare("SELECT actor, subject, details FROM audit_log WHERE type = 'identity'").all() as { actor: string; subject: string | null; details: string }[];
      const outcomes = rows.map((r) => JSON.parse(r.details) as { method: string; outcome: string });
      expect(outcomes.every((o) => o.method === 'personalCode')).toBe(true);
      expect(new Set(outcomes.map((o) => o.outcome))).toEqual(new Set(['verified', 'code.expired', 'code.forged', 'code.garbled', 'code.unknown']));
      expect(rows.every((r) => r.actor === 'citizen' && r.subject === null)).toBe(true);
      for (const secret of ['张示例', '11010119900307002X', '陈样本', '810000199506150025']) expect(JSON.stringify(rows)).not.toContain(secret);
      expect(verifyAudit(db)).toMatchObject({ ok: true });
    } finally {
      db.close();
    }
  });

  it('the log has the outcomes, never a name, an ID number or a code', async () => {
    const text = (await apiCall(agent, 'POST', '/api/demo/personal-code', {})).json.text as string;
    await apiCall(agent, 'POST', '/api/identify/code', { text });
    await apiCall(agent, 'POST', '/api/identify/code', { text: text.slice(0, -3) + 'AAA' });
    const log = readFileSync(join(dataDir, 'logs', 'agent.log'), 'utf8');
    expect(log).toContain('personal code verified');
    expect(log).toContain('code.forged');
    for (const secret of ['张示例', '11010119900307002X', '陈样本', '810000199506150025', text.split('.')[1]!, text.split('.')[2]!.slice(0, 20)]) expect(log).not.toContain(secret);
  });
});
