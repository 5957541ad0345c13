import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MemorySink, createLogger } from '../../base/log.js';
import { IdCardReader, type IdCardEvent, type IdCardReaderOptions } from '../idcard/reader.js';
import { IdCardSim, loadCardFixture, type IdCardSimEvent } from '../sim/idcard-sim.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

const FAST: IdCardReaderOptions = { commandTimeoutMs: 300, readTimeoutMs: 800, retries: 2 };

async function setup(card: string | null = 'resident-longterm.json', options: IdCardReaderOptions = FAST) {
  const path = join(mkdtempSync(join(tmpdir(), 'tongban-idcard-')), 'tty');
  const sim = await IdCardSim.start(path, card ? { card: loadCardFixture(card) } : {});
  cleanups.push(() => sim.stop());
  const reader = IdCardReader.serial(path, options);
  cleanups.push(() => reader.close());
  await reader.open();
  const simEvents: IdCardSimEvent[] = [];
  sim.onEvent((e) => simEvents.push(e));
  return { sim, reader, path, simEvents };
}

const codeOf = async (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'resolved',
    (e: { code?: string }) => e.code ?? String(e),
  );

describe('IdCardReader against the simulator over a pty', () => {
  it('reads a resident card: find -> select -> read, with events, at 115200', async () => {
    const { reader, simEvents } = await setup();
    const events: IdCardEvent[] = [];
    const card = await reader.readCard({ timeoutMs: 2000, onEvent: (e) => events.push(e) });
    expect(card).toMatchObject({ cardType: 'resident', name: '张示例', sex: '男', nation: '汉', birthDate: '1990-03-07', idNumber: '11010119900307002X', validFrom: '2015-06-01', validTo: '长期' });
    expect(card.photo.length).toBe(1024);
    expect(card.photo).toEqual(loadCardFixture('resident-longterm.json').photo);
    expect(events.map((e) => e.type)).toEqual(['waitingForCard', 'cardFound', 'reading', 'cardRead']);
    expect(simEvents.filter((e) => e.type === 'command').map((e) => e.type === 'command' && e.command)).toEqual(['find', 'select', 'read']);
    expect(reader.status().state).toBe('online');
  });

  it('reads with fingerprint (30 10)', async () => {
    const { reader } = await setup();
    const card = await reader.readCard({ timeoutMs: 2000, withFingerprint: true });
    expect(card.fingerprint).toEqual(loadCardFixture('resident-longterm.json').fingerprint);
  });

  it.each([
    ['resident-dated.json', { cardType: 'resident', validTo: '2040-01-15', nation: '德昂' }],
    ['gat-j.json', { cardType: 'gat', passNumber: 'H00000000', issueCount: '01' }],
    ['foreigner-i.json', { cardType: 'foreigner', layout: 'I', englishName: 'SAMPLE, MAXIMILIAN EXAMPLE', nationality: 'CAN' }],
    ['foreigner-y.json', { cardType: 'foreigner', layout: 'Y', englishName: 'DEMO, ANNA TEST', nationality: '840' }],
  ])('reads %s', async (fixture, expected) => {
    const { reader } = await setup(fixture);
    expect(await reader.readCard({ timeoutMs: 2000 })).toMatchObject(expected);
  });

  it('reads the SAM id', async () => {
    const { reader } = await setup();
    expect(await reader.samId()).toMatch(/^[0-9A-F]{32}$/);
    await reader.resetSam();
  });

  it('waits for a card put down during the read, and times out with idcard.noCard when none comes', async () => {
    const { sim, reader } = await setup(null);
    const later = setTimeout(() => sim.insertCard(loadCardFixture('gat-j.json')), 150);
    cleanups.push(async () => clearTimeout(later));
    expect((await reader.readCard({ timeoutMs: 5000 })).cardType).toBe('gat');
    sim.removeCard();
    const err = await reader.readCard({ timeoutMs: 200 }).catch((e: Error & { code: string }) => e);
    expect(err).toMatchObject({ code: 'idcard.noCard', exitCode: 3 });
  });

  it('fault noCard: the SAM says 80 although a card lies there', async () => {
    const { sim, reader } = await setup();
    sim.setFault({ kind: 'noCard' });
    expect(await codeOf(reader.readCard({ timeoutMs: 200 }))).toBe('idcard.noCard');
  });

  it('retries a bad checksum, a truncated reply and garbage, and succeeds', async () => {
    const { sim, reader, simEvents } = await setup();
    for (const fault of [{ kind: 'badChecksum', times: 2 }, { kind: 'truncated', times: 1 }, { kind: 'garbage', bytes: 300, times: 3 }] as const) {
      simEvents.length = 0;
      sim.setFault(fault);
      const card = await reader.readCard({ timeoutMs: 3000 });
      expect(card.idNumber).toBe('11010119900307002X');
      expect(simEvents.some((e) => e.type === 'command' && e.fault === fault.kind)).toBe(true);
    }
  });

  it('gives up with device.garbled after the retries of a corrupt reply', async () => {
    const { sim, reader, simEvents } = await setup();
    sim.setFault({ kind: 'badChecksum' });
    const err = await reader.readCard({ timeoutMs: 1000 }).catch((e: Error & { code: string }) => e);
    expect(err).toMatchObject({ code: 'device.garbled', exitCode: 3 });
    expect(simEvents.filter((e) => e.type === 'command').length).toBe(3); // 1 + 2 retries
  });

  it('a slow reply within the timeout is waited for; beyond it, device.timeout after the retries', async () => {
    const { sim, reader } = await setup();
    sim.setFault({ kind: 'slow', delayMs: 150 });
    expect((await reader.readCard({ timeoutMs: 3000 })).cardType).toBe('resident');
    sim.setFault({ kind: 'silent' });
    expect(await codeOf(reader.readCard({ timeoutMs: 3000 }))).toBe('device.timeout');
    expect(reader.status().state).toBe('offline');
    sim.setFault(undefined);
    expect((await reader.readCard({ timeoutMs: 3000 })).cardType).toBe('resident');
    expect(reader.status().state).toBe('online');
  });

  it('a late reply is not taken for the answer to the next command', async () => {
    const { sim, reader } = await setup('resident-longterm.json', { ...FAST, commandTimeoutMs: 100, retries: 1 });
    sim.setFault({ kind: 'slow', delayMs: 150, times: 1 }); // the first find's reply comes after its timeout
    expect((await reader.readCard({ timeoutMs: 3000 })).cardType).toBe('resident');
  });

  it.each([
    ['select', 0x81, 'idcard.sw3.81'],
    ['read', 0x41, 'idcard.sw3.41'],
    ['read', 0x33, 'idcard.sw3.33'],
    ['find', 0x66, 'idcard.sw3.66'],
  ] as const)('maps SW3 %s %s to %s', async (command, sw3, code) => {
    const { sim, reader } = await setup();
    sim.setFault({ kind: 'sw3', command, sw3, times: 1 });
    const err = await reader.readCard({ timeoutMs: 1000 }).catch((e: Error & { code: string }) => e);
    expect(err).toMatchObject({ code, exitCode: 3 });
    expect((err as Error).message).toMatch(/[\u4e00-\u9fff].* \/ /);
  });

  it('notices an unplugged reader (device.unplugged) and works again after reopening', async () => {
    const { sim, reader } = await setup();
    const states: string[] = [];
    reader.onStatus((s) => states.push(s.state));
    await sim.unplug();
    expect(await codeOf(reader.readCard({ timeoutMs: 3000 }))).toBe('device.unplugged');
    expect(reader.status().state).toBe('unplugged');
    await reader.close();
    expect(await codeOf(reader.open())).toBe('device.unplugged');
    await sim.plugIn();
    await reader.open();
    expect((await reader.readCard({ timeoutMs: 2000 })).cardType).toBe('resident');
    expect(states).toContain('unplugged');
    expect(states.at(-1)).toBe('online');
  });

  it('a port where no SAM answers is reported as unplugged when opened', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tongban-idcard-')), 'tty');
    const sim = await IdCardSim.start(path);
    cleanups.push(() => sim.stop());
    sim.setFault({ kind: 'silent' });
    const reader = IdCardReader.serial(path, { commandTimeoutMs: 100, retries: 1 });
    cleanups.push(() => reader.close());
    const err = await reader.open().catch((e: Error & { code: string }) => e);
    expect(err).toMatchObject({ code: 'device.unplugged', exitCode: 3 });
    expect((err as Error).message).toMatch(/no reply to SAM status/);
    expect(reader.status().state).toBe('unplugged');
    sim.setFault(undefined);
    await reader.open();
    expect(reader.status().state).toBe('online');
  });

  it('can be canceled while waiting for a card', async () => {
    const { reader } = await setup(null);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    expect(await codeOf(reader.readCard({ timeoutMs: 10_000, signal: ac.signal }))).toBe('device.canceled');
  });

  it('logs no personal data', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tongban-idcard-')), 'tty');
    const sim = await IdCardSim.start(path, { card: loadCardFixture('resident-longterm.json') });
    cleanups.push(() => sim.stop());
    const sink = new MemorySink();
    const reader = IdCardReader.serial(path, { ...FAST, log: createLogger({ level: 'debug', sink }) });
    cleanups.push(() => reader.close());
    await reader.open();
    sim.setFault({ kind: 'badChecksum', times: 1 });
    await reader.readCard({ timeoutMs: 2000 });
    const text = sink.lines.join('');
    expect(text).toContain('card read');
    for (const secret of ['张示例', '11010119900307002X', '东城区', '示例路']) expect(text).not.toContain(secret);
  });
});
