/** The store's typed refusals; each code is what the server puts in its protocol error. */
import { InputError, NegativeAnswer } from '../../../base/errors.js';

export type EnrollErrorCode = 'auth.badToken' | 'auth.expiredToken' | 'auth.usedToken';
export type AuthErrorCode = 'auth.unknown' | 'auth.badSecret' | 'auth.revoked';

/** An enrolment token that is unknown, expired or already used. */
export class EnrollError extends NegativeAnswer {
  declare readonly code: EnrollErrorCode;
  constructor(code: EnrollErrorCode, message: string) {
    super(code, message);
  }
}

/** A kiosk that is unknown, gave the wrong secret, or was revoked. */
export class AuthError extends NegativeAnswer {
  declare readonly code: AuthErrorCode;
  constructor(code: AuthErrorCode, message: string) {
    super(code, message);
  }
}

/** A status change the endpoint's table does not allow, or whose guard fails (a note, a result). */
export class StatusError extends InputError {}

/** A file offer or chunk refused (bad hash, size, offset, type): the server answers `file.rejected`. */
export class FileRejected extends InputError {}
