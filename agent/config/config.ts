/**
 * The agent's configuration: one JSON file, checked strictly where it enters (a misspelt key is an
 * error naming its path, e.g. "api.port must be from 0 to 65535"), with the embedded demo as the
 * default for every key, so that `tongban start` with no file runs the whole kiosk on simulators.
 *
 * {
 *   "api":     { "port": 8787, "maxBodyBytes": 1048576 },
 *   "demo":    { "enabled": true, "card": "resident-longterm.json" },
 *   "devices": [ ... drivers/config.ts ... ],          // when demo.enabled is false (in demo mode: one `document` printer at most)
 *   "catalog": { "source": "demo" },
 *   "purge":   { "retentionDays": 30, "intervalMinutes": 360 },   // agent/purge
 *   "issuing": { "signers": { "<certs template>": { "seal", "key", "cert" } } },   // agent/issuing
 *   "sync":    { "endpoints": [{ "url", "regions", "enrollToken"?, "ca"? }], "heartbeatSeconds": 30, "local": { "port": 0 } },   // config/sync-config.ts
 *   "ui":      { "idleSeconds": 120, "countdownSeconds": 20, "staffPin": "246810", "kioskName": "政务服务自助终端" },   // the kiosk pages (kiosk-ui/)
 *   "log":     { "level": "info" }
 * }
 *
 * `dataDir` (relative to the file's directory) is where the agent keeps its data; `--data` overrides it,
 * and the commands that talk to a running agent find it the same way (`--config FILE` or `--data DIR`).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InputError, messageOf } from '../../base/errors.js';
import { LOG_LEVELS, type LogLevel } from '../../base/log.js';
import { parseDeviceList, type DeviceConfig } from '../../drivers/config.js';
import { CheckError, boolean, integer, isPlainObject, kindOf, object, oneOf, optional, string } from '../../drivers/manager/check.js';
import { parseSyncConfig, resolveSyncPaths, type SyncConfig } from './sync-config.js';
import { parseIssuingConfig, resolveIssuingPaths, type IssuingConfig } from '../issuing/issuing-config.js';

export const DEFAULT_PORT = 8787;
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
export const DEFAULT_RETENTION_DAYS = 30;
export const DEFAULT_PURGE_INTERVAL_MINUTES = 360;
export const DEFAULT_DEMO_CARD = 'resident-longterm.json';
export const DEFAULT_IDLE_SECONDS = 120;
export const DEFAULT_COUNTDOWN_SECONDS = 20;
/** The demo's staff PIN (documented in kiosk-ui/README.md); a kiosk with real devices has none unless configured. */
export const DEMO_STAFF_PIN = '246810';
export const DEFAULT_KIOSK_NAME = '政务服务自助终端';
/** Largest configuration file read (a kiosk's file is a few kilobytes). */
export const MAX_CONFIG_BYTES = 1024 * 1024;

export interface AgentConfig {
  /** The data directory (absolute once loaded from a file); absent: --data, $TONGBAN_DATA or the default. */
  readonly dataDir?: string;
  readonly api: { readonly port: number; readonly maxBodyBytes: number };
  /** Demo mode: simulated devices on ptys under DATA/run/, and the /api/demo routes that drive them. */
  readonly demo: { readonly enabled: boolean; readonly card: string };
  /** Real devices (demo off). In demo mode the simulated devices are made by demoDevices(); a `document` printer here replaces the simulated A4 one. */
  readonly devices: readonly DeviceConfig[];
  readonly catalog: { readonly source: 'demo' };
  /** Personal data of cases completed and synced is erased `retentionDays` after; the agent checks every `intervalMinutes` (agent/purge). */
  readonly purge: { readonly retentionDays: number; readonly intervalMinutes: number };
  /** Who seals certificates issued on site, per certs template (agent/issuing/issuing-config.ts); paths absolute once loaded from a file. */
  readonly issuing: IssuingConfig;
  /** Where cases sync to (config/sync-config.ts); no endpoints: the embedded reference endpoint. */
  readonly sync: SyncConfig;
  /**
   * The kiosk pages: seconds without a touch before the countdown, the countdown's seconds, the staff
   * PIN (4-8 digits; absent: staff mode is closed; the demo's default is DEMO_STAFF_PIN) and the name shown.
   */
  readonly ui: { readonly idleSeconds: number; readonly countdownSeconds: number; readonly staffPin?: string; readonly kioskName: string };
  readonly log: { readonly level: LogLevel };
}

const fixtureName = string({ max: 255, pattern: /^[^\s]+\.json$/, hint: 'a card fixture file (.json): a path or a name from drivers/sim/fixtures/' });

const TOP_KEYS = ['dataDir', 'api', 'demo', 'devices', 'catalog', 'purge', 'issuing', 'sync', 'ui', 'log'];

const uiConfig = object({
  idleSeconds: optional(integer(1, 3600)),
  countdownSeconds: optional(integer(1, 300)),
  staffPin: optional(string({ max: 8, pattern: /^[0-9]{4,8}$/, hint: '4 to 8 digits' })),
  kioskName: optional(string({ max: 32 })),
});

