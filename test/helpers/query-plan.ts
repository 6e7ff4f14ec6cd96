import { CompiledQuery, type Compilable } from 'kysely';
import type { Database } from '../../src/platform/db/database.js';

/**
 * The plan the database would run `query` with, as JSON text (SQLite's `EXPLAIN QUERY PLAN` rows, PostgreSQL's
 * `EXPLAIN` lines), to assert which indexes serve it. PostgreSQL plans by the tables' statistics, which a test's
 * near-empty tables do not have: `pgOff` names planner methods to turn off for the plan (`enable_seqscan`…), so
 * only a plan the indexes can serve remains.
 */
export function queryPlan(
  database: Database,
  query: Compilable<unknown>,
  pgOff: string[] = ['enable_seqscan'],
): Promise<string> {
  const { sql, parameters } = query.compile();
  return database.db.transaction().execute(async (tx) => {
    if (database.dialect === 'postgres')
      for (const setting of pgOff) await tx.executeQuery(CompiledQuery.raw(`SET LOCAL ${setting} = off`));
    const prefix = database.dialect === 'sqlite' ? 'EXPLAIN QUERY PLAN ' : 'EXPLAIN ';
    const result = await tx.executeQuery(CompiledQuery.raw(prefix + sql, [...parameters]));
    return JSON.stringify(result.rows);
  });
}
