/**
 * The closed registry of error codes the API can answer with, and their HTTP status. Services throw
 * `AppError`; one handler turns it into problem+json. Nothing outside this list reaches a client.
 */
export const ERROR_STATUS = {
  validation_failed: 400,
  bad_request: 400,
  invalid_token: 400,
  unauthorized: 401,
  invalid_credentials: 401,
  wrong_password: 400,
  forbidden: 403,
  cross_site_request: 403,
  not_found: 404,
  conflict: 409,
  already_exists: 409,
  name_taken: 409,
  email_taken: 409,
  assignment_exists: 409,
  role_full: 409,
  invalid_transition: 409,
  last_owner: 409,
  project_archived: 409,
  in_use: 409,
  user_inactive: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal_error: 500,
  not_ready: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra machine-readable members of the problem document (e.g. `reasons`, `errors`). */
    readonly extensions: Record<string, unknown> = {},
    /** Response headers that belong to this error (e.g. `Retry-After`). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'AppError';
    this.status = ERROR_STATUS[code];
  }
}

/** The one answer for both "does not exist" and "exists in another org": nobody learns what exists. */
export function notFound(what: string): AppError {
  return new AppError('not_found', `${what} not found`);
}
