/**
 * Typed failures with the exit code every `tongban` subcommand uses for them:
 *   0 success · 1 a negative answer · 2 bad usage or unreadable input · 3 a device or environment failure.
 * Libraries throw these (or subclasses) so that the CLI, the local API and the UI can each say plainly
 * what went wrong without parsing messages.
 */

export const ExitCode = {
  ok: 0,
  negative: 1,
  usage: 2,
  failure: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export abstract class TongbanError extends Error {
  abstract readonly exitCode: ExitCode;
  /** A stable machine-readable code, e.g. `usage.unknownOption`, `device.noCard`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** The answer is "no": a signature that does not verify, an audit chain that is broken. */
export class NegativeAnswer extends TongbanError {
  readonly exitCode = ExitCode.negative;
}

/** The caller asked wrongly: unknown option, missing argument, malformed value. */
export class UsageError extends TongbanError {
  readonly exitCode = ExitCode.usage;
  constructor(message: string, code = 'usage', options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** An input file or message cannot be read or does not have the expected form. */
export class InputError extends TongbanError {
  readonly exitCode = ExitCode.usage;
}

/** A device is missing, unplugged, out of paper, or answered nonsense. */
export class DeviceError extends TongbanError {
  readonly exitCode = ExitCode.failure;
}

/** The machine is not as needed: a directory not writable, a port taken, a service down. */
export class EnvironmentError extends TongbanError {
  readonly exitCode = ExitCode.failure;
}

export function isTongbanError(err: unknown): err is TongbanError {
  return err instanceof TongbanError;
}

/** The message of anything thrown, without assuming it is an Error. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === 'string' ? err : JSON.stringify(err) ?? String(err);
}
