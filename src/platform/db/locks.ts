import { PostgresAdapter, sql } from 'kysely';
import type { Tx } from './database.js';

/**
 * Serialises changes that must see each other (the last owner, a user's accepted missions) by locking one
 * parent row. On PostgreSQL that is `SELECT … FOR UPDATE`; SQLite needs nothing, because Kysely's SQLite driver
 * runs one transaction at a time on its single connection.
 */
export async function lockRow(
  tx: Tx,
  table: 'orgs' | 'users' | 'accounts' | 'mission_roles' | 'assignments',
  id: string,
): Promise<void> {
  if (tx.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`SELECT 1 FROM ${sql.table(table)} WHERE id = ${id} FOR UPDATE`.execute(tx);
  }
}
