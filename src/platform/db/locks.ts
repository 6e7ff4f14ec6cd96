import { PostgresAdapter, sql } from 'kysely';
import type { Executor } from './database.js';

/**
 * Serialises changes that must see each other (the last owner, a user's accepted missions) by locking one
 * parent row. On PostgreSQL that is `SELECT … FOR UPDATE`; SQLite needs nothing, because Kysely's SQLite driver
 * runs one transaction at a time on its single connection.
 *
 * Lock order, everywhere (docs/database.md, "Locking order"), so two transactions never wait on each other:
 * orgs → projects → missions → users (by id) → accounts → assignments / mission_roles. Read what a check
 * depends on only after taking its lock.
 */
export async function lockRow(
  tx: Executor,
  table: 'orgs' | 'projects' | 'missions' | 'users' | 'accounts' | 'mission_roles' | 'assignments',
  id: string,
): Promise<void> {
  if (tx.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`SELECT 1 FROM ${sql.table(table)} WHERE id = ${id} FOR UPDATE`.execute(tx);
  }
}
