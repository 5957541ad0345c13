/**
 * The one logger of the project: structured JSON lines, one object per line, personal data masked
 * before anything is serialised (see redact.ts). Every part takes a `Logger` (usually a child with its
 * component name) instead of writing to the console.
 *
 * A line: {"time":"2026-11-21T08:00:00.000Z","level":"info","component":"drivers.idcard","msg":"card read","idNumber":"3416**********1234"}
 */
import { redactText, redactValue } from './redact.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Readonly<Record<string, unknown>>;

/** Where finished lines go. A sink receives a complete line, newline included. */
export interface LogSink {
  write(line: string): void;
}

export interface Logger {
  readonly level: LogLevel;
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger whose lines all carry `fields` (e.g. `{ component: 'sync.client' }`). */
  child(fields: LogFields): Logger;
  isEnabled(level: LogLevel): boolean;
}

export interface LoggerOptions {
  level?: LogLevel;
  sink?: LogSink;
  fields?: LogFields;
  /** Injected for deterministic tests. */
  clock?: () => Date;
}

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value);
}

/** Reserved keys are written first and cannot be overridden by fields. */
const RESERVED = new Set(['time', 'level', 'msg']);

class JsonLogger implements Logger {
  constructor(
    readonly level: LogLevel,
    private readonly sink: LogSink,
    private readonly bound: LogFields,
    private readonly clock: () => Date,
  ) {}

  isEnabled(level: LogLevel): boolean {
    return LEVEL_RANK[level] >= LEVEL_RANK[this.level];
  }

  debug(msg: string, fields?: LogFields): void {
    this.emit('debug', msg, fields);
  }
  info(msg: string, fields?: LogFields): void {
    this.emit('info', msg, fields);
  }
  warn(msg: string, fields?: LogFields): void {
    this.emit('warn', msg, fields);
  }
  error(msg: string, fields?: LogFields): void {
    this.emit('error', msg, fields);
  }

  child(fields: LogFields): Logger {
    return new JsonLogger(this.level, this.sink, { ...this.bound, ...fields }, this.clock);
  }

  private emit(level: LogLevel, msg: string, fields: LogFields | undefined): void {
    if (!this.isEnabled(level)) return;
    const record: Record<string, unknown> = { time: this.clock().toISOString(), level, msg: redactText(String(msg)) };
    const extra = redactValue({ ...this.bound, ...fields }) as Record<string, unknown>;
    for (const [k, v] of Object.entries(extra)) {
      record[RESERVED.has(k) ? `field.${k}` : k] = v;
    }
    let line: string;
    try {
      line = JSON.stringify(record);
    } catch {
      line = JSON.stringify({ time: record.time, level, msg: record.msg, logError: 'fields not serialisable' });
    }
    try {
      this.sink.write(line + '\n');
    } catch {
      // A broken log sink must never take down the kiosk.
    }
  }
}

/** The process's standard error: stdout stays free for command output (`--json`). */
export const stderrSink: LogSink = {
  write(line) {
    process.stderr.write(line);
  },
};

/** Collects lines in memory: for tests, and for showing recent log lines to staff. */
export class MemorySink implements LogSink {
  readonly lines: string[] = [];
  write(line: string): void {
    this.lines.push(line);
  }
  records(): Record<string, unknown>[] {
    return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}

/** Sends each line to several sinks (e.g. standard error and a file in the data directory). */
export function teeSink(...sinks: LogSink[]): LogSink {
  return {
    write(line) {
      for (const s of sinks) s.write(line);
    },
  };
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return new JsonLogger(
    options.level ?? levelFromEnv(),
    options.sink ?? stderrSink,
    options.fields ?? {},
    options.clock ?? (() => new Date()),
  );
}

/** TONGBAN_LOG_LEVEL=debug|info|warn|error; anything else falls back to info. */
export function levelFromEnv(env: NodeJS.ProcessEnv = process.env): LogLevel {
  const v = env.TONGBAN_LOG_LEVEL?.toLowerCase();
  return isLogLevel(v) ? v : 'info';
}

/** A logger that writes nothing: for library callers that did not pass one. */
export const silentLogger: Logger = createLogger({ level: 'error', sink: { write() {} } });