/** Checks a parsed configuration (`{}` = every default) and fills the defaults in. */
export function parseConfig(value: unknown): AgentConfig {
  try {
    if (!isPlainObject(value)) throw new CheckError('configuration', `must be a JSON object, not ${kindOf(value)}`);
    for (const key of Object.keys(value)) {
      if (!TOP_KEYS.includes(key)) throw new CheckError(key, `is not a known key (known: ${TOP_KEYS.join(', ')})`);
    }
    const api = optional(object({ port: optional(integer(0, 65535)), maxBodyBytes: optional(integer(1024, 64 * 1024 * 1024)) }))(value.api, 'api') ?? {};
    const demo = optional(object({ enabled: optional(boolean()), card: optional(fixtureName) }))(value.demo, 'demo') ?? {};
    const catalog = optional(object({ source: optional(oneOf(['demo'])) }))(value.catalog, 'catalog') ?? {};
    const purge = optional(object({ retentionDays: optional(integer(0, 36500)), intervalMinutes: optional(integer(1, 10080)) }))(value.purge, 'purge') ?? {};
    const sync = parseSyncConfig(value.sync, 'sync');
    const log = optional(object({ level: optional(oneOf(LOG_LEVELS)) }))(value.log, 'log') ?? {};
    const ui = optional(uiConfig)(value.ui, 'ui') ?? {};
    const dataDir = optional(string({ max: 4096 }))(value.dataDir, 'dataDir');
    const issuing = parseIssuingConfig(value.issuing, 'issuing');
    const demoEnabled = demo.enabled ?? true;
    const devices = value.devices === undefined ? [] : parseDeviceList(value.devices, 'devices');
    // The demo makes its own simulated devices; only its A4 printer may be a real CUPS queue instead (one `document` device).
    if (demoEnabled && value.devices !== undefined && (devices.length !== 1 || devices[0]!.kind !== 'document')) {
      throw new CheckError('devices', 'cannot be set while demo.enabled is true, but for one A4 printer (kind document) that replaces the simulated one (the demo makes its own simulated devices); set demo.enabled to false');
    }
    const staffPin = ui.staffPin ?? (demoEnabled ? DEMO_STAFF_PIN : undefined);
    return {
      ...(dataDir !== undefined ? { dataDir } : {}),
      api: { port: api.port ?? DEFAULT_PORT, maxBodyBytes: api.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES },
      demo: { enabled: demoEnabled, card: demo.card ?? DEFAULT_DEMO_CARD },
      devices,
      catalog: { source: catalog.source ?? 'demo' },
      purge: { retentionDays: purge.retentionDays ?? DEFAULT_RETENTION_DAYS, intervalMinutes: purge.intervalMinutes ?? DEFAULT_PURGE_INTERVAL_MINUTES },
      issuing,
      sync,
      ui: {
        idleSeconds: ui.idleSeconds ?? DEFAULT_IDLE_SECONDS,
        countdownSeconds: ui.countdownSeconds ?? DEFAULT_COUNTDOWN_SECONDS,
        ...(staffPin !== undefined ? { staffPin } : {}),
        kioskName: ui.kioskName ?? DEFAULT_KIOSK_NAME,
      },
      log: { level: (log.level as LogLevel | undefined) ?? 'info' },
    };
  } catch (err) {
    if (err instanceof CheckError) throw new InputError('config.invalid', `configuration: ${err.message}`, { cause: err });
    if (err instanceof InputError) throw new InputError(err.code, `configuration: ${err.message}`, { cause: err });
    throw err;
  }
}

/** Reads and checks a configuration file; no file: the embedded defaults. */
export function loadConfig(file: string | undefined): AgentConfig {
  if (file === undefined) return parseConfig({});
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError('input.unreadable', `cannot read configuration ${file}: ${(err as NodeJS.ErrnoException).code ?? messageOf(err)}`, { cause: err });
  }
  if (Buffer.byteLength(text) > MAX_CONFIG_BYTES) throw new InputError('config.invalid', `configuration ${file} is larger than ${MAX_CONFIG_BYTES} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InputError('config.invalid', `configuration ${file} is not JSON: ${messageOf(err)}`, { cause: err });
  }
  try {
    const parsed = parseConfig(json);
    const config = { ...parsed, issuing: resolveIssuingPaths(parsed.issuing, dirname(file)), sync: resolveSyncPaths(parsed.sync, (p) => resolve(dirname(file), p)) };
    return config.dataDir === undefined ? config : { ...config, dataDir: resolve(dirname(file), config.dataDir) };
  } catch (err) {
    if (err instanceof InputError) throw new InputError(err.code, err.message.replace(/^configuration: /, `configuration ${file}: `), { cause: err });
    throw err;
  }
}

/** Where the demo's simulated devices appear: ptys under DATA/run/. */
export function demoDevices(dataDir: string): DeviceConfig[] {
  const run = join(dataDir, 'run');
  return [
    { id: 'idcard', kind: 'idcard', label: '身份证阅读器 (模拟)', transport: { type: 'serial', path: join(run, 'idcard') } },
    { id: 'scanner', kind: 'scanner', label: '扫码器 (模拟)', transport: { type: 'serial', path: join(run, 'scanner') } },
    { id: 'receipt', kind: 'receipt', label: '凭条打印机 (模拟)', transport: { type: 'serial', path: join(run, 'receipt') }, options: { statusPollMs: 1000 } },
  ];
}
