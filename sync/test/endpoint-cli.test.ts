/** `tongban endpoint ...` through the real executable (dist/: run `npm run build` first), on real data directories. */
import { execFileSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../base/log.js';
import { tongban, tongbanDaemon } from '../../test/helpers/cli.js';
import { openEndpointStore, type EndpointStore } from '../endpoint/store/index.js';
import { pdfBytes, submitted, tempDir } from './endpoint-store-fixtures.js';

let tmp: ReturnType<typeof tempDir>;
let children: ChildProcessWithoutNullStreams[] = [];

beforeEach(() => {
  tmp = tempDir();
});

afterEach(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children = [];
  tmp.remove();
});

/** Works on the data directory the way the server would (a kiosk enrolled, a case received), then closes it. */
function withStore<T>(fn: (s: EndpointStore) => T): T {
  const s = openEndpointStore({ dataDir: tmp.dir, log: silentLogger });
  try {
    return fn(s);
  } finally {
    s.close();
  }
}

function received(): string {
  return withStore((s) => {
    s.enroll(s.createEnrollToken('kiosk-1'), '0.1.0');
    const e = submitted(1);
    s.commitBatch('kiosk-1', [e], Date.now());
    return e.caseId;
  });
}

describe('tongban endpoint (store commands)', () => {
  it('enroll prints a one-time token the store exchanges for credentials', () => {
    const r = tongban(['endpoint', 'enroll', '--data', tmp.dir, '--kiosk', 'kiosk-7']);
    expect(r.code, r.stderr).toBe(0);
    const token = r.stdout.trim();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    withStore((s) => {
      const creds = s.enroll(token, '0.1.0');
      expect(creds.kioskId).toBe('kiosk-7');
      s.authenticate(creds.kioskId, creds.secret); // the kiosk said hello: the token is spent for good
      expect(() => s.enroll(token, '0.1.0')).toThrow(/used already/);
    });
    const bad = tongban(['endpoint', 'enroll', '--data', tmp.dir, '--kiosk', 'no spaces']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('cases and show list what was received, with the content hash the kiosk computed', () => {
    const caseId = received();
    const hash = withStore((s) => s.getCase(caseId)!.contentHash);
    const table = tongban(['endpoint', 'cases', '--data', tmp.dir]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`${caseId}\\s+kiosk-1\\s+341600-SB-0003\\s+uploaded\\s+${hash}`));
    const json = JSON.parse(tongban(['endpoint', 'cases', '--data', tmp.dir, '--json', '--status', 'uploaded']).stdout);
    expect(json).toEqual([expect.objectContaining({ id: caseId, kioskId: 'kiosk-1', itemCode: '341600-SB-0003', status: 'uploaded', contentHash: hash })]);
    expect(JSON.parse(tongban(['endpoint', 'cases', '--data', tmp.dir, '--json', '--status', 'accepted']).stdout)).toEqual([]);
    const show = tongban(['endpoint', 'show', '--data', tmp.dir, caseId]);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain(`content hash  ${hash}`);
    expect(show.stdout).not.toContain('341602199001011234'); // the text form shows no personal data
    const full = JSON.parse(tongban(['endpoint', 'show', '--data', tmp.dir, caseId, '--json']).stdout);
    expect(full.content.applicant.name).toBe('王演示');
    expect(tongban(['endpoint', 'show', '--data', tmp.dir, '00000000-0000-4000-8000-000000000000']).code).toBe(2);
    expect(tongban(['endpoint', 'cases', '--data', tmp.dir, '--status', 'bogus']).code).toBe(2);
  });

  it('set-status: legal moves with note and result PDF, an event for the kiosk; illegal moves, a missing note and a non-PDF result refused (exit 2)', () => {
    const caseId = received();
    const pdf = join(tmp.dir, '证明.pdf');
    writeFileSync(pdf, pdfBytes('证明'));
    const notPdf = join(tmp.dir, 'photo.pdf');
    writeFileSync(notPdf, 'plain text pretending');

    const noNote = tongban(['endpoint', 'set-status', '--data', tmp.dir, caseId, 'refused']);
    expect(noNote.code).toBe(2);
    expect(noNote.stderr).toMatch(/needs a note/);
    expect(tongban(['endpoint', 'set-status', '--data', tmp.dir, caseId, 'completed', '--result', pdf]).code).toBe(2);
    expect(tongban(['endpoint', 'set-status', '--data', tmp.dir, caseId, 'sideways']).code).toBe(2);

    const accepted = tongban(['endpoint', 'set-status', '--data', tmp.dir, caseId, 'accepted']);
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(accepted.stdout).toContain('uploaded -> accepted');
    const notAPdf = tongban(['endpoint', 'set-status', '--data', tmp.dir, caseId, 'completed', '--result', notPdf]);
    expect(notAPdf.code).toBe(2);
    expect(notAPdf.stderr).toMatch(/not a PDF/);
    expect(tongban(['endpoint', 'set-status', '--data', tmp.dir, caseId, 'completed']).code).toBe(2);
    const done = tongban(['endpoint', 'set-status', '--data', tmp.dir, caseId, 'completed', '--result', pdf, '--title', '参保缴费证明', '--json']);
    expect(done.code, done.stderr).toBe(0);
    const c = JSON.parse(done.stdout);
    expect(c.status).toBe('completed');
    expect(c.results).toEqual([expect.objectContaining({ title: '参保缴费证明', mediaType: 'application/pdf', source: 'endpoint' })]);
    const events = withStore((s) => s.eventsAfter('kiosk-1', null, 10));
    expect(events.map((e) => (e.kind === 'case.status' ? e.to : e.kind))).toEqual(['accepted', 'completed']);
  });

  it('correction needs a note and is the protocol correctionRequested', () => {
    const caseId = received();
    const r = tongban(['endpoint', 'set-status', '--data', tmp.dir, caseId, 'correction', '--note', '请补交户口本']);
    expect(r.code, r.stderr).toBe(0);
    expect(withStore((s) => s.getCase(caseId)!.status)).toBe('correctionRequested');
  });

  it('kiosks shows the fleet; revoke stops a kiosk', () => {
    withStore((s) => {
      s.enroll(s.createEnrollToken('kiosk-1'), '0.1.0');
      s.recordHeartbeat('kiosk-1', { devices: [{ device: 'printer', state: 'paperOut' }], queue: { pending: 12, quarantined: 1, unrouted: 0, inboxUnapplied: 0 }, auditHead: null }, Date.now());
    });
    const table = tongban(['endpoint', 'kiosks', '--data', tmp.dir]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/kiosk-1\s.*printer:paperOut\s+12\s+1\s+0\.1\.0/);
    const revoke = tongban(['endpoint', 'revoke', '--data', tmp.dir, '--kiosk', 'kiosk-1']);
    expect(revoke.code, revoke.stderr).toBe(0);
    const json = JSON.parse(tongban(['endpoint', 'kiosks', '--data', tmp.dir, '--json']).stdout);
    expect(json).toEqual([expect.objectContaining({ id: 'kiosk-1', queue: expect.objectContaining({ pending: 12 }) })]);
    expect(json[0].revokedAt).not.toBeNull();
    expect(tongban(['endpoint', 'revoke', '--data', tmp.dir, '--kiosk', 'kiosk-9']).code).toBe(2);
  });

  it('catalog set publishes a newer version only; catalog show prints it', () => {
    const file = join(tmp.dir, 'catalog.json');
    writeFileSync(file, JSON.stringify({ version: 3, publishedAt: '2026-11-21T00:00:00Z', items: [], bundles: [] }));
    const set = tongban(['endpoint', 'catalog', 'set', '--data', tmp.dir, '--in', file]);
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(tongban(['endpoint', 'catalog', 'show', '--data', tmp.dir]).stdout)).toMatchObject({ version: 3, catalog: { items: [] } });
    const again = tongban(['endpoint', 'catalog', 'set', '--data', tmp.dir, '--in', file]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/not newer/);
    writeFileSync(file, '{ nope');
    expect(tongban(['endpoint', 'catalog', 'set', '--data', tmp.dir, '--in', file]).code).toBe(2);
  });

  it('refuses a data directory without an endpoint store, and a foreign store (exit 3, one line)', () => {
    const none = tongban(['endpoint', 'cases', '--data', join(tmp.dir, 'missing')]);
    expect(none.code).toBe(3);
    expect(none.stderr).toMatch(/holds no endpoint store/);
    writeFileSync(join(tmp.dir, 'endpoint.db'), 'x'.repeat(4096));
    const foreign = tongban(['endpoint', 'kiosks', '--data', tmp.dir]);
    expect(foreign.code).toBe(3);
    expect(foreign.stderr.trim().split('\n')).toHaveLength(1);
    expect(foreign.stderr).toMatch(/not a SQLite database/);
  });
});

describe('tongban endpoint (the server)', () => {
  it('prints its ready line, answers /health, takes CLI changes while running, and exits 0 on SIGTERM', async () => {
    const d = await tongbanDaemon(['endpoint', '--port', '0', '--data', tmp.dir], /listening on (wss?:\/\/\S+) \(clerk API (https?:\/\/\S+)\)/);
    children.push(d.child);
    expect(d.match[1]).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/sync$/);
    const health = await fetch(new URL('/health', d.match[2]));
    expect(health.status).toBe(200);
    // the CLI works on the store the server holds open, and the clerk API sees what it did
    const token = tongban(['endpoint', 'enroll', '--data', tmp.dir, '--kiosk', 'kiosk-1']);
    expect(token.code, token.stderr).toBe(0);
    expect(tongban(['endpoint', 'kiosks', '--data', tmp.dir]).code).toBe(0);
    const clerkToken = readFileSync(join(tmp.dir, 'clerk-token'), 'utf8').trim();
    expect(statSync(join(tmp.dir, 'clerk-token')).mode & 0o777).toBe(0o600);
    const file = join(tmp.dir, 'catalog.json');
    writeFileSync(file, JSON.stringify({ version: 7, publishedAt: '2026-11-21T00:00:00Z', items: [], bundles: [] }));
    expect(tongban(['endpoint', 'catalog', 'set', '--data', tmp.dir, '--in', file]).code).toBe(0);
    const catalog = await fetch(new URL('catalog', d.match[2]), { headers: { authorization: `Bearer ${clerkToken}` } });
    expect(catalog.status).toBe(200);
    expect(((await catalog.json()) as { version: number }).version).toBe(7);
    expect((await fetch(new URL('cases', d.match[2]))).status).toBe(401);
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
  });

  it('serves wss:// with --tls-cert and --tls-key; an unreadable key file is exit 2', async () => {
    const cert = join(tmp.dir, 'cert.pem');
    const key = join(tmp.dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    const missing = tongban(['endpoint', '--port', '0', '--data', join(tmp.dir, 'data'), '--tls-cert', cert, '--tls-key', join(tmp.dir, 'nope.pem')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read the TLS key/);
    const d = await tongbanDaemon(['endpoint', '--port', '0', '--data', join(tmp.dir, 'data'), '--tls-cert', cert, '--tls-key', key], /listening on (wss?:\/\/\S+) \(clerk API (https?:\/\/\S+)\)/);
    children.push(d.child);
    expect(d.match[1]).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/sync$/);
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpsRequest(new URL('/health', d.match[2]), { ca: readFileSync(cert) }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(200);
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
  });

  it('refuses bad usage with exit 2: no port, a TLS certificate without its key, a bad region', () => {
    expect(tongban(['endpoint', '--data', tmp.dir]).code).toBe(2);
    expect(tongban(['endpoint', '--port', '0', '--data', tmp.dir, '--tls-cert', 'c.pem']).code).toBe(2);
    const r = tongban(['endpoint', '--port', '0', '--data', tmp.dir, '--region', 'anhui']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/6-digit region code/);
  });
});
