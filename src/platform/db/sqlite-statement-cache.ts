import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

const MAX_CACHED_STATEMENTS = 500;

/**
 * Kysely's SQLite driver prepares every statement anew (≈120 µs each). Queries are built from a small set
 * of shapes, so we keep the prepared statements, least recently used out first. Parameters are adapted on
 * the way in: SQLite binds neither booleans nor Dates.
 */
export function cachingSqliteDatabase(sqlite: BetterSqlite3.Database): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => {
      cache.clear();
      sqlite.close();
    },
    prepare(sql: string): SqliteStatement {
      const cached = cache.get(sql);
      if (cached) {
        cache.delete(sql);
        cache.set(sql, cached);
        return cached;
      }
      const statement = adapt(sqlite.prepare(sql));
      cache.set(sql, statement);
      if (cache.size > MAX_CACHED_STATEMENTS) cache.delete(cache.keys().next().value!);
      return statement;
    },
  };
}

function adapt(statement: BetterSqlite3.Statement): SqliteStatement {
  return {
    reader: statement.reader,
    all: (parameters) => statement.all(bindable(parameters)),
    run: (parameters) => statement.run(bindable(parameters)),
    iterate: (parameters) => statement.iterate(bindable(parameters)),
  };
}

function bindable(parameters: ReadonlyArray<unknown>): unknown[] {
  return parameters.map((p) =>
    typeof p === 'boolean' ? (p ? 1 : 0) : p instanceof Date ? p.toISOString() : p,
  );
}
