import { existsSync, mkdirSync } from 'node:fs';
import { dirname, normalize } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type LogEvent, type Transaction } from 'kysely';
import type { CustomTypesConfig } from 'pg';
import type { DatabaseConfig } from './database-url.js';
import { createPostgresPool, type GuardedPool, type PostgresPoolOptions } from './postgres-pool.js';
import { cachingSqliteDatabase } from './sqlite-statement-cache.js';
import type { DB } from './tables.js';

export type Dialect = DatabaseConfig['dialect'];
export type Db = Kysely<DB>;
export type Tx = Transaction<DB>;
/** What repositories take: the database or a transaction, so the caller decides the transaction boundary. */
export type Executor = Db | Tx;

export interface Database {
  db: Db;
  dialect: Dialect;
  close(): Promise<void>;
  /** Calls `listener` after every query (metrics); returns the unsubscribe. */
  onQuery?(listener: QueryListener): () => void;
  /** The PostgreSQL pool's connections, or null before the first query and on SQLite. */
  poolStats?(): { total: number; idle: number; waiting: number } | null;
  /** SQLite: `PRAGMA data_version`, which changes when another connection commits (the session cache). */
  dataVersion?(): number;
}

export interface QueryEvent {
  sql: string;
  seconds: number;
  failed: boolean;
}
export type QueryListener = (event: QueryEvent) => void;

/** Pool size, timeouts (see {@link PostgresPoolOptions}); none given means no statement or lock timeout. */
export type DatabaseOptions = PostgresPoolOptions;

export function createDatabase(config: DatabaseConfig, options: DatabaseOptions = {}): Database {
  return config.dialect === 'sqlite'
    ? openSqlite(config.filename, options)
    : openPostgres(config.connectionString, options);
}

const KEY_LOOKUP_TABLES = [
  'auth_sessions',
  'refresh_tokens',
  'password_reset_tokens',
  'org_invitations',
  'invitations',
  'audit_log',
];

/** The embedded default's folder (`./data/dev.db`) is created on first start; any other must exist. */
const DEFAULT_SQLITE_FOLDER = 'data';

function ensureSqliteFolder(filename: string): void {
  const folder = dirname(filename);
  if (existsSync(folder)) return;
  if (normalize(folder) === DEFAULT_SQLITE_FOLDER) {
    mkdirSync(folder, { recursive: true });
    return;
  }
  // A typo in DATABASE_URL must not silently create a fresh, empty database somewhere else.
  throw new Error(
    `SQLite database folder "${folder}" does not exist: create it, or fix DATABASE_URL (only ./data is created)`,
  );
}

