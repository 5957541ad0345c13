/** The simulator's wire behaviour, byte for byte, seen through a plain serial port (not our driver). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../../base/errors.js';
import { IdCardSim, loadCardFixture, parseCardFixture } from '../sim/idcard-sim.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

async function rig() {
  const sim = await IdCardSim.start(join(mkdtempSync(join(tmpdir(), 'tongban-idsim-')), 'tty'), { card: loadCardFixture('resident-longterm.json') });
  cleanups.push(() => sim.stop());
  const port = await new Promise<SerialPort>((resolve, reject) => {
    const p = new SerialPort({ path: sim.path, baudRate: 115200 }, (err) => (err ? reject(err) : resolve(p)));
  });
  cleanups.push(() => new Promise((r) => port.close(r)));
  let buf = Buffer.alloc(0);
  port.on('data', (d: Buffer) => (buf = Buffer.concat([buf, d])));
  /** Sends `bytes` and resolves with the next `n` bytes received. */
  const ask = async (bytes: Buffer, n: number): Promise<Buffer> => {
    buf = Buffer.alloc(0);
    port.write(bytes);
    for (let i = 0; i < 500 && buf.length < n; i++) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 20)); // nothing more should follow
    return buf;
  };
  return { sim, ask };
}

describe('IdCardSim on the wire', () => {
  it('answers SAM status, find, select, read and read with fingerprint exactly per the protocol', async () => {
    const { ask } = await rig();
    expect(await ask(hex('AA AA AA 96 69 00 03 11 FF ED'), 11)).toEqual(hex('AA AA AA 96 69 00 04 00 00 90 94'));
    expect(await ask(hex('AA AA AA 96 69 00 03 20 01 22'), 15)).toEqual(hex('AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97'));
    expect(await ask(hex('AA AA AA 96 69 00 03 20 02 21'), 19)).toEqual(hex('AA AA AA 96 69 00 0C 00 00 90 00 00 00 00 00 00 00 00 9C'));
    const read = await ask(hex('AA AA AA 96 69 00 03 30 01 32'), 1295);
    expect(read.length).toBe(1295);
    expect(read.subarray(0, 14)).toEqual(hex('AA AA AA 96 69 05 08 00 00 90 01 00 04 00'));
    const fp = await ask(hex('AA AA AA 96 69 00 03 30 10 23'), 2321);
    expect(fp.length).toBe(2321);
    expect(fp.subarray(0, 16)).toEqual(hex('AA AA AA 96 69 09 0A 00 00 90 01 00 04 00 04 00'));
    const id = await ask(hex('AA AA AA 96 69 00 03 12 FF EE'), 27);
    expect(id.subarray(0, 10)).toEqual(hex('AA AA AA 96 69 00 14 00 00 90'));
    expect(await ask(hex('AA AA AA 96 69 00 03 10 FF EC'), 11)).toEqual(hex('AA AA AA 96 69 00 04 00 00 90 94'));
  });

  it('refuses select and read out of order, unknown commands and corrupt frames with their SW3', async () => {
    const { sim, ask } = await rig();
    sim.removeCard();
    expect((await ask(hex('AA AA AA 96 69 00 03 20 01 22'), 11))[9]).toBe(0x80);
    expect((await ask(hex('AA AA AA 96 69 00 03 20 02 21'), 11))[9]).toBe(0x81);
    expect((await ask(hex('AA AA AA 96 69 00 03 30 01 32'), 11))[9]).toBe(0x41);
    expect((await ask(hex('AA AA AA 96 69 00 03 77 01 75'), 11))[9]).toBe(0x21);
    expect((await ask(hex('AA AA AA 96 69 00 03 20 01 23'), 11))[9]).toBe(0x10);
  });

  it('injects faults: bad checksum, truncated, garbage, noCard, and stops answering when unplugged', async () => {
    const { sim, ask } = await rig();
    const find = hex('AA AA AA 96 69 00 03 20 01 22');
    sim.setFault({ kind: 'badChecksum', times: 1 });
    expect((await ask(find, 15)).at(-1)).not.toBe(0x97);
    expect((await ask(find, 15)).at(-1)).toBe(0x97); // the fault was for one reply
    sim.setFault({ kind: 'truncated', times: 1 });
    expect((await ask(find, 7)).length).toBe(7); // and no more within the settle time
    sim.setFault({ kind: 'garbage', bytes: 10, times: 1 });
    const g = await ask(find, 25);
    expect(g.length).toBe(25);
    expect(g.subarray(10)).toEqual(hex('AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97'));
    sim.setFault({ kind: 'noCard' });
    expect((await ask(find, 11))[9]).toBe(0x80);
    sim.setFault(undefined);
    await sim.unplug();
    expect(sim.pluggedIn).toBe(false);
  });

  it('validates fixtures: every bundled one loads with a 1024-byte photo; bad ones are input errors', () => {
    for (const f of ['resident-longterm.json', 'resident-dated.json', 'gat-j.json', 'foreigner-i.json', 'foreigner-y.json']) {
      expect(loadCardFixture(f).photo.length).toBe(1024);
    }
    expect(() => parseCardFixture([])).toThrow(InputError);
    expect(() => parseCardFixture({ layout: 'Z', idNumber: '1' })).toThrow(/layout/);
    expect(() => parseCardFixture({ layout: 'resident' })).toThrow(/idNumber/);
    expect(() => parseCardFixture({ layout: 'resident', idNumber: 5 })).toThrow(/idNumber/);
    expect(() => loadCardFixture('/no/such/file.json')).toThrow(InputError);
  });
});
