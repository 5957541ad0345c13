/**
 * `tongban doctor` as a user runs it (the built executable): against a private cupsd, and an ID card
 * reader simulated on a pty in this process (so the executable is spawned asynchronously: the simulator
 * must keep answering while it runs). Needs `npm run build` first.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, tongban, type CliResult } from '../../test/helpers/cli.js';
import { IppClient, parseServer } from '../docprint/ipp-client.js';
import { IdCardSim } from '../sim/idcard-sim.js';
import { PrivateCups, freePort, type PdfQueue } from './helpers/cups.js';

const tmp = mkdtempSync(join(tmpdir(), 'tongban-doctor-cli-'));
let cups: PrivateCups;
let queue: PdfQueue;
let stopped: PdfQueue;

beforeAll(async () => {
  cups = await PrivateCups.start();
  queue = cups.addPdfQueue('TB_DR');
  stopped = cups.addPdfQueue('TB_DR_STOP');
  await new IppClient({ server: parseServer(cups.server) }).pausePrinter(stopped.name);
});
afterAll(async () => {
  await cups?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

function tongbanAsync(args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, TONGBAN_DEBUG: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

interface Report {
  cups: { reachable: boolean; queues?: { name: string; state: string }[] };
  devices: { id: string; healthy: boolean; code?: string; detail: string }[];
  findings: string[];
  healthy: boolean;
  serialPorts: { ports: unknown[] };
  hid: { available: boolean };
}

describe('tongban doctor', () => {
  it('with a healthy queue: exit 0; the table names the queues and the device', () => {
    const r = tongban(['doctor', '--server', cups.server, '--printer', queue.name]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Serial ports/m);
    expect(r.stdout).toMatch(/^HID devices:/m);
    expect(r.stdout).toContain(`CUPS queues (${cups.server}):`);
    expect(r.stdout).toMatch(new RegExp(`^  ${stopped.name}\\s+stopped\\s+paused\\s+cups-pdf:/${stopped.name}$`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^  printer1\\s+document\\s+cups ${queue.name}\\s+ok\\s+idle$`, 'm'));
    expect(r.stdout).toMatch(/All configured devices are healthy\.\n$/);
  });

  it('--json, a stopped queue configured: exit 3 with the reason', () => {
    const r = tongban(['doctor', '--json', '--server', cups.server, '--printer', queue.name, '--printer', stopped.name]);
    expect(r.code).toBe(3);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.healthy).toBe(false);
    expect(report.devices.map((d) => [d.id, d.healthy])).toEqual([
      ['printer1', true],
      ['printer2', false],
    ]);
    expect(report.devices[1]).toMatchObject({ code: 'docprint.printerStopped', detail: expect.stringMatching(/^stopped: paused/) as unknown });
    expect(report.cups.queues?.map((q) => q.name)).toEqual(expect.arrayContaining([queue.name, stopped.name]));
  });

  it('CUPS down and nothing configured: a finding, exit 0', async () => {
    const r = tongban(['doctor', '--json', '--server', `127.0.0.1:${await freePort()}`]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.cups.reachable).toBe(false);
    expect(report.findings.some((f) => f.startsWith('CUPS is not reachable'))).toBe(true);
  });

  it('an ID card reader from --config (short form) on a simulated reader: healthy, then unplugged: exit 3', async () => {
    const path = join(tmp, 'reader');
    const sim = await IdCardSim.start(path);
    const config = join(tmp, 'devices.json');
    writeFileSync(config, JSON.stringify([{ id: 'reader', kind: 'idcard', port: path }, { id: 'a4', kind: 'document', queue: queue.name, server: cups.server }]));
    try {
      const ok = await tongbanAsync(['doctor', '--json', '--config', config, '--server', cups.server]);
      expect(ok.stderr).toBe('');
      expect(ok.code).toBe(0);
      expect((JSON.parse(ok.stdout) as Report).devices).toEqual([
        { id: 'reader', kind: 'idcard', where: `serial ${path} @115200`, healthy: true, detail: 'SAM status 90 (SAM ready)' },
        { id: 'a4', kind: 'document', where: `cups ${queue.name} on ${cups.server}`, healthy: true, detail: 'idle' },
      ]);
    } finally {
      await sim.stop();
    }
    const gone = await tongbanAsync(['doctor', '--config', config, '--server', cups.server]);
    expect(gone.code).toBe(3);
    expect(gone.stdout).toMatch(/^ {2}reader\s+idcard\s+serial .* @115200\s+FAIL\s+serial port .* does not exist/m);
    expect(gone.stdout).toMatch(/Unhealthy: reader\n$/);
  });

  it('a bad config or option: exit 2, one line', () => {
    const bad = join(tmp, 'bad.json');
    writeFileSync(bad, JSON.stringify([{ id: 'x', kind: 'idcard' }]));
    const r = tongban(['doctor', '--config', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`tongban: ${bad}: devices[0] needs exactly one of port, device, tcp, queue, hid\n`);
    expect(tongban(['doctor', '--config', join(tmp, 'none.json')]).code).toBe(2);
    expect(tongban(['doctor', '--timeout', 'x']).code).toBe(2);
  });
});
