import type { Database, Dialect } from './database.js';
import { declaredSchema, type LogicalType, type TableSpec } from './schema.js';
import { introspect, type ActualTable } from './schema-introspect.js';

const PHYSICAL: Record<Dialect, Record<LogicalType, string>> = {
  sqlite: {
    uuid: 'text',
    text: 'text',
    integer: 'integer',
    bigint: 'integer',
    boolean: 'integer',
    timestamp: 'text',
    json: 'text',
  },
  postgres: {
    uuid: 'uuid',
    text: 'text',
    integer: 'integer',
    bigint: 'bigint',
    boolean: 'boolean',
    timestamp: 'timestamp with time zone',
    json: 'jsonb',
  },
};

/** Every difference between the live database and the declared schema, as human-readable lines. */
export async function schemaDrift(database: Database): Promise<string[]> {
  return diffSchema(declaredSchema, await introspect(database), database.dialect);
}

export function diffSchema(
  expected: Record<string, TableSpec>,
  actual: Record<string, ActualTable>,
  dialect: Dialect,
): string[] {
  const problems: string[] = [];
  for (const name of Object.keys(actual)) {
    if (!expected[name]) problems.push(`table ${name}: in the database, not declared`);
  }
  for (const [name, spec] of Object.entries(expected)) {
    const table = actual[name];
    if (!table) {
      problems.push(`table ${name}: declared, missing from the database`);
      continue;
    }
    problems.push(...diffTable(name, spec, table, dialect));
  }
  return problems;
}

function diffTable(name: string, spec: TableSpec, table: ActualTable, dialect: Dialect): string[] {
  const problems: string[] = [];
  for (const column of Object.keys(table.columns)) {
    if (!(column in spec.columns)) problems.push(`${name}.${column}: in the database, not declared`);
  }
  for (const [column, notation] of Object.entries(spec.columns)) {
    const found = table.columns[column];
    if (!found) {
      problems.push(`${name}.${column}: declared, missing from the database`);
      continue;
    }
    const nullable = notation.endsWith('?');
    const type = PHYSICAL[dialect][notation.replace('?', '') as LogicalType];
    if (found.type !== type) problems.push(`${name}.${column}: type ${found.type}, declared ${type}`);
    if (found.nullable !== nullable) {
      problems.push(
        `${name}.${column}: ${found.nullable ? 'nullable' : 'not null'} in the database, declared otherwise`,
      );
    }
  }
  if (spec.primaryKey.join(',') !== table.primaryKey.join(',')) {
    problems.push(`${name}: primary key (${table.primaryKey}), declared (${spec.primaryKey})`);
  }

  const declaredIndexes = new Map(spec.indexes.map((i) => [i.name, i]));
  for (const index of table.indexes) {
    const declared = declaredIndexes.get(index.name);
    if (!declared) {
      problems.push(`${name}: index ${index.name} in the database, not declared`);
      continue;
    }
    declaredIndexes.delete(index.name);
    const same =
      declared.columns.join(',') === index.columns.join(',') &&
      Boolean(declared.unique) === index.unique &&
      normalisePredicate(declared.where) === normalisePredicate(index.where);
    if (!same) problems.push(`${name}: index ${index.name} differs from its declaration`);
  }
  for (const missing of declaredIndexes.keys()) problems.push(`${name}: index ${missing} declared, missing`);

  const key = (f: { columns: string[]; table: string; refColumns: string[]; onDelete: string }) =>
    `(${f.columns}) -> ${f.table}(${f.refColumns}) on delete ${f.onDelete}`;
  const actualKeys = new Set(table.foreignKeys.map(key));
  const declaredKeys = new Set(spec.foreignKeys.map(key));
  for (const k of actualKeys)
    if (!declaredKeys.has(k)) problems.push(`${name}: foreign key ${k} not declared`);
  for (const k of declaredKeys)
    if (!actualKeys.has(k)) problems.push(`${name}: foreign key ${k} declared, missing`);
  return problems;
}

/**
 * PostgreSQL rewrites `status IN ('A', 'B')` as `(status = ANY (ARRAY['A'::text, 'B'::text]))`; SQLite keeps
 * the text. Both reduce to the same sorted bag of identifiers and literals.
 */
export function normalisePredicate(where: string | null | undefined): string {
  if (!where) return '';
  const tokens = where.replace(/::[a-z ]+/gi, '').match(/'[^']*'|[a-z_][a-z0-9_]*/gi);
  return (tokens ?? [])
    .map((t) => (t.startsWith("'") ? t : t.toLowerCase()))
    .filter((t) => !['any', 'array', 'in'].includes(t))
    .sort()
    .join(' ');
}
