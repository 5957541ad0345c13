/** Status and listener plumbing shared by the scanner readers (serial and HID). */
import type { ScanCode, ScannerError } from './types.js';

export type ScannerState = 'online' | 'offline' | 'unplugged' | 'error';

export interface ScannerStatus {
  readonly state: ScannerState;
  readonly detail?: string;
  readonly since: Date;
}

export type CodeListener = (code: ScanCode) => void;
export type ScannerErrorListener = (error: ScannerError) => void;
export type StatusListener = (status: ScannerStatus) => void;

/** What both readers offer (the device manager holds this). */
export interface ScannerReader {
  readonly source: string;
  open(): Promise<void>;
  close(): Promise<void>;
  status(): ScannerStatus;
  onStatus(listener: StatusListener): () => void;
  /** Every complete code, in order. */
  onCode(listener: CodeListener): () => void;
  /** Typed, non-fatal trouble on the line: overlong runs, partial codes, garbled reports. */
  onError(listener: ScannerErrorListener): () => void;
}

/** Listener sets and the current status; a listener that throws cannot break the reader. */
export class ReaderEvents {
  private readonly codes = new Set<CodeListener>();
  private readonly errors = new Set<ScannerErrorListener>();
  private readonly statuses = new Set<StatusListener>();
  current: ScannerStatus = { state: 'offline', since: new Date() };

  onCode(l: CodeListener): () => void {
    this.codes.add(l);
    return () => this.codes.delete(l);
  }
  onError(l: ScannerErrorListener): () => void {
    this.errors.add(l);
    return () => this.errors.delete(l);
  }
  onStatus(l: StatusListener): () => void {
    this.statuses.add(l);
    return () => this.statuses.delete(l);
  }

  code(c: ScanCode): void {
    for (const l of [...this.codes]) safe(() => l(c));
  }
  error(e: ScannerError): void {
    for (const l of [...this.errors]) safe(() => l(e));
  }
  setStatus(state: ScannerState, detail?: string): void {
    if (this.current.state === state && this.current.detail === detail) return;
    this.current = { state, ...(detail !== undefined ? { detail } : {}), since: new Date() };
    const s = this.current;
    for (const l of [...this.statuses]) safe(() => l(s));
  }
}

function safe(f: () => void): void {
  try {
    f();
  } catch {
    // a listener's bug must not stop the reader
  }
}
