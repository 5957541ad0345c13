/**
 * The Electron entry point (package.json "main": dist/agent/electron/main.js): loads Electron and runs
 * the kiosk shell (shell.ts). Electron is imported dynamically through a variable so that the project
 * builds and type-checks where the optional `electron` package is absent; its API is typed by
 * electron-api.ts.
 *
 *   tongban-kiosk [--config FILE] [--data DIR]     (also $TONGBAN_CONFIG, $TONGBAN_DATA)
 *
 * Without a configuration the agent runs the embedded demo, as `tongban start` does.
 */
import { ExitCode, TongbanError } from '../../base/errors.js';
import { loadConfig } from '../config/config.js';
import { resolveDataDir } from '../data-dir.js';
import type { ElectronMain } from './electron-api.js';
import { argValue, runShell } from './shell.js';
import { loadAutoUpdater } from './updates.js';

/** Electron's main-process API, or undefined where this file is not run by Electron (plain node). */
async function loadElectron(): Promise<ElectronMain | undefined> {
  const specifier = 'electron';
  let loaded: Partial<ElectronMain> & { default?: Partial<ElectronMain> };
  try {
    loaded = (await import(specifier)) as typeof loaded;
  } catch {
    return undefined; // the optional package is not installed
  }
  // Under plain node the npm package exports the binary's path, not the API.
  const api = typeof loaded.default === 'object' && loaded.default?.app ? loaded.default : loaded;
  return api.app && api.BrowserWindow ? (api as ElectronMain) : undefined;
}

async function main(): Promise<void> {
  const electron = await loadElectron();
  if (!electron) {
    process.stderr.write('tongban kiosk: this is the Electron shell\'s entry and Electron is not running it (its binary is not installed here, or this is plain node). Run the packaged app, `npx electron .` where Electron is installed, or the browser fallback: tongban start --browser\n');
    process.exitCode = ExitCode.failure;
    return;
  }
  try {
    const configFile = argValue(process.argv, 'config') ?? (process.env.TONGBAN_CONFIG || undefined);
    const config = loadConfig(configFile);
    const dataDir = resolveDataDir(argValue(process.argv, 'data') ?? config.dataDir, process.env, process.cwd());
    const production = electron.app.isPackaged;
    // Updates only in the packaged app (electron-updater reads the app-update.yml electron-builder writes).
    await runShell(electron, { agent: { dataDir, config }, production, ...(production ? { updates: { load: loadAutoUpdater } } : {}) });
  } catch (err) {
    // The agent could not start (a bad configuration, a locked data directory): said on stderr (and in
    // the agent's log when it got that far); the session's autostart brings the kiosk back.
    process.stderr.write(`tongban kiosk: ${err instanceof Error ? err.message : String(err)}\n`);
    electron.app.exit(err instanceof TongbanError ? err.exitCode : 1);
  }
}

void main();
