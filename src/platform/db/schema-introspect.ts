import { sql } from 'kysely';
import type { Database } from './database.js';

/** A table as found in a live database, in a shape both dialects can fill. */
export interface ActualTable {
  columns: Record<string, { type: string; nullable: boolean }>;
  primaryKey: string[];
  indexes: { name: string; columns: string[]; unique: boolean; where: string | null }[];
  foreignKeys: { columns: string[]; table: string; refColumns: string[]; onDelete: string }[];
}

const BOOKKEEPING = ['kysely_migration', 'kysely_migration_lock'];

export async function introspect({ db, dialect }: Database): Promise<Record<string, ActualTable>> {
  return dialect === 'sqlite' ? introspectSqlite(db) : introspectPostgres(db);
}

async function introspectSqlite(db: Database['db']): Promise<Record<string, ActualTable>> {
  const tables = await sql<{ name: string }>`
    SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`.execute(
    db,
  );
  const result: Record<string, ActualTable> = {};
  for (const { name } of tables.rows) {
    if (BOOKKEEPING.includes(name)) continue;
    const info = await sql<{ name: string; type: string; notnull: number; pk: number }>`
      SELECT * FROM pragma_table_info(${name})`.execute(db);
    const indexList = await sql<{ name: string; unique: number; origin: string }>`
      SELECT * FROM pragma_index_list(${name})`.execute(db);
    const indexes: ActualTable['indexes'] = [];
    for (const idx of indexList.rows.filter((i) => i.origin !== 'pk')) {
      const columns = await sql<{ name: string }>`
        SELECT name FROM pragma_index_info(${idx.name}) ORDER BY seqno`.execute(db);
      const ddl = await sql<{ sql: string | null }>`
        SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ${idx.name}`.execute(db);
      const where = /\swhere\s(.+)$/is.exec(ddl.rows[0]?.sql ?? '')?.[1] ?? null;
      indexes.push({
        name: idx.name,
        columns: columns.rows.map((c) => c.name),
        unique: idx.unique === 1,
        where,
      });
    }
    const fks = await sql<{ id: number; table: string; from: string; to: string; on_delete: string }>`
      SELECT * FROM pragma_foreign_key_list(${name}) ORDER BY id, seq`.execute(db);
    const foreignKeys = new Map<number, ActualTable['foreignKeys'][number]>();
    for (const row of fks.rows) {
      const entry = foreignKeys.get(row.id) ?? {
        columns: [],
        table: row.table,
        refColumns: [],
        onDelete: row.on_delete.toLowerCase(),
      };
      entry.columns.push(row.from);
      entry.refColumns.push(row.to);
      foreignKeys.set(row.id, entry);
    }
    result[name] = {
      columns: Object.fromEntries(
        info.rows.map((c) => [c.name, { type: c.type.toLowerCase(), nullable: c.notnull === 0 }]),
      ),
      primaryKey: info.rows
        .filter((c) => c.pk > 0)
        .sort((a, b) => a.pk - b.pk)
        .map((c) => c.name),
      indexes,
      foreignKeys: [...foreignKeys.values()],
    };
  }
  return result;
}

const PG_ON_DELETE: Record<string, string> = {
  a: 'no action',
  r: 'restrict',
  c: 'cascade',
  n: 'set null',
  d: 'set default',
};

async function introspectPostgres(db: Database['db']): Promise<Record<string, ActualTable>> {
  const columns = await sql<{
    table_name: string;
    column_name: string;
    data_type: string;
    is_nullable: string;
  }>`
    SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
    WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`.execute(db);
  const indexes = await sql<{
    table: string;
    name: string;
    unique: boolean;
    primary: boolean;
    where: string | null;
    columns: string[];
  }>`
    SELECT t.relname AS table, i.relname AS name, ix.indisunique AS unique, ix.indisprimary AS primary,
           pg_get_expr(ix.indpred, ix.indrelid) AS where,
           ARRAY(SELECT a.attname::text FROM unnest(ix.indkey) WITH ORDINALITY k(attnum, ord)
                 JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns
    FROM pg_index ix
    JOIN pg_class i ON i.oid = ix.indexrelid
    JOIN pg_class t ON t.oid = ix.indrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace
    WHERE n.nspname = current_schema()`.execute(db);
  const fks = await sql<{
    table: string;
    ref_table: string;
    columns: string[];
    ref_columns: string[];
    on_delete: string;
  }>`
    SELECT t.relname AS table, rt.relname AS ref_table, c.confdeltype AS on_delete,
           ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, o)
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.o) AS columns,
           ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, o)
                 JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.o) AS ref_columns
    FROM pg_constraint c
    JOIN pg_class t ON t.oid = c.conrelid
    JOIN pg_class rt ON rt.oid = c.confrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace
    WHERE c.contype = 'f' AND n.nspname = current_schema()`.execute(db);

  const result: Record<string, ActualTable> = {};
  const table = (name: string) =>
    (result[name] ??= { columns: {}, primaryKey: [], indexes: [], foreignKeys: [] });
  for (const c of columns.rows) {
    if (BOOKKEEPING.includes(c.table_name)) continue;
    table(c.table_name).columns[c.column_name] = { type: c.data_type, nullable: c.is_nullable === 'YES' };
  }
  for (const i of indexes.rows) {
    if (BOOKKEEPING.includes(i.table)) continue;
    if (i.primary) table(i.table).primaryKey = i.columns;
    else table(i.table).indexes.push({ name: i.name, columns: i.columns, unique: i.unique, where: i.where });
  }
  for (const f of fks.rows) {
    table(f.table).foreignKeys.push({
      columns: f.columns,
      table: f.ref_table,
      refColumns: f.ref_columns,
      onDelete: PG_ON_DELETE[f.on_delete] ?? f.on_delete,
    });
  }
  return result;
}
