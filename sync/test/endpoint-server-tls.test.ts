/**
 * The endpoint over TLS: a self-signed certificate (RSA and EC, no SM algorithms) made by the openssl
 * command at test time; a kiosk that trusts it (ca) syncs over wss://, one that does not is refused by
 * its own TLS check, and /health answers over https.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemorySink, createLogger } from '../../base/log.js';
import { startEndpoint, type RunningEndpoint } from '../endpoint/server.js';
import { Peer, submitted } from './endpoint-server-peer.js';

let dir: string;
let endpoint: RunningEndpoint | undefined;
const peers: Peer[] = [];

function selfSigned(keyArgs: string[]): { cert: string; key: string } {
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', ...keyArgs, '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyPath, '-out', certPath],
    { stdio: 'ignore' },
  );
  return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') };
}

function health(url: string, ca: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/health`, { ca }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (b: Buffer) => parts.push(b));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(parts).toString('utf8')) }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tongban-endpoint-tls-'));
});

afterEach(async () => {
  for (const p of peers.splice(0)) p.ws.terminate();
  await endpoint?.close();
  endpoint = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe('TLS', () => {
  it('refuses a key that does not belong to the certificate with one clear error, leaving the data directory free', async () => {
    const a = selfSigned(['-newkey', 'rsa:2048']);
    const b = selfSigned(['-newkey', 'rsa:2048']);
    const dataDir = join(dir, 'data');
    await expect(startEndpoint({ dataDir, port: 0, log: createLogger({ sink: new MemorySink() }), tls: { cert: a.cert, key: b.key }, clerkToken: 'clerk-test-token' })).rejects.toMatchObject({
      code: 'usage.tls',
    });
    // The store was closed again: a plain start on the same directory works.
    endpoint = await startEndpoint({ dataDir, port: 0, log: createLogger({ sink: new MemorySink() }), clerkToken: 'clerk-test-token' });
  });


  for (const [label, keyArgs] of [
    ['RSA', ['-newkey', 'rsa:2048']],
    ['EC P-256', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1']],
  ] as const) {
    it(`serves wss:// and https:// with a self-signed ${label} certificate the kiosk trusts`, async () => {
      const tls = selfSigned([...keyArgs]);
      endpoint = await startEndpoint({ dataDir: join(dir, 'data'), port: 0, log: createLogger({ sink: new MemorySink() }), tls, clerkToken: 'clerk-test-token' });
      expect(endpoint.url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/sync$/);
      expect(endpoint.httpUrl).toMatch(/^https:\/\//);

      const token = endpoint.store.createEnrollToken('kiosk-tls');
      const p = await Peer.connect(endpoint.url, { ca: tls.cert });
      peers.push(p);
      p.send({ type: 'enroll', token, agentVersion: '0.1.0' });
      const c = await p.next('enrolled');
      p.send({ type: 'hello', kioskId: c.kioskId, secret: c.secret, agentVersion: '0.1.0', caseFormat: 1, cursor: null });
      await p.next('welcome');
      p.send({ type: 'cases', batch: [submitted(1, randomUUID())] });
      expect((await p.next('ack')).results[0]!.outcome).toBe('committed');

      expect(await health(endpoint.httpUrl, tls.cert)).toMatchObject({ status: 200, body: { ok: true } });
      // A kiosk that does not trust the certificate refuses the connection itself.
      await expect(Peer.connect(endpoint.url)).rejects.toThrow(/self[- ]signed/i);
    });
  }
});
