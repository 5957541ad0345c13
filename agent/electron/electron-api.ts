/**
 * The part of Electron's main-process API the kiosk shell uses, typed here (the `electron` package and
 * its type definitions are optional: they are absent where its binary cannot be downloaded, and the
 * project must build there). Only what shell.ts calls; the names and signatures are Electron's own
 * (https://www.electronjs.org/docs/latest/api/app, browser-window, web-contents, session,
 * power-save-blocker, menu), so `import('electron')` satisfies this interface at run time.
 */

/** An Electron event whose default action a listener may cancel. */
export interface ElectronEvent {
  preventDefault(): void;
}

export interface RenderProcessGoneDetails {
  /** clean-exit, abnormal-exit, killed, crashed, oom, launch-failed, integrity-failure. */
  readonly reason: string;
  readonly exitCode: number;
}

export interface InputEvent {
  readonly type: string;
  readonly key: string;
  readonly code: string;
  readonly control: boolean;
  readonly meta: boolean;
  readonly alt: boolean;
  readonly shift: boolean;
}

export interface HeadersReceivedDetails {
  readonly url: string;
  readonly responseHeaders?: Record<string, string[]>;
}

export interface WebRequest {
  onHeadersReceived(listener: (details: HeadersReceivedDetails, callback: (response: { responseHeaders: Record<string, string[]> }) => void) => void): void;
}

export interface Session {
  readonly webRequest: WebRequest;
  setPermissionRequestHandler(handler: (contents: WebContents, permission: string, callback: (granted: boolean) => void, details: { readonly requestingUrl?: string }) => void): void;
  setPermissionCheckHandler(handler: (contents: WebContents | null, permission: string, requestingOrigin: string) => boolean): void;
  setDevicePermissionHandler(handler: (details: { readonly deviceType: string; readonly origin: string }) => boolean): void;
  on(event: 'select-hid-device' | 'select-serial-port' | 'select-usb-device', listener: (event: ElectronEvent, details: unknown, callback: (id?: string) => void) => void): void;
  on(event: 'will-download', listener: (event: ElectronEvent) => void): void;
}

export interface WebContents {
  readonly id: number;
  readonly session: Session;
  on(event: 'will-navigate' | 'will-redirect', listener: (event: ElectronEvent, url: string) => void): void;
  on(event: 'will-attach-webview', listener: (event: ElectronEvent) => void): void;
  on(event: 'render-process-gone', listener: (event: ElectronEvent, details: RenderProcessGoneDetails) => void): void;
  on(event: 'before-input-event', listener: (event: ElectronEvent, input: InputEvent) => void): void;
  on(event: 'devtools-opened' | 'did-finish-load', listener: () => void): void;
  on(event: 'did-fail-load', listener: (event: ElectronEvent, errorCode: number, errorDescription: string, validatedURL: string) => void): void;
  setWindowOpenHandler(handler: (details: { readonly url: string }) => { action: 'deny' } | { action: 'allow' }): void;
  loadURL(url: string): Promise<void>;
  closeDevTools(): void;
  forcefullyCrashRenderer(): void;
  isDestroyed(): boolean;
}

export interface BrowserWindowOptions {
  readonly kiosk: boolean;
  readonly fullscreen: boolean;
  readonly show: boolean;
  readonly frame: boolean;
  readonly autoHideMenuBar: boolean;
  readonly backgroundColor: string;
  readonly title: string;
  readonly webPreferences: Record<string, unknown>;
}

export interface BrowserWindow {
  readonly webContents: WebContents;
  on(event: 'close', listener: (event: ElectronEvent) => void): void;
  on(event: 'closed' | 'ready-to-show' | 'unresponsive' | 'responsive', listener: () => void): void;
  removeMenu(): void;
  loadURL(url: string): Promise<void>;
  show(): void;
  focus(): void;
  restore(): void;
  isMinimized(): boolean;
  isDestroyed(): boolean;
  close(): void;
}

export interface App {
  readonly isPackaged: boolean;
  requestSingleInstanceLock(): boolean;
  enableSandbox(): void;
  whenReady(): Promise<void>;
  on(event: 'second-instance', listener: () => void): void;
  on(event: 'window-all-closed', listener: () => void): void;
  on(event: 'before-quit', listener: () => void): void;
  on(event: 'will-quit', listener: (event: ElectronEvent) => void): void;
  on(event: 'web-contents-created', listener: (event: ElectronEvent, contents: WebContents) => void): void;
  quit(): void;
  exit(code?: number): void;
  getPath(name: 'userData' | 'home'): string;
}

/** What `import('electron')` gives the main process, as far as the shell uses it. */
export interface ElectronMain {
  readonly app: App;
  readonly BrowserWindow: new (options: BrowserWindowOptions) => BrowserWindow;
  readonly Menu: { setApplicationMenu(menu: null): void };
  readonly powerSaveBlocker: { start(type: 'prevent-display-sleep' | 'prevent-app-suspension'): number; stop(id: number): void; isStarted(id: number): boolean };
}
