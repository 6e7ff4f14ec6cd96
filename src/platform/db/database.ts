import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type Transaction } from 'kysely';
import type { Pool, CustomTypesConfig } from 'pg';
import type { DatabaseConfig } from './database-url.js';
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
}

export function createDatabase(config: DatabaseConfig, options: { poolSize?: number } = {}): Database {
  return config.dialect === 'sqlite'
    ? openSqlite(config.filename)
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

function openSqlite(filename: string): Database {
  if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
  const sqlite = new BetterSqlite3(filename);
  if (filename !== ':memory:') sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
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
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: cachingSqliteDatabase(sqlite) }) });
  return {
    db,
    dialect: 'sqlite',
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
  const normalised = text.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00');
  return new Date(
    normalised.endsWith('Z') || /[+-]\d\d:\d\d$/.test(normalised) ? normalised : `${normalised}Z`,
  ).toISOString();
}

/**
 * The pg driver is loaded on the first query, so the embedded SQLite setup never pays for it (memory is a
 * budget: a module not loaded costs nothing).
 */
function openPostgres(connectionString: string, options: { poolSize?: number }): Database {
  let pool: Pool | undefined;
  const createPool = async () => {
    const { default: pg } = await import('pg');
    const types: CustomTypesConfig = {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
        if (oid === TIMESTAMPTZ_OID || oid === TIMESTAMP_OID) return pgTimestampToIso;
        if (oid === INT8_OID || oid === NUMERIC_OID) return Number;
        return pg.types.getTypeParser(oid, format);
      }) as CustomTypesConfig['getTypeParser'],
    };
    pool = new pg.Pool({ connectionString, max: options.poolSize ?? 10, types, options: '-c TimeZone=UTC' });
    // An idle connection dropped by the server (restart, failover) must not crash the process: the pool
    // discards it and opens a new one on the next query.
    pool.on('error', (error) => console.warn(`PostgreSQL idle connection lost: ${error.message}`));
    return pool;
  };
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: createPool }) });
  return { db, dialect: 'postgres', close: () => db.destroy() };
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