function openSqlite(filename: string, options: DatabaseOptions): Database {
  if (filename !== ':memory:') ensureSqliteFolder(filename);
  const sqlite = new BetterSqlite3(filename);
  if (filename !== ':memory:') sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  // SQLite waits for a lock synchronously, blocking the event loop: keep it short (then SQLITE_BUSY → 503).
  sqlite.pragma(`busy_timeout = ${Math.trunc(options.lockTimeoutMs ?? 5000)}`);
  sqlite.pragma('synchronous = NORMAL');
  // The planner needs statistics to prefer a person's index over the org's date index: gather them where missing
  // or stale now, and every hour (SQLite's advice for long-lived connections). Tables read only by key that grow
  // fast (sessions, tokens, the audit trail) keep none: stats taken while they were small would make a key
  // lookup look costlier than a scan, and the scan would grow with every login.
  const optimize = () => {
    sqlite.pragma('optimize = 0x10002');
    if (!sqlite.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_stat1'").get()) return;
    const stale = sqlite
      .prepare(`DELETE FROM sqlite_stat1 WHERE tbl IN (${KEY_LOOKUP_TABLES.map(() => '?').join(', ')})`)
      .run(...KEY_LOOKUP_TABLES);
    if (stale.changes > 0) sqlite.exec('ANALYZE sqlite_schema');
  };
  optimize();
  const timer = setInterval(optimize, 3600_000);
  timer.unref();
  const queries = queryObservers();
  const db = new Kysely<DB>({
    dialect: new SqliteDialect({ database: cachingSqliteDatabase(sqlite) }),
    log: queries.log,
  });
  // Read synchronously on the connection, outside Kysely: a handful of microseconds per authenticated request.
  let dataVersion: BetterSqlite3.Statement | undefined;
  return {
    db,
    dialect: 'sqlite',
    onQuery: queries.subscribe,
    dataVersion: () => {
      dataVersion ??= sqlite.prepare('PRAGMA data_version').pluck();
      return dataVersion.get() as number;
    },
    close: async () => {
      clearInterval(timer);
      await db.destroy();
      // Kysely closes the connection only if it ever opened it; a database never queried still holds the file.
      if (sqlite.open) sqlite.close();
    },
  };
}

const TIMESTAMPTZ_OID = 1184;
const TIMESTAMP_OID = 1114;
const INT8_OID = 20;
const NUMERIC_OID = 1700;

/** PostgreSQL prints `2026-01-02 10:00:00.123+00`; the API speaks `2026-01-02T10:00:00.123Z`. */
export function pgTimestampToIso(text: string): string {
  // The sessions run with TimeZone=UTC: a `timestamptz` reads `YYYY-MM-DD HH:MM:SS[.f…]+00` and is rewritten
  // without a Date (a list of 500 rows parses thousands of them). Sub-milliseconds are cut, as Date does.
  const length = text.length;
  if (
    length >= 22 &&
    text.charCodeAt(10) === 32 &&
    text.endsWith('+00') &&
    (length === 22 || (length <= 29 && text.charCodeAt(19) === 46))
  ) {
    const millis = length === 22 ? '000' : `${text.slice(20, length - 3)}00`.slice(0, 3);
    return `${text.slice(0, 10)}T${text.slice(11, 19)}.${millis}Z`;
  }
  return timestampThroughDate(text);
}

function timestampThroughDate(text: string): string {
  const normalised = text.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00');
  return new Date(
    normalised.endsWith('Z') || /[+-]\d\d:\d\d$/.test(normalised) ? normalised : `${normalised}Z`,
  ).toISOString();
}

/**
 * The pg driver is loaded on the first query, so the embedded SQLite setup never pays for it (memory is a
 * budget: a module not loaded costs nothing).
 */
function openPostgres(connectionString: string, options: DatabaseOptions): Database {
  let pool: GuardedPool | undefined;
  const createPool = async () => {
    const { default: pg } = await import('pg');
    const types: CustomTypesConfig = {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
        if (oid === TIMESTAMPTZ_OID || oid === TIMESTAMP_OID) return pgTimestampToIso;
        if (oid === INT8_OID || oid === NUMERIC_OID) return Number;
        return pg.types.getTypeParser(oid, format);
      }) as CustomTypesConfig['getTypeParser'],
    };
    pool = await createPostgresPool(connectionString, types, options);
    return pool;
  };
  const queries = queryObservers();
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: createPool }), log: queries.log });
  return {
    db,
    dialect: 'postgres',
    close: () => db.destroy(),
    onQuery: queries.subscribe,
    poolStats: () => pool?.stats() ?? null,
  };
}

/**
 * Kysely's query log, fanned out to whoever subscribed (metrics, the session cache's write watch). With nobody
 * subscribed it costs one size check per query; Kysely times each query only because a log function is set.
 */
function queryObservers(): { log: (event: LogEvent) => void; subscribe: (l: QueryListener) => () => void } {
  const listeners = new Set<QueryListener>();
  return {
    log(event) {
      if (listeners.size === 0) return;
      const observed = {
        sql: event.query.sql,
        seconds: event.queryDurationMillis / 1000,
        failed: event.level === 'error',
      };
      for (const listener of listeners) listener(observed);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** SQLite keeps booleans as 0/1 and PostgreSQL as true/false: read either. */
export function asBool(value: boolean | number): boolean {
  return value === true || value === 1;
}

/** SQLite keeps JSON as text, PostgreSQL (jsonb) hands back the parsed value. */
export function asJson<T = unknown>(value: unknown): T | null {
  if (value === null || value === undefined) return null;
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

/** The one way to write a JSON column on both dialects. */
export function toJson(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}
