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
  // No catch-all `conflict`: each 409 names its failure, so a client can act on it.
  /** A blocking staffing rule (overlap, rest, hours, …) refuses the change; `reasons` lists them. */
  rule_violation: 409,
  /** Moving a mission would double-book crew already accepted on it; `reasons` names them. */
  reschedule_conflict: 409,
  /** A role's quota cannot drop below the assignments already accepted on it. */
  quota_below_accepted: 409,
  /** A concurrent request rotated this refresh token moments ago: retry with the current cookie. */
  refresh_in_progress: 409,
  /** PostgreSQL aborted this write for a concurrent one (serialization failure, deadlock): read again, retry. */
  concurrent_update: 409,
  /** A new start (or end) alone would end the mission or project before it starts, given the stored other one. */
  dates_conflict: 409,
  /** The mission has already started: what was asked makes no sense any more. */
  mission_started: 409,
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
  /** An approved timesheet is locked: a manager reopens it first (audited). */
  timesheet_locked: 409,
  /** The body is not well-formed JSON; `detail` says where it broke. */
  malformed_json: 400,
  /** A request with an unknown route method, e.g. PUT where only GET exists. */
  method_not_allowed: 405,
  request_timeout: 408,
  payload_too_large: 413,
  uri_too_long: 414,
  unsupported_media_type: 415,
  headers_too_large: 431,
  rate_limited: 429,
  internal_error: 500,
  not_ready: 503,
  database_unavailable: 503,
  database_timeout: 503,
  database_not_migrated: 503,
  shutting_down: 503,
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
