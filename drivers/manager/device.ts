/**
 * What the manager holds for each configured device: a driver wrapped as a service (open/close, status,
 * status changes, and a handler per command it takes). One factory per kind builds it from the device's
 * configuration (drivers/manager/factories/); the manager builds a fresh one for every reconnect, so a
 * driver never has to recover from a half-dead port by itself.
 */
import type { Logger } from '../../base/log.js';
import type { DeviceConfig, DeviceKind } from '../config.js';
import type { CommandName, EventName } from './messages.js';

/**
 * A driver's own view of itself (drivers/*: DeviceStatus). Any further fields the driver's status object
 * carries (paper, cover, ...) are passed on to status() and StatusChangedEvent as `device`.
 */
export interface DriverStatus {
  readonly state: 'online' | 'offline' | 'unplugged' | 'busy' | 'error';
  readonly detail?: string;
  readonly since?: Date;
}

export interface CommandContext {
  /** Aborted on Common.Cancel, on the command's timeout, on WatchStop and when the manager closes. */
  readonly signal: AbortSignal;
  /** The command's timeout (ms); 0: none (the manager enforces it; drivers may use it to size waits). */
  readonly timeoutMs: number;
  /** Sends an event to the client that sent the command. */
  emit(name: EventName, payload: Record<string, unknown>): void;
}

export type CommandHandler = (payload: Record<string, unknown>, ctx: CommandContext) => Promise<Record<string, unknown>>;

export interface ManagedDevice {
  /** Where it is, e.g. "serial /dev/ttyUSB0 @115200". */
  readonly description: string;
  open(): Promise<void>;
  close(): Promise<void>;
  status(): DriverStatus;
  onStatus(listener: (status: DriverStatus) => void): () => void;
  /** Static facts for Common.Capabilities (model, paper width, layouts, ...). */
  capabilities(): Record<string, unknown>;
  readonly commands: Partial<Record<CommandName, CommandHandler>>;
}

export interface FactoryEnv {
  readonly log: Logger;
}

export type DeviceFactory = (config: DeviceConfig, env: FactoryEnv) => ManagedDevice;
export type DeviceFactories = Partial<Record<DeviceKind, DeviceFactory>>;
