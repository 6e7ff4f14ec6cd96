import { sql, type Kysely } from 'kysely';
import { columnTypes } from './column-types.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
// Frozen once merged: a schema change is a new migration, never an edit of this one.

/**
 * Rewrites every stored timestamp of SQLite into the canonical form `YYYY-MM-DDTHH:MM:SS.sssZ` (fixed width, UTC),
 * so that comparing them as text (ORDER BY, range filters, `CHECK (ends_at > starts_at)`) compares instants.
 * Before this, an offset given by a client (`…T10:00:00+02:00`) could be stored as sent, and a year past 9999
 * once the offset applied (`+010000-…`), after which reads of that org failed.
 *
 * A value that is not a parseable instant between 1900 and 9999 UTC, or a row whose canonical end would come
 * before its start, cannot be repaired by a machine: the migration then fails, names the rows, and changes
 * nothing (it runs in one transaction), so an operator fixes them and runs it again.
 *
 * PostgreSQL stores `timestamptz` as instants already: nothing to do there.
 */

/** The timestamp columns of the tables that exist at this point (20261121_0001_initial). */
const TIMESTAMP_COLUMNS: Record<string, string[]> = {
  orgs: ['created_at', 'updated_at'],
  accounts: ['created_at', 'updated_at'],
  org_memberships: ['created_at'],
  org_invitations: ['expires_at', 'accepted_at', 'created_at'],
  auth_sessions: ['created_at', 'expires_at', 'ended_at'],
  refresh_tokens: ['created_at', 'expires_at', 'rotated_at'],
  password_reset_tokens: ['created_at', 'expires_at', 'used_at'],
  users: ['created_at', 'updated_at'],
  projects: ['starts_at', 'ends_at', 'created_at', 'updated_at'],
  missions: ['starts_at', 'ends_at', 'published_at', 'created_at', 'updated_at'],
  mission_roles: ['created_at'],
  assignments: ['responded_at', 'created_at', 'updated_at'],
  availability: ['starts_at', 'ends_at', 'created_at'],
  invitations: ['created_at', 'expires_at', 'revoked_at'],
  audit_log: ['created_at'],
};

const CANONICAL_GLOB =
  '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z';
const EARLIEST = Date.parse('1900-01-01T00:00:00.000Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

function canonical(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) || ms < EARLIEST || ms > LATEST ? null : new Date(ms).toISOString();
}

export async function up(db: Kysely<any>): Promise<void> {
  if (columnTypes(db).isPostgres) return;
  const refused: string[] = [];
  const repairs: { table: string; rowId: unknown; changes: Record<string, string> }[] = [];
  for (const [table, columns] of Object.entries(TIMESTAMP_COLUMNS)) {
    const offCanonical = columns
      .map((c) => `(${c} IS NOT NULL AND NOT ${c} GLOB '${CANONICAL_GLOB}')`)
      .join(' OR ');
    const rows = await sql<Record<string, unknown>>`
      SELECT rowid AS row_id, ${sql.raw(columns.join(', '))} FROM ${sql.table(table)}
      WHERE ${sql.raw(offCanonical)}`.execute(db);
    for (const row of rows.rows) {
      const changes: Record<string, string> = {};
      for (const column of columns) {
        const value = row[column];
        if (value === null || value === undefined) continue;
        const fixed = canonical(value);
        if (fixed === null)
          refused.push(`${table}.${column} rowid ${String(row.row_id)}: ${JSON.stringify(value)}`);
        else if (fixed !== value) changes[column] = fixed;
      }
      if (Object.keys(changes).length > 0) repairs.push({ table, rowId: row.row_id, changes });
    }
  }
  if (refused.length > 0) throw cannotRepair(refused);
  // SQLite DDL is not run in a transaction by Kysely's migrator: the rewrite is all or nothing here.
  await db.transaction().execute(async (tx) => {
    for (const { table, rowId, changes } of repairs) {
      try {
        await tx.updateTable(table).set(changes).where(sql.ref('rowid'), '=', rowId).execute();
      } catch (error) {
        refused.push(`${table} rowid ${String(rowId)}: ${(error as Error).message} once canonical`);
      }
    }
    if (refused.length > 0) throw cannotRepair(refused);
  });
}

function cannotRepair(refused: string[]): Error {
  return new Error(
    `${refused.length} stored timestamp(s) cannot be made canonical; fix them by hand and upgrade again:\n` +
      refused.slice(0, 50).join('\n'),
  );
}

/**
 * Nothing to undo: the canonical form is a valid value of the same column and means the same instant, and the
 * spellings it replaced were not kept (nor are they worth keeping).
 */
export async function down(): Promise<void> {}
