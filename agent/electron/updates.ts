/**
 * Fleet updates of the packaged kiosk: electron-updater's generic provider, fetching from the operator's
 * plain file host that `npm run dist` was pointed at (TONGBAN_UPDATE_URL; electron-builder writes it
 * into the app's resources/app-update.yml, see electron-builder.yml). The operator uploads the release
 * files with their channel file (latest-linux.yml, latest-linux-arm64.yml, latest.yml; beta-*.yml for
 * the beta channel) and rolls a release out in stages by its `stagingPercentage`.
 *
 * A kiosk never restarts under a citizen: an update is downloaded in the background and installed when
 * the app next quits (staff quit from staff mode, the nightly shutdown), never by quitAndInstall.
 *
 * The shell (shell.ts / main.ts) calls startUpdates with electron-updater's autoUpdater; the updater is
 * typed here by the part this module uses (electron-updater's own types name Electron's).
 */
import type { Logger } from '../../base/log.js';

/** The channels a kiosk may follow; `latest` takes only releases, `beta` also betas, and so on. */
export const UPDATE_CHANNELS = ['latest', 'beta', 'alpha'] as const;
export type UpdateChannel = (typeof UPDATE_CHANNELS)[number];

/** Four hours between checks: a fleet of kiosks spreads its load on the file host across the day. */
export const DEFAULT_CHECK_EVERY_MS = 4 * 60 * 60 * 1000;
/** Never more often than every five minutes, whatever a configuration says. */
export const MIN_CHECK_EVERY_MS = 5 * 60 * 1000;

/** The part of electron-updater's AppUpdater this module drives. */
export interface Updater {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  autoRunAppAfterInstall: boolean;
  allowDowngrade: boolean;
  allowPrerelease: boolean;
  fullChangelog: boolean;
  channel: string | null;
  logger: UpdaterLogger | null;
  /** With autoDownload, the result carries the download, which rejects as the 'error' event fires. */
  checkForUpdates(): Promise<{ readonly downloadPromise?: Promise<unknown> | null } | null>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'update-available' | 'update-not-available' | 'update-downloaded', listener: (info: { readonly version: string }) => void): unknown;
}

/** electron-updater's logger interface. */
export interface UpdaterLogger {
  info(message?: unknown): void;
  warn(message?: unknown): void;
  error(message?: unknown): void;
  debug?(message: string): void;
}

export interface UpdateOptions {
  /** The channel to follow; undefined: the one the build was made for (its version's). */
  readonly channel?: string;
  readonly checkEveryMs?: number;
}

/** The settings the updater is given: what the kiosk's rules above mean in electron-updater's terms. */
export interface UpdaterSettings {
  readonly autoDownload: true;
  readonly autoInstallOnAppQuit: true;
  /** After an install at quit the kiosk comes back by itself (the session's autostart also would). */
  readonly autoRunAppAfterInstall: true;
  /** An older release on the host (a mistake, a rollback by replacing files) is never installed. */
  readonly allowDowngrade: false;
  readonly allowPrerelease: boolean;
  readonly channel: UpdateChannel | undefined;
  readonly checkEveryMs: number;
}

/** Validates the options (a channel name is one of UPDATE_CHANNELS) and gives the updater's settings. */
export function updaterSettings(options: UpdateOptions = {}): UpdaterSettings {
  const { channel } = options;
  if (channel !== undefined && !(UPDATE_CHANNELS as readonly string[]).includes(channel)) {
    throw new Error(`unknown update channel ${JSON.stringify(channel)}: one of ${UPDATE_CHANNELS.join(', ')}`);
  }
  const every = options.checkEveryMs ?? DEFAULT_CHECK_EVERY_MS;
  if (!Number.isFinite(every) || every < MIN_CHECK_EVERY_MS) {
    throw new Error(`updates are checked at most every ${MIN_CHECK_EVERY_MS / 60_000} minutes, not every ${every} ms`);
  }
  return {
    autoDownload: true,
    autoInstallOnAppQuit: true,
    autoRunAppAfterInstall: true,
    allowDowngrade: false,
    allowPrerelease: channel !== undefined && channel !== 'latest',
    channel: channel as UpdateChannel | undefined,
    checkEveryMs: every,
  };
}

export interface RunningUpdates {
  /** Checks now (the periodic checks go on); resolves once the check (and a download it starts) is under way. */
  check(): Promise<void>;
  stop(): void;
}

/**
 * Configures the updater and checks now and every `checkEveryMs`. Failures (the host unreachable, a bad
 * channel file, a signature that does not match) are logged and the kiosk carries on with what it runs.
 */
export function startUpdates(updater: Updater, log: Logger, options: UpdateOptions = {}): RunningUpdates {
  const settings = updaterSettings(options);
  updater.autoDownload = settings.autoDownload;
  updater.autoInstallOnAppQuit = settings.autoInstallOnAppQuit;
  updater.autoRunAppAfterInstall = settings.autoRunAppAfterInstall;
  updater.allowDowngrade = settings.allowDowngrade;
  updater.fullChangelog = false;
  // electron-updater's channel setter also turns allowDowngrade on: set the channel first, then ours.
  if (settings.channel !== undefined) updater.channel = settings.channel;
  updater.allowDowngrade = settings.allowDowngrade;
  updater.allowPrerelease = settings.allowPrerelease;
  updater.logger = updaterLogger(log);
  updater.on('error', (error) => log.warn('update failed', { error: error.message }));
  updater.on('update-available', (info) => log.info('update available, downloading', { version: info.version }));
  updater.on('update-downloaded', (info) => log.info('update downloaded, installed at the next quit', { version: info.version }));

  let stopped = false;
  const check = async (): Promise<void> => {
    if (stopped) return;
    try {
      const result = await updater.checkForUpdates();
      // A failed download was reported by the 'error' event; its promise must not reject unhandled.
      result?.downloadPromise?.catch(() => undefined);
    } catch (err) {
      log.warn('update check failed', { error: err instanceof Error ? err.message : String(err) });
    }
  };
  const timer = setInterval(() => void check(), settings.checkEveryMs);
  timer.unref();
  void check();
  return {
    check,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}

/**
 * electron-updater's autoUpdater for this platform (AppImage, deb or NSIS), loaded only in the packaged
 * app: it needs Electron, and an unpackaged run has no app-update.yml to read.
 */
export async function loadAutoUpdater(): Promise<Updater> {
  const specifier = 'electron-updater';
  const mod = (await import(specifier)) as { autoUpdater?: Updater; default?: { autoUpdater?: Updater } };
  const updater = mod.autoUpdater ?? mod.default?.autoUpdater;
  if (!updater) throw new Error('electron-updater has no autoUpdater here');
  return updater;
}

/** electron-updater's messages into the agent's log (it logs file names and versions, no personal data). */
function updaterLogger(log: Logger): UpdaterLogger {
  const text = (m: unknown): string => (m instanceof Error ? m.message : String(m));
  return {
    info: (m) => log.info(`updater: ${text(m)}`),
    warn: (m) => log.warn(`updater: ${text(m)}`),
    error: (m) => log.warn(`updater: ${text(m)}`),
    debug: (m) => log.debug(`updater: ${m}`),
  };
}
