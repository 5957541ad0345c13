/**
 * The kiosk's settings from GET /api/kiosk (idle times, demo mode, the kiosk's name), loaded once at
 * boot before the first screen renders. If the agent cannot be asked, the defaults hold (the idle
 * watcher must work even then).
 */
import { api } from '../api/client';

export interface KioskSettings {
  /** Seconds without a touch before the countdown starts. */
  idleSeconds: number;
  /** Seconds of the countdown before the session is reset. */
  countdownSeconds: number;
  demo: boolean;
  kioskName: string;
  /** Whether a staff PIN is set (staff mode is refused without one). */
  staffPin: boolean;
  /** Whether the agent runs in the kiosk shell (Electron): staff mode may then quit the kiosk. */
  canQuit: boolean;
}

export const DEFAULT_SETTINGS: KioskSettings = { idleSeconds: 120, countdownSeconds: 20, demo: false, kioskName: '政务服务自助终端', staffPin: false, canQuit: false };

let settings: KioskSettings = DEFAULT_SETTINGS;

export async function loadSettings(): Promise<KioskSettings> {
  try {
    settings = { ...DEFAULT_SETTINGS, ...(await api.get<Partial<KioskSettings>>('/api/kiosk')) };
  } catch {
    settings = DEFAULT_SETTINGS;
  }
  return settings;
}

export function getSettings(): KioskSettings {
  return settings;
}

/** The settings as loaded at boot (they do not change while the page runs). */
export function useSettings(): KioskSettings {
  return settings;
}
