import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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
