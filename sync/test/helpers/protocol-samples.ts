/** One valid example of every protocol message (both directions), for round-trip and mutation tests. */
import type { EndpointTextMessage, KioskTextMessage } from '../../protocol/index.js';

export const SM3_A = 'a'.repeat(64);
export const SM3_B = '0123456789abcdef'.repeat(4);
export const CASE_ID = '0192f1a0-7c3b-7d4e-8f00-0123456789ab';
export const EVENT_ID = '0192f1a0-7c3b-7d4e-8f00-ba9876543210';

export const CONTENT = {
  format: 1,
  id: CASE_ID,
  itemCode: '341600-GJJ-0002',
  catalogVersion: 1,
  applicant: { source: 'idCard', idType: 'resident', idNumber: '341602199001011234', name: '王演示' },
  form: { periodFrom: '2024-01', periodTo: '2026-10', purpose: '子女入学' },
  materials: [{ id: 'idcard', provision: 'attached', form: '原件', sm3: SM3_B, size: 1234, mediaType: 'image/jpeg' }],
};

export const RESULT = { sm3: SM3_A, size: 40_000, mediaType: 'application/pdf', documentId: 'GJJ-2026-000123', title: '住房公积金缴存证明' } as const;

export const KIOSK_SAMPLES: readonly KioskTextMessage[] = [
  { v: 1, type: 'enroll', token: 'tok_0123456789abcdef', agentVersion: '0.1.0' },
  { v: 1, type: 'hello', kioskId: 'hall-3.kiosk_07', secret: 'c2VjcmV0LXNlY3JldA', agentVersion: '0.1.0', caseFormat: 1, cursor: null },
  { v: 1, type: 'hello', kioskId: 'k1', secret: 's', agentVersion: '0.1.0', caseFormat: 1, cursor: '42' },
  {
    v: 1,
    type: 'cases',
    batch: [
      { seq: 1, caseId: CASE_ID, region: '341600', kind: 'case.submitted', payload: { serial: '341600-20261121-0123456789', contentHash: SM3_A, content: CONTENT } },
      { seq: 2, caseId: CASE_ID, region: '341600', kind: 'case.contentChanged', payload: { contentHash: SM3_B, content: CONTENT } },
      {
        seq: 5,
        caseId: CASE_ID,
        region: '341600',
        kind: 'case.transition',
        payload: { from: 'accepted', to: 'completed', at: '2026-11-21T21:48:38.123Z', contentHash: SM3_A, results: [RESULT] },
      },
      {
        seq: 6,
        caseId: CASE_ID,
        region: '341600',
        kind: 'case.transition',
        payload: { from: 'correctionRequested', to: 'submitted', at: '2026-11-21T21:48:38+08:00', contentHash: SM3_B, note: '已补正', content: CONTENT, results: [] },
      },
    ],
  },
  { v: 1, type: 'file.offer', sm3: SM3_B, size: 1234, mediaType: 'image/jpeg' },
  { v: 1, type: 'file.offer', sm3: SM3_B, size: 0, mediaType: 'image/png' },
  { v: 1, type: 'file.get', sm3: SM3_A, offset: 524288 },
  { v: 1, type: 'events.ack', cursor: '9007199254740993' },
  {
    v: 1,
    type: 'heartbeat',
    devices: [{ device: 'printer', state: 'ok' }, { device: 'idcard', state: 'error', detail: 'port closed' }],
    queue: { pending: 3, quarantined: 1, unrouted: 0, inboxUnapplied: 0 },
    auditHead: { seq: 812, hash: SM3_B },
  },
  { v: 1, type: 'heartbeat', devices: [], queue: { pending: 0, quarantined: 0, unrouted: 0, inboxUnapplied: 0 }, auditHead: null },
];

export const ENDPOINT_SAMPLES: readonly EndpointTextMessage[] = [
  { v: 1, type: 'enrolled', kioskId: 'hall-3.kiosk_07', secret: 'c2VjcmV0LXNlY3JldA' },
  { v: 1, type: 'welcome', endpointId: 'ep-0192f1a0', regions: ['*'], heartbeatMs: 30_000, window: { entries: 1000, chunks: 8 }, highestSeq: 0 },
  { v: 1, type: 'welcome', endpointId: 'ep-1', regions: ['310000', '341600'], heartbeatMs: 1, window: { entries: 1, chunks: 1 }, highestSeq: 77 },
  {
    v: 1,
    type: 'ack',
    results: [
      { seq: 1, outcome: 'committed' },
      { seq: 2, outcome: 'duplicate' },
      { seq: 3, outcome: 'rejected', code: 'case.hashMismatch', reason: 'content does not hash to contentHash' },
      { seq: 4, outcome: 'retry', code: 'files.missing', reason: 'file not complete', retryAfterMs: 2000 },
    ],
  },
  { v: 1, type: 'file.status', sm3: SM3_B, committed: 0, complete: false },
  { v: 1, type: 'file.ack', sm3: SM3_B, committed: 1234, complete: true },
  { v: 1, type: 'file.rejected', sm3: SM3_B, code: 'file.badOffset', reason: 'offset 10 is not the committed offset 0' },
  {
    v: 1,
    type: 'events',
    events: [
      { cursor: '7', id: EVENT_ID, kind: 'case.status', caseId: CASE_ID, to: 'accepted', results: [], at: '2026-11-21T21:50:00.000Z' },
      { cursor: '8', id: EVENT_ID, kind: 'case.status', caseId: CASE_ID, to: 'correctionRequested', note: '请补交户口簿', results: [], at: '2026-11-21T21:50:00.000Z' },
      { cursor: '9', id: EVENT_ID, kind: 'case.status', caseId: CASE_ID, to: 'completed', results: [RESULT], at: '2026-11-21T21:50:00.000Z' },
      { cursor: '12', id: EVENT_ID, kind: 'catalog', version: 3, catalog: { version: 3, items: [{ code: '341600-GJJ-0002' }] }, at: '2026-11-21T21:50:00.000Z' },
    ],
  },
  { v: 1, type: 'heartbeat.request' },
  { v: 1, type: 'error', code: 'protocol.order', message: 'hello expected', fatal: true },
  { v: 1, type: 'error', code: 'busy', message: 'too many kiosks', fatal: false, retryAfterMs: 5000 },
];
