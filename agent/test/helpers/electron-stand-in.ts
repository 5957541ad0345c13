/**
 * A stand-in for Electron's main-process API (agent/electron/electron-api.ts), for testing the shell's
 * wiring on machines where the Electron binary cannot exist. It keeps Electron's event order where the
 * shell depends on it: app.quit() emits before-quit, then closes every window (close, then closed
 * unless prevented), then will-quit (and exits unless prevented); a window's close() emits close and,
 * unless prevented, closed; a new window's web contents are announced with web-contents-created.
 * It renders nothing: what the window would show is fetched from the real agent by the tests.
 */
import type { App, BrowserWindow, BrowserWindowOptions, ElectronEvent, ElectronMain, HeadersReceivedDetails, InputEvent, RenderProcessGoneDetails, Session, WebContents } from '../../electron/electron-api.js';

type Listener = (...args: any[]) => unknown;

class Emitter {
  private readonly listeners = new Map<string, Listener[]>();
  on(event: string, listener: Listener): void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
  }
  count(event: string): number {
    return this.listeners.get(event)?.length ?? 0;
  }
  /** Emits with a cancellable event first; true when a listener prevented the default. */
  emitCancellable(event: string, ...args: unknown[]): boolean {
    const e = new StandInEvent();
    for (const l of this.listeners.get(event) ?? []) l(e, ...args);
    return e.defaultPrevented;
  }
  emit(event: string, ...args: unknown[]): void {
    for (const l of this.listeners.get(event) ?? []) l(...args);
  }
}

export class StandInEvent implements ElectronEvent {
  defaultPrevented = false;
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

export class StandInSession extends Emitter implements Session {
  permissionRequest?: Parameters<Session['setPermissionRequestHandler']>[0];
  permissionCheck?: Parameters<Session['setPermissionCheckHandler']>[0];
  devicePermission?: Parameters<Session['setDevicePermissionHandler']>[0];
  headersReceived?: (details: HeadersReceivedDetails, callback: (response: { responseHeaders: Record<string, string[]> }) => void) => void;
  readonly webRequest = {
    onHeadersReceived: (listener: NonNullable<StandInSession['headersReceived']>): void => {
      this.headersReceived = listener;
    },
  };
  setPermissionRequestHandler(handler: NonNullable<StandInSession['permissionRequest']>): void {
    this.permissionRequest = handler;
  }
  setPermissionCheckHandler(handler: NonNullable<StandInSession['permissionCheck']>): void {
    this.permissionCheck = handler;
  }
  setDevicePermissionHandler(handler: NonNullable<StandInSession['devicePermission']>): void {
    this.devicePermission = handler;
  }
}

let nextId = 1;

export class StandInWebContents extends Emitter implements WebContents {
  readonly id = nextId++;
  windowOpen?: Parameters<WebContents['setWindowOpenHandler']>[0];
  readonly loaded: string[] = [];
  devToolsClosed = 0;
  destroyed = false;
  constructor(readonly session: StandInSession) {
    super();
  }
  setWindowOpenHandler(handler: NonNullable<StandInWebContents['windowOpen']>): void {
    this.windowOpen = handler;
  }
  loadURL(url: string): Promise<void> {
    this.loaded.push(url);
    return Promise.resolve();
  }
  closeDevTools(): void {
    this.devToolsClosed++;
  }
  forcefullyCrashRenderer(): void {
    this.renderProcessGone({ reason: 'killed', exitCode: 9 });
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  renderProcessGone(details: RenderProcessGoneDetails): void {
    this.emitCancellable('render-process-gone', details);
  }
  input(input: Partial<InputEvent> & { key: string }): boolean {
    return this.emitCancellable('before-input-event', { type: 'keyDown', code: '', control: false, meta: false, alt: false, shift: false, ...input });
  }
  willNavigate(url: string): boolean {
    return this.emitCancellable('will-navigate', url);
  }
}

export class StandInWindow extends Emitter implements BrowserWindow {
  readonly webContents: StandInWebContents;
  destroyed = false;
  shown = false;
  focused = 0;
  menuRemoved = false;
  constructor(
    readonly options: BrowserWindowOptions,
    private readonly electron: StandInElectron,
  ) {
    super();
    this.webContents = new StandInWebContents(electron.defaultSession);
    electron.windows.push(this);
    electron.app.emitCancellable('web-contents-created', this.webContents);
  }
  removeMenu(): void {
    this.menuRemoved = true;
  }
  loadURL(url: string): Promise<void> {
    const p = this.webContents.loadURL(url);
    queueMicrotask(() => this.emit('ready-to-show'));
    return p;
  }
  show(): void {
    this.shown = true;
  }
  focus(): void {
    this.focused++;
  }
  restore(): void {}
  isMinimized(): boolean {
    return false;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** close() as a user or the window manager asks it (Alt+F4): close, then closed unless prevented. */
  close(): void {
    if (this.destroyed) return;
    if (this.emitCancellable('close')) return;
    this.destroy();
  }
  /** The window gone without a say (destroy(), a crash of the GPU process taking it): closed only. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.emit('closed');
  }
}

export class StandInApp extends Emitter implements App {
  isPackaged = true;
  lock = true;
  sandboxEnabled = false;
  quitCalls = 0;
  exitCode: number | undefined;
  private resolveExit!: (code: number) => void;
  readonly exited = new Promise<number>((resolve) => (this.resolveExit = resolve));
  constructor(private readonly electron: StandInElectron) {
    super();
  }
  requestSingleInstanceLock(): boolean {
    return this.lock;
  }
  enableSandbox(): void {
    this.sandboxEnabled = true;
  }
  whenReady(): Promise<void> {
    return Promise.resolve();
  }
  /** Electron's order: before-quit; every window closed (each may refuse: the quit is then cancelled); will-quit; exit. */
  quit(): void {
    this.quitCalls++;
    if (this.emitCancellable('before-quit')) return;
    for (const w of this.electron.windows.filter((x) => !x.destroyed)) {
      w.close();
      if (!w.destroyed) return;
    }
    if (this.emitCancellable('will-quit')) return;
    this.exit(0);
  }
  exit(code = 0): void {
    if (this.exitCode !== undefined) return;
    this.exitCode = code;
    for (const w of this.electron.windows) w.destroy();
    this.resolveExit(code);
  }
  getPath(): string {
    return '/nonexistent';
  }
}

export class StandInElectron implements ElectronMain {
  readonly windows: StandInWindow[] = [];
  readonly defaultSession = new StandInSession();
  readonly app = new StandInApp(this);
  applicationMenu: null | undefined = undefined;
  readonly blockers = new Map<number, string>();
  private nextBlocker = 1;
  readonly Menu = {
    setApplicationMenu: (menu: null): void => {
      this.applicationMenu = menu;
    },
  };
  readonly powerSaveBlocker = {
    start: (type: string): number => {
      const id = this.nextBlocker++;
      this.blockers.set(id, type);
      return id;
    },
    stop: (id: number): void => {
      this.blockers.delete(id);
    },
    isStarted: (id: number): boolean => this.blockers.has(id),
  };
  readonly BrowserWindow: new (options: BrowserWindowOptions) => BrowserWindow;
  constructor() {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const electron = this;
    this.BrowserWindow = class extends StandInWindow {
      constructor(options: BrowserWindowOptions) {
        super(options, electron);
      }
    };
  }
  /** The windows not destroyed. */
  open(): StandInWindow[] {
    return this.windows.filter((w) => !w.destroyed);
  }
}
