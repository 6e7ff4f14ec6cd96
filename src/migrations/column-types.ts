import { PostgresAdapter, sql, type Kysely, type RawBuilder } from 'kysely';

/**
 * Physical column types per dialect, for migrations only. Frozen like the migrations that use it:
 * a new type gets a new name, an existing one never changes.
 */
export interface ColumnTypes {
  isPostgres: boolean;
  uuid: RawBuilder<unknown>;
  text: RawBuilder<unknown>;
  integer: RawBuilder<unknown>;
  boolean: RawBuilder<unknown>;
  timestamp: RawBuilder<unknown>;
  json: RawBuilder<unknown>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function columnTypes(db: Kysely<any>): ColumnTypes {
  const isPostgres = db.getExecutor().adapter instanceof PostgresAdapter;
  return {
    isPostgres,
    uuid: sql.raw(isPostgres ? 'uuid' : 'text'),
    text: sql.raw('text'),
    integer: sql.raw('integer'),
    boolean: sql.raw(isPostgres ? 'boolean' : 'integer'),
    timestamp: sql.raw(isPostgres ? 'timestamptz' : 'text'),
    json: sql.raw(isPostgres ? 'jsonb' : 'text'),
  };
}

export function inList(values: readonly string[]): string {
  return values.map((v) => `'${v}'`).join(', ');
}
