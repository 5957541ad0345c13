/**
 * `tongban start` where Electron is installed: rather than run the agent in node and leave the pages to a
 * browser, it hands over to the Electron shell (main.ts), which runs the same agent in-process and opens
 * the kiosk window — the production shape. Plain functions (what is installed, whether to hand over, the
 * command line) so that the decision is tested here, where no Electron binary exists.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface Handover {
  readonly binary: string;
  readonly args: readonly string[];
}

/**
 * The Electron binary to hand over to: $TONGBAN_ELECTRON when set, else the `electron` npm package's
 * export (under plain node it is the binary's path; the package throws when its binary was never
 * downloaded). Undefined when there is none.
 */
export function installedElectron(env: NodeJS.ProcessEnv, load: (id: string) => unknown = createRequire(import.meta.url)): string | undefined {
  if (env.TONGBAN_ELECTRON) return existsSync(env.TONGBAN_ELECTRON) ? env.TONGBAN_ELECTRON : undefined;
  try {
    const path = load('electron');
    return typeof path === 'string' && existsSync(path) ? path : undefined;
  } catch {
    return undefined; // the optional package is absent, or its binary is
  }
}

/** Whether a window can be shown: on Linux an X or Wayland display must be named. */
export function hasDisplay(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): boolean {
  return platform !== 'linux' || Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

export interface HandoverInput {
  readonly binary: string | undefined;
  readonly env: NodeJS.ProcessEnv;
  readonly platform: NodeJS.Platform;
  /** dist/agent/electron/main.js. */
  readonly mainJs: string;
  readonly dataDir?: string;
  readonly configFile?: string;
  /** Options given to `tongban start` that the shell does not take (--port, --endpoint, ...). */
  readonly otherOptions: readonly string[];
  /** --browser or --no-electron. */
  readonly declined: boolean;
}

/**
 * The hand-over, or why not (`reason`, said on stdout when Electron is there but not used), or
 * undefined when Electron is not installed (nothing to say: the usual case on servers and CI).
 */
export function planHandover(i: HandoverInput): Handover | { reason: string } | undefined {
  if (i.binary === undefined || i.declined) return undefined;
  if (!hasDisplay(i.env, i.platform)) return { reason: 'Electron is installed but no display is set (DISPLAY / WAYLAND_DISPLAY): the pages are served for a browser' };
  if (i.otherOptions.length > 0) {
    return { reason: `Electron is installed, but the kiosk window takes only --data and --config (given: ${i.otherOptions.map((o) => `--${o}`).join(', ')}): the pages are served for a browser` };
  }
  if (!existsSync(i.mainJs)) return { reason: `Electron is installed but its entry ${i.mainJs} is not built (npm run build): the pages are served for a browser` };
  return {
    binary: i.binary,
    args: [i.mainJs, ...(i.dataDir !== undefined ? ['--data', i.dataDir] : []), ...(i.configFile !== undefined ? ['--config', i.configFile] : [])],
  };
}
