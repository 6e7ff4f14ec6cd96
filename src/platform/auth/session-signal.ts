import { PostgresAdapter, sql } from 'kysely';
import type { Executor } from '../db/database.js';

/** The PostgreSQL channel on which a change to a session, an account or a membership is announced. */
export const SESSION_CHANNEL = 'crew_sessions';

/**
 * Announces, in the caller's transaction, that sessions or memberships changed (a session ended, a role changed,
 * a member left): every instance's session cache drops what it holds (docs/security.md, "Session cache").
 * PostgreSQL sends a `NOTIFY` at commit and never if the transaction rolls back, to every listening instance,
 * whoever the writer is (a request, another instance, the `crew` CLI). On SQLite there is nothing to send: each
 * instance sees another connection's commit in `PRAGMA data_version`, and its own writes directly.
 * Called by the repository functions that make such changes; a hand-made SQL change should `NOTIFY crew_sessions`.
 */
export async function signalSessionChange(db: Executor): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql`select pg_notify(${SESSION_CHANNEL}, '')`.execute(db);
}
