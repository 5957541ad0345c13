/** The `sync` key of the configuration (agent/config/sync-config.ts): endpoints by region, the embedded default, the old form. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tongban } from '../../test/helpers/cli.js';
import { loadConfig, parseConfig } from '../config/config.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function problem(value: unknown): string {
  try {
    parseConfig(value);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('accepted');
}

describe('configuration: sync', () => {
  it('no endpoints: the embedded reference endpoint (ephemeral port); [] : no sync at all', () => {
    expect(parseConfig({}).sync).toEqual({ heartbeatSeconds: 30, local: { port: 0 } });
    expect(parseConfig({ sync: { local: { port: 8788 }, heartbeatSeconds: 10 } }).sync).toEqual({ heartbeatSeconds: 10, local: { port: 8788 } });
    expect(parseConfig({ sync: { endpoints: [] } }).sync.endpoints).toEqual([]);
  });

  it('routes regions to endpoints; ["*"] is every region', () => {
    const sync = parseConfig({
      sync: {
        endpoints: [
          { url: 'wss://hf.example.gov.cn/sync', regions: ['340000', '341600'], enrollToken: 'tok-1', ca: '/etc/tongban/hf-ca.pem' },
          { url: 'ws://127.0.0.1:8788/sync', regions: ['*'] },
        ],
      },
    }).sync;
    expect(sync.endpoints).toEqual([
      { url: 'wss://hf.example.gov.cn/sync', regions: ['340000', '341600'], enrollToken: 'tok-1', ca: '/etc/tongban/hf-ca.pem' },
      { url: 'ws://127.0.0.1:8788/sync', regions: '*' },
    ]);
  });

  it('keeps the old sync.endpoint as one endpoint for every region', () => {
    expect(parseConfig({ sync: { endpoint: 'http://127.0.0.1:8788/' } }).sync.endpoints).toEqual([{ url: 'ws://127.0.0.1:8788/sync', regions: '*' }]);
    expect(parseConfig({ sync: { endpoint: 'https://tongban.example.gov.cn/' } }).sync.endpoints).toEqual([{ url: 'wss://tongban.example.gov.cn/sync', regions: '*' }]);
  });

  it('names the key of every mistake', () => {
    expect(problem({ sync: 'ws://x/sync' })).toBe('configuration: sync must be an object, not a string');
    expect(problem({ sync: { endpoints: [{ url: 'http://x/sync', regions: ['*'] }] } })).toMatch(/^configuration: sync\.endpoints\[0\]\.url must be a ws:\/\/ or wss:\/\/ URL/);
    expect(problem({ sync: { endpoints: [{ url: 'ws://x/sync' }] } })).toBe('configuration: sync.endpoints[0].regions is missing');
    expect(problem({ sync: { endpoints: [{ url: 'ws://x/sync', regions: ['31000'] }] } })).toMatch(/^configuration: sync\.endpoints\[0\]\.regions\[0\] must be a 6-digit region code or "\*"/);
    expect(problem({ sync: { endpoints: [{ url: 'ws://x/sync', regions: ['*', '310000'] }] } })).toBe('configuration: sync.endpoints[0].regions is either ["*"] (every region) or a list of region codes, not both');
    expect(problem({ sync: { endpoints: [{ url: 'ws://x/sync', regions: ['*'], token: 'a' }] } })).toMatch(/^configuration: sync\.endpoints\[0\]\.token is not a known key/);
    expect(problem({ sync: { endpoints: [{ url: 'ws://x/sync', regions: ['*'] }, { url: 'ws://x/sync', regions: ['310000'] }] } })).toBe('configuration: sync.endpoints[1].url names an endpoint listed before');
    expect(problem({ sync: { endpoint: 'http://x/', endpoints: [] } })).toMatch(/^configuration: sync\.endpoint cannot be set with sync\.endpoints/);
    expect(problem({ sync: { local: { port: -1 } } })).toBe('configuration: sync.local.port must be from 0 to 65535');
    expect(problem({ sync: { heartbeatSeconds: 1 } })).toBe('configuration: sync.heartbeatSeconds must be from 5 to 3600');
  });

  it('takes a ca file relative to the configuration file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tongban-sync-config-'));
    dirs.push(dir);
    const file = join(dir, 'kiosk.json');
    writeFileSync(file, JSON.stringify({ sync: { endpoints: [{ url: 'wss://hf.example.gov.cn/sync', regions: ['*'], ca: 'hf-ca.pem' }] } }));
    expect(loadConfig(file).sync.endpoints).toEqual([{ url: 'wss://hf.example.gov.cn/sync', regions: '*', ca: join(dir, 'hf-ca.pem') }]);
  });
});

describe('tongban start --endpoint URL --enroll-token TOKEN', () => {
  it('refuses a bad URL or a token without an endpoint with one line naming the option (exit 2)', () => {
    const data = mkdtempSync(join(tmpdir(), 'tongban-start-endpoint-'));
    dirs.push(data);
    const bad = tongban(['start', '--endpoint', 'http://127.0.0.1:1/sync', '--data', data]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toMatch(/^tongban: --endpoint must be a ws:\/\/ or wss:\/\/ URL/);
    const lone = tongban(['start', '--enroll-token', 'abc', '--data', data]);
    expect(lone.code).toBe(2);
    expect(lone.stderr).toContain('--enroll-token goes with --endpoint URL');
  });
});
