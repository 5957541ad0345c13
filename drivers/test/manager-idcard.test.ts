/**
 * The device manager with the real ID card driver against the ID card simulator on a pty: command ->
 * acknowledge -> events -> completion, cancel, timeout, queueing, unplug and reconnect with backoff,
 * fan-out of status to several (and badly behaved) subscribers, and close.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceConfig } from '../config.js';
import { backoffDelay, type BackoffPolicy } from '../manager/backoff.js';
import { defaultFactories } from '../manager/factories/index.js';
import { DeviceManager, type ManagerOptions, type Timers } from '../manager/manager.js';
import type { Message } from '../manager/messages.js';
import { IdCardSim, loadCardFixture } from '../sim/idcard-sim.js';
import { Recorder, send, stateIs, statusRecorder, tempPath } from './manager-helpers.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

const BACKOFF: BackoffPolicy = { initialMs: 40, maxMs: 400, factor: 2, jitter: 0.5 };
const RANDOM = () => 0.25;

async function setup(card: string | null = 'resident-dated.json', extra: Partial<ManagerOptions> = {}) {
  const path = tempPath('idcard');
  const sim = await IdCardSim.start(path, card ? { card: loadCardFixture(card) } : {});
  cleanups.push(() => sim.stop());
  const devices: DeviceConfig[] = [{ id: 'idc', kind: 'idcard', transport: { type: 'serial', path }, options: { replyTimeoutMs: 300, statusPollMs: 50 } }];
  const manager = new DeviceManager({ devices, factories: defaultFactories, backoff: BACKOFF, random: RANDOM, ...extra });
  cleanups.push(() => manager.close({ cancel: true }));
  const statuses = statusRecorder(manager);
  await manager.start();
  return { sim, manager, statuses, client: new Recorder() };
}

const types = (ms: Message[]) => ms.map((m) => `${m.header.type}:${m.header.name}`);

describe('DeviceManager with the ID card reader', () => {
  it('reads a card: acknowledge at once, then InsertCard and MediaInserted events, then one completion with the card', async () => {
    const { manager, client } = await setup();
    expect(manager.deviceStatus('idc')).toMatchObject({ state: 'online', kind: 'idcard', transport: expect.stringContaining('serial') });
    const id = send(manager, client, 'IdentityCard.ReadCard', {}, { timeout: 5000 });
    // the acknowledge is sent before submit returns
    expect(types(client.of(id))).toEqual(['acknowledge:IdentityCard.ReadCard']);
    expect(client.of(id)[0]!.header.status).toBeUndefined();
    const done = await client.completion(id);
    expect(types(client.of(id))).toEqual([
      'acknowledge:IdentityCard.ReadCard',
      'event:IdentityCard.InsertCardEvent',
      'event:IdentityCard.MediaInsertedEvent',
      'completion:IdentityCard.ReadCard',
    ]);
    expect(done.header.completionCode).toBe('success');
    const card = (done.payload as { card: Record<string, unknown> }).card;
    expect(card).toMatchObject({ cardType: 'resident', name: '李测试', idNumber: '440306198512120042', validTo: '2040-01-15' });
    expect(Buffer.from(card.photo as string, 'base64')).toEqual(Buffer.from(loadCardFixture('resident-dated.json').photo));
  });

  it('routes by interface when no device is named, and answers Common.GetServices and Common.Status', async () => {
    const { manager, client } = await setup();
    const s = send(manager, client, 'Common.GetServices');
    expect((await client.completion(s)).payload).toEqual({
      services: [{ device: 'idc', kind: 'idcard', interfaces: ['Common', 'IdentityCard'], commands: ['Common.GetServices', 'Common.Status', 'Common.Capabilities', 'Common.Cancel', 'IdentityCard.ReadCard', 'IdentityCard.WatchStart', 'IdentityCard.WatchStop'] }],
    });
    const st = send(manager, client, 'Common.Status', {}, { device: 'idc' });
    expect((await client.completion(st)).payload).toMatchObject({ device: { id: 'idc', state: 'online', busy: false, queued: 0 } });
    const p = send(manager, client, 'Printer.PrintForm', { receipt: { title: 'x' } });
    expect((await client.completion(p)).header).toMatchObject({ completionCode: 'unsupportedCommand', errorDescription: 'no device offers Printer' });
    const q = send(manager, client, 'Common.Status', {}, { device: 'nope' });
    expect(client.of(q)[0]!.header).toMatchObject({ type: 'acknowledge', status: 'invalidMessage', errorDescription: 'no device "nope"' });
  });

  it('cancels a read that waits for a card; the reader is free again afterwards', async () => {
    const { manager, client, sim } = await setup(null);
    const id = send(manager, client, 'IdentityCard.ReadCard'); // no timeout: waits until canceled
    await client.event(id, 'IdentityCard.InsertCardEvent');
    const c = send(manager, client, 'Common.Cancel', { requestIds: [id] });
    expect((await client.completion(c)).payload).toEqual({ canceled: [id] });
    expect((await client.completion(id)).header).toMatchObject({ completionCode: 'canceled' });
    expect(client.of(id).filter((m) => m.header.type === 'completion')).toHaveLength(1);
    sim.insertCard(loadCardFixture('gat-j.json'));
    const again = send(manager, client, 'IdentityCard.ReadCard', {}, { timeout: 5000 });
    const done = await client.completion(again);
    expect(done.header.completionCode).toBe('success');
    expect((done.payload as { card: { cardType: string } }).card.cardType).toBe('gat');
  });

  it('times a read out with timeOut, and takes the next command afterwards', async () => {
    const { manager, client, sim } = await setup(null);
    const id = send(manager, client, 'IdentityCard.ReadCard', {}, { timeout: 200 });
    expect((await client.completion(id)).header).toMatchObject({ completionCode: 'timeOut' });
    sim.insertCard(loadCardFixture('resident-dated.json'));
    const next = send(manager, client, 'IdentityCard.ReadCard', {}, { timeout: 5000 });
    expect((await client.completion(next)).header.completionCode).toBe('success');
  });

  it('runs one command at a time, queues the next, bounds the queue, and refuses a requestId in flight', async () => {
    const { manager, client } = await setup(null, { maxQueuePerDevice: 1 });
    const first = send(manager, client, 'IdentityCard.ReadCard');
    await client.event(first, 'IdentityCard.InsertCardEvent');
    const second = send(manager, client, 'IdentityCard.ReadCard');
    expect(manager.deviceStatus('idc')).toMatchObject({ busy: true, queued: 1 });
    const third = send(manager, client, 'IdentityCard.ReadCard');
    expect(client.of(third)[0]!.header).toMatchObject({ type: 'acknowledge', status: 'tooManyRequests' });
    expect(client.of(third)).toHaveLength(1);
    // the same requestId again while the first is in flight
    manager.submit({ header: { name: 'Common.Status', requestId: first, type: 'command', version: '1.0' }, payload: {} }, client.sink);
    expect(client.of(first).at(-1)!.header).toMatchObject({ type: 'acknowledge', status: 'invalidRequestID' });
    // another client may use the same requestId
    const other = new Recorder();
    manager.submit({ header: { name: 'Common.Status', requestId: first, type: 'command', version: '1.0' }, payload: {} }, other.sink);
    expect((await other.completion(first)).header.completionCode).toBe('success');
    // cancel all of this client's commands: the queued one never reached the reader
    const c = send(manager, client, 'Common.Cancel');
    expect(((await client.completion(c)).payload as { canceled: number[] }).canceled.sort()).toEqual([first, second].sort());
    expect((await client.completion(second)).header.completionCode).toBe('canceled');
    expect(client.of(second).some((m) => m.header.type === 'event')).toBe(false);
  });

  it('bounds the commands one client may have in flight', async () => {
    const { manager, client } = await setup(null, { maxInFlightPerClient: 2, maxQueuePerDevice: 8 });
    const a = send(manager, client, 'IdentityCard.ReadCard');
    const b = send(manager, client, 'IdentityCard.ReadCard');
    const c = send(manager, client, 'IdentityCard.ReadCard');
    expect(client.of(c)).toEqual([expect.objectContaining({ header: expect.objectContaining({ type: 'acknowledge', status: 'tooManyRequests' }) })]);
    // another client is not held back by this one
    const other = new Recorder();
    const s = send(manager, other, 'Common.Status');
    expect((await other.completion(s)).header.completionCode).toBe('success');
    // a client that goes away takes its commands with it
    manager.disconnect(client.sink);
    expect((await client.completion(a)).header.completionCode).toBe('canceled');
    expect((await client.completion(b)).header.completionCode).toBe('canceled');
    expect(manager.deviceStatus('idc')).toMatchObject({ queued: 0 });
  });

  it('watches the reader: card put down, read, taken away; WatchStop completes the watch with success', async () => {
    const { manager, client, sim } = await setup(null);
    const w = send(manager, client, 'IdentityCard.WatchStart');
    sim.insertCard(loadCardFixture('foreigner-y.json'));
    const read = await client.event(w, 'IdentityCard.CardReadEvent');
    expect((read.payload as { card: { layout: string } }).card.layout).toBe('Y');
    sim.removeCard();
    await client.event(w, 'IdentityCard.MediaRemovedEvent');
    const stop = send(manager, client, 'IdentityCard.WatchStop');
    expect((await client.completion(stop)).payload).toEqual({ stopped: [w] });
    expect((await client.completion(w)).header.completionCode).toBe('success');
    expect(types(client.of(w)).slice(1, 3)).toEqual(['event:IdentityCard.MediaInsertedEvent', 'event:IdentityCard.CardReadEvent']);
  });

  it('a watch running when the reader is pulled completes deviceNotReady, and the watcher stops polling', async () => {
    const { manager, client, sim, statuses } = await setup(null);
    const w = send(manager, client, 'IdentityCard.WatchStart');
    sim.insertCard(loadCardFixture('resident-dated.json'));
    await client.event(w, 'IdentityCard.CardReadEvent');
    await sim.unplug();
    const done = await client.completion(w);
    expect(done.header.completionCode).toBe('deviceNotReady');
    expect(done.payload).toEqual({ errorCode: 'device.unplugged' });
    const mark = statuses.mark;
    await sim.plugIn();
    await statuses.waitFor(stateIs('idc', 'online'), mark);
    const read = send(manager, client, 'IdentityCard.ReadCard', {}, { timeout: 5000 });
    expect((await client.completion(read)).header.completionCode).toBe('success');
  });

  it('unplug: unsolicited unplugged, commands refused as deviceNotReady, reconnect attempts with backoff, online after replug', async () => {
    const { manager, client, sim, statuses } = await setup();
    const other = statusRecorder(manager); // a second client (staff tools) watching the same device
    await sim.unplug();
    const unplugged = await statuses.waitFor(stateIs('idc', 'unplugged'));
    expect((unplugged.payload as { status: { reconnect: { attempt: number; delayMs: number } } }).status.reconnect).toEqual({
      attempt: 1,
      delayMs: backoffDelay(0, BACKOFF, RANDOM),
      at: expect.any(String),
    });
    await other.waitFor(stateIs('idc', 'unplugged'));
    const refused = send(manager, client, 'IdentityCard.ReadCard', {}, { timeout: 5000 });
    expect((await client.completion(refused)).header).toMatchObject({ completionCode: 'deviceNotReady' });
    // still unplugged: the next attempts fail and the delays grow
    await waitUntil(() => (manager.deviceStatus('idc')?.reconnect?.attempt ?? 0) >= 3);
    expect(manager.deviceStatus('idc')!.reconnect!.delayMs).toBe(backoffDelay(2, BACKOFF, RANDOM));
    const [mark, otherMark] = [statuses.mark, other.mark];
    await sim.plugIn();
    await statuses.waitFor(stateIs('idc', 'online'), mark);
    await other.waitFor(stateIs('idc', 'online'), otherMark);
    expect(manager.deviceStatus('idc')).toMatchObject({ state: 'online' });
    expect(manager.deviceStatus('idc')!.reconnect).toBeUndefined();
    const again = send(manager, client, 'IdentityCard.ReadCard', {}, { timeout: 5000 });
    expect((await client.completion(again)).header.completionCode).toBe('success');
    // the backoff starts over after the success
    const beforeSecond = statuses.mark;
    await sim.unplug();
    const second = await statuses.waitFor(stateIs('idc', 'unplugged'), beforeSecond);
    expect((second.payload as { status: { reconnect: { attempt: number } } }).status.reconnect.attempt).toBe(1);
  });

  it('a reader that stops answering while idle shows offline, and online again once it answers', async () => {
    const { manager, sim, statuses } = await setup();
    sim.setFault({ kind: 'silent' });
    const off = await statuses.waitFor(stateIs('idc', 'offline'));
    expect((off.payload as { status: { detail: string } }).status.detail).toBe('no reply to samStatus');
    expect(manager.deviceStatus('idc')!.reconnect).toBeUndefined(); // present but silent: no reconnect, the poll goes on
    const mark = statuses.mark;
    sim.setFault(undefined);
    await statuses.waitFor(stateIs('idc', 'online'), mark);
  });

  it('keeps delivering to good subscribers when one throws and another never returns', async () => {
    const { manager, sim } = await setup();
    manager.subscribe(() => {
      throw new Error('listener bug');
    });
    manager.subscribe(() => new Promise<void>(() => undefined));
    manager.subscribe(async () => Promise.reject(new Error('async listener bug')));
    const good = statusRecorder(manager);
    await sim.unplug();
    await good.waitFor(stateIs('idc', 'unplugged'));
    const mark = good.mark;
    await sim.plugIn();
    await good.waitFor(stateIs('idc', 'online'), mark);
    const client = new Recorder();
    const id = send(manager, client, 'IdentityCard.ReadCard', {}, { timeout: 5000 });
    expect((await client.completion(id)).header.completionCode).toBe('success');
  });

  it('a client sink that throws cannot break the manager', async () => {
    const { manager, client } = await setup();
    manager.submit({ header: { name: 'Common.Status', requestId: 1, type: 'command', version: '1.0' }, payload: {} }, () => {
      throw new Error('sink bug');
    });
    const id = send(manager, client, 'IdentityCard.ReadCard', {}, { timeout: 5000 });
    expect((await client.completion(id)).header.completionCode).toBe('success');
  });

  it('close() cancels a waiting read, refuses new commands, and leaves no timer running', async () => {
    const timers = trackedTimers();
    const { manager, client, sim } = await setup(null, { timers });
    const id = send(manager, client, 'IdentityCard.ReadCard', {}, { timeout: 60_000 });
    // a reconnect timer pending at close must be cleared too: pull the reader's cable first
    await sim.unplug();
    await waitUntil(() => manager.deviceStatus('idc')?.reconnect !== undefined);
    expect(timers.active.size).toBeGreaterThan(0);
    expect((await client.completion(id)).header).toMatchObject({ completionCode: 'deviceNotReady' });
    await manager.close({ graceMs: 50 });
    const late = send(manager, client, 'Common.Status');
    expect((await client.completion(late)).header.completionCode).toBe('deviceNotReady');
    expect(manager.deviceStatus('idc')!.state).not.toBe('online');
    expect(timers.active.size).toBe(0);
    expect(timers.created).toBeGreaterThan(0);
  });

  it('close() cancels a read waiting for a card after the grace period', async () => {
    const timers = trackedTimers();
    const { manager, client } = await setup(null, { timers });
    const id = send(manager, client, 'IdentityCard.ReadCard', {}, { timeout: 60_000 });
    await client.event(id, 'IdentityCard.InsertCardEvent');
    await manager.close({ graceMs: 50 });
    expect((await client.completion(id)).header).toMatchObject({ completionCode: 'canceled', errorDescription: 'the device manager is closing' });
    expect(timers.active.size).toBe(0);
  });
});

/** Real timers, with a record of those the manager set and has neither cleared nor seen fire. */
function trackedTimers(): Timers & { active: Set<unknown>; created: number } {
  const active = new Set<unknown>();
  const t = {
    active,
    created: 0,
    setTimeout(callback: () => void, ms: number): unknown {
      t.created++;
      const handle: NodeJS.Timeout = setTimeout(() => {
        active.delete(handle);
        callback();
      }, ms);
      active.add(handle);
      return handle;
    },
    clearTimeout(handle: unknown): void {
      active.delete(handle);
      clearTimeout(handle as NodeJS.Timeout);
    },
  };
  return t;
}

async function waitUntil(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setImmediate(r));
}
