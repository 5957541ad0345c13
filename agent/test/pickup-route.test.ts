/**
 * 取件打印 over the local API, end to end: a real demo agent with its embedded reference endpoint; one
 * person's case syncs to the endpoint, a clerk completes it there with a result PDF (`tongban endpoint
 * set-status completed --result`, the real CLI), the result comes back to the kiosk; another of their
 * cases gets a certificate issued on site. POST /api/pickup lists exactly that person's cases with the
 * status in plain words and both documents; another person's case never shows; an unknown person is an
 * empty list; a wrong check character is refused; a document printed on the (demo) A4 printer is marked
 * printed; each lookup is audited with the number masked.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleData } from '../../certs/pdf/templates/index.js';
import { startAgent, type RunningAgent } from '../agent.js';
import { exampleCase } from '../cases/example.js';
import { demoCatalog } from '../catalog/catalog.js';
import { requireItem } from '../catalog/index.js';
import { STORE_FILE } from '../store/store.js';
import { apiCall } from './helpers/api.js';
import { withCheck } from './helpers/pii.js';
import { RESULT_PDF, tongbanAsync, until } from './helpers/sync.js';

const PERSON = withCheck('34160219850505123');
const OTHER = withCheck('34160219700101456');
const NAME = '取件测试';

let dir: string;
let agent: RunningAgent;
const call = (method: string, path: string, body?: unknown) => apiCall(agent, method, path, body);

function caseFor(code: string, idNumber: string): Record<string, unknown> {
  const input = exampleCase(requireItem(demoCatalog(), code)) as { applicant: Record<string, string> };
  input.applicant = { ...input.applicant, idNumber, name: NAME };
  return input;
}

let synced = '';
let issued = '';
let other = '';
let documentId = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tongban-pickup-'));
  // The default demo agent: simulators, the demo certificate signer and the embedded endpoint (DATA/endpoint).
  agent = await startAgent({ dataDir: join(dir, 'data'), port: 0, logLevel: 'info' });
  synced = (await call('POST', '/api/cases', caseFor('341600-YB-0001', PERSON))).json.case.id;
  other = (await call('POST', '/api/cases', caseFor('341600-YB-0001', OTHER))).json.case.id;
  // On site: the certificate names the applicant.
  issued = (await call('POST', '/api/cases', caseFor('341600-SB-0003', PERSON))).json.case.id;
  const data = structuredClone(exampleData('social-insurance-proof')) as Record<string, any>;
  data.person.name = NAME;
  data.person.idNumber = PERSON;
  data.documentId = 'SB-341600-20261122-000001';
  const done = await call('POST', `/api/cases/${issued}/issue`, { data });
  expect(done.status, JSON.stringify(done.json)).toBe(201);
  documentId = done.json.documentId;

  // The clerk at the endpoint completes the synced case with a result PDF; it comes back to the kiosk.
  const endpointData = join(dir, 'data', 'endpoint');
  await until('uploaded', async () => ((await call('GET', `/api/cases/${synced}`)).json.status === 'uploaded' ? true : undefined));
  const pdf = join(dir, 'result.pdf');
  writeFileSync(pdf, RESULT_PDF);
  for (const step of [['accepted'], ['completed', '--result', pdf, '--title', '异地就医备案结果']]) {
    const r = await tongbanAsync(['endpoint', 'set-status', '--data', endpointData, synced, ...step]);
    expect(r.code, r.stderr).toBe(0);
  }
  await until('completed at the kiosk', async () => ((await call('GET', `/api/cases/${synced}`)).json.status === 'completed' ? true : undefined));
}, 60_000);

afterAll(async () => {
  await agent?.stop('test over');
  rmSync(dir, { recursive: true, force: true });
});

describe('POST /api/pickup', () => {
  it('lists the person’s cases, newest first, with the status in plain words and the documents the kiosk can print', async () => {
    const r = await call('POST', '/api/pickup', { idNumber: PERSON });
    expect(r.status).toBe(200);
    const resultId = (await call('GET', `/api/cases/${synced}`)).json.results[0].documentId as string;
    expect(r.json.cases).toEqual([
      {
        id: issued,
        serial: expect.any(String),
        itemName: requireItem(demoCatalog(), '341600-SB-0003').name,
        status: 'completed',
        statusLabel: '已办结',
        updatedAt: expect.any(String),
        documents: [{ id: documentId, title: expect.any(String), kind: 'certificate', printed: false }],
      },
      {
        id: synced,
        serial: expect.any(String),
        itemName: requireItem(demoCatalog(), '341600-YB-0001').name,
        status: 'completed',
        statusLabel: '已办结',
        updatedAt: expect.any(String),
        documents: [{ id: resultId, title: '异地就医备案结果', kind: 'result', printed: false }],
      },
    ]);
    expect(JSON.stringify(r.json)).not.toContain(other);
  });

  it('says which documents were printed at this kiosk: the one printed on the A4 printer, not the other', async () => {
    const resultId = (await call('GET', `/api/cases/${synced}`)).json.results[0].documentId as string;
    const printed = await call('POST', `/api/cases/${synced}/documents/${encodeURIComponent(resultId)}/print`);
    expect(printed.status, JSON.stringify(printed.json)).toBe(201);
    const r = await call('POST', '/api/pickup', { idNumber: PERSON });
    const docs = Object.fromEntries(r.json.cases.flatMap((c: any) => c.documents).map((d: any) => [d.id, d.printed]));
    expect(docs).toEqual({ [resultId]: true, [documentId]: false });
  });

  it('takes the ID number in any letter case and with spaces around; a case under way is listed with no documents', async () => {
    const x = withCheck('34160219991231018');
    expect(x.endsWith('X')).toBe(true);
    const id = (await call('POST', '/api/cases', caseFor('341600-YB-0001', x))).json.case.id;
    const r = await call('POST', '/api/pickup', { idNumber: ` ${x.toLowerCase()} ` });
    expect(r.status).toBe(200);
    expect(r.json.cases).toEqual([expect.objectContaining({ id, status: expect.stringMatching(/^(submitted|uploaded)$/), statusLabel: expect.stringMatching(/^(已申报|已报送)$/), documents: [] })]);
  });

  it('a case sent back for correction carries the endpoint’s note for the applicant', async () => {
    const person = withCheck('34160219660606321');
    const id = (await call('POST', '/api/cases', caseFor('341600-YB-0001', person))).json.case.id;
    await until('uploaded', async () => ((await call('GET', `/api/cases/${id}`)).json.status === 'uploaded' ? true : undefined));
    const note = '请补充参保证明原件的清晰扫描件';
    const r = await tongbanAsync(['endpoint', 'set-status', '--data', join(dir, 'data', 'endpoint'), id, 'correction', '--note', note]);
    expect(r.code, r.stderr).toBe(0);
    await until('correction at the kiosk', async () => ((await call('GET', `/api/cases/${id}`)).json.status === 'correctionRequested' ? true : undefined));
    const list = await call('POST', '/api/pickup', { idNumber: person });
    expect(list.json.cases).toEqual([expect.objectContaining({ id, status: 'correctionRequested', statusLabel: '待补正', note, documents: [] })]);
  });

  it('an unknown person has nothing to pick up: an empty list, not an error', async () => {
    const r = await call('POST', '/api/pickup', { idNumber: withCheck('11010119800101777') });
    expect(r).toEqual({ status: 200, json: { cases: [] } });
  });

  it('refuses an ID number whose check character is wrong (or that is no ID number), naming the field', async () => {
    const wrong = PERSON.slice(0, 17) + (PERSON[17] === '0' ? '1' : '0');
    for (const idNumber of [wrong, '12345', 'abcdefghijklmnopqr']) {
      const r = await call('POST', '/api/pickup', { idNumber });
      expect(r.status).toBe(400);
      expect(r.json.error).toMatchObject({ code: 'pickup.badIdNumber', field: 'idNumber' });
    }
    const none = await call('POST', '/api/pickup', {});
    expect(none.status).toBe(400);
  });

  it('audits each lookup (identity, purpose pickup, the number masked), and the number is in clear nowhere in the audit log or the agent log', async () => {
    await call('POST', '/api/pickup', { idNumber: PERSON });
    const db = new Database(join(dir, 'data', STORE_FILE), { readonly: true });
    try {
      const rows = db.prepare("SELECT actor, subject, details FROM audit_log WHERE type = 'identity'").all() as { actor: string; subject: string | null; details: string }[];
      const mine = rows.map((r) => ({ ...r, details: JSON.parse(r.details) })).filter((r) => r.details.purpose === 'pickup' && r.details.who === `${PERSON.slice(0, 4)}**********${PERSON.slice(-4)}`);
      expect(mine.length).toBeGreaterThanOrEqual(3);
      expect(mine.at(-1)).toMatchObject({ actor: 'citizen', subject: expect.stringMatching(/^applicant:/), details: { cases: 2, documents: 2 } });
      const all = JSON.stringify(db.prepare('SELECT * FROM audit_log').all());
      expect(all).not.toContain(PERSON);
    } finally {
      db.close();
    }
    expect(readFileSync(join(dir, 'data', 'logs', 'agent.log'), 'utf8')).not.toContain(PERSON);
  });
});
