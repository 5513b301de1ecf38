import { ErrorCode, type ErrorBody } from '../shared/api/common';

/**
 * An error meant for the client: an HTTP status, a stable code and a message a person can
 * act on. Anything else thrown inside a request becomes a generic 500 without details.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields?: Record<string, string>,
    /** Extra response headers, e.g. Retry-After. */
    readonly headers?: Record<string, string>,
    /** Policy refusals: the engine's reasons, sent as `error.reasons`. */
    readonly reasons?: NonNullable<ErrorBody['error']['reasons']>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const errors = {
  unauthenticated: (message = 'Sign in to continue') => new ApiError(401, ErrorCode.unauthenticated, message),
  forbidden: (message = 'Your role does not allow this') => new ApiError(403, ErrorCode.forbidden, message),
  /** Used for anything outside the caller's tenant as well, so ids of other tenants are not confirmed. */
  notFound: (what = 'resource') => new ApiError(404, ErrorCode.notFound, `No such ${what}`),
  validation: (fields: Record<string, string>, message = 'Some fields are not valid') =>
    new ApiError(400, ErrorCode.validation, message, fields),
  conflict: (message: string) => new ApiError(409, ErrorCode.conflict, message),
  invalidCredentials: () =>
    new ApiError(
      401,
      ErrorCode.invalidCredentials,
      'Email or password is incorrect, or sign-in is temporarily locked after repeated failures. Wait a few minutes and try again.',
    ),
};
