import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type { CustomTypesConfig, Pool, PoolConfig } from 'pg';
import { breaksConnection } from './faults.js';

/** How long the database may make a request wait; 0 turns a timeout off. Defaults live in `config.ts`. */
export interface DatabaseTimeouts {
  /** Opening a connection, and waiting for a free one in the pool. */
  connectTimeoutMs?: number;
  /** One statement, enforced by the server (`statement_timeout`) and, one second later, by the client. */
  statementTimeoutMs?: number;
  /** Waiting for a row or table lock (`lock_timeout`; SQLite's `busy_timeout`). */
  lockTimeoutMs?: number;
}

export interface PostgresPoolOptions extends DatabaseTimeouts {
  poolSize?: number;
  /** A connection broke outside any request (restart, failover, pg_terminate_backend). */
  onConnectionError?: (error: Error) => void;
}

export interface GuardedPool extends PostgresPool {
  /** The pool's connections now (metrics). */
  stats(): { total: number; idle: number; waiting: number };
}

/**
 * Statements run as named prepared statements: the precompiled hot-path queries (precompiled.ts), a bounded set.
 * PostgreSQL parses and plans such a statement once per connection instead of on every request.
 */
const preparedNames = new Map<string, string>();

export function prepareOnPostgres(sql: string): void {
  if (!preparedNames.has(sql)) preparedNames.set(sql, `crew_${preparedNames.size + 1}`);
}

/** The client gives up this long after the server should have: a frozen network never answers at all. */
const CLIENT_MARGIN_MS = 1000;

/**
 * A pg pool that survives the server: every client carries an `error` listener from birth (pg emits `error` on a
 * checked-out client whose connection dies, and an unlistened `error` kills the process), and a client that failed
 * at the connection level is destroyed on release instead of going back to the pool, so the next request opens a
 * fresh connection and recovery needs no manual step.
 */
export async function createPostgresPool(
  connectionString: string,
  types: CustomTypesConfig,
  options: PostgresPoolOptions,
): Promise<GuardedPool> {
  const { default: pg } = await import('pg');
  const onConnectionError =
    options.onConnectionError ??
    ((error: Error) => console.warn(`PostgreSQL connection lost: ${error.message}`));
  const config: PoolConfig = {
    connectionString,
    max: options.poolSize ?? 10,
    types,
    options: '-c TimeZone=UTC',
    // A peer that vanished without a word (a cable, a frozen VM) is noticed by the kernel, not hours later.
    keepAlive: true,
    ...(options.connectTimeoutMs ? { connectionTimeoutMillis: options.connectTimeoutMs } : {}),
    ...(options.statementTimeoutMs
      ? {
          statement_timeout: options.statementTimeoutMs,
          query_timeout: options.statementTimeoutMs + CLIENT_MARGIN_MS,
          // A transaction whose client vanished (the client gave up on a frozen link) must not keep its locks.
          idle_in_transaction_session_timeout: Math.max(10_000, 2 * options.statementTimeoutMs),
        }
      : {}),
    ...(options.lockTimeoutMs ? { lock_timeout: options.lockTimeoutMs } : {}),
  };
  const pool = new pg.Pool(config);
  // Idle clients: pg-pool removes them itself, but emits the error on the pool.
  pool.on('error', onConnectionError);
  // Checked-out clients: the pool's own listener is detached while a request holds the client.
  pool.on('connect', (client) => client.on('error', onConnectionError));
  return guarded(pool);
}

function guarded(pool: Pool): GuardedPool {
  return {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect();
      let broken: Error | undefined;
      // Kysely passes a cursor only for streamed queries, which this code base does not use.
      const query = (sql: string, parameters: readonly unknown[]) => {
        // After a read timeout pg still waits for the lost answer on this socket: never queue behind it.
        if (broken) return Promise.reject(broken);
        const name = preparedNames.get(sql);
        const values = parameters as unknown[];
        return (name ? client.query({ name, text: sql, values }) : client.query(sql, values)).catch(
          (error: unknown) => {
            if (breaksConnection(error)) broken = error as Error;
            throw error;
          },
        );
      };
      return {
        query: query as unknown as PostgresPoolClient['query'],
        release: () => client.release(broken),
      };
    },
    end: () => pool.end(),
    stats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
  };
}
