/**
 * The device manager: every configured device as a service in the XFS4IoT manner.
 *
 * - Devices are built from configuration by a factory per kind, opened at start(), and watched: health is
 *   online / offline / unplugged / error with since and detail. A device that fails to open or reports
 *   itself unplugged is closed and rebuilt after an exponential backoff with jitter (bounded; reset once
 *   it is back). A kind without a factory stays in status as "error: no driver" instead of being faked.
 * - submit(command, sink): the sink gets an acknowledge at once (synchronously), then events, then exactly
 *   one completion. A command runs with its own timeout (0 = none) and can be canceled (Common.Cancel);
 *   both reach the driver as an AbortSignal. One command at a time per device; others queue (bounded).
 *   One sink is one client: requestIds must be unique among that client's commands in flight.
 * - subscribe(listener): every device's status changes as unsolicited Common.StatusChangedEvent, fanned
 *   out to all listeners; a listener that throws or never returns cannot hold up the others.
 * - close(): stops reconnecting, cancels what is queued, lets running commands finish (bounded), then
 *   cancels them, closes the drivers, and leaves no timer behind.
 */
import { messageOf } from '../../base/errors.js';
import { silentLogger, type Logger } from '../../base/log.js';
import { DEFAULT_BAUD, describeTransport, type DeviceConfig, type DeviceKind } from '../config.js';
import { Backoff, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import { CheckError } from './check.js';
import type { DeviceFactories, DriverStatus, ManagedDevice } from './device.js';
import {
  COMMANDS,
  DEFAULT_LIMITS,
  INTERFACES_BY_KIND,
  acknowledge,
  checkCommand,
  checkPayload,
  completion,
  eventMessage,
  unsolicited,
  type CommandName,
  type CompletionCode,
  type Limits,
  type Message,
} from './messages.js';
import { outcomeOfError } from './outcome.js';

export type MessageSink = (message: Message) => void;
export type StatusListener = (message: Message) => void | Promise<void>;

export type HealthState = 'online' | 'offline' | 'unplugged' | 'error';

export interface DeviceHealth {
  readonly id: string;
  readonly kind: DeviceKind;
  readonly label?: string;
  readonly transport: string;
  readonly state: HealthState;
  /** ISO time the state began. */
  readonly since: string;
  readonly detail?: string;
  /** Device-specific fields from the driver (paper, cover, ...). */
  readonly device?: Record<string, unknown>;
  /** A command is running on it. */
  readonly busy: boolean;
  readonly queued: number;
  /** Set while waiting to reconnect: the attempt number (1 = first retry), its delay and when it runs. */
  readonly reconnect?: { readonly attempt: number; readonly delayMs: number; readonly at: string };
}

export interface ManagerOptions {
  readonly devices: readonly DeviceConfig[];
  readonly factories: DeviceFactories;
  readonly log?: Logger;
  readonly backoff?: BackoffPolicy;
  /** Injected for deterministic jitter in tests. */
  readonly random?: () => number;
  readonly clock?: () => number;
  readonly limits?: Partial<Limits>;
  /** Commands one client may have in flight (default 32). */
  readonly maxInFlightPerClient?: number;
  /** Commands that may wait behind the running one on a device (default 16). */
  readonly maxQueuePerDevice?: number;
  readonly timers?: Timers;
}

/** The timer functions the manager uses (injected by tests to check that none is left running). */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const GLOBAL_TIMERS: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface SubmitOptions {
  /** The device (service) addressed; without it, the one device offering the command's interface. */
  readonly device?: string;
}

type AbortReason = 'cancel' | 'timeout' | 'stop' | 'close' | 'unplugged';
const ABORT_OUTCOME: Record<AbortReason, { code: CompletionCode; description?: string; errorCode?: string }> = {
  cancel: { code: 'canceled', description: 'canceled by Common.Cancel' },
  timeout: { code: 'timeOut', description: 'the command timed out' },
  stop: { code: 'success' },
  close: { code: 'canceled', description: 'the device manager is closing' },
  unplugged: { code: 'deviceNotReady', description: 'the device went away during the command', errorCode: 'device.unplugged' },
};

interface Job {
  readonly name: CommandName;
  readonly requestId: number;
  readonly sink: MessageSink;
  readonly slot: Slot | undefined;
  readonly payload: Record<string, unknown>;
  readonly timeoutMs: number;
  readonly controller: AbortController;
  state: 'queued' | 'running' | 'done';
  timer?: unknown;
}

interface Slot {
  readonly config: DeviceConfig;
  readonly transport: string;
  health: Omit<DeviceHealth, 'busy' | 'queued'>;
  device?: ManagedDevice;
  /** The device is open and takes commands. */
  ready: boolean;
  unsubscribe?: () => void;
  readonly backoff: Backoff;
  reconnectTimer?: unknown;
  /** Bumped on each connect, so that a late open() of a superseded attempt is discarded. */
  generation: number;
  running?: Job;
  readonly queue: Job[];
}

export class DeviceManager {
  private readonly slots = new Map<string, Slot>();
  private readonly clients = new Map<MessageSink, Map<number, Job>>();
  private readonly listeners = new Set<StatusListener>();
  private readonly log: Logger;
  private readonly limits: Limits;
  private readonly clock: () => number;
  private readonly maxInFlight: number;
  private readonly maxQueue: number;
  private readonly timers: Timers;
  private closing = false;
  private closed?: Promise<void>;
  private readonly pendingCloses = new Set<Promise<void>>();
  /** Command handlers not yet settled (close() waits for them, bounded). */
  private readonly handlers = new Set<Promise<void>>();
  /** Connection attempts under way (close() waits for them, bounded, so that none opens a port after it). */
  private readonly connecting = new Set<Promise<void>>();

  constructor(private readonly options: ManagerOptions) {
    this.log = (options.log ?? silentLogger).child({ component: 'drivers.manager' });
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.clock = options.clock ?? Date.now;
    this.maxInFlight = options.maxInFlightPerClient ?? 32;
    this.maxQueue = options.maxQueuePerDevice ?? 16;
    this.timers = options.timers ?? GLOBAL_TIMERS;
    for (const config of options.devices) {
      if (this.slots.has(config.id)) throw new CheckError('devices', `repeat the id "${config.id}"`);
      const supported = options.factories[config.kind] !== undefined;
      const transport = describeTransport(config.transport, DEFAULT_BAUD[config.kind]);
      this.slots.set(config.id, {
        config,
        transport,
        health: {
          id: config.id,
          kind: config.kind,
          ...(config.label ? { label: config.label } : {}),
          transport,
          state: supported ? 'offline' : 'error',
          since: this.iso(),
          ...(supported ? {} : { detail: `no driver for ${config.kind} devices in this build` }),
        },
        ready: false,
        backoff: new Backoff(options.backoff ?? DEFAULT_BACKOFF, options.random),
        generation: 0,
        queue: [],
      });
    }
  }

  /** Opens every device with a driver; resolves when each is open or waiting to reconnect (never rejects). */
  async start(): Promise<void> {
    await Promise.all([...this.slots.values()].filter((s) => this.options.factories[s.config.kind]).map((s) => this.track(this.connect(s))));
  }

  // ---- status ---------------------------------------------------------------------------------

  status(): DeviceHealth[] {
    return [...this.slots.values()].map((s) => this.healthOf(s));
  }

  deviceStatus(id: string): DeviceHealth | undefined {
    const slot = this.slots.get(id);
    return slot && this.healthOf(slot);
  }

  /** Unsolicited messages of every device; returns the unsubscribe function. */
  subscribe(listener: StatusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private healthOf(slot: Slot): DeviceHealth {
    return { ...slot.health, busy: slot.running !== undefined, queued: slot.queue.length };
  }

  private iso(): string {
    return new Date(this.clock()).toISOString();
  }

  private setHealth(slot: Slot, state: HealthState, detail?: string, device?: Record<string, unknown>, reconnect?: DeviceHealth['reconnect']): void {
    const prev = slot.health;
    const next = {
      id: prev.id,
      kind: prev.kind,
      ...(prev.label ? { label: prev.label } : {}),
      transport: prev.transport,
      state,
      since: prev.state === state ? prev.since : this.iso(),
      ...(detail !== undefined ? { detail } : {}),
      ...(device && Object.keys(device).length > 0 ? { device } : {}),
      ...(reconnect ? { reconnect } : {}),
    };
    slot.health = next;
    const changed = prev.state !== state || prev.detail !== detail || JSON.stringify(prev.device) !== JSON.stringify(next.device);
    if (!changed) return;
    this.log.info('device status', { device: prev.id, state, detail });
    this.broadcast(unsolicited('Common.StatusChangedEvent', { device: prev.id, status: this.healthOf(slot) }));
  }

  private broadcast(message: Message): void {
    for (const listener of [...this.listeners]) {
      try {
        const r = listener(message);
        if (r && typeof (r as Promise<void>).then === 'function') {
          (r as Promise<void>).then(undefined, (err: unknown) => this.log.warn('status listener failed', { error: messageOf(err) }));
        }
      } catch (err) {
        this.log.warn('status listener failed', { error: messageOf(err) });
      }
    }
  }

  // ---- connection and reconnection ------------------------------------------------------------

  private async connect(slot: Slot): Promise<void> {
    if (this.closing) return;
    const generation = ++slot.generation;
    const factory = this.options.factories[slot.config.kind]!;
    let device: ManagedDevice;
    try {
      device = factory(slot.config, { log: this.log.child({ device: slot.config.id }) });
    } catch (err) {
      // The configuration cannot make a driver (a check the config schema could not know): retrying cannot help.
      this.setHealth(slot, 'error', messageOf(err));
      return;
    }
    try {
      await device.open();
    } catch (err) {
      await this.closeQuietly(device);
      if (generation !== slot.generation || this.closing) return;
      const code = (err as { code?: unknown }).code;
      this.scheduleReconnect(slot, code === 'device.unplugged' ? 'unplugged' : 'offline', messageOf(err));
      return;
    }
    if (generation !== slot.generation || this.closing) {
      await this.closeQuietly(device);
      return;
    }
    slot.device = device;
    slot.ready = true;
    slot.unsubscribe = device.onStatus((s) => this.onDriverStatus(slot, device, s));
    const first = device.status();
    if (first.state !== 'unplugged') {
      slot.backoff.reset();
      this.log.info('device open', { device: slot.config.id, transport: device.description });
    }
    this.onDriverStatus(slot, device, first);
    this.pump(slot);
  }

  private track(attempt: Promise<void>): Promise<void> {
    const p = attempt.catch((err: unknown) => this.log.error('connect failed', { error: messageOf(err) }));
    this.connecting.add(p);
    void p.finally(() => this.connecting.delete(p));
    return p;
  }

  private onDriverStatus(slot: Slot, device: ManagedDevice, s: DriverStatus): void {
    if (slot.device !== device) return;
    const { state, detail, since: _since, ...rest } = s as DriverStatus & Record<string, unknown>;
    const extras: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(rest)) extras[k] = v instanceof Date ? v.toISOString() : v;
    if (state === 'unplugged') {
      this.drop(slot, device);
      this.scheduleReconnect(slot, 'unplugged', detail ?? 'unplugged', extras);
      return;
    }
    this.setHealth(slot, state === 'busy' ? 'online' : state, detail, extras);
  }

  /**
   * Forgets a failed driver. Its running command completes now (deviceNotReady) and no longer holds the
   * device: a driver that does not notice its port is gone must not block the next, reconnected one.
   */
  private drop(slot: Slot, device: ManagedDevice): void {
    const running = slot.running;
    if (running) {
      this.abort(running, this.closing ? 'close' : 'unplugged');
      slot.running = undefined;
    }
    slot.unsubscribe?.();
    slot.unsubscribe = undefined;
    slot.device = undefined;
    slot.ready = false;
    void this.closeQuietly(device);
  }

  private scheduleReconnect(slot: Slot, state: HealthState, detail: string, extras?: Record<string, unknown>): void {
    if (this.closing || slot.reconnectTimer) return;
    const delayMs = slot.backoff.next();
    const reconnect = { attempt: slot.backoff.attempt, delayMs, at: new Date(this.clock() + delayMs).toISOString() };
    this.setHealth(slot, state, detail, extras, reconnect);
    this.log.info('reconnect scheduled', { device: slot.config.id, attempt: reconnect.attempt, delayMs });
    slot.reconnectTimer = this.timers.setTimeout(() => {
      slot.reconnectTimer = undefined;
      void this.track(this.connect(slot));
    }, delayMs);
    // Queued commands cannot run on a device that is gone: tell their clients now.
    this.pump(slot);
  }

  private closeQuietly(device: ManagedDevice): Promise<void> {
    const p = (async () => {
      try {
        await device.close();
      } catch (err) {
        this.log.debug('close failed', { error: messageOf(err) });
      }
    })();
    this.pendingCloses.add(p);
    void p.finally(() => this.pendingCloses.delete(p));
    return p;
  }

  // ---- commands ---------------------------------------------------------------------------------

  /**
   * Takes one incoming command (JSON text, bytes or a parsed value) from the client whose messages go to
   * `sink`. The acknowledge is sent before this returns.
   */
  submit(raw: unknown, sink: MessageSink, options: SubmitOptions = {}): void {
    const checked = checkCommand(raw, this.limits);
    if (!checked.ok) return this.send(sink, checked.reply);
    const { name, requestId, timeoutMs } = checked.command;
    const inFlight = this.clients.get(sink);
    if (inFlight?.has(requestId)) {
      return this.send(sink, acknowledge(name, requestId, 'invalidRequestID', `requestId ${requestId} is already in flight`));
    }
    if ((inFlight?.size ?? 0) >= this.maxInFlight) {
      return this.send(sink, acknowledge(name, requestId, 'tooManyRequests', `more than ${this.maxInFlight} commands in flight`));
    }
    const spec = COMMANDS[name];
    let slot: Slot | undefined;
    let unsupported: string | undefined;
    if (options.device !== undefined) {
      slot = this.slots.get(options.device);
      if (!slot) return this.send(sink, acknowledge(name, requestId, 'invalidMessage', `no device "${options.device}"`));
      if (!INTERFACES_BY_KIND[slot.config.kind].includes(spec.iface)) unsupported = `${slot.config.id} (${slot.config.kind}) does not offer ${spec.iface}`;
    } else if (spec.iface !== 'Common') {
      const offering = [...this.slots.values()].filter((s) => INTERFACES_BY_KIND[s.config.kind].includes(spec.iface));
      if (offering.length > 1) {
        return this.send(sink, acknowledge(name, requestId, 'invalidMessage', `several devices offer ${spec.iface} (${offering.map((s) => s.config.id).join(', ')}): name one`));
      }
      slot = offering[0];
      if (!slot) unsupported = `no device offers ${spec.iface}`;
    }
    if (spec.usesDevice && slot && slot.queue.length >= this.maxQueue) {
      return this.send(sink, acknowledge(name, requestId, 'tooManyRequests', `${slot.config.id} already has ${this.maxQueue} commands waiting`));
    }

    const job: Job = { name, requestId, sink, slot, payload: {}, timeoutMs, controller: new AbortController(), state: 'queued' };
    this.register(job);
    this.send(sink, acknowledge(name, requestId));

    if (this.closing) return this.finish(job, 'deviceNotReady', {}, 'the device manager is closing');
    if (unsupported) return this.finish(job, 'unsupportedCommand', {}, unsupported);
    try {
      (job as { payload: Record<string, unknown> }).payload = checkPayload(name, checked.command.payload);
    } catch (err) {
      if (err instanceof CheckError) return this.finish(job, 'invalidData', {}, err.message);
      // A check that breaks on some input is a bug, but untrusted input must never throw out of submit().
      this.log.error('payload check failed', { command: name, error: messageOf(err) });
      return this.finish(job, 'internalError', {}, 'the payload could not be checked');
    }
    if (!spec.usesDevice) return this.runImmediate(job);
    if (timeoutMs > 0) {
      job.timer = this.timers.setTimeout(() => this.abort(job, 'timeout'), timeoutMs);
    }
    slot!.queue.push(job);
    this.pump(slot!);
  }

  /** The client behind `sink` went away (its WebSocket closed): cancel all its commands. */
  disconnect(sink: MessageSink): void {
    for (const job of [...(this.clients.get(sink)?.values() ?? [])]) this.abort(job, 'cancel');
    this.clients.delete(sink);
  }

  private register(job: Job): void {
    let m = this.clients.get(job.sink);
    if (!m) this.clients.set(job.sink, (m = new Map()));
    m.set(job.requestId, job);
  }

  private send(sink: MessageSink, message: Message): void {
    try {
      const r = (sink as (m: Message) => unknown)(message);
      if (r && typeof (r as Promise<void>).then === 'function') {
        (r as Promise<void>).then(undefined, (err: unknown) => this.log.warn('client sink failed', { error: messageOf(err) }));
      }
    } catch (err) {
      this.log.warn('client sink failed', { error: messageOf(err) });
    }
  }

  private finish(job: Job, code: CompletionCode, payload: Record<string, unknown>, description?: string): void {
    if (job.state === 'done') return;
    const wasQueued = job.state === 'queued';
    job.state = 'done';
    if (job.timer) this.timers.clearTimeout(job.timer);
    job.timer = undefined;
    if (wasQueued && job.slot) {
      const i = job.slot.queue.indexOf(job);
      if (i >= 0) job.slot.queue.splice(i, 1);
    }
    const m = this.clients.get(job.sink);
    if (m?.get(job.requestId) === job) {
      m.delete(job.requestId);
      if (m.size === 0) this.clients.delete(job.sink);
    }
    this.send(job.sink, completion(job.name, job.requestId, code, payload, description));
  }

  private abort(job: Job, reason: AbortReason): void {
    if (job.state === 'done') return;
    const err = new Error(ABORT_OUTCOME[reason].description ?? 'stopped');
    err.name = 'AbortError';
    job.controller.abort(err);
    const o = ABORT_OUTCOME[reason];
    this.finish(job, o.code, o.errorCode ? { errorCode: o.errorCode } : {}, o.description);
  }

  private runImmediate(job: Job): void {
    const slot = job.slot;
    switch (job.name) {
      case 'Common.GetServices':
        return this.finish(job, 'success', { services: [...this.slots.values()].filter((s) => !slot || s === slot).map((s) => this.serviceOf(s)) });
      case 'Common.Status':
        return this.finish(job, 'success', slot ? { device: this.healthOf(slot) } : { devices: this.status() });
      case 'Common.Capabilities':
        return this.finish(job, 'success', slot ? this.capabilitiesOf(slot) : { devices: [...this.slots.values()].map((s) => this.capabilitiesOf(s)) });
      case 'Common.Cancel': {
        const ids = job.payload.requestIds as number[] | undefined;
        const mine = [...(this.clients.get(job.sink)?.values() ?? [])].filter(
          (j) => j !== job && (!ids || ids.includes(j.requestId)) && (!slot || j.slot === slot),
        );
        for (const j of mine) this.abort(j, 'cancel');
        return this.finish(job, 'success', { canceled: mine.map((j) => j.requestId) });
      }
      case 'IdentityCard.WatchStop': {
        const watches = [...(this.clients.get(job.sink)?.values() ?? [])].filter((j) => j.name === 'IdentityCard.WatchStart' && (!slot || j.slot === slot));
        for (const j of watches) this.abort(j, 'stop');
        return this.finish(job, 'success', { stopped: watches.map((j) => j.requestId) });
      }
      default:
        return this.finish(job, 'internalError', {}, `${job.name} is not an immediate command`);
    }
  }

  private serviceOf(slot: Slot): Record<string, unknown> {
    const interfaces = INTERFACES_BY_KIND[slot.config.kind];
    return {
      device: slot.config.id,
      kind: slot.config.kind,
      ...(slot.config.label ? { label: slot.config.label } : {}),
      interfaces,
      commands: (Object.keys(COMMANDS) as CommandName[]).filter((n) => interfaces.includes(COMMANDS[n].iface)),
    };
  }

  private capabilitiesOf(slot: Slot): Record<string, unknown> {
    let driver: Record<string, unknown> | undefined;
    try {
      driver = slot.device?.capabilities();
    } catch (err) {
      this.log.warn('capabilities failed', { device: slot.config.id, error: messageOf(err) });
    }
    return {
      ...this.serviceOf(slot),
      transport: slot.transport,
      driverAvailable: this.options.factories[slot.config.kind] !== undefined,
      ...(slot.config.options ? { options: slot.config.options } : {}),
      ...(driver ? { driver } : {}),
    };
  }

  /** Starts the next queued command of a device when it is free. */
  private pump(slot: Slot): void {
    while (!slot.running && slot.queue.length > 0) {
      const job = slot.queue.shift()!;
      if (job.state === 'done') continue;
      const device = slot.ready ? slot.device : undefined;
      if (!device) {
        this.finish(job, 'deviceNotReady', {}, `${slot.config.id} is ${slot.health.state}${slot.health.detail ? `: ${slot.health.detail}` : ''}`);
        continue;
      }
      const handler = device.commands[job.name];
      if (!handler) {
        this.finish(job, 'unsupportedCommand', {}, `${slot.config.id} does not support ${job.name}`);
        continue;
      }
      job.state = 'running';
      slot.running = job;
      let result: Promise<Record<string, unknown>>;
      try {
        result = handler(job.payload, {
          signal: job.controller.signal,
          timeoutMs: job.timeoutMs,
          emit: (name, payload) => {
            if (job.state !== 'done') this.send(job.sink, eventMessage(name, job.requestId, payload));
          },
        });
      } catch (err) {
        result = Promise.reject(err);
      }
      const settled = result.then(
        (payload) => this.finish(job, 'success', payload),
        (err: unknown) => {
          if (job.state === 'done') return;
          const o = outcomeOfError(err);
          if (o.completionCode === 'internalError') this.log.error('command failed', { device: slot.config.id, command: job.name, error: messageOf(err) });
          this.finish(job, o.completionCode, o.errorCode ? { errorCode: o.errorCode } : {}, o.errorDescription);
        },
      ).finally(() => {
        this.handlers.delete(settled);
        if (slot.running === job) {
          slot.running = undefined;
          this.pump(slot);
        }
      });
      this.handlers.add(settled);
    }
  }

  // ---- shutdown ---------------------------------------------------------------------------------

  /**
   * Stops: no new commands, no reconnects; queued commands complete canceled; running ones get `graceMs`
   * (default 5 s; 0 with cancel: true) to finish, then are canceled; drivers are closed. Idempotent.
   */
  close(options: { graceMs?: number; cancel?: boolean } = {}): Promise<void> {
    this.closed ??= this.shutdown(options.cancel ? 0 : (options.graceMs ?? 5000));
    return this.closed;
  }

  private async shutdown(graceMs: number): Promise<void> {
    this.closing = true;
    for (const slot of this.slots.values()) {
      if (slot.reconnectTimer) this.timers.clearTimeout(slot.reconnectTimer);
      slot.reconnectTimer = undefined;
      slot.generation++;
      for (const job of [...slot.queue]) this.abort(job, 'close');
    }
    // An open under way finds `closing` set when it returns and closes its device again.
    await withDeadline(Promise.all([...this.connecting]), 5000, this.timers);
    if (graceMs > 0) await withDeadline(Promise.all([...this.handlers]), graceMs, this.timers);
    for (const slot of this.slots.values()) if (slot.running) this.abort(slot.running, 'close');
    // A driver that ignores its AbortSignal still gets a moment to settle before its port is closed under it.
    await withDeadline(Promise.all([...this.handlers]), 1000, this.timers);
    for (const slot of this.slots.values()) {
      const device = slot.device;
      if (device) this.drop(slot, device);
      slot.ready = false;
      if (slot.health.state !== 'error' || this.options.factories[slot.config.kind]) this.setHealth(slot, 'offline', 'the device manager is closed');
    }
    await Promise.all([...this.pendingCloses]);
    this.clients.clear();
    this.listeners.clear();
  }
}

/** Waits for `p` at most `ms`; the timer is always cleared. */
async function withDeadline(p: Promise<unknown>, ms: number, timers: Timers): Promise<void> {
  let timer: unknown;
  try {
    await Promise.race([p.then(() => undefined, () => undefined), new Promise<void>((resolve) => (timer = timers.setTimeout(resolve, ms)))]);
  } finally {
    if (timer !== undefined) timers.clearTimeout(timer);
  }
}
