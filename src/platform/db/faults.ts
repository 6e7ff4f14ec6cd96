import { AppError } from '../errors.js';

/**
 * What went wrong with the database itself, as opposed to with the request: the server is gone or refuses
 * connections (`unavailable`), or it did not answer within a timeout or a lock stayed taken (`timeout`). Both are
 * the operator's problem, not the client's: 503 with `Retry-After`, never 500.
 */
export type DatabaseFault = 'unavailable' | 'timeout';

/** SQLSTATEs of a server that went away or cannot take us now. Class 08 is "connection exception". */
const UNAVAILABLE_SQLSTATES = new Set([
  '57P01', // admin_shutdown: terminated by pg_terminate_backend or a restart
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up or shutting down
  '53300', // too_many_connections
  '3D000', // invalid_catalog_name: the database was dropped under us
]);
const TIMEOUT_SQLSTATES = new Set([
  '57014', // query_canceled: statement_timeout
  '55P03', // lock_not_available: lock_timeout
  '25P03', // idle_in_transaction_session_timeout
]);
/** Node socket errors on the way to the server. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** What `pg` and `pg-pool` throw without a code when the connection breaks or a client-side timer fires. */
const UNAVAILABLE_MESSAGES = [
  /^Connection terminated/,
  /is not queryable/,
  /^Client was closed/,
  /^Cannot use a pool after calling end/,
  // Closed under a request (shutdown): SQLite's handle, or Kysely's driver.
  /^The database connection is not open/,
  /^driver has already been destroyed/,
];
const TIMEOUT_MESSAGES = [/^timeout exceeded when trying to connect/, /^Query read timeout/];

export function databaseFault(error: unknown): DatabaseFault | null {
  if (!(error instanceof Error)) return null;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (TIMEOUT_SQLSTATES.has(code)) return 'timeout';
    if (UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08') || NETWORK_CODES.has(code))
      return 'unavailable';
    // SQLite: another connection (a CLI, a second process) holds the write lock past busy_timeout.
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'timeout';
  }
  if (TIMEOUT_MESSAGES.some((pattern) => pattern.test(error.message))) return 'timeout';
  if (UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(error.message))) return 'unavailable';
  if (error instanceof AggregateError) {
    return error.errors.map(databaseFault).find((fault) => fault !== null) ?? null;
  }
  return null;
}

/**
 * After such an error the connection itself cannot be trusted (a query may still be running on it, or the socket
 * is dead): it must be discarded, not handed to the next request.
 */
export function breaksConnection(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && TIMEOUT_SQLSTATES.has(code)) return false;
  return databaseFault(error) !== null;
}

/** How long a client should wait before retrying, per fault: a restart takes seconds, a busy lock less. */
const RETRY_AFTER_SECONDS: Record<DatabaseFault, number> = { unavailable: 5, timeout: 2 };

/**
 * PostgreSQL gave up one of two conflicting transactions (40001 serialization_failure, 40P01 deadlock_detected).
 * The lock order (src/platform/db/locks.ts) should make this never happen; if it does, the client is told that
 * a concurrent change won and may retry, instead of a 500.
 */
const CONCURRENCY_SQLSTATES = new Set(['40001', '40P01']);

/** The problem a client gets for a database fault, or null when the error is not one. */
export function databaseProblem(error: unknown): AppError | null {
  if (CONCURRENCY_SQLSTATES.has((error as { code?: unknown } | null)?.code as string)) {
    return new AppError(
      'concurrent_update',
      'A concurrent change to the same data won: read it again and retry',
      {},
      { 'retry-after': '1' },
    );
  }
  const fault = databaseFault(error);
  if (!fault) return null;
  const retryAfter = { 'retry-after': String(RETRY_AFTER_SECONDS[fault]) };
  return fault === 'unavailable'
    ? new AppError('database_unavailable', 'The database is unreachable: retry shortly', {}, retryAfter)
    : new AppError(
        'database_timeout',
        'The database did not answer in time (busy or locked): retry shortly',
        {},
        retryAfter,
      );
}
