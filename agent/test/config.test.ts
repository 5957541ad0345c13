import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PORT, demoDevices, loadConfig, parseConfig } from '../config/config.js';
import { configProblem as problem } from './helpers/config-problem.js';

describe('configuration', () => {
  it('defaults to the embedded demo', () => {
    expect(parseConfig({})).toEqual({
      api: { port: DEFAULT_PORT, maxBodyBytes: 1024 * 1024 },
      demo: { enabled: true, card: 'resident-longterm.json' },
      devices: [],
      catalog: { source: 'demo' },
      purge: { retentionDays: 30, intervalMinutes: 360 },
      issuing: { signers: {} },
      sync: { heartbeatSeconds: 30, local: { port: 0 } },
      ui: { idleSeconds: 120, countdownSeconds: 20, staffPin: '246810', kioskName: '政务服务自助终端' },
      log: { level: 'info' },
    });
    expect(loadConfig(undefined)).toEqual(parseConfig({}));
  });

  it('takes real devices when the demo is off, checked by the drivers with the key path', () => {
    const config = parseConfig({ demo: { enabled: false }, devices: [{ id: 'r', kind: 'receipt', transport: { type: 'tcp', host: '10.0.0.5' } }] });
    expect(config.devices).toEqual([{ id: 'r', kind: 'receipt', transport: { type: 'tcp', host: '10.0.0.5' } }]);
    expect(problem({ demo: { enabled: false }, devices: [{ id: 'a', kind: 'idcard', transport: { type: 'serial', path: '/dev/x' } }, { id: 'b', kind: 'scanner', transport: { type: 'serial', path: '/dev/y', baud: 1234 } }] })).toMatch(
      /^configuration: devices\[1\]\.transport\.baud must be a standard baud rate/,
    );
    expect(problem({ devices: [] })).toMatch(/^configuration: devices cannot be set while demo\.enabled is true/);
    // In demo mode only the A4 printer may be real: one CUPS queue replacing the simulated one.
    const a4 = { id: 'a4', kind: 'document', transport: { type: 'cups', queue: 'Office', server: '127.0.0.1:631' } };
    expect(parseConfig({ devices: [a4] }).devices).toEqual([a4]);
    expect(problem({ devices: [{ id: 'r', kind: 'receipt', transport: { type: 'tcp', host: '10.0.0.5' } }] })).toMatch(/^configuration: devices cannot be set while demo\.enabled is true, but for one A4 printer/);
    expect(problem({ devices: [a4, { ...a4, id: 'a5' }] })).toMatch(/^configuration: devices cannot be set while demo\.enabled is true/);
  });

  it('names the key path of every mistake', () => {
    expect(problem([])).toBe('configuration: configuration must be a JSON object, not an array');
    expect(problem({ port: 1 })).toBe('configuration: port is not a known key (known: dataDir, api, demo, devices, catalog, purge, issuing, sync, ui, log)');
    expect(problem({ purge: { retentionDays: -1 } })).toMatch(/^configuration: purge\.retentionDays must be/);
    expect(problem({ api: { port: 70000 } })).toBe('configuration: api.port must be from 0 to 65535');
    expect(problem({ api: { prot: 1 } })).toMatch(/^configuration: api\.prot is not a known key/);
    expect(problem({ api: { maxBodyBytes: 10 } })).toBe('configuration: api.maxBodyBytes must be from 1024 to 67108864');
    expect(problem({ demo: { enabled: 'yes' } })).toBe('configuration: demo.enabled must be true or false, not a string');
    expect(problem({ demo: { card: 'card' } })).toMatch(/^configuration: demo\.card must be a card fixture file/);
    expect(problem({ catalog: { source: 'internet' } })).toBe('configuration: catalog.source must be one of demo');
    expect(problem({ sync: { endpoint: 'ftp://x' } })).toBe('configuration: sync.endpoint must be an http(s):// or ws(s):// URL');
    expect(problem({ log: { level: 'loud' } })).toBe('configuration: log.level must be one of debug, info, warn, error');
  });

  it('reads a file and says which file is wrong', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tongban-config-'));
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ dataDir: 'kiosk-data', api: { port: 9000 }, log: { level: 'debug' } }));
    // dataDir is taken relative to the file
    expect(loadConfig(good)).toMatchObject({ dataDir: join(dir, 'kiosk-data'), api: { port: 9000 }, log: { level: 'debug' } });
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ "api": ');
    expect(() => loadConfig(bad)).toThrow(new RegExp(`^configuration ${bad} is not JSON: `));
    const wrong = join(dir, 'wrong.json');
    writeFileSync(wrong, '{ "api": { "port": -1 } }');
    expect(() => loadConfig(wrong)).toThrow(`configuration ${wrong}: api.port must be from 0 to 65535`);
    expect(() => loadConfig(join(dir, 'missing.json'))).toThrow(/^cannot read configuration .*missing\.json: ENOENT$/);
  });

  it('puts the demo devices on ptys under DATA/run/', () => {
    const devices = demoDevices('/var/lib/tongban');
    expect(devices.map((d) => [d.id, d.kind, d.transport])).toEqual([
      ['idcard', 'idcard', { type: 'serial', path: '/var/lib/tongban/run/idcard' }],
      ['scanner', 'scanner', { type: 'serial', path: '/var/lib/tongban/run/scanner' }],
      ['receipt', 'receipt', { type: 'serial', path: '/var/lib/tongban/run/receipt' }],
    ]);
  });
});
