/**
 * The one error shape of the local API: `{ "error": { "code", "message", "field"? } }` with a 4xx
 * status for what the caller did wrong, so the kiosk UI and tools can react to `code` and show
 * `message` without parsing it.
 */
import { EnvironmentError, isTongbanError } from '../../base/errors.js';
import { CheckError } from '../../drivers/manager/check.js';

export interface ApiErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly field?: string; readonly problems?: ApiError['problems']; readonly job?: unknown };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** Every problem found, when there were several (a case form: the kiosk marks each field). */
  problems?: readonly { readonly path: string; readonly zh: string; readonly en: string }[];

  /** The print job kept when the printer refused (paper out): the client retries it by its id. */
  job?: unknown;

  get body(): ApiErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.field !== undefined ? { field: this.field } : {}),
        ...(this.problems !== undefined ? { problems: this.problems } : {}),
        ...(this.job !== undefined ? { job: this.job } : {}),
      },
    };
  }
}

/**
 * What a handler threw, as the API answers it: our own ApiError as it is; a failed input check as 400
 * naming the field; a typed input error of a library (a form that does not validate, a transition not
 * allowed) as 400/409 with its code. Anything else is a bug: undefined (the server answers 500).
 */
export function toApiError(err: unknown): ApiError | undefined {
  if (err instanceof ApiError) return err;
  if (err instanceof CheckError) return new ApiError(400, 'invalid', err.message, err.path);
  if (isTongbanError(err) && err.exitCode === 2) {
    const field = (err as { field?: unknown }).field;
    return new ApiError(conflictCodes.test(err.code) ? 409 : 400, err.code, err.message, typeof field === 'string' ? field : undefined);
  }
  if (isTongbanError(err) && err.exitCode === 1) return new ApiError(409, err.code, err.message);
  // The machine is not as needed (a simulator not running): not the caller's fault, not a bug either.
  if (err instanceof EnvironmentError) return new ApiError(503, err.code, err.message);
  return undefined;
}

/** Input errors that are about the state of a thing rather than the request's form. */
const conflictCodes = /(transition|conflict|state)/i;
